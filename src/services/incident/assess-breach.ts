import { assertCanDecideBreach, canDecideBreach } from '../../domain/access.ts';
import {
  breachAssessmentSchema,
  type BreachAssessment,
  type RecordedBreachAssessment,
} from '../../domain/breach-assessment.ts';
import { AppError } from '../../domain/errors.ts';
import type { Incident } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/** The assessment form is only for a breach: the message for any other incident. */
export const NOT_A_BREACH =
  'This incident is not marked as a personal data breach, so there is nothing to assess. Mark it with `/incident breach on [--aware=…]` first.';

/** The incident of the channel and its assessment so far, for `/incident breach assess` to open the form. */
export async function breachToAssess(
  deps: ServiceDeps,
  input: { channelId: string; userId: string },
): Promise<{ incident: Incident; assessment: RecordedBreachAssessment | null }> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  if (!incident.dataBreach) throw new AppError(NOT_A_BREACH, 'invalid_input');
  return { incident, assessment: await deps.store.breachAssessment(incident.id) };
}

const decisionText = (r: boolean | null) => (r === null ? 'not decided' : r ? 'reportable' : 'not reportable');

/**
 * Records the breach assessment (`/incident breach assess`'s form). Anyone in the channel may record
 * the facts; the decision (reportable or not, and its reason) is the commander's or the data
 * protection officer's: someone else's form must leave it as it was. Validated with
 * breachAssessmentSchema (an AppError naming the first problem: the form shows them per field
 * before it gets here). The timeline entry keeps the assessment before and after.
 */
export async function assessBreach(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; assessment: unknown },
): Promise<{ incident: Incident; assessment: RecordedBreachAssessment }> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  if (!incident.dataBreach) throw new AppError(NOT_A_BREACH, 'invalid_input');
  const parsed = breachAssessmentSchema.safeParse(input.assessment);
  if (!parsed.success)
    throw new AppError(parsed.error.issues[0]?.message ?? 'The assessment is not valid.', 'invalid_input');
  const before = await deps.store.breachAssessment(incident.id);
  const a: BreachAssessment = parsed.data;
  const decisionChanged = changesDecision(a, before);
  if (decisionChanged)
    assertCanDecideBreach(
      incident,
      input.userId,
      'decide whether the breach is reportable (and why). You may still record the facts: leave the decision as it was',
    );
  const now = deps.clock.now();
  const recorded: RecordedBreachAssessment = { ...a, assessedBy: input.userId, assessedAt: now };
  const updated = await commitChange(deps, {
    incident,
    change: { breachAssessment: recorded, breachReportable: a.reportable },
    guard: {
      dataBreach: true,
      // Decided on the assessment as read: another form recorded meanwhile is not overwritten.
      breachAssessedAt: before?.assessedAt ?? null,
      // A decision rests on who may make it: refused if the command changed meanwhile.
      ...(decisionChanged
        ? { roles: { COMMANDER: incident.roles.COMMANDER ?? null, DPO: incident.roles.DPO ?? null } }
        : {}),
    },
    entry: {
      occurredAt: now,
      kind: 'breach_assessed',
      actorId: input.userId,
      text: decisionChanged
        ? `Breach assessment recorded: ${decisionText(a.reportable)}${a.reason ? `. Reason: ${a.reason}` : ''}`
        : 'Breach assessment updated (the decision is unchanged)',
      data: { before: before ? stored(before) : null, after: stored(recorded), decisionChanged },
    },
    notices: [
      {
        to: 'incident',
        notice: (i) => ({
          kind: 'breach-assessed',
          incident: i,
          by: input.userId,
          assessment: recorded,
          decisionChanged,
        }),
      },
    ],
  });
  return { incident: updated, assessment: recorded };
}

/** The assessment as JSON for the timeline's data (the audit trail keeps the timeline entry). */
function stored(a: RecordedBreachAssessment) {
  return { ...a, assessedAt: a.assessedAt.toISOString() };
}

/** Whether the assessment changes the decision (reportable or not) or its reason. */
export function changesDecision(a: BreachAssessment, before: BreachAssessment | null): boolean {
  return (
    a.reportable !== (before?.reportable ?? null) || (a.reportable !== null && a.reason !== (before?.reason ?? ''))
  );
}

/**
 * For the form, before it closes: the field a decision someone may not make shows its refusal on
 * (`reportable` or `reason`), or null when they may submit it (assessBreach checks again).
 */
export async function decisionRefusal(
  deps: ServiceDeps,
  input: { incidentId: string; userId: string; assessment: BreachAssessment },
): Promise<{ field: 'reportable' | 'reason'; message: string } | null> {
  const incident = await deps.store.findById(input.incidentId);
  if (!incident || canDecideBreach(incident, input.userId)) return null;
  const before = await deps.store.breachAssessment(incident.id);
  if (!changesDecision(input.assessment, before)) return null;
  return {
    field: input.assessment.reportable !== (before?.reportable ?? null) ? 'reportable' : 'reason',
    message:
      'Only the incident commander or the data protection officer decides this, with the reason. Leave the decision and its reason as they were to record the facts.',
  };
}
