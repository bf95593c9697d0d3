import { assertCanCommand } from '../../domain/access.ts';
import { breachDeadline, resolveAwareness, type AwarenessSpec } from '../../domain/breach.ts';
import { NEAR_MISS_BREACH } from '../../domain/declaration.ts';
import { AppError } from '../../domain/errors.ts';
import { formatInZone } from '../../domain/time.ts';
import { zoneOf } from './declare-incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/** `/incident breach off` without a reason. */
export const BREACH_OFF_USAGE =
  'Give the reason it is not a personal data breach: `/incident breach off <reason>` (it is recorded on the timeline and the audit trail).';

/**
 * `/incident breach on [--aware=…]` and `/incident breach off`: anyone may report a personal data
 * breach (starting the 72-hour regulator-notification clock at the awareness time, now by default);
 * only the commander may take it back, with a reason (audited: the timeline entry keeps it). Told in the incident channel only, never the broadcast one.
 */
export async function setDataBreach(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; on: boolean; aware?: AwarenessSpec | null; reason?: string | null },
) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const tz = deps.settings.defaultTimeZone;
  if (input.on && incident.nearMiss) throw new AppError(NEAR_MISS_BREACH, 'invalid_input');
  if (incident.dataBreach === input.on) {
    throw new AppError(
      input.on
        ? `This incident is already a personal data breach${incident.breachAwareAt ? ` (aware since ${formatInZone(incident.breachAwareAt, tz)})` : ''}: see the pinned summary for the regulator deadline.`
        : 'This incident is not marked as a personal data breach.',
      'invalid_input',
    );
  }
  const reason = input.reason?.trim() || null;
  if (!input.on) assertCanCommand(incident, input.userId, 'turn off the data breach');
  if (!input.on && !reason) throw new AppError(BREACH_OFF_USAGE, 'invalid_input');
  const now = deps.clock.now();
  const awareAt =
    input.on && input.aware ? resolveAwareness(input.aware, await zoneOf(deps, input.userId, input.aware), now) : now;
  // A breach found again has a new awareness time: a decision recorded for the earlier one (above
  // all "not reportable", which stops every clock) is not a decision on this one. The facts stay;
  // the decision is to be made again (the earlier one is kept on the timeline entry).
  const earlier = input.on ? await deps.store.breachAssessment(incident.id) : null;
  const previousDecision = earlier && earlier.reportable !== null ? earlier : null;
  return commitChange(deps, {
    incident,
    change: input.on
      ? // A new clock: whatever an earlier breach flag of this incident recorded starts again.
        {
          dataBreach: true,
          breachAwareAt: awareAt,
          breachNotifiedAt: null,
          breachNotifiedBy: null,
          breachRemindedHours: 0,
          breachReportable: null,
          ...(previousDecision
            ? {
                breachAssessment: {
                  ...previousDecision,
                  reportable: null,
                  reason: '',
                  assessedBy: input.userId,
                  assessedAt: now,
                },
              }
            : {}),
        }
      : { dataBreach: false },
    guard: input.on
      ? { dataBreach: false }
      : { dataBreach: true, roles: { COMMANDER: incident.roles.COMMANDER ?? null } },
    entry: input.on
      ? {
          occurredAt: now,
          kind: 'data_breach',
          actorId: input.userId,
          text: `Personal data breach reported, aware since ${formatInZone(awareAt, tz)}: the regulator must be notified by ${formatInZone(breachDeadline(awareAt), tz)}${previousDecision ? `. The earlier decision (${previousDecision.reportable ? 'reportable' : 'not reportable'}) was for the earlier awareness time: it is to be decided again` : ''}`,
          data: {
            on: true,
            awareAt: awareAt.toISOString(),
            deadline: breachDeadline(awareAt).toISOString(),
            ...(previousDecision
              ? {
                  previousDecision: {
                    reportable: previousDecision.reportable,
                    reason: previousDecision.reason,
                    assessedBy: previousDecision.assessedBy,
                    assessedAt: previousDecision.assessedAt.toISOString(),
                  },
                }
              : {}),
          },
        }
      : {
          occurredAt: now,
          kind: 'data_breach',
          actorId: input.userId,
          text: `Personal data breach flag removed. Reason: ${reason}`,
          data: { on: false, reason },
        },
    notices: [
      {
        to: 'incident',
        notice: (i) => ({ kind: 'data-breach', incident: i, by: input.userId, on: input.on, timeZone: tz, reason }),
      },
    ],
  });
}
