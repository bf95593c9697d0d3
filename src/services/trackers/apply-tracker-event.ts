import { actingAs } from '../../audit-context.ts';
import { actionRef, type ActionItem } from '../../domain/action-items.ts';
import {
  TRACKER_EVENT_MAX_AGE_MS,
  TRACKER_NAMES,
  type SyncedFields,
  type TrackerChange,
  type TrackerEvent,
  type TrackerUser,
} from '../../domain/trackers.ts';
import type { ActionChange } from '../../ports/review-store.ts';
import type { TrackerLink } from '../../ports/tracker-links.ts';
import { assertMayRead } from '../access.ts';
import { AppError } from '../../domain/errors.ts';
import type { Incident } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { outboundNotice } from '../outbound-text.ts';
import { publishReviewQuietly } from '../review/publish-review.ts';

export type TrackerEventOutcome = 'applied' | 'ignored' | 'duplicate';

/** The Slack member a tracker user is, matched by email (the tracker's, else the catalog's); null when none. */
async function slackMemberOf(deps: ServiceDeps, event: TrackerEvent, user: TrackerUser): Promise<string | null> {
  const tracker = deps.trackers[event.tracker];
  let email = user.email;
  if (!email && tracker) email = await tracker.emailOf(event.target, user).catch(() => null);
  if (!email) return null;
  return deps.chat.userIdByEmail(email).catch(() => null);
}

/**
 * One change from the tracker, applied to the item when it changes something: the item after (null
 * when unchanged), and what the tracker is now known to have (only what the change says, and only
 * when the item agrees with it: what the item refused is not recorded, so it is not sent back).
 */
async function applyChange(
  deps: ServiceDeps,
  event: TrackerEvent,
  item: ActionItem,
  change: TrackerChange,
  known: SyncedFields,
  by: ActionChange,
): Promise<{ after: ActionItem | null; fields: Partial<SyncedFields> }> {
  switch (change.kind) {
    // A status move counts only when it changes what the tracker was last known to have (open ↔
    // done): moving between two open statuses never reopens a done item, nor between two done ones
    // re-completes a reopened one.
    case 'closed': {
      if (known.status === 'done') return { after: null, fields: {} };
      const after = item.status === 'open' ? await deps.reviews.completeActionItem(item.id, by) : null;
      return { after, fields: { status: 'done' } };
    }
    case 'reopened': {
      if (known.status === 'open') return { after: null, fields: {} };
      const after = item.status === 'done' ? await deps.reviews.reopenActionItem(item.id, by) : null;
      return { after, fields: { status: 'open' } };
    }
    case 'due': {
      if (item.due === change.due) return { after: null, fields: { due: change.due } };
      // A done item keeps its date; the tracker keeps its own (not sent back).
      if (item.status !== 'open') return { after: null, fields: {} };
      const after = await deps.reviews.redateActionItem(item.id, change.due, by);
      return { after, fields: after ? { due: change.due } : {} };
    }
    case 'assigned': {
      // Unassigned in the tracker: the item keeps its owner (an item always has someone to remind).
      if (!change.assignee || item.status !== 'open') return { after: null, fields: {} };
      const ownerId = await slackMemberOf(deps, event, change.assignee);
      if (!ownerId) {
        deps.logger.info(
          { actionItem: actionRef(item), tracker: event.tracker, assignee: change.assignee.id },
          'assigned in the tracker to someone with no Slack member matched by email: the owner is unchanged',
        );
        return { after: null, fields: {} };
      }
      if (ownerId === item.ownerId) return { after: null, fields: { ownerId } };
      const incident = await deps.store.findById(item.incidentId);
      // A private incident's item goes only to a member of its channel: whoever may assign in the
      // tracker may not give its text to someone who may not read the incident. (Slack not
      // answering is not a no: the delivery fails and is taken again.)
      if (!incident || !(await mayReadOrThrow(deps, incident, ownerId))) {
        deps.logger.info(
          { actionItem: actionRef(item), tracker: event.tracker },
          'assigned in the tracker to someone who may not read the private incident: the owner is unchanged',
        );
        return { after: null, fields: {} };
      }
      const after = await deps.reviews.reassignActionItem(item.id, ownerId, by);
      if (after && ownerId !== by.by)
        await deps.chat
          .notify(
            ownerId,
            outboundNotice({
              kind: 'tracker-assigned',
              incident,
              item: after,
              tracker: event.tracker,
              issueKey: event.issue.key,
              by: by.via?.actor ?? by.by,
            }).notice,
          )
          .catch((err: unknown) => deps.logger.error({ err }, 'telling the new owner failed'));
      return { after, fields: after ? { ownerId } : {} };
    }
  }
}

/** Whether `userId` may read the incident: no when refused, an error when Slack cannot say. */
async function mayReadOrThrow(deps: ServiceDeps, incident: Incident, userId: string): Promise<boolean> {
  try {
    await assertMayRead(deps, incident, userId);
    return true;
  } catch (err) {
    if (err instanceof AppError) return false;
    throw err;
  }
}

/** Whether the delivery was seen before (by its id, or by its exact bytes under another id: a replay). */
async function seenBefore(deps: ServiceDeps, event: TrackerEvent, now: Date): Promise<boolean> {
  const byId = await deps.trackerLinks.firstDelivery(event.tracker, event.deliveryId, now);
  if (!byId) return true;
  if (event.bodyHash && !(await deps.trackerLinks.firstDelivery(event.tracker, `sha256:${event.bodyHash}`, now))) {
    return true;
  }
  return false;
}

async function forget(deps: ServiceDeps, event: TrackerEvent): Promise<void> {
  await deps.trackerLinks.forgetDelivery(event.tracker, event.deliveryId).catch(() => {});
  if (event.bodyHash) await deps.trackerLinks.forgetDelivery(event.tracker, `sha256:${event.bodyHash}`).catch(() => {});
}

/**
 * A tracker's webhook, as its adapter parsed it: what changed on an issue the bot opened applied to
 * its action item (closed → done, reopened → open, assigned → the Slack member matched by email,
 * a new due date), each with a timeline entry and, through the audit context, an audit entry
 * naming who did it in which tracker. Nothing is applied twice or out of turn: the bot's own
 * changes echoed back, redeliveries (by id or by their bytes), deliveries older than the last one
 * applied to the issue or than TRACKER_EVENT_MAX_AGE_MS, and issues the bot did not open.
 */
export async function applyTrackerEvent(deps: ServiceDeps, event: TrackerEvent): Promise<TrackerEventOutcome> {
  if (event.fromSelf) return 'ignored';
  const now = deps.clock.now();
  if (event.occurredAt && now.getTime() - event.occurredAt.getTime() > TRACKER_EVENT_MAX_AGE_MS) return 'ignored';
  const itemId = await deps.trackerLinks.itemOfIssue(event.tracker, event.target, event.issue.id);
  if (!itemId) return 'ignored';
  // Deliveries for one issue take their turn, on any replica: each works from what the one before left.
  await takeTurn(deps, itemId);
  try {
    if (await seenBefore(deps, event, now)) return 'duplicate';
    try {
      const link = await deps.trackerLinks.findByItem(itemId);
      if (link?.state !== 'linked') return 'ignored';
      return await applyTo(deps, event, link, now);
    } catch (err) {
      // Not applied: the tracker's retry of this delivery must be taken.
      await forget(deps, event);
      throw err;
    }
  } finally {
    await deps.trackerLinks.endApplyTurn(itemId).catch(() => {});
  }
}

/** How long one delivery may hold its issue's turn (a replica that dies holding it lets go then). */
const APPLY_TURN_MS = 30_000;

/** Waits for the issue's turn, up to five seconds; then the delivery fails (500) and the tracker may send it again. */
async function takeTurn(deps: ServiceDeps, actionItemId: string): Promise<void> {
  for (let tries = 0; tries < 50; tries++) {
    const now = deps.clock.now();
    if (await deps.trackerLinks.takeApplyTurn(actionItemId, now, new Date(now.getTime() + APPLY_TURN_MS))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('another delivery for this issue is still being applied: try again');
}

async function applyTo(
  deps: ServiceDeps,
  event: TrackerEvent,
  link: TrackerLink,
  now: Date,
): Promise<TrackerEventOutcome> {
  // Out of turn: a later change to the issue was applied already.
  if (event.occurredAt && link.lastEventAt && event.occurredAt < link.lastEventAt) return 'ignored';
  let item = await deps.reviews.findActionItem(link.actionItemId);
  if (!item) return 'ignored';
  const member = await slackMemberOf(deps, event, event.actor);
  const name = TRACKER_NAMES[event.tracker];
  const key = link.issue?.key ?? event.issue.key;
  const by: ActionChange = {
    by: member ?? `${event.actor.name} (${name})`,
    at: now,
    via: { tracker: event.tracker, key, actor: event.actor.name },
  };
  const known: SyncedFields = {
    ...(link.synced ?? { status: 'open', ownerId: item.ownerId, due: item.due, snoozedUntil: null }),
  };
  const fields: Partial<SyncedFields> = {};
  let applied = false;
  await actingAs(
    { actor: member ?? `${event.tracker}:${event.actor.id}`, via: `${name} webhook (${key})` },
    async () => {
      for (const change of event.changes) {
        const result = await applyChange(deps, event, item!, change, known, by);
        Object.assign(fields, result.fields);
        Object.assign(known, result.fields);
        if (result.after) {
          item = result.after;
          applied = true;
        }
      }
    },
  );
  // Only what this delivery said is recorded as the tracker's: a push made meanwhile is not undone,
  // and what the tracker already has is not sent back (no loop).
  await deps.trackerLinks.markTrackerState(item.id, fields, event.occurredAt, now);
  if (applied && (await deps.reviews.findReview(item.incidentId))?.postedTs)
    await publishReviewQuietly(deps, item.incidentId, { file: false });
  return applied ? 'applied' : 'ignored';
}
