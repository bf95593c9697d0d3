import { actionRef, calendarDate, reminderFor } from '../domain/action-items.ts';
import type { ServiceDeps } from './deps.ts';

export interface SentActionReminder {
  ref: string;
  ownerId: string;
  kind: 'due' | 'overdue';
}

/**
 * Tells owners, directly, about their items that fell due today (once) or are overdue (weekly),
 * unless snoozed. Each reminder is claimed with a compare-and-set first, so replicas sweeping at the
 * same time never send it twice; a message that fails gives its claim back for the next sweep.
 */
export async function sendActionReminders(deps: ServiceDeps): Promise<SentActionReminder[]> {
  const now = deps.clock.now();
  const today = calendarDate(now, deps.settings.defaultTimeZone);
  const sent: SentActionReminder[] = [];
  for (const item of await deps.reviews.listActionItems({ status: 'open', dueOnOrBefore: today })) {
    const kind = reminderFor(item, today, now);
    if (!kind || !item.ownerId) continue;
    const previous = kind === 'due' ? item.dueRemindedAt : item.overdueRemindedAt;
    if (!(await deps.reviews.claimActionReminder(item.id, kind, previous, now))) continue;
    try {
      await deps.chat.remindActionOwner(item, kind, today);
      sent.push({ ref: actionRef(item), ownerId: item.ownerId, kind });
    } catch (err) {
      deps.logger.error({ err, actionItem: actionRef(item) }, 'action item reminder failed');
      await deps.reviews.releaseActionReminder(item.id, kind, now, previous).catch(() => {});
    }
  }
  return sent;
}
