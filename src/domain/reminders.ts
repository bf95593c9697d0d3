// When an incident's reminders are due. Pure: the time is always given (UTC instants, so time
// zones and daylight saving play no part).
import { dueBreachReminder, nextBreachReminderAt, type BreachState } from './breach.ts';
import type { Incident } from './incident.ts';
import { isActive } from './lifecycle.ts';
import type { Severity } from './severity.ts';

/** Minutes without a status update before the channel is reminded, and between reminders after that. */
export const UPDATE_INTERVAL_MINUTES: Record<Severity, number> = { SEV1: 30, SEV2: 60, SEV3: 120, SEV4: 120 };

/** Minutes after declaring before the channel is nudged to name a commander. */
export const COMMANDER_NUDGE_MINUTES = 10;

const MINUTE = 60_000;

/** What the reminder rules read from an incident. */
export type ReminderState = Pick<
  Incident,
  'status' | 'severity' | 'channelId' | 'roles' | 'createdAt' | 'lastUpdateAt' | 'updateReminderDueAt' | 'commanderNudgedAt'
> &
  BreachState;

export type DueReminder =
  | { kind: 'update-reminder'; dueAt: Date; minutesSinceUpdate: number }
  | { kind: 'commander-nudge'; dueAt: Date; minutesSinceDeclared: number }
  /** The breach clock: `hours` after awareness (24, 48, 66; 72 when the deadline has passed). */
  | { kind: 'breach-reminder'; dueAt: Date; hours: number; deadline: Date };

const minutesBetween = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / MINUTE);

/** Reminders only go to an active incident that has its channel. */
function remindable(incident: ReminderState): boolean {
  return isActive(incident.status) && incident.channelId !== null;
}

/**
 * The update reminder's due times are lastUpdateAt + k × interval (k = 1, 2, …): it repeats every
 * interval while no update comes. Returns the latest one at or before `now` (null: none yet).
 */
export function latestUpdateReminderDue(incident: ReminderState, now: Date): Date | null {
  const interval = UPDATE_INTERVAL_MINUTES[incident.severity] * MINUTE;
  const k = Math.floor((now.getTime() - incident.lastUpdateAt.getTime()) / interval);
  return k >= 1 ? new Date(incident.lastUpdateAt.getTime() + k * interval) : null;
}

/** The first update-reminder due time strictly after `now`. */
function nextUpdateReminderDue(incident: ReminderState, now: Date): Date {
  const interval = UPDATE_INTERVAL_MINUTES[incident.severity] * MINUTE;
  const k = Math.max(0, Math.floor((now.getTime() - incident.lastUpdateAt.getTime()) / interval));
  return new Date(incident.lastUpdateAt.getTime() + (k + 1) * interval);
}

/** A due time already claimed (the store's compare-and-set records the latest one sent). */
function updateReminderSent(incident: ReminderState, dueAt: Date): boolean {
  return incident.updateReminderDueAt !== null && incident.updateReminderDueAt.getTime() >= dueAt.getTime();
}

function commanderNudgeAt(incident: ReminderState): Date | null {
  if (incident.roles.COMMANDER || incident.commanderNudgedAt) return null;
  return new Date(incident.createdAt.getTime() + COMMANDER_NUDGE_MINUTES * MINUTE);
}

/**
 * Reminders due now and not yet sent. An update reminder is due at its latest due time (missed
 * earlier ones are not sent in a burst after downtime); each due time is sent at most once. The
 * commander nudge is sent once, when no commander is set 10 minutes after declaring.
 */
export function dueReminders(incident: ReminderState, now: Date): DueReminder[] {
  // The regulator must be told whatever the incident's status: the breach clock outlives resolving.
  const breach = dueBreachReminder(incident, now);
  const due: DueReminder[] = breach ? [{ kind: 'breach-reminder', ...breach }] : [];
  if (!remindable(incident)) return due;
  const updateDue = latestUpdateReminderDue(incident, now);
  if (updateDue && !updateReminderSent(incident, updateDue)) {
    due.push({ kind: 'update-reminder', dueAt: updateDue, minutesSinceUpdate: minutesBetween(incident.lastUpdateAt, now) });
  }
  const nudgeAt = commanderNudgeAt(incident);
  if (nudgeAt && nudgeAt.getTime() <= now.getTime()) {
    due.push({ kind: 'commander-nudge', dueAt: nudgeAt, minutesSinceDeclared: minutesBetween(incident.createdAt, now) });
  }
  return due;
}

/**
 * When the reminders must next be checked: the earliest future due time, or, when a reminder is due
 * but not sent yet, that (past) due time, so that a check runs at once. Null: nothing will be due
 * (resolved or closed with no breach clock running, or no channel yet).
 */
export function nextReminderAt(incident: ReminderState, now: Date): Date | null {
  const pending = dueReminders(incident, now);
  if (pending.length) return new Date(Math.min(...pending.map((r) => r.dueAt.getTime())));
  const breachNext = nextBreachReminderAt(incident, now);
  if (!remindable(incident)) return breachNext;
  let next = nextUpdateReminderDue(incident, now);
  if (breachNext && breachNext.getTime() < next.getTime()) next = breachNext;
  const nudgeAt = commanderNudgeAt(incident);
  if (nudgeAt && nudgeAt.getTime() > now.getTime() && nudgeAt.getTime() < next.getTime()) next = nudgeAt;
  return next;
}
