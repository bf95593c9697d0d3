import type { BreachNotification } from '../../domain/breach-assessment.ts';
import {
  assertMaySend,
  NOTIFICATION_REFERENCE_MAX,
  notificationName,
  targetWord,
} from '../../domain/breach-notification.ts';
import { notifiedNotice } from '../../domain/breach-obligations.ts';
import { AppError } from '../../domain/errors.ts';
import type { Incident } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { markObligationsNotified } from '../incident/record-breach-notified.ts';
import { applyingObligations, breachIncident, CONFLICT, tellChannel, type InChannel } from './notification-parts.ts';
import { whichNotification, type WhichNotification } from './notification-target.ts';

export interface SentResult {
  notification: BreachNotification;
  /**
   * The breach obligation it meets: recorded as notified now (`recorded`, its reminders stop; the
   * ICO's also stops the 72-hour clock), recorded before (`already`, by `/incident breach
   * notified`), or not recorded, with why (`refused`: e.g. the breach is now assessed as not
   * reportable). The notification stays recorded as sent in every case.
   */
  obligation: 'recorded' | 'already' | { refused: string };
}

/**
 * `/incident breach sent <target> [regime] [reference]`: the commander or the DPO records that an
 * approved version was sent, with the recipient's reference if any, and whether it was after the
 * obligation's deadline. Only an approved version can be. The first version sent also records the
 * obligation as notified, as `/incident breach notified <target> [reference]` does
 * (markObligationsNotified); an update sent later does not record it again.
 */
export async function recordNotificationSent(
  deps: ServiceDeps,
  input: InChannel & { which: WhichNotification; reference: string | null },
): Promise<SentResult> {
  const incident = await breachIncident(deps, input);
  const n = await whichNotification(deps, incident, input.which);
  assertMaySend(n, incident, input.userId);
  const reference = input.reference?.trim() || null;
  if (reference && reference.length > NOTIFICATION_REFERENCE_MAX)
    throw new AppError(
      `The reference is too long (at most ${NOTIFICATION_REFERENCE_MAX} characters).`,
      'invalid_input',
    );
  const now = deps.clock.now();
  const { obligations } = await applyingObligations(deps, incident);
  const due = obligations.find((o) => o.regime === n.regime && o.kind === n.kind)?.dueAt ?? null;
  const late = due !== null && now.getTime() >= due.getTime();
  const sent = await deps.breachNotifications.change(
    { id: n.id, state: 'approved', draftedAt: n.draftedAt },
    { state: 'sent', sentBy: input.userId, sentAt: now, reference },
    {
      occurredAt: now,
      kind: 'breach_notification_sent',
      actorId: input.userId,
      text: `Sent the notification to ${notificationName(n)}, version ${n.version}${n.version > 1 ? ' (an update)' : ''}${late ? ' (after its deadline)' : ''}${reference ? `. Reference: ${reference}` : ''}`,
      data: { reference, due: due?.toISOString() ?? null, late },
    },
  );
  if (!sent) throw CONFLICT;
  await tellChannel(deps, incident, {
    kind: 'breach-notification',
    incident,
    notification: sent,
    event: 'sent',
    by: input.userId,
  });
  return { notification: sent, obligation: await meetObligation(deps, incident.id, sent, input.userId, reference) };
}

/** Records the breach obligation `sent` meets as notified, unless it is already. */
async function meetObligation(
  deps: ServiceDeps,
  incidentId: string,
  sent: BreachNotification,
  userId: string,
  reference: string | null,
): Promise<SentResult['obligation']> {
  const incident = (await deps.store.findById(incidentId)) as Incident;
  const awareAt = incident.breachAwareAt;
  if (!awareAt) return { refused: 'the breach has no awareness time' };
  const icoOnIncident = sent.regime === 'uk-gdpr' && sent.kind === 'regulator' && incident.breachNotifiedAt !== null;
  if (icoOnIncident || notifiedNotice(sent, await deps.store.breachNotices(incidentId), awareAt)) return 'already';
  try {
    await markObligationsNotified(deps, { incident, userId, word: targetWord(sent), reference, via: 'draft' });
    return 'recorded';
  } catch (err) {
    if (err instanceof AppError) return { refused: err.userMessage };
    deps.logger.error({ err, incidentId }, 'recording the obligation of a sent breach notification failed');
    return { refused: 'recording it failed (logged); record it with `/incident breach notified`' };
  }
}
