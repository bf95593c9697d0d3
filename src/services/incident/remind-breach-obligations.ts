import { commandingUser } from '../../domain/access.ts';
import { breachFactsOf } from '../../domain/breach-assessment.ts';
import {
  dueObligationReminders,
  notifiedNotice,
  previousYear,
  yearOf,
  type AnnualLogEntry,
} from '../../domain/breach-obligations.ts';
import { breachObligations } from '../../domain/breach-regimes.ts';
import { SYSTEM_DECLARER } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { refreshSummary } from '../commit-change.ts';
import { regimesOf } from './record-breach-notified.ts';
import { annualLogMessage } from '../../domain/breach-year-end.ts';

/** How far back a breach's awareness may lie and still owe something: the annual log is due 14 months after at most. */
const LOOK_BACK_DAYS = 430;
const DAY = 86_400_000;

/**
 * A sweep every replica runs (with the action item reminders): for each breach, the reminders of
 * its regimes' obligations now due (UK GDPR's ICO clock aside: the reminder queue keeps that one),
 * each claimed first (compare-and-set per obligation and point), so that of several replicas
 * sweeping at once exactly one posts it; a post that fails gives its claim back. Then HIPAA's
 * year-end list (see sendAnnualLogList). Returns what it sent.
 */
export async function remindBreachObligations(deps: ServiceDeps): Promise<{ reminders: number; yearEnd: number }> {
  const now = deps.clock.now();
  const zone = deps.settings.defaultTimeZone;
  const regimes = regimesOf(deps);
  const breaches = await deps.store.listBreaches(new Date(now.getTime() - LOOK_BACK_DAYS * DAY));
  let sent = 0;
  const annual: { entry: AnnualLogEntry; to: string[] }[] = [];
  const year = previousYear(now, zone);
  for (const incident of breaches) {
    const awareAt = incident.breachAwareAt;
    if (!awareAt) continue;
    const [assessment, notices] = await Promise.all([
      deps.store.breachAssessment(incident.id),
      deps.store.breachNotices(incident.id),
    ]);
    const obligations = breachObligations(regimes, breachFactsOf(awareAt, assessment), zone);
    const log = obligations.find((o) => o.kind === 'hhs-annual-log');
    // A drill's breach is an exercise: never on the list of breaches to log with HHS.
    if (log && !incident.drill && yearOf(awareAt, zone) === year && !notifiedNotice(log, notices, awareAt)) {
      const to = [commandingUser(incident), incident.roles.DPO].filter(
        (u): u is string => !!u && u !== SYSTEM_DECLARER,
      );
      annual.push({
        entry: {
          incidentId: incident.id,
          number: incident.number,
          title: incident.title,
          isPrivate: incident.isPrivate,
          peopleAffected: assessment?.peopleAffected ?? null,
          dueAt: log.dueAt!,
          dueDate: log.dueDate!,
        },
        to,
      });
    }
    if (!incident.channelId) continue;
    let reminded = false;
    for (const due of dueObligationReminders(obligations, notices, awareAt, zone, now)) {
      const o = due.obligation;
      if (!(await deps.store.claimObligationReminder(incident.id, o, due.point.index, awareAt))) continue;
      try {
        await deps.chat.notify(incident.channelId, {
          kind: 'obligation-reminder',
          incident,
          obligation: o,
          overdue: due.point.overdue,
          now,
          timeZone: zone,
        });
        sent++;
        reminded = true;
      } catch (err) {
        // Given back: the next sweep (here or on another replica) sends it.
        deps.logger.error(
          { err, incidentId: incident.id, obligation: `${o.regime}:${o.kind}` },
          'could not post a breach reminder; it will be retried',
        );
        await deps.store.releaseObligationReminder(incident.id, o, due.point.index, due.previous);
      }
    }
    // The summary counts down ("due … (in 12 days)", then "overdue"): redrawn with each reminder.
    if (reminded)
      await refreshSummary(deps, incident.id).catch((err: unknown) =>
        deps.logger.error({ err, incidentId: incident.id }, 'summary not redrawn after a breach reminder'),
      );
  }
  const yearEnd = regimes.includes('hipaa') && annual.length ? await sendAnnualLogList(deps, year, annual) : 0;
  return { reminders: sent, yearEnd };
}

/**
 * HIPAA's year-end list: on or after 1 January (the team's zone), once across replicas (claimed per
 * year), each commander and data protection officer of the previous year's breaches that go on
 * HHS's annual log (fewer than 500 people, or not known yet) and are not recorded as notified is sent,
 * by direct message, the list of theirs with the due date (1 March, or 29 February in a leap year).
 * References only, never titles: a direct message leaves the incident channel, and a private
 * incident's title is not for everyone. Sending to nobody gives the claim back. Returns the number
 * of people told.
 */
async function sendAnnualLogList(
  deps: ServiceDeps,
  year: number,
  annual: { entry: AnnualLogEntry; to: string[] }[],
): Promise<number> {
  const now = deps.clock.now();
  if (!(await deps.store.claimBreachYearEnd(year, now))) return 0;
  const people = [...new Set(annual.flatMap((a) => a.to))];
  let told = 0;
  for (const userId of people) {
    const theirs = annual.filter((a) => a.to.includes(userId)).map((a) => a.entry);
    try {
      await deps.chat.directMessage(userId, annualLogMessage(year, theirs, deps.settings.defaultTimeZone, now));
      told++;
    } catch (err) {
      deps.logger.error({ err, userId, year }, 'could not send the HIPAA year-end list');
    }
  }
  if (told === 0) await deps.store.releaseBreachYearEnd(year);
  return told;
}
