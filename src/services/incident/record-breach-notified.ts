import { assertCanDecideBreach } from '../../domain/access.ts';
import { breachFactsOf } from '../../domain/breach-assessment.ts';
import { obligationsNamed, notifiedNotice, wordOf, type ObligationWord } from '../../domain/breach-obligations.ts';
import { breachObligations, type Obligation } from '../../domain/breach-regimes.ts';
import { breachDeadline } from '../../domain/breach.ts';
import { AppError } from '../../domain/errors.ts';
import type { Incident } from '../../domain/incident.ts';
import { formatInZone } from '../../domain/time.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/** The configured regimes (UK GDPR alone when none are). */
export function regimesOf(deps: ServiceDeps) {
  return deps.settings.breachRegimes?.length ? deps.settings.breachRegimes : (['uk-gdpr'] as const);
}

/**
 * `/incident breach notified [ico|individuals|hhs|hhs-log|media|dspt] [reference]`: the commander
 * (or the data protection officer) records that a notification the regimes ask for was made, with
 * the recipient's reference if given. No word: the regulator of the first configured regime (the
 * ICO for UK GDPR, as before). Each obligation's reminders stop; the ICO's also sets the incident's
 * own clock as notified. The timeline keeps who, when, the reference and whether it was late.
 */
export async function recordBreachNotified(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; reference: string | null; obligation?: ObligationWord | null },
) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  if (!incident.dataBreach) {
    throw new AppError(
      'This incident is not marked as a personal data breach, so there is no regulator notification to record. Mark it with `/incident breach on` first.',
      'invalid_input',
    );
  }
  return markObligationsNotified(deps, {
    incident,
    userId: input.userId,
    word: input.obligation ?? null,
    reference: input.reference,
    via: 'command',
  });
}

/**
 * Records obligations of the incident's breach as notified (who, now, the reference) through
 * commitChange: for `/incident breach notified`, and for a notification draft marked sent (the
 * notifications feature calls this with the obligation's word and its own check of who may).
 */
export async function markObligationsNotified(
  deps: ServiceDeps,
  input: {
    incident: Incident;
    userId: string;
    word: ObligationWord | null;
    reference: string | null;
    via: 'command' | 'draft';
  },
): Promise<Incident> {
  const { incident } = input;
  const tz = deps.settings.defaultTimeZone;
  const awareAt = incident.breachAwareAt;
  if (!incident.dataBreach || !awareAt)
    throw new AppError('This incident is not a personal data breach with an awareness time.', 'invalid_input');
  const regimes = regimesOf(deps);
  const assessment = await deps.store.breachAssessment(incident.id);
  const facts = breachFactsOf(awareAt, assessment);
  const current = breachObligations(regimes, facts, tz);
  const named = obligationsNamed(input.word, regimes, current, facts);
  const notices = await deps.store.breachNotices(incident.id);
  const icoNotifiedOnIncident = (o: Obligation) =>
    o.regime === 'uk-gdpr' && o.kind === 'regulator' && incident.breachNotifiedAt;
  const open = named.filter((o) => !notifiedNotice(o, notices, awareAt) && !icoNotifiedOnIncident(o));
  if (!open.length) {
    const done = notifiedNotice(named[0]!, notices, awareAt);
    const at = done?.notifiedAt ?? incident.breachNotifiedAt!;
    const by = done?.notifiedBy ?? incident.breachNotifiedBy;
    const what =
      named[0]!.kind === 'regulator' ? 'The regulator notification' : `The notification of ${named[0]!.recipient}`;
    throw new AppError(
      `${what} is already recorded: ${formatInZone(at, tz)}${by ? ` by <@${by}>` : ''}.`,
      'invalid_input',
    );
  }
  assertCanDecideBreach(incident, input.userId, 'record that a breach notification was made');
  const now = deps.clock.now();
  const late = open.filter((o) => o.dueAt && now.getTime() > o.dueAt.getTime());
  const ico = open.some((o) => o.regime === 'uk-gdpr' && o.kind === 'regulator');
  const deadline = ico ? breachDeadline(awareAt) : null;
  const recipients = open.map((o) => o.recipient).join(' and ');
  return commitChange(deps, {
    incident,
    change: {
      obligationNotices: open.map((o) => ({
        regime: o.regime,
        kind: o.kind,
        awareAt,
        at: now,
        by: input.userId,
        reference: input.reference,
      })),
      ...(ico ? { breachNotifiedAt: now, breachNotifiedBy: input.userId } : {}),
    },
    guard: {
      dataBreach: true,
      ...(ico ? { breachNotifiedAt: null } : {}),
      roles: { COMMANDER: incident.roles.COMMANDER ?? null, DPO: incident.roles.DPO ?? null },
    },
    entry: {
      occurredAt: now,
      kind: 'breach_notified',
      actorId: input.userId,
      text:
        ico && open.length === 1
          ? `Regulator notified of the personal data breach${late.length ? ' (after the 72-hour deadline)' : ''}${input.reference ? `. Reference: ${input.reference}` : ''}`
          : `Breach notification made: ${recipients}${late.length ? ` (after the deadline: ${late.map((o) => o.recipient).join(', ')})` : ''}${input.reference ? `. Reference: ${input.reference}` : ''}`,
      data: {
        reference: input.reference,
        deadline: deadline?.toISOString() ?? null,
        late: late.length > 0,
        via: input.via,
        obligations: open.map((o) => ({
          regime: o.regime,
          kind: o.kind,
          dueAt: o.dueAt?.toISOString() ?? null,
          late: late.includes(o),
        })),
      },
    },
    notices: [
      {
        to: 'incident',
        notice: (i) =>
          ico && open.length === 1
            ? { kind: 'breach-notified', incident: i, by: input.userId, reference: input.reference, timeZone: tz }
            : {
                kind: 'obligation-notified',
                incident: i,
                by: input.userId,
                obligations: open,
                late: late.map(wordOf),
                at: now,
                reference: input.reference,
                timeZone: tz,
              },
      },
    ],
  });
}
