import {
  DEFAULT_ACTION_CATEGORY,
  DEFAULT_DUE_DAYS,
  actionRef,
  addDays,
  calendarDate,
  type ActionAddRequest,
  type ActionItem,
  type NewActionItem,
} from '../../domain/action-items.ts';
import { AppError } from '../../domain/errors.ts';
import type { ServiceDeps } from '../deps.ts';
import { incidentInChannel } from '../access.ts';
import { publishReviewQuietly } from './publish-review.ts';
import { outboundNotice, warnAuthor } from '../outbound-text.ts';

/**
 * A new item with the defaults filled in: the author owns it unless someone else is named, and it
 * falls due after DEFAULT_DUE_DAYS of its priority. A due date in the past is refused.
 */
export function prepareActionItem(req: ActionAddRequest, authorId: string, today: string): NewActionItem {
  const priority = req.priority ?? 'medium';
  if (req.due && req.due < today) {
    throw new AppError(
      `The due date ${req.due} is in the past (today is ${today}): give a date from today on.`,
      'invalid_input',
    );
  }
  return {
    text: req.text,
    ownerId: req.ownerId ?? authorId,
    due: req.due ?? addDays(today, DEFAULT_DUE_DAYS[priority]),
    category: req.category ?? DEFAULT_ACTION_CATEGORY,
    priority,
  };
}

/**
 * `/incident action add …` in an incident channel (anyone there may add one): recorded with a
 * timeline entry, told in the channel, and the posted review (if any) redrawn.
 */
export async function addActionItem(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; request: ActionAddRequest; responseUrl?: string | null },
): Promise<ActionItem> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const now = deps.clock.now();
  const item = prepareActionItem(input.request, input.userId, calendarDate(now, deps.settings.defaultTimeZone));
  const added = await deps.reviews.addActionItem(incident.id, item, { by: input.userId, at: now });
  // Its tracker issue is opened soon (the background sweep would get to it anyway).
  deps.trackerSync?.kick();
  const log = (what: string) => (err: unknown) =>
    deps.logger.error({ err, incidentId: incident.id, actionItem: actionRef(added) }, `${what} failed`);
  if (incident.channelId) {
    await deps.chat
      .notify(incident.channelId, { kind: 'action-item-added', incident, by: input.userId, item: added })
      .catch(log('announcing an action item'));
  }
  // The owner's direct message, the posted review, listings and reminders carry the text redacted.
  const outbound = outboundNotice({ kind: 'action-item-assigned', incident, by: input.userId, item: added });
  if (added.ownerId && added.ownerId !== input.userId) {
    await deps.chat.notify(added.ownerId, outbound.notice).catch(log('telling the owner'));
  }
  if ((await deps.reviews.findReview(incident.id))?.postedTs)
    await publishReviewQuietly(deps, incident.id, { file: false });
  await warnAuthor(
    deps,
    { userId: input.userId, responseUrl: input.responseUrl ?? null },
    outbound.typed,
    `${actionRef(added)} is shown outside the incident channel (the review, listings, the Home tab and its owner's reminders).`,
  );
  return added;
}
