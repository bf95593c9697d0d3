import type { ActionItem } from '../../domain/action-items.ts';
import type { ServiceDeps } from '../deps.ts';
import { actionItemToChange, changedMeanwhile } from '../access.ts';
import { publishReviewQuietly } from './publish-review.ts';

/** Marks an action item done (its owner, whoever added it, or the incident's commander). */
export async function completeActionItem(
  deps: ServiceDeps,
  input: { actionItemId: string; userId: string },
): Promise<ActionItem> {
  const { item } = await actionItemToChange(deps, input.actionItemId, input.userId, 'complete');
  const done = await deps.reviews.completeActionItem(
    item.id,
    { by: input.userId, at: deps.clock.now() },
    { ownerId: item.ownerId },
  );
  if (!done) throw changedMeanwhile();
  // The posted review shows the item done; the Markdown is shared again when the review is.
  if ((await deps.reviews.findReview(item.incidentId))?.postedTs)
    await publishReviewQuietly(deps, item.incidentId, { file: false });
  return done;
}
