import type { Incident } from '../../domain/incident.ts';
import type { StoredReview } from '../../ports/review-store.ts';
import type { ServiceDeps } from '../deps.ts';
import { incidentInChannel } from '../access.ts';

/**
 * What the review form of the incident whose channel this is starts from: the incident (refused
 * outside an incident channel, and to non-members of a private one) and its review as saved, or null.
 */
export async function showReviewDraft(
  deps: ServiceDeps,
  input: { channelId: string; userId: string },
): Promise<{ incident: Incident; stored: StoredReview | null }> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const stored = await deps.reviews.findReview(incident.id);
  return { incident, stored };
}
