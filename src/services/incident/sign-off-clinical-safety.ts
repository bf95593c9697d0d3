import { assertCanSignOffClinicalSafety } from '../../domain/access.ts';
import { addDays, calendarDate, DEFAULT_DUE_DAYS, type ActionItem } from '../../domain/action-items.ts';
import {
  assertReadyForSignoff,
  CLINICAL_SAFETY_TEAM,
  currentSignoff,
  hazardLogReviewText,
  ratingOf,
  type ClinicalSignoff,
} from '../../domain/clinical-safety.ts';
import { AppError } from '../../domain/errors.ts';
import { incidentRef } from '../../domain/incident.ts';
import { formatInZone } from '../../domain/time.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/**
 * `/incident clinical signoff [note]`: the clinical safety officer's explicit, audited approval of a
 * clinical-impact incident's clinical safety (its hazards and their residual risk), which resolving
 * and closing it need. Only the holder of the clinical safety officer role may give it (the
 * commander assigns it, APPROVER_ROLES); every hazard must have its risk after assessed and none may
 * be left unacceptable. The first sign-off of an incident adds a "review the hazard log" action item
 * for the clinical safety team, owned by the officer, in the same transaction; a sign-off given again
 * after a void names that item and adds none.
 */
export async function signOffClinicalSafety(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; note: string | null },
): Promise<{ signoff: ClinicalSignoff; reviewItem: ActionItem | null; reviewItemAdded: boolean }> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  if (!incident.clinicalImpact)
    throw new AppError(
      `${incidentRef(incident)} has no clinical impact, so there is no clinical safety to sign off. If it has, say so with \`/incident clinical on\`.`,
      'invalid_input',
    );
  assertCanSignOffClinicalSafety(incident, input.userId);
  const record = await deps.store.clinicalRecord(incident.id);
  const inForce = currentSignoff(record);
  if (inForce)
    throw new AppError(
      `<@${inForce.signedBy}> signed off ${incidentRef(incident)} already, at ${formatInZone(inForce.signedAt, deps.settings.defaultTimeZone)}. It stays in force until the incident is reopened or a hazard or its clinical impact changes.`,
      'invalid_input',
    );
  assertReadyForSignoff(record);
  const now = deps.clock.now();
  const today = calendarDate(now, deps.settings.defaultTimeZone);
  const hadItem = record.signoffs.some((s) => s.actionItemId);
  await commitChange(deps, {
    incident,
    change: {
      clinical: {
        signoff: {
          by: input.userId,
          note: input.note,
          reviewItem: {
            text: hazardLogReviewText(incident, record.hazards),
            ownerId: input.userId,
            team: CLINICAL_SAFETY_TEAM,
            due: addDays(today, DEFAULT_DUE_DAYS.high),
            category: 'process',
            priority: 'high',
          },
          // Refused if a hazard changed since it was read here (assertReadyForSignoff judged these).
          hazards: record.hazards.map((h) => ({ hazardId: h.hazardId, updatedAt: h.updatedAt })),
        },
      },
    },
    // Signed by whoever holds the role when it is written, once, while clinical impact stands.
    guard: { clinicalImpact: true, clinicalSignoff: 'none', roles: { CLINICAL_SAFETY: input.userId } },
    entry: {
      occurredAt: now,
      kind: 'clinical_signoff',
      actorId: input.userId,
      text: `Clinical safety signed off by <@${input.userId}> (clinical safety officer)${input.note ? `: ${input.note}` : ''}`,
      data: {
        note: input.note,
        hazards: record.hazards.map((h) => ({
          hazardId: h.hazardId,
          before: ratingOf(h.before),
          after: h.after ? ratingOf(h.after) : null,
        })),
      },
    },
    notices: [
      {
        to: 'incident',
        notice: (i) => ({
          kind: 'clinical-record',
          incident: i,
          by: input.userId,
          change: { op: 'signoff', note: input.note },
          voided: false,
        }),
      },
    ],
  });
  const signoff = currentSignoff(await deps.store.clinicalRecord(incident.id));
  if (!signoff) throw new Error(`the sign-off of ${incidentRef(incident)} was recorded but is not in force`);
  const reviewItem = signoff.actionItemId ? await deps.reviews.findActionItem(signoff.actionItemId) : null;
  if (reviewItem && !hadItem) {
    deps.trackerSync?.kick();
    if (incident.channelId)
      await deps.chat
        .notify(incident.channelId, { kind: 'action-item-added', incident, by: input.userId, item: reviewItem })
        .catch((err: unknown) =>
          deps.logger.error({ err, incidentId: incident.id }, 'announcing the hazard-log review failed'),
        );
  }
  return { signoff, reviewItem, reviewItemAdded: !!reviewItem && !hadItem };
}
