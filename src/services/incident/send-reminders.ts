import { dueReminders, type DueReminder } from '../../domain/reminders.ts';
import type { Notice } from '../../ports/chat-platform.ts';
import type { ServiceDeps } from '../deps.ts';
import { refreshSummary } from '../commit-change.ts';

/**
 * Checks an incident's reminders at deps.clock's time: each due one is first claimed through the
 * store's compare-and-set, so that of several replicas (or a job delivered twice) exactly one
 * sends it, and only then posted in the incident channel. Then schedules the next check.
 * Returns the reminders this call sent.
 */
export async function sendReminders(deps: ServiceDeps, incidentId: string): Promise<DueReminder[]> {
  const incident = await deps.store.findById(incidentId);
  if (!incident) return [];
  const now = deps.clock.now();
  const due = dueReminders(incident, now, deps.settings.reminderCadence);
  const sent: DueReminder[] = [];
  for (const reminder of due) {
    const claimed =
      reminder.kind === 'update-reminder'
        ? await deps.store.claimUpdateReminder(incident.id, reminder.dueAt, incident.lastUpdateAt)
        : reminder.kind === 'breach-reminder'
          ? await deps.store.claimBreachReminder(incident.id, reminder.hours, incident.breachAwareAt!)
          : await deps.store.claimCommanderNudge(incident.id, now);
    if (!claimed) continue;
    const notice: Notice =
      reminder.kind === 'update-reminder'
        ? { kind: 'update-reminder', incident, minutesSinceUpdate: reminder.minutesSinceUpdate }
        : reminder.kind === 'breach-reminder'
          ? {
              kind: 'breach-reminder',
              incident,
              hours: reminder.hours,
              deadline: reminder.deadline,
              now,
              timeZone: deps.settings.defaultTimeZone,
            }
          : { kind: 'commander-nudge', incident, minutesSinceDeclared: reminder.minutesSinceDeclared };
    try {
      // channelId is set: dueReminders returns nothing for an incident without a channel.
      await deps.chat.notify(incident.channelId!, notice);
      sent.push(reminder);
    } catch (err) {
      // Give the claim back so the retried job (or the next check) sends it: nothing is lost.
      deps.logger.error({ err, incidentId, reminder: reminder.kind }, 'could not post a reminder; it will be retried');
      if (reminder.kind === 'update-reminder')
        await deps.store.releaseUpdateReminder(incident.id, reminder.dueAt, incident.updateReminderDueAt);
      else if (reminder.kind === 'breach-reminder')
        await deps.store.releaseBreachReminder(incident.id, reminder.hours, incident.breachRemindedHours);
      else await deps.store.releaseCommanderNudge(incident.id, now);
      throw err;
    }
  }
  // The summary's breach line counts down ("due … (in 41 h)", then "overdue"): redrawn at each point.
  if (sent.some((r) => r.kind === 'breach-reminder')) {
    await refreshSummary(deps, incidentId).catch((err: unknown) =>
      deps.logger.error({ err, incidentId }, 'summary not redrawn after a breach reminder'),
    );
  }
  // Reread after claiming (here or by another replica) so the next check is for a future due time.
  const latest = due.length ? await deps.store.findById(incidentId) : incident;
  if (latest) await deps.reminders.schedule(latest);
  return sent;
}
