import { assertCanCommand } from '../../domain/access.ts';
import { breachDeadline } from '../../domain/breach.ts';
import { AppError } from '../../domain/errors.ts';
import { formatInZone } from '../../domain/time.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/**
 * `/incident breach notified [reference]`: the commander records that the regulator was notified
 * of the breach, with the regulator's reference if given. The 72-hour clock and its reminders stop;
 * the timeline keeps who recorded it, when, the reference and whether it was after the deadline.
 */
export async function recordBreachNotified(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; reference: string | null },
) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const tz = deps.settings.defaultTimeZone;
  if (!incident.dataBreach) {
    throw new AppError(
      'This incident is not marked as a personal data breach, so there is no regulator notification to record. Mark it with `/incident breach on` first.',
      'invalid_input',
    );
  }
  if (incident.breachNotifiedAt) {
    throw new AppError(
      `The regulator notification is already recorded: ${formatInZone(incident.breachNotifiedAt, tz)}${incident.breachNotifiedBy ? ` by <@${incident.breachNotifiedBy}>` : ''}.`,
      'invalid_input',
    );
  }
  assertCanCommand(incident, input.userId, 'record that the regulator was notified');
  const now = deps.clock.now();
  const deadline = incident.breachAwareAt ? breachDeadline(incident.breachAwareAt) : null;
  const late = deadline !== null && now.getTime() > deadline.getTime();
  return commitChange(deps, {
    incident,
    change: { breachNotifiedAt: now, breachNotifiedBy: input.userId },
    guard: { dataBreach: true, breachNotifiedAt: null, roles: { COMMANDER: incident.roles.COMMANDER ?? null } },
    entry: {
      occurredAt: now,
      kind: 'breach_notified',
      actorId: input.userId,
      text: `Regulator notified of the personal data breach${late ? ' (after the 72-hour deadline)' : ''}${input.reference ? `. Reference: ${input.reference}` : ''}`,
      data: { reference: input.reference, deadline: deadline?.toISOString() ?? null, late },
    },
    notices: [
      {
        to: 'incident',
        notice: (i) => ({
          kind: 'breach-notified',
          incident: i,
          by: input.userId,
          reference: input.reference,
          timeZone: tz,
        }),
      },
    ],
  });
}
