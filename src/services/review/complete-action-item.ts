import type { ActionItem } from '../../domain/action-items.ts';
import type { ServiceDeps } from '../deps.ts';
import { actionItemToChange, changedMeanwhile } from '../access.ts';
import { publishReviewQuietly } from './publish-review.ts';

/**
 * Marks an action item done (its owner, whoever added it, or the incident's commander): the item
 * `actionItemId` (a button) or the one numbered `number` (`/incident action done ACT-12`).
 */
export async function completeActionItem(
  deps: ServiceDeps,
  input: ({ actionItemId: string } | { number: number }) & { userId: string },
): Promise<ActionItem> {
  const ref = 'actionItemId' in input ? input.actionItemId : { number: input.number };
  const { item } = await actionItemToChange(deps, ref, input.userId, 'complete');
  const done = await deps.reviews.completeActionItem(
    item.id,
    { by: input.userId, at: deps.clock.now() },
    { ownerId: item.ownerId },
  );
  if (!done) throw changedMeanwhile();
  // Its tracker issue is closed too (the sync runs soon; the sweep would get to it anyway).
  deps.trackerSync?.kick();
  // The posted review shows the item done; the Markdown is shared again when the review is.
  if ((await deps.reviews.findReview(item.incidentId))?.postedTs)
    await publishReviewQuietly(deps, item.incidentId, { file: false });
  return done;
}
