import { AppError } from '../../domain/errors.ts';
import { incidentRef, type Incident } from '../../domain/incident.ts';
import { buildReview, reviewInputSchema, type PostIncidentReview, type ReviewInput } from '../../domain/review.ts';
import type { ServiceDeps } from '../deps.ts';
import { actionRef } from '../../domain/action-items.ts';

/**
 * The review of an incident as the record has it now: the timeline, what people added, and every
 * action item (with its state). The same record always gives the same review.
 */
export async function reviewOf(
  deps: Pick<ServiceDeps, 'store' | 'reviews'> & { settings: Pick<ServiceDeps['settings'], 'defaultTimeZone'> },
  incident: Incident,
): Promise<PostIncidentReview> {
  const [entries, stored, items] = await Promise.all([
    deps.store.timeline(incident.id),
    deps.reviews.findReview(incident.id),
    deps.reviews.actionItemsOf(incident.id),
  ]);
  // Stored input was validated when saved; parsing again keeps a hand-edited row from breaking the review.
  const parsed = reviewInputSchema.safeParse(stored?.input ?? {});
  const input: ReviewInput = parsed.success ? parsed.data : {};
  const withItems: ReviewInput | null =
    stored || items.length
      ? {
          ...input,
          ...(items.length
            ? {
                actionItems: items.map((a) => ({
                  ref: actionRef(a),
                  status: a.status,
                  text: a.text,
                  ...(a.ownerId ? { ownerId: a.ownerId } : {}),
                  ...(a.due ? { due: a.due } : {}),
                  category: a.category,
                  priority: a.priority,
                })),
              }
            : {}),
        }
      : null;
  return buildReview(incident, entries, withItems, { timeZone: deps.settings.defaultTimeZone });
}

/** The incident with this number, or an AppError saying there is none. */
export async function incidentByNumber(deps: Pick<ServiceDeps, 'store'>, number: number): Promise<Incident> {
  const incident = await deps.store.findByNumber(number);
  if (!incident) throw new AppError(`There is no incident ${incidentRef({ number })}.`, 'not_found');
  return incident;
}
