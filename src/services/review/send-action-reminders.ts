import { TZDate } from '@date-fns/tz';
import { actionRef, calendarDate, reminderFor } from '../../domain/action-items.ts';
import { isTransient } from '../../ports/chat-platform.ts';
import { outboundActionItem } from '../../domain/redaction.ts';

/** Reminders go out from this hour of the team's day (not in the first sweep after midnight). */
export const REMINDER_LOCAL_HOUR = 9;
import type { ServiceDeps } from '../deps.ts';

export interface SentActionReminder {
  ref: string;
  ownerId: string;
  kind: 'due' | 'overdue';
}

/**
 * Tells owners, directly, about their items that fell due today (once) or are overdue (weekly),
 * unless snoozed, from 09:00 in the team's time zone. Each reminder is claimed with a compare-and-set first, so replicas sweeping at the
 * same time never send it twice; a message that fails gives its claim back for the next sweep.
 */
export async function sendActionReminders(deps: ServiceDeps): Promise<SentActionReminder[]> {
  const now = deps.clock.now();
  const today = calendarDate(now, deps.settings.defaultTimeZone);
  const sent: SentActionReminder[] = [];
  if (new TZDate(now.getTime(), deps.settings.defaultTimeZone).getHours() < REMINDER_LOCAL_HOUR) return sent;
  for (const item of await deps.reviews.listActionItems({ status: 'open', dueOnOrBefore: today })) {
    const kind = reminderFor(item, today, now);
    if (!kind || !item.ownerId) continue;
    const previous = kind === 'due' ? item.dueRemindedAt : item.overdueRemindedAt;
    if (
      !(await deps.reviews.claimActionReminder(item.id, kind, previous, now, {
        ownerId: item.ownerId,
        snoozedUntil: item.snoozedUntil,
      }))
    )
      continue;
    try {
      // A direct message: out of the incident channel, so its text is redacted.
      await deps.chat.remindActionOwner(outboundActionItem(item).value, kind, today);
      sent.push({ ref: actionRef(item), ownerId: item.ownerId, kind });
    } catch (err) {
      // A transient failure gives the claim back for the next sweep; a permanent one (a deactivated
      // owner) would fail every 15 minutes, so it waits for the next reminder instead.
      const transient = isTransient(err);
      deps.logger.error({ err, actionItem: actionRef(item), retried: transient }, 'action item reminder failed');
      if (transient) await deps.reviews.releaseActionReminder(item.id, kind, now, previous).catch(() => {});
    }
  }
  return sent;
}
