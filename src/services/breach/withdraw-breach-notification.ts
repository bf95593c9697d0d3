import type { BreachNotification } from '../../domain/breach-assessment.ts';
import { assertMayWithdraw, notificationName } from '../../domain/breach-notification.ts';
import type { ServiceDeps } from '../deps.ts';
import { incidentInChannel } from '../access.ts';
import { CONFLICT, tellChannel, type InChannel } from './notification-parts.ts';
import { whichNotification, type WhichNotification } from './notification-target.ts';

/**
 * `/incident breach withdraw <target> [regime] <reason>`, or the Withdraw button's form: the
 * commander or the DPO withdraws a draft or an approved version, with the reason (recorded on the
 * timeline and the audit trail). A sent notification is not withdrawn: drafting it again makes an
 * update. A breach turned off keeps its notifications: they may still be withdrawn.
 */
export async function withdrawBreachNotification(
  deps: ServiceDeps,
  input: InChannel & { which: WhichNotification; reason: string },
): Promise<BreachNotification> {
  // Also once the breach is turned off: its drafts are withdrawn then.
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const n = await whichNotification(deps, incident, input.which);
  const reason = input.reason.trim();
  assertMayWithdraw(n, incident, input.userId, reason);
  const now = deps.clock.now();
  const withdrawn = await deps.breachNotifications.change(
    { id: n.id, state: n.state, draftedAt: n.draftedAt },
    { state: 'withdrawn', withdrawnBy: input.userId, withdrawnAt: now, withdrawReason: reason },
    {
      occurredAt: now,
      kind: 'breach_notification_withdrawn',
      actorId: input.userId,
      text: `Withdrew the notification to ${notificationName(n)}, version ${n.version} (${n.state === 'approved' ? 'approved' : 'a draft'}): ${reason}`,
      data: { reason, was: n.state },
    },
  );
  if (!withdrawn) throw CONFLICT;
  await tellChannel(deps, incident, {
    kind: 'breach-notification',
    incident,
    notification: withdrawn,
    event: 'withdrawn',
    by: input.userId,
  });
  return withdrawn;
}
