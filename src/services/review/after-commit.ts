// The review feature's part after an incident's change (see src/services/after-commit.ts): a
// resolved incident gets its post-incident review posted for people to fill in, and so does a
// near miss once its channel is set up (recorded over already, its review is the point of it).
import type { AfterCommit } from '../after-commit.ts';
import { publishReviewQuietly } from './publish-review.ts';

export const postReviewAfterCommit: AfterCommit = async (deps, event) => {
  if (event.kind === 'changed' && event.change.status === 'RESOLVED' && event.before.status !== 'RESOLVED')
    await publishReviewQuietly(deps, event.after.id);
  if (event.kind === 'provisioned' && event.incident.nearMiss) await publishReviewQuietly(deps, event.incident.id);
  // A hazard or sign-off changed after the review was posted: its clinical safety section is redrawn.
  if (
    event.kind === 'changed' &&
    event.change.clinical &&
    event.change.status !== 'RESOLVED' &&
    (await deps.reviews.findReview(event.after.id))?.postedTs
  )
    await publishReviewQuietly(deps, event.after.id, { file: false });
};
