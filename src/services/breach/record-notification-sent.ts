import type { BreachNotification } from '../../domain/breach-assessment.ts';
import { assertMaySend, NOTIFICATION_REFERENCE_MAX, notificationName } from '../../domain/breach-notification.ts';
import { AppError } from '../../domain/errors.ts';
import type { ServiceDeps } from '../deps.ts';
import { applyingObligations, breachIncident, CONFLICT, tellChannel, type InChannel } from './notification-parts.ts';
import { whichNotification, type WhichNotification } from './notification-target.ts';

/**
 * `/incident breach sent <target> [regime] [reference]`: the commander or the DPO records that an
 * approved version was sent, with the recipient's reference if any, and whether it was after the
 * obligation's deadline. Only an approved version can be.
 */
export async function recordNotificationSent(
  deps: ServiceDeps,
  input: InChannel & { which: WhichNotification; reference: string | null },
): Promise<BreachNotification> {
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
  return sent;
}
