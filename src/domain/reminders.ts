// When an incident's reminders are due. Pure: the time is always given (UTC instants, so time
// zones and daylight saving play no part).
import { dueBreachReminder, nextBreachReminderAt, type BreachState } from './breach.ts';
import { AppError } from './errors.ts';
import type { Incident } from './incident.ts';
import { isActive } from './lifecycle.ts';
import { SEVERITIES, type Severity } from './severity.ts';

/** Minutes without a status update before the channel is reminded, and between reminders after that (the defaults). */
export const UPDATE_INTERVAL_MINUTES: Readonly<Record<Severity, number>> = { SEV1: 30, SEV2: 60, SEV3: 120, SEV4: 120 };

/** Minutes after declaring before the channel is nudged to name a commander (the default). */
export const COMMANDER_NUDGE_MINUTES = 10;

/**
 * How often the reminders come (REMINDER_UPDATE_MINUTES, REMINDER_COMMANDER_MINUTES); null turns
 * one off. The breach clock's reminders are the law's (24, 48, 66 and 72 hours) and not set here.
 */
export interface ReminderCadence {
  /** Per severity: minutes without a status update before the channel is reminded, and between reminders after that. */
  updateMinutes: Readonly<Record<Severity, number | null>>;
  /** Minutes after declaring before the channel is nudged to name a commander. */
  commanderMinutes: number | null;
  /** The ICO's 72-hour breach clock (UK GDPR): false when BREACH_REGIMES leaves UK GDPR out. Absent: on. */
  icoClock?: boolean;
}

export const DEFAULT_REMINDER_CADENCE: ReminderCadence = {
  updateMinutes: UPDATE_INTERVAL_MINUTES,
  commanderMinutes: COMMANDER_NUDGE_MINUTES,
};

/** The longest cadence a setting may give: a week. */
export const MAX_CADENCE_MINUTES = 7 * 24 * 60;

const MINUTES_RULE = `a whole number from 1 to ${MAX_CADENCE_MINUTES} (a week), or \`off\``;
/** A piece of the setting as quoted in a message (never a screenful). */
const quote = (text: string) => `\`${text.length > 40 ? `${text.slice(0, 40)}…` : text}\``;

/** Whole minutes from 1 to a week, or `off` (null); `problem` says what is wrong with anything else. */
function cadenceMinutes(text: string, problem: (value: string) => string): number | null {
  const value = text.trim();
  if (/^off$/i.test(value)) return null;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > MAX_CADENCE_MINUTES)
    throw new AppError(problem(value));
  return Number(value);
}

const UPDATE_EXAMPLE = '`SEV1=30,SEV2=60,SEV3=120,SEV4=off`';

/**
 * REMINDER_UPDATE_MINUTES: `SEV1=30,SEV2=60,SEV3=120,SEV4=off` (commas or semicolons between;
 * severities as `/incident declare` takes them: `SEV2`, `sev2`, `2`). A severity not listed keeps
 * its default; blank keeps them all. Messages name the entry, and end without a full stop (the
 * configuration's line goes on).
 */
export function parseUpdateCadence(text: string): Record<Severity, number | null> {
  const result: Record<Severity, number | null> = { ...UPDATE_INTERVAL_MINUTES };
  const seen = new Set<Severity>();
  for (const raw of text.split(/[,;]/)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0)
      throw new AppError(`${quote(entry)} has no \`=\`: give each severity its minutes, e.g. ${UPDATE_EXAMPLE}`);
    const name = entry.slice(0, eq).trim();
    const m = /^(?:sev-?)?([1-4])$/i.exec(name);
    if (!m)
      throw new AppError(
        `${quote(entry)}: ${quote(name)} is not a severity (${SEVERITIES.join(', ')}), e.g. ${UPDATE_EXAMPLE}`,
      );
    const severity = `SEV${m[1]}` as Severity;
    if (seen.has(severity)) throw new AppError(`gives ${severity} twice`);
    seen.add(severity);
    result[severity] = cadenceMinutes(
      entry.slice(eq + 1),
      () => `${quote(entry)}: the minutes must be ${MINUTES_RULE}`,
    );
  }
  return result;
}

/** REMINDER_COMMANDER_MINUTES: whole minutes, or `off`. */
export function parseCommanderCadence(text: string): number | null {
  return cadenceMinutes(text, (value) => `${quote(value)} is not a number of minutes: write ${MINUTES_RULE}`);
}

const MINUTE = 60_000;

/** What the reminder rules read from an incident. */
export type ReminderState = Pick<
  Incident,
  | 'status'
  | 'severity'
  | 'channelId'
  | 'roles'
  | 'createdAt'
  | 'lastUpdateAt'
  | 'updateReminderDueAt'
  | 'commanderNudgedAt'
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
export function latestUpdateReminderDue(
  incident: ReminderState,
  now: Date,
  cadence: ReminderCadence = DEFAULT_REMINDER_CADENCE,
): Date | null {
  const minutes = cadence.updateMinutes[incident.severity];
  if (minutes === null) return null;
  const interval = minutes * MINUTE;
  const k = Math.floor((now.getTime() - incident.lastUpdateAt.getTime()) / interval);
  return k >= 1 ? new Date(incident.lastUpdateAt.getTime() + k * interval) : null;
}

/** The first update-reminder due time strictly after `now` (null: off for this severity). */
function nextUpdateReminderDue(incident: ReminderState, now: Date, cadence: ReminderCadence): Date | null {
  const minutes = cadence.updateMinutes[incident.severity];
  if (minutes === null) return null;
  const interval = minutes * MINUTE;
  const k = Math.max(0, Math.floor((now.getTime() - incident.lastUpdateAt.getTime()) / interval));
  return new Date(incident.lastUpdateAt.getTime() + (k + 1) * interval);
}

/** A due time already claimed (the store's compare-and-set records the latest one sent). */
function updateReminderSent(incident: ReminderState, dueAt: Date): boolean {
  return incident.updateReminderDueAt !== null && incident.updateReminderDueAt.getTime() >= dueAt.getTime();
}

function commanderNudgeAt(incident: ReminderState, cadence: ReminderCadence): Date | null {
  if (cadence.commanderMinutes === null || incident.roles.COMMANDER || incident.commanderNudgedAt) return null;
  return new Date(incident.createdAt.getTime() + cadence.commanderMinutes * MINUTE);
}

/**
 * Reminders due now and not yet sent. An update reminder is due at its latest due time (missed
 * earlier ones are not sent in a burst after downtime); each due time is sent at most once. The
 * commander nudge is sent once, when no commander is set the cadence's minutes (10 by default)
 * after declaring. A reminder the cadence turns off is never due.
 */
export function dueReminders(
  incident: ReminderState,
  now: Date,
  cadence: ReminderCadence = DEFAULT_REMINDER_CADENCE,
): DueReminder[] {
  // The regulator must be told whatever the incident's status: the breach clock outlives resolving.
  const breach = cadence.icoClock === false ? null : dueBreachReminder(incident, now);
  const due: DueReminder[] = breach ? [{ kind: 'breach-reminder', ...breach }] : [];
  if (!remindable(incident)) return due;
  const updateDue = latestUpdateReminderDue(incident, now, cadence);
  if (updateDue && !updateReminderSent(incident, updateDue)) {
    due.push({
      kind: 'update-reminder',
      dueAt: updateDue,
      minutesSinceUpdate: minutesBetween(incident.lastUpdateAt, now),
    });
  }
  const nudgeAt = commanderNudgeAt(incident, cadence);
  if (nudgeAt && nudgeAt.getTime() <= now.getTime()) {
    due.push({
      kind: 'commander-nudge',
      dueAt: nudgeAt,
      minutesSinceDeclared: minutesBetween(incident.createdAt, now),
    });
  }
  return due;
}

/**
 * When the reminders must next be checked: the earliest future due time, or, when a reminder is due
 * but not sent yet, that (past) due time, so that a check runs at once. Null: nothing will be due
 * (resolved or closed with no breach clock running, no channel yet, or every reminder turned off).
 */
export function nextReminderAt(
  incident: ReminderState,
  now: Date,
  cadence: ReminderCadence = DEFAULT_REMINDER_CADENCE,
): Date | null {
  const pending = dueReminders(incident, now, cadence);
  if (pending.length) return new Date(Math.min(...pending.map((r) => r.dueAt.getTime())));
  const breachNext = cadence.icoClock === false ? null : nextBreachReminderAt(incident, now);
  if (!remindable(incident)) return breachNext;
  const nudgeAt = commanderNudgeAt(incident, cadence);
  const candidates = [
    nextUpdateReminderDue(incident, now, cadence),
    breachNext,
    nudgeAt && nudgeAt.getTime() > now.getTime() ? nudgeAt : null,
  ];
  const times = candidates.filter((d): d is Date => d !== null).map((d) => d.getTime());
  return times.length ? new Date(Math.min(...times)) : null;
}
