import type { ActionItem } from '../../domain/action-items.ts';
import type { ServiceDeps } from '../deps.ts';
import { actionItemToChange, changedMeanwhile } from '../access.ts';
import { publishReviewQuietly } from './publish-review.ts';

/**
 * Opens a done action item again (its owner, whoever added it, or the incident's commander, as for
 * completing it): the item `actionItemId` (a button) or the one numbered `number`
 * (`/incident action reopen ACT-12`). Its reminders start over and its tracker issue is reopened.
 */
export async function reopenActionItem(
  deps: ServiceDeps,
  input: ({ actionItemId: string } | { number: number }) & { userId: string },
): Promise<ActionItem> {
  const ref = 'actionItemId' in input ? input.actionItemId : { number: input.number };
  const { item } = await actionItemToChange(deps, ref, input.userId, 'reopen');
  const reopened = await deps.reviews.reopenActionItem(
    item.id,
    { by: input.userId, at: deps.clock.now() },
    { ownerId: item.ownerId },
  );
  if (!reopened) throw changedMeanwhile();
  deps.trackerSync?.kick();
  // The posted review shows the item open again.
  if ((await deps.reviews.findReview(item.incidentId))?.postedTs)
    await publishReviewQuietly(deps, item.incidentId, { file: false });
  return reopened;
}
