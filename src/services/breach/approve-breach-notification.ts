import type { BreachNotification } from '../../domain/breach-assessment.ts';
import { assertMayApprove, notificationName } from '../../domain/breach-notification.ts';
import type { ServiceDeps } from '../deps.ts';
import { breachIncident, CONFLICT, tellChannel, type InChannel } from './notification-parts.ts';
import { whichNotification, type WhichNotification } from './notification-target.ts';

/**
 * `/incident breach approve <target> [regime]`, or the Approve button: the commander or the data
 * protection officer approves a draft (not their own while the other is someone else: see
 * assertMayApprove). Recorded with its timeline entry (the audit trail keeps who and when); anyone
 * else is refused and nothing changes.
 */
export async function approveBreachNotification(
  deps: ServiceDeps,
  input: InChannel & { which: WhichNotification },
): Promise<BreachNotification> {
  const incident = await breachIncident(deps, input);
  const n = await whichNotification(deps, incident, input.which);
  const { ownDraft } = assertMayApprove(n, incident, input.userId);
  const now = deps.clock.now();
  const approved = await deps.breachNotifications.change(
    { id: n.id, state: 'draft', draftedAt: n.draftedAt },
    { state: 'approved', approvedBy: input.userId, approvedAt: now },
    {
      occurredAt: now,
      kind: 'breach_notification_approved',
      actorId: input.userId,
      text: `Approved the notification to ${notificationName(n)}, version ${n.version}${ownDraft ? ' (their own draft: no other approver on the incident)' : ''}`,
      data: { ownDraft, draftedBy: n.draftedBy },
    },
  );
  if (!approved) throw CONFLICT;
  await tellChannel(deps, incident, {
    kind: 'breach-notification',
    incident,
    notification: approved,
    event: 'approved',
    by: input.userId,
    ownDraft,
  });
  return approved;
}
