// Action items in the trackers teams already use (GitHub Issues, Jira Cloud), both ways: which
// tracker an item goes to, what its issue says (redacted; a private incident's only by reference),
// what a tracker's change means for the item, and what must be pushed to keep the two in step. Pure.
import { actionRef, type ActionItem } from './action-items.ts';
import { incidentRef } from './incident.ts';
import { DRILL_TAG, EXERCISE_LABEL } from './drill.ts';
import type { CatalogSnapshot } from './catalog.ts';
import { redactPhi } from './phi-guard.ts';
import type { ActionPriority } from './review.ts';

export const TRACKERS = ['github', 'jira'] as const;
export type TrackerKind = (typeof TRACKERS)[number];

/** How people name the trackers. */
export const TRACKER_NAMES: Readonly<Record<TrackerKind, string>> = { github: 'GitHub', jira: 'Jira' };

/** Where an item's issue is opened: a GitHub repository (`owner/repo`) or a Jira project key (`OPS`). */
export interface TrackerTarget {
  tracker: TrackerKind;
  target: string;
}

/** A person in a tracker: a GitHub login or a Jira account id, with what the tracker told of them. */
export interface TrackerUser {
  /** GitHub login, or Jira accountId. */
  id: string;
  /** For people to read (a login, a Jira display name). */
  name: string;
  /** When the tracker (or the catalog) gives it; matched to a Slack member. */
  email: string | null;
}

/** An issue as the tracker knows it. */
export interface TrackerIssue {
  /** GitHub: the issue number as text; Jira: the issue id. What later calls and webhooks name. */
  id: string;
  /** For people: `acme/ops#12`, `OPS-34`. */
  key: string;
  /** Its page in the tracker (html_url; Jira's browse URL). */
  url: string;
}

/** Where an item stands with its tracker. */
export const TRACKER_LINK_STATES = ['new', 'pending', 'linked', 'none'] as const;
/**
 * new: just added, its tracker not yet chosen; pending: its issue not yet created (being tried, or
 * waiting for a retry); linked: the issue exists; none: no tracker applies (the item lives in Slack only).
 */
export type TrackerLinkState = (typeof TRACKER_LINK_STATES)[number];

/** What listings show of an item's tracker issue (ActionItem.tracker). */
export interface ActionItemTracker {
  tracker: TrackerKind;
  target: string;
  state: 'pending' | 'linked';
  /** Null until the issue exists. */
  key: string | null;
  url: string | null;
}

/** The item fields kept in step with the tracker, as last known to both. */
export interface SyncedFields {
  status: 'open' | 'done';
  ownerId: string | null;
  due: string | null;
  /** Reminders snoozed in Slack until (YYYY-MM-DD): the tracker is told by a comment. */
  snoozedUntil: string | null;
}

// ---------------------------------------------------------------------------------------------
// Which tracker
// ---------------------------------------------------------------------------------------------

/** The env default (ACTION_TRACKER): `github:owner/repo` or `jira:KEY`. Null for anything else. */
export function parseTrackerTarget(text: string): TrackerTarget | null {
  const m = /^(github|jira):(.+)$/i.exec(text.trim());
  if (!m) return null;
  const tracker = m[1]!.toLowerCase() as TrackerKind;
  const target = m[2]!.trim();
  if (tracker === 'github')
    return /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(target) ? { tracker, target } : null;
  return /^[A-Za-z][A-Za-z0-9_]{0,9}$/.test(target) ? { tracker, target: target.toUpperCase() } : null;
}

/**
 * Where a new item's issue goes: its incident's service in the catalog (`jira/project-key`, then
 * `github.com/project-slug`), else its team's Group (the same two), else the default
 * (ACTION_TRACKER). Only trackers in `configured` count. Null: the item stays in Slack only.
 */
export function trackerTargetFor(
  catalog: CatalogSnapshot,
  item: { service: string | null; team: string | null },
  configured: ReadonlySet<TrackerKind>,
  fallback: TrackerTarget | null,
): TrackerTarget | null {
  const fold = (s: string) => s.trim().toLowerCase();
  const service = item.service
    ? catalog.services.find((s) => fold(s.name) === fold(item.service!) || fold(s.ref) === fold(item.service!))
    : undefined;
  const team = item.team ?? service?.owner ?? null;
  const group = team ? catalog.groups.find((g) => fold(g.ref) === fold(team)) : undefined;
  for (const e of [service, group]) {
    if (!e) continue;
    if (e.jiraProjectKey && configured.has('jira')) return { tracker: 'jira', target: e.jiraProjectKey };
    if (e.githubProjectSlug && configured.has('github')) return { tracker: 'github', target: e.githubProjectSlug };
  }
  return fallback && configured.has(fallback.tracker) ? fallback : null;
}

// ---------------------------------------------------------------------------------------------
// What the issue says
// ---------------------------------------------------------------------------------------------

/** The marker in every issue the bot opens: finds it again after a create whose answer was lost. */
export function issueMarker(itemId: string): string {
  return `incident-bot:action-item:${itemId}`;
}

/** The label every issue the bot opens carries (GitHub label, Jira label). */
export const TRACKER_LABEL = 'incident-action';

export interface TrackerIssueDraft {
  title: string;
  /** Markdown (GitHub); the Jira adapter turns its paragraphs into Atlassian Document Format. */
  body: string;
  labels: string[];
  due: string | null;
  priority: ActionPriority;
  /** The person it is assigned to in the tracker, when known. */
  assignee: TrackerUser | null;
  /** issueMarker(item.id), also at the end of the body. */
  marker: string;
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
/** Redacted by the PHI guard, one line. */
const outbound = (s: string) => redactPhi(s.replace(/\s+/g, ' ').trim()).text;

/**
 * The issue for an item. Everything passes the PHI guard. A private incident's item says only the
 * references (ACT-12, INC-42) and where to read more: not its text, nor the incident's title or
 * service, which only the members of its channel may read.
 */
export function trackerIssueDraft(
  item: Pick<
    ActionItem,
    | 'id'
    | 'number'
    | 'text'
    | 'due'
    | 'priority'
    | 'category'
    | 'incidentNumber'
    | 'incidentTitle'
    | 'incidentPrivate'
    | 'incidentDrill'
    | 'team'
  >,
  opts: { incidentLink: string | null; service: string | null; assignee: TrackerUser | null; ownerName: string | null },
): TrackerIssueDraft {
  const ref = actionRef(item);
  const inc = incidentRef({ number: item.incidentNumber });
  const marker = issueMarker(item.id);
  const lines: string[] = [];
  // A drill's item is real follow-up work, but read outside Slack it must not pass for a real incident's.
  if (item.incidentDrill) lines.push(`**${EXERCISE_LABEL}**: from a drill of ${inc}, not a real incident.`, '');
  let title: string;
  if (item.incidentPrivate) {
    title = `${ref}: action item from ${inc}`;
    lines.push(
      `An action item from the post-incident review of **${inc}**, a private incident: what to do is in its Slack channel, for its members.`,
    );
  } else {
    title = clip(`${ref}: ${outbound(item.text)}`, 250);
    lines.push(outbound(item.text), '');
    lines.push(`From the post-incident review of **${inc}**: ${clip(outbound(item.incidentTitle), 200)}`);
    if (opts.service) lines.push(`Service: ${clip(outbound(opts.service), 100)}`);
  }
  lines.push('');
  if (opts.incidentLink) lines.push(`Incident: ${opts.incidentLink}`);
  if (opts.ownerName) lines.push(`Owner: ${clip(outbound(opts.ownerName), 100)}`);
  lines.push(`Due: ${item.due ?? 'none'}`);
  lines.push(`Priority: ${item.priority}`);
  lines.push(`Category: ${item.category}`);
  lines.push('');
  lines.push(
    `Kept in step with ${ref} by the incident bot: closing, reopening, assigning or re-dating this issue updates the action item.`,
  );
  lines.push(`<!-- ${marker} -->`);
  return {
    title: item.incidentDrill ? clip(`${DRILL_TAG} ${title}`, 250) : title,
    body: lines.join('\n'),
    labels: [TRACKER_LABEL, `priority:${item.priority}`, `category:${item.category}`],
    due: item.due,
    priority: item.priority,
    assignee: opts.assignee,
    marker,
  };
}

// ---------------------------------------------------------------------------------------------
// Both ways
// ---------------------------------------------------------------------------------------------

/** What a tracker's webhook says happened to an issue (each adapter parses its own payloads into these). */
export type TrackerChange =
  | { kind: 'closed' }
  | { kind: 'reopened' }
  /** Assigned to someone (null: nobody). */
  | { kind: 'assigned'; assignee: TrackerUser | null }
  /** A new due date (null: none). */
  | { kind: 'due'; due: string | null };

export interface TrackerEvent {
  tracker: TrackerKind;
  /** The repository or project the issue is in. */
  target: string;
  issue: TrackerIssue;
  /** The delivery's id (X-GitHub-Delivery, X-Atlassian-Webhook-Identifier): each is applied once. */
  deliveryId: string;
  /** Who did it in the tracker. */
  actor: TrackerUser;
  /** The bot itself did it (our change echoed back): nothing to apply. */
  fromSelf: boolean;
  changes: TrackerChange[];
  /**
   * When the tracker says the change happened (GitHub: the issue's updated_at; Jira: the delivery's
   * timestamp): an event older than the last one applied to the issue is stale and not applied,
   * and one older than TRACKER_EVENT_MAX_AGE_MS is refused (a replay).
   */
  occurredAt: Date | null;
  /** SHA-256 (hex) of the delivery's exact bytes: a replay under a new delivery id is still applied once. */
  bodyHash: string | null;
}

/** Deliveries older than this are not applied (replays); the applied ones are remembered longer. */
export const TRACKER_EVENT_MAX_AGE_MS = 7 * 24 * 3600_000;

/** What to push to the tracker so it matches the item: null when they already agree. */
export interface TrackerPatch {
  state?: 'open' | 'closed';
  /** The Slack member to assign (the adapter maps them; null: unassign). */
  ownerId?: string | null;
  due?: string | null;
  /** Snoozed in Slack until this date (a comment on the issue). */
  snoozedUntil?: string;
}

export function patchFor(item: SyncedFields, synced: SyncedFields): TrackerPatch | null {
  const patch: TrackerPatch = {};
  if (item.status !== synced.status) patch.state = item.status === 'done' ? 'closed' : 'open';
  if (item.ownerId !== synced.ownerId) patch.ownerId = item.ownerId;
  if (item.due !== synced.due) patch.due = item.due;
  if (item.snoozedUntil !== null && item.snoozedUntil !== synced.snoozedUntil) patch.snoozedUntil = item.snoozedUntil;
  return Object.keys(patch).length ? patch : null;
}

/** How long before trying a tracker again after the `attempts`-th failure: 30 s doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(3600_000, 30_000 * 2 ** Math.max(0, Math.min(attempts - 1, 12)));
}
