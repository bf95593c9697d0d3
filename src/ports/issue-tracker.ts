import type { TrackerIssue, TrackerIssueDraft, TrackerKind, TrackerUser } from '../domain/trackers.ts';

/** What to change on an issue: its state, its assignee (a tracker user; null: nobody), its due date. */
export interface IssueUpdate {
  state?: 'open' | 'closed';
  assignee?: TrackerUser | null;
  due?: string | null;
  /** A comment added to the issue (plain text, already through the PHI guard). */
  comment?: string;
}

/**
 * A team's tracker (GitHub Issues through the GitHub App, Jira Cloud) as the action items need it.
 * `target` is a repository (`owner/repo`) or a project key (`OPS`). Every call throws
 * TrackerUnavailable when the tracker cannot be reached or refuses.
 */
export interface IssueTracker {
  readonly kind: TrackerKind;
  /** The bot's own user in the tracker (GitHub: the App's bot login; Jira: its account id): what it changes, echoed back, is not applied. Null when unknown. */
  selfId(): Promise<string | null>;
  /** Opens an issue. */
  create(target: string, draft: TrackerIssueDraft): Promise<TrackerIssue>;
  /**
   * The issue the bot opened with this marker (TrackerIssueDraft.marker) since `since`, if any: after
   * a create whose answer was lost, so a retry never opens a second one.
   */
  findByMarker(target: string, marker: string, since: Date): Promise<TrackerIssue | null>;
  /** Changes an issue; what `update` leaves out stays as it is. */
  update(target: string, issue: TrackerIssue, update: IssueUpdate): Promise<void>;
  /** The tracker user with this email (GitHub: the organisation's SAML or verified emails, else the catalog's Users; Jira: its user search), or null. */
  userByEmail(target: string, email: string): Promise<TrackerUser | null>;
  /** The email of a tracker user (as the tracker or the catalog gives it), or null. */
  emailOf(target: string, user: TrackerUser): Promise<string | null>;
}

export class TrackerUnavailable extends Error {
  override readonly cause?: unknown;

  constructor(message: string, cause?: unknown) {
    super(message);
    this.cause = cause;
    this.name = 'TrackerUnavailable';
  }
}

/** The issue no longer exists where it was (deleted, or moved to another repository or project): HTTP 404 or 410. */
export class TrackerIssueGone extends TrackerUnavailable {
  constructor(message: string, cause?: unknown) {
    super(message, cause);
    this.name = 'TrackerIssueGone';
  }
}
