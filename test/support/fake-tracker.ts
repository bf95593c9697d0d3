// A stateful stand-in for a team's tracker (GitHub Issues or Jira) behind the IssueTracker port: it
// keeps issues, can be down, can lose the answer to a create after making the issue, and records
// every call. Tests drive the tracker's side with `event()`, the webhook a change there would send.
import { randomUUID } from 'node:crypto';
import type {
  TrackerChange,
  TrackerEvent,
  TrackerIssue,
  TrackerIssueDraft,
  TrackerKind,
  TrackerUser,
} from '../../src/domain/trackers.ts';
import {
  TrackerIssueGone,
  TrackerUnavailable,
  type IssueTracker,
  type IssueUpdate,
} from '../../src/ports/issue-tracker.ts';

export interface FakeIssue {
  issue: TrackerIssue;
  target: string;
  draft: TrackerIssueDraft;
  state: 'open' | 'closed';
  assignee: TrackerUser | null;
  due: string | null;
  createdAt: Date;
}

/** Issue numbers go on across fakes, as a real tracker's do (tests share a database). */
let nextNumber = 1;

export class FakeTracker implements IssueTracker {
  readonly kind: TrackerKind;
  readonly issues: FakeIssue[] = [];
  readonly calls: { op: 'create' | 'find' | 'update'; target: string; issueId?: string; update?: IssueUpdate }[] = [];
  /** Every call fails (TrackerUnavailable) while true. */
  down = false;
  /** The next creates make the issue, then fail as if the answer were lost (a timeout). */
  loseCreateAnswers = 0;
  /** The people the tracker knows, by lower-cased email. */
  readonly users = new Map<string, TrackerUser>();
  /** The bot's own user in the tracker: events by it are echoes. */
  readonly self: TrackerUser;

  constructor(kind: TrackerKind = 'github') {
    this.kind = kind;
    this.self =
      kind === 'github'
        ? { id: 'incident-bot[bot]', name: 'incident-bot[bot]', email: null }
        : { id: 'bot-account', name: 'Incident Bot', email: null };
  }

  async selfId(): Promise<string | null> {
    return this.self.id;
  }

  /** A tracker user matched by this email. */
  person(email: string, id: string, name = id): TrackerUser {
    const user = { id, name, email };
    this.users.set(email.toLowerCase(), user);
    return user;
  }

  private check(): void {
    if (this.down) throw new TrackerUnavailable(`${this.kind} is down (HTTP 503)`);
  }

  async create(target: string, draft: TrackerIssueDraft): Promise<TrackerIssue> {
    this.calls.push({ op: 'create', target });
    this.check();
    const n = nextNumber++;
    const issue =
      this.kind === 'github'
        ? { id: String(n), key: `${target}#${n}`, url: `https://github.example/${target}/issues/${n}` }
        : { id: String(10000 + n), key: `${target}-${n}`, url: `https://jira.example/browse/${target}-${n}` };
    this.issues.push({
      issue,
      target,
      draft,
      state: 'open',
      assignee: draft.assignee,
      due: draft.due,
      createdAt: new Date(),
    });
    if (this.loseCreateAnswers > 0) {
      this.loseCreateAnswers--;
      throw new TrackerUnavailable(`${this.kind} did not answer in time`);
    }
    return issue;
  }

  async findByMarker(target: string, marker: string, _since: Date): Promise<TrackerIssue | null> {
    this.calls.push({ op: 'find', target });
    this.check();
    return this.issues.find((i) => i.target === target && i.draft.marker === marker)?.issue ?? null;
  }

  async update(target: string, issue: TrackerIssue, update: IssueUpdate): Promise<void> {
    this.calls.push({ op: 'update', target, issueId: issue.id, update });
    this.check();
    const found = this.issueById(issue.id);
    if (!found) throw new TrackerIssueGone(`${this.kind}: no issue ${issue.key} (HTTP 404)`);
    if (update.state) found.state = update.state;
    if (update.assignee !== undefined) found.assignee = update.assignee;
    if (update.due !== undefined) found.due = update.due;
  }

  async userByEmail(_target: string, email: string): Promise<TrackerUser | null> {
    this.check();
    return this.users.get(email.toLowerCase()) ?? null;
  }

  async emailOf(_target: string, user: TrackerUser): Promise<string | null> {
    this.check();
    if (user.email) return user.email;
    for (const [email, u] of this.users) if (u.id === user.id) return email;
    return null;
  }

  issueById(id: string): FakeIssue | undefined {
    return this.issues.find((i) => i.issue.id === id);
  }

  /** The webhook a change in the tracker sends (the change applied to the fake's issue too). */
  event(
    issue: FakeIssue,
    by: TrackerUser,
    changes: TrackerChange[],
    o: { deliveryId?: string; occurredAt?: Date | null } = {},
  ): TrackerEvent {
    for (const c of changes) {
      if (c.kind === 'closed') issue.state = 'closed';
      if (c.kind === 'reopened') issue.state = 'open';
      if (c.kind === 'assigned') issue.assignee = c.assignee;
      if (c.kind === 'due') issue.due = c.due;
    }
    return {
      tracker: this.kind,
      target: issue.target,
      issue: issue.issue,
      deliveryId: o.deliveryId ?? randomUUID(),
      actor: by,
      fromSelf: by.id === this.self.id,
      changes,
      occurredAt: o.occurredAt ?? null,
      bodyHash: null,
    };
  }
}
