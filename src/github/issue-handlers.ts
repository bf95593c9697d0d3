// GitHub's `issues` webhook for the issues the bot opened for action items (label `incident-action`):
// closed, reopened, assigned, unassigned, and edited when the body's `Due:` line changed, each made
// a TrackerEvent for the tracker sync to apply. The route checked the signature and GitHub's schema;
// the payload is still parsed here with zod, for what is used. Each event carries when the issue
// changed (its `updated_at`) and the delivery's SHA-256, for the sync to refuse stale and replayed ones.
import { z } from 'zod';
import { TRACKER_LABEL, type TrackerChange, type TrackerEvent } from '../domain/trackers.ts';
import type { Logger } from '../logger.ts';
import { dueInBody, MAX_ISSUE_BODY_CHARS } from '../trackers/github-issues.ts';
import type { GitHubDelivery, GitHubEventHandler } from './webhook-route.ts';

/** The `issues` actions that can change an action item. */
export const ISSUE_ACTIONS = ['closed', 'reopened', 'assigned', 'unassigned', 'edited'] as const;

const login = z.string().min(1).max(100);
/**
 * An issue body as GitHub allows it (MAX_ISSUE_BODY_CHARS characters, counted as code points): a
 * longer one is no payload of GitHub's, and the delivery is ignored.
 */
const issueBodyText = z
  .string()
  .max(2 * MAX_ISSUE_BODY_CHARS)
  .refine((s) => s.length <= MAX_ISSUE_BODY_CHARS || Array.from(s).length <= MAX_ISSUE_BODY_CHARS, 'body too long');
/** An ISO date-time (GitHub's `updated_at`), or null when absent or not one. */
const when = z
  .string()
  .max(100)
  .nullish()
  .catch(null)
  .transform((s) => {
    if (!s || !/^\d{4}-\d{2}-\d{2}T/.test(s)) return null;
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? null : d;
  });
const issuesPayload = z.object({
  action: z.enum(ISSUE_ACTIONS),
  issue: z.object({
    number: z.number().int().positive(),
    html_url: z
      .string()
      .max(2000)
      .refine((s) => /^https?:\/\/[^\s]+$/.test(s)),
    body: issueBodyText.nullish(),
    updated_at: when,
    labels: z
      .array(z.object({ name: z.string().max(200) }))
      .nullish()
      .transform((l) => l ?? []),
    assignees: z
      .array(z.object({ login }).nullable())
      .nullish()
      .transform((a) => (a ?? []).filter((x) => x !== null)),
  }),
  changes: z.object({ body: z.object({ from: issueBodyText }).optional() }).nullish(),
  repository: z.object({
    full_name: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/),
  }),
  sender: z.object({ login }),
});

export type IssuesPayload = z.output<typeof issuesPayload>;

/** What an `issues` delivery changed for the item: none when nothing the bot keeps in step. */
export function issueChanges(p: IssuesPayload): TrackerChange[] {
  switch (p.action) {
    case 'closed':
      return [{ kind: 'closed' }];
    case 'reopened':
      return [{ kind: 'reopened' }];
    case 'assigned':
    case 'unassigned': {
      // An issue can have several assignees: the item's owner is its first.
      const first = p.issue.assignees[0];
      return [{ kind: 'assigned', assignee: first ? { id: first.login, name: first.login, email: null } : null }];
    }
    case 'edited': {
      if (!p.changes?.body) return [];
      const before = dueInBody(p.changes.body.from);
      const after = dueInBody(p.issue.body);
      // A line the bot cannot read (not a date) is no change either way.
      if (before === undefined || after === undefined || before === after) return [];
      return [{ kind: 'due', due: after }];
    }
  }
}

/**
 * issues (closed, reopened, assigned, unassigned, edited): the changes of an issue labelled
 * `incident-action` as a TrackerEvent, passed to `apply` (its answer returned); `'ignored'` for
 * another issue, or when nothing changed that the bot keeps in step. Events the App's own bot
 * sent (`selfLogin`) are marked `fromSelf`: the bot's own change echoed back.
 */
export function issuesHandler(opts: {
  apply: (e: TrackerEvent) => Promise<'applied' | 'ignored' | 'duplicate' | string>;
  selfLogin: () => Promise<string | null>;
  /** Where a payload the handler cannot read is told (ignored). */
  logger?: Logger;
}): GitHubEventHandler {
  return {
    actions: ISSUE_ACTIONS,
    async handle(delivery: GitHubDelivery) {
      const parsed = issuesPayload.safeParse(delivery.payload);
      if (!parsed.success) {
        opts.logger?.warn({ deliveryId: delivery.deliveryId }, 'issues payload not understood: ignored');
        return 'ignored';
      }
      const p = parsed.data;
      if (!p.issue.labels.some((l) => l.name.toLowerCase() === TRACKER_LABEL)) return 'ignored';
      const changes = issueChanges(p);
      if (!changes.length) return 'ignored';
      const self = await opts.selfLogin();
      const event: TrackerEvent = {
        occurredAt: p.issue.updated_at,
        bodyHash: delivery.bodyHash,
        tracker: 'github',
        target: p.repository.full_name,
        issue: {
          id: String(p.issue.number),
          key: `${p.repository.full_name}#${p.issue.number}`,
          url: p.issue.html_url,
        },
        deliveryId: delivery.deliveryId,
        actor: { id: p.sender.login, name: p.sender.login, email: null },
        fromSelf: self !== null && p.sender.login.toLowerCase() === self.toLowerCase(),
        changes,
      };
      const result = await opts.apply(event);
      return result === 'ignored' ? 'ignored' : result;
    },
  };
}
