import { actionRef, type ActionItem } from '../../domain/action-items.ts';
import {
  patchFor,
  retryDelayMs,
  trackerIssueDraft,
  trackerTargetFor,
  type SyncedFields,
  type TrackerKind,
  type TrackerUser,
} from '../../domain/trackers.ts';
import { redactPhi } from '../../domain/phi-guard.ts';
import {
  TrackerIssueGone,
  TrackerUnavailable,
  type IssueTracker,
  type IssueUpdate,
} from '../../ports/issue-tracker.ts';
import type { ClaimedTrackerLink, TrackerLink } from '../../ports/tracker-links.ts';

/** A link being worked on: as it is now, with its item and the incident's affected service. */
interface DueTrackerLink {
  link: TrackerLink;
  item: ActionItem;
  service: string | null;
}
import type { ServiceDeps } from '../deps.ts';
import { outboundNotice } from '../outbound-text.ts';

/** Links worked on per pass: a pass is bounded whatever the backlog; the next pass takes the rest. */
export const TRACKER_SYNC_BATCH = 25;
/** Answers saying the issue is gone, in a row, before its item is unlinked (404 may be lost access). */
export const GONE_AFTER = 3;
/** How long a claimed link is left to its pass before another replica may take it. */
export const TRACKER_SYNC_LEASE_MS = 120_000;

export interface TrackerSyncResult {
  created: number;
  pushed: number;
  failed: number;
  /** Items with no tracker (they live in Slack only). */
  none: number;
}

/** The item's fields the tracker shows. */
export const syncedOf = (item: Pick<ActionItem, 'status' | 'ownerId' | 'due' | 'snoozedUntil'>): SyncedFields => ({
  status: item.status,
  ownerId: item.ownerId,
  due: item.due,
  snoozedUntil: item.snoozedUntil,
});

/** The tracker user a Slack member is (matched by email), or null when unknown. */
async function trackerUserOf(
  deps: ServiceDeps,
  tracker: IssueTracker,
  target: string,
  slackUserId: string | null,
): Promise<TrackerUser | null> {
  if (!slackUserId) return null;
  const email = await deps.chat.userEmail(slackUserId).catch(() => null);
  return email ? tracker.userByEmail(target, email) : null;
}

/** Where the issue links back to: the incident's channel (Slack opens it for its members). */
function incidentLink(item: ActionItem): string | null {
  return item.incidentChannelId ? `https://slack.com/app_redirect?channel=${item.incidentChannelId}` : null;
}

/** The error as people read it: one line, no secrets (adapters never put tokens in messages), redacted. */
const reasonOf = (err: unknown): string =>
  redactPhi((err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300)).text;

/** Opens the item's issue: after a failed try, the one made then is looked for first (never two). */
async function createIssue(deps: ServiceDeps, tracker: IssueTracker, due: DueTrackerLink, target: string) {
  const { link, item } = due;
  const draftFor = async () => {
    const assignee = await trackerUserOf(deps, tracker, target, item.ownerId);
    return trackerIssueDraft(item, {
      incidentLink: incidentLink(item),
      service: due.service,
      assignee,
      ownerName: assignee?.name ?? null,
    });
  };
  const draft = await draftFor();
  // Tried before (by this replica or another): that try may have made the issue and lost the answer.
  const since = link.createTriedAt ? new Date(link.createTriedAt.getTime() - 5 * 60_000) : null;
  const found = since ? await tracker.findByMarker(target, draft.marker, since) : null;
  const issue = found ?? (await tracker.create(target, draft));
  // What the issue has now: open, the item's owner (assigned when they have a tracker account), its due date.
  const synced: SyncedFields = { status: 'open', ownerId: item.ownerId, due: item.due, snoozedUntil: null };
  await deps.trackerLinks.markLinked(item.id, issue, synced, deps.clock.now());
  return { issue, synced };
}

/** Brings a linked issue in step with its item: only what differs. */
async function pushChanges(
  deps: ServiceDeps,
  tracker: IssueTracker,
  target: string,
  item: ActionItem,
  issue: { id: string; key: string; url: string },
  synced: SyncedFields,
): Promise<boolean> {
  const patch = patchFor(syncedOf(item), synced);
  if (patch) {
    const update: IssueUpdate = {};
    if (patch.state) update.state = patch.state;
    // A new owner with no account in the tracker leaves the issue unassigned rather than with the old one.
    if (patch.ownerId !== undefined) update.assignee = await trackerUserOf(deps, tracker, target, patch.ownerId);
    if (patch.due !== undefined) update.due = patch.due;
    if (patch.snoozedUntil)
      update.comment = `Reminders about ${actionRef(item)} are snoozed in Slack until ${patch.snoozedUntil}.`;
    await tracker.update(target, issue, update);
  }
  await deps.trackerLinks.markPushed(item.id, syncedOf(item), deps.clock.now());
  return patch !== null;
}

/** Tells the owner and the incident channel, once per outage, that the tracker failed; the item is kept. */
async function tellFailure(
  deps: ServiceDeps,
  due: DueTrackerLink,
  tracker: TrackerKind,
  target: string,
  reason: string,
  gone: boolean,
) {
  const incident = await deps.store.findById(due.item.incidentId).catch(() => null);
  if (!incident) return;
  const notice = outboundNotice({
    kind: 'tracker-failed',
    incident,
    item: due.item,
    tracker,
    target,
    issueKey: due.link.issue?.key ?? null,
    reason,
    gone,
  }).notice;
  const log = (err: unknown) =>
    deps.logger.error({ err, actionItem: actionRef(due.item) }, 'telling of a tracker failure failed');
  if (incident.channelId) await deps.chat.notify(incident.channelId, notice).catch(log);
  if (due.item.ownerId) await deps.chat.notify(due.item.ownerId, notice).catch(log);
}

/** One link: chooses its tracker (new), opens its issue (pending), or pushes the item's changes (linked). */
async function syncOne(deps: ServiceDeps, claimed: ClaimedTrackerLink, result: TrackerSyncResult): Promise<void> {
  const now = deps.clock.now();
  // Taken again just before the work: a pass that outlasted its claim leaves the link to whoever has it now.
  const fresh = await deps.trackerLinks.reclaim(claimed.actionItemId, claimed.claimedUntil, now, TRACKER_SYNC_LEASE_MS);
  const item = fresh ? await deps.reviews.findActionItem(fresh.actionItemId) : null;
  if (!fresh || !item) return;
  const due: DueTrackerLink = { link: fresh, item, service: claimed.service };
  let link = fresh;
  let choice = link.tracker && link.target ? { tracker: link.tracker, target: link.target } : null;
  if (link.state === 'new') {
    choice = trackerTargetFor(
      deps.catalog.current(),
      { service: due.service, team: item.team },
      new Set(Object.keys(deps.trackers) as TrackerKind[]),
      deps.settings.actionTracker ?? null,
    );
    if (!choice) {
      await deps.trackerLinks.markNone(link.actionItemId);
      result.none++;
      return;
    }
    // The first try's time is what a later try looks for the issue since: none before this one.
    await deps.trackerLinks.markTarget(link.actionItemId, choice, now);
    link = { ...link, state: 'pending', tracker: choice.tracker, target: choice.target };
  }
  if (!choice) return;
  const tracker = deps.trackers[choice.tracker];
  if (!tracker) {
    // Its tracker is no longer configured. Never tried: it lives in Slack only. Tried (an issue may
    // exist) or linked: nothing is done until the tracker is configured again and the item changes.
    if (link.state === 'pending' && !link.createTriedAt) await deps.trackerLinks.markNone(link.actionItemId);
    else await deps.trackerLinks.markIdle(link.actionItemId);
    result.none++;
    return;
  }
  try {
    if (link.state === 'linked' && link.issue && link.synced) {
      if (await pushChanges(deps, tracker, choice.target, item, link.issue, link.synced)) result.pushed++;
      return;
    }
    const { issue, synced } = await createIssue(deps, tracker, { ...due, link }, choice.target);
    result.created++;
    // Changed before its issue existed (completed, reassigned…): brought in step at once.
    if (patchFor(syncedOf(item), synced)) {
      await pushChanges(deps, tracker, choice.target, item, issue, synced);
      result.pushed++;
    }
  } catch (err) {
    result.failed++;
    const reason = reasonOf(err);
    // Gone three times in a row (a 404 can also be access lost for a moment): unlinked.
    if (err instanceof TrackerIssueGone && link.state === 'linked' && link.goneAnswers >= GONE_AFTER - 1) {
      // Deleted or moved in the tracker: the item lives in Slack only from now on; told once.
      deps.logger.warn({ reason, actionItem: actionRef(item), tracker: choice.tracker }, 'tracker issue gone');
      if (await deps.trackerLinks.markGone(link.actionItemId, now))
        await tellFailure(deps, { ...due, link }, choice.tracker, choice.target, reason, true);
      return;
    }
    if (!(err instanceof TrackerUnavailable))
      deps.logger.error({ err, actionItem: actionRef(item) }, 'tracker sync failed unexpectedly');
    else deps.logger.warn({ reason, actionItem: actionRef(item), tracker: choice.tracker }, 'tracker sync failed');
    const first = await deps.trackerLinks.markFailed(
      link.actionItemId,
      reason,
      new Date(now.getTime() + retryDelayMs(link.attempts + 1)),
      now,
      err instanceof TrackerIssueGone,
    );
    if (first) await tellFailure(deps, { ...due, link }, choice.tracker, choice.target, reason, false);
  }
}

/**
 * One pass of the tracker sync (the background sweep, and right after a change in Slack): up to
 * TRACKER_SYNC_BATCH links with work due, each claimed for this replica. A new item gets its
 * tracker (its service's or team's in the catalog, else ACTION_TRACKER, else none) and its issue; a
 * changed item's issue is brought in step. A tracker that is down or refuses is retried later
 * (backing off to an hour), and the owner and the channel are told once.
 */
export async function syncTrackerIssues(deps: ServiceDeps, opts: { limit?: number } = {}): Promise<TrackerSyncResult> {
  const result: TrackerSyncResult = { created: 0, pushed: 0, failed: 0, none: 0 };
  const due = await deps.trackerLinks.claimDue(
    deps.clock.now(),
    opts.limit ?? TRACKER_SYNC_BATCH,
    TRACKER_SYNC_LEASE_MS,
  );
  for (const d of due) await syncOne(deps, d, result);
  return result;
}
