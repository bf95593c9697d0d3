import { actingAs } from '../../audit-context.ts';
import { actionRef, type ActionItem } from '../../domain/action-items.ts';
import {
  TRACKER_NAMES,
  type SyncedFields,
  type TrackerChange,
  type TrackerEvent,
  type TrackerUser,
} from '../../domain/trackers.ts';
import type { ActionChange } from '../../ports/review-store.ts';
import type { ServiceDeps } from '../deps.ts';
import { outboundNotice } from '../outbound-text.ts';
import { publishReviewQuietly } from '../review/publish-review.ts';
import { syncedOf } from './sync-tracker-issues.ts';

export type TrackerEventOutcome = 'applied' | 'ignored' | 'duplicate';

/** The Slack member a tracker user is, matched by email (the tracker's, else the catalog's); null when none. */
async function slackMemberOf(deps: ServiceDeps, event: TrackerEvent, user: TrackerUser): Promise<string | null> {
  const tracker = deps.trackers[event.tracker];
  let email = user.email;
  if (!email && tracker) email = await tracker.emailOf(event.target, user).catch(() => null);
  if (!email) return null;
  return deps.chat.userIdByEmail(email).catch(() => null);
}

/** One change from the tracker applied to the item (when it changes anything); the item as it is after. */
async function applyChange(
  deps: ServiceDeps,
  event: TrackerEvent,
  item: ActionItem,
  change: TrackerChange,
  by: ActionChange,
): Promise<ActionItem | null> {
  switch (change.kind) {
    case 'closed':
      return item.status === 'open' ? deps.reviews.completeActionItem(item.id, by) : null;
    case 'reopened':
      return item.status === 'done' ? deps.reviews.reopenActionItem(item.id, by) : null;
    case 'due':
      return item.status === 'open' && item.due !== change.due
        ? deps.reviews.redateActionItem(item.id, change.due, by)
        : null;
    case 'assigned': {
      // Unassigned in the tracker: the item keeps its owner (an item always has someone to remind).
      if (!change.assignee || item.status !== 'open') return null;
      const ownerId = await slackMemberOf(deps, event, change.assignee);
      if (!ownerId) {
        deps.logger.info(
          { actionItem: actionRef(item), tracker: event.tracker, assignee: change.assignee.id },
          'assigned in the tracker to someone with no Slack member matched by email: the owner is unchanged',
        );
        return null;
      }
      if (ownerId === item.ownerId) return null;
      const changed = await deps.reviews.reassignActionItem(item.id, ownerId, by);
      if (changed && event.issue.key) {
        const incident = await deps.store.findById(changed.incidentId).catch(() => null);
        if (incident && ownerId !== by.by)
          await deps.chat
            .notify(
              ownerId,
              outboundNotice({
                kind: 'tracker-assigned',
                incident,
                item: changed,
                tracker: event.tracker,
                issueKey: event.issue.key,
                by: by.via?.actor ?? by.by,
              }).notice,
            )
            .catch((err: unknown) => deps.logger.error({ err }, 'telling the new owner failed'));
      }
      return changed;
    }
  }
}

/**
 * A tracker's webhook, as its adapter parsed it: what changed on an issue the bot opened applied to
 * its action item (closed → done, reopened → open, assigned → the Slack member matched by email,
 * a new due date), each with a timeline entry and, through the audit context, an audit entry
 * naming who did it in which tracker. Echoes of the bot's own changes and redeliveries change
 * nothing; an issue the bot did not open is ignored.
 */
export async function applyTrackerEvent(deps: ServiceDeps, event: TrackerEvent): Promise<TrackerEventOutcome> {
  if (event.fromSelf) return 'ignored';
  const link = await deps.trackerLinks.findByIssue(event.tracker, event.target, event.issue.id);
  if (!link) return 'ignored';
  const now = deps.clock.now();
  if (!(await deps.trackerLinks.firstDelivery(event.tracker, event.deliveryId, now))) return 'duplicate';
  try {
    let item = await deps.reviews.findActionItem(link.actionItemId);
    if (!item) return 'ignored';
    const member = await slackMemberOf(deps, event, event.actor);
    const name = TRACKER_NAMES[event.tracker];
    const by: ActionChange = {
      by: member ?? `${event.actor.name} (${name})`,
      at: now,
      via: { tracker: event.tracker, key: link.issue?.key ?? event.issue.key, actor: event.actor.name },
    };
    let applied = false;
    // What the tracker has now, field by field as the event says (the rest as last pushed).
    const tracker: SyncedFields = { ...(link.synced ?? syncedOf(item)) };
    await actingAs(
      { actor: member ?? `${event.tracker}:${event.actor.id}`, via: `${name} webhook (${by.via!.key})` },
      async () => {
        for (const change of event.changes) {
          if (change.kind === 'closed') tracker.status = 'done';
          if (change.kind === 'reopened') tracker.status = 'open';
          if (change.kind === 'due') tracker.due = change.due;
          const after = await applyChange(deps, event, item!, change, by);
          if (change.kind === 'assigned' && after) tracker.ownerId = after.ownerId;
          if (after) {
            item = after;
            applied = true;
          }
        }
      },
    );
    // The tracker's state as synced: what it shares with the item is not pushed back (no loop); a
    // change made in Slack and not yet pushed still is.
    await deps.trackerLinks.markPushed(item.id, tracker, now);
    if (applied && (await deps.reviews.findReview(item.incidentId))?.postedTs)
      await publishReviewQuietly(deps, item.incidentId, { file: false });
    return applied ? 'applied' : 'ignored';
  } catch (err) {
    // Not applied: the tracker's retry of this delivery must be taken.
    await deps.trackerLinks.forgetDelivery(event.tracker, event.deliveryId).catch(() => {});
    throw err;
  }
}
