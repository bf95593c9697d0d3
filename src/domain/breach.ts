// Personal-data breaches: the regulator must be notified within 72 hours of the organisation
// becoming aware of the breach. Pure: the time is always given. The clock runs in elapsed time
// (UTC instants), so a daylight-saving change inside the 72 hours neither adds nor removes an hour;
// time zones only matter when a person types a local awareness time.
import { TZDate } from '@date-fns/tz';
import { AppError } from './errors.ts';
import type { Incident } from './incident.ts';
import { formatInZone } from './time.ts';

/** Hours after awareness by which the regulator must be notified. */
export const BREACH_DEADLINE_HOURS = 72;
/** Hours after awareness at which the channel is reminded while the regulator is not notified. */
export const BREACH_REMINDER_HOURS = [24, 48, 66] as const;
/**
 * Every point of the clock the channel hears about: the reminders, then the deadline itself (the
 * summary turns to "overdue" and the channel is told once). Ascending.
 */
export const BREACH_CLOCK_POINTS: readonly number[] = [...BREACH_REMINDER_HOURS, BREACH_DEADLINE_HOURS];
/** An awareness time further back than this is refused as a typing mistake. */
export const BREACH_AWARENESS_MAX_AGE_DAYS = 30;
/** Longest regulator reference recorded with `/incident breach notified`. */
export const BREACH_REFERENCE_MAX = 300;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What the breach clock reads from an incident. */
export type BreachState = Pick<
  Incident,
  'dataBreach' | 'breachAwareAt' | 'breachNotifiedAt' | 'breachNotifiedBy' | 'breachRemindedHours' | 'channelId'
> &
  /** Absent (older callers): not decided. */
  Partial<Pick<Incident, 'breachReportable'>>;

/** The instant `hours` of elapsed time after awareness. */
export function breachPointAt(awareAt: Date, hours: number): Date {
  return new Date(awareAt.getTime() + hours * HOUR);
}

/** When the regulator must have been notified: 72 hours of elapsed time after awareness. */
export function breachDeadline(awareAt: Date): Date {
  return breachPointAt(awareAt, BREACH_DEADLINE_HOURS);
}

/** The clock is running: a breach, its awareness time known, the regulator not yet notified, not assessed as not reportable. */
function clockRunning(s: BreachState): s is BreachState & { breachAwareAt: Date } {
  return s.dataBreach && s.breachAwareAt !== null && s.breachNotifiedAt === null && s.breachReportable !== false;
}

export interface DueBreachReminder {
  /** Hours after awareness: 24, 48, 66, or 72 (the deadline passed). */
  hours: number;
  dueAt: Date;
  deadline: Date;
}

/**
 * The breach reminder due at `now` and not sent yet: the latest clock point that has passed and is
 * later than the last one sent (`breachRemindedHours`). Points missed while nothing ran (or passed
 * already when the breach was declared with an old awareness time) are not sent in a burst: only
 * the latest. Null when none is due, the regulator is notified, or there is no channel to post in.
 */
export function dueBreachReminder(s: BreachState, now: Date): DueBreachReminder | null {
  if (!clockRunning(s) || s.channelId === null) return null;
  const passed = BREACH_CLOCK_POINTS.filter((h) => breachPointAt(s.breachAwareAt, h).getTime() <= now.getTime());
  const latest = passed.at(-1);
  if (latest === undefined || latest <= s.breachRemindedHours) return null;
  return { hours: latest, dueAt: breachPointAt(s.breachAwareAt, latest), deadline: breachDeadline(s.breachAwareAt) };
}

/**
 * When the breach clock next needs a check: a due reminder's (past) time, so the check runs at once,
 * else the next clock point. Null when the clock is stopped or every point has been sent.
 */
export function nextBreachReminderAt(s: BreachState, now: Date): Date | null {
  if (!clockRunning(s) || s.channelId === null) return null;
  const due = dueBreachReminder(s, now);
  if (due) return due.dueAt;
  const next = BREACH_CLOCK_POINTS.find(
    (h) => h > s.breachRemindedHours && breachPointAt(s.breachAwareAt, h).getTime() > now.getTime(),
  );
  return next === undefined ? null : breachPointAt(s.breachAwareAt, next);
}

/** Where the clock stands, for the summary. Null: not a breach. */
export type BreachClock =
  | { state: 'running'; awareAt: Date; deadline: Date; leftMs: number }
  | { state: 'overdue'; awareAt: Date; deadline: Date; overdueMs: number }
  | {
      state: 'notified';
      awareAt: Date | null;
      deadline: Date | null;
      notifiedAt: Date;
      notifiedBy: string | null;
      late: boolean;
    };

export function breachClock(s: BreachState, now: Date): BreachClock | null {
  if (!s.dataBreach) return null;
  const deadline = s.breachAwareAt ? breachDeadline(s.breachAwareAt) : null;
  if (s.breachNotifiedAt) {
    return {
      state: 'notified',
      awareAt: s.breachAwareAt,
      deadline,
      notifiedAt: s.breachNotifiedAt,
      notifiedBy: s.breachNotifiedBy,
      late: deadline !== null && s.breachNotifiedAt.getTime() > deadline.getTime(),
    };
  }
  if (!s.breachAwareAt || !deadline) return null;
  const left = deadline.getTime() - now.getTime();
  return left > 0
    ? { state: 'running', awareAt: s.breachAwareAt, deadline, leftMs: left }
    : { state: 'overdue', awareAt: s.breachAwareAt, deadline, overdueMs: -left };
}

/**
 * A span for people: `41 h` from 10 hours up (rounded down: never more time than there is),
 * `3 h 20 min` below that, `25 min` under an hour, `less than a minute` under one.
 */
export function formatSpan(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / MINUTE);
  if (minutes < 1) return 'less than a minute';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h >= 10) return `${h} h`;
  if (h >= 1) return m ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

/** A typed awareness time: an instant (with its offset or Z), or a wall-clock time to place in a zone. */
export type AwarenessSpec =
  | { kind: 'instant'; at: Date; text: string }
  /** `date` null: today in that zone. */
  | { kind: 'local'; date: { y: number; m: number; d: number } | null; hour: number; minute: number; text: string };

const AWARE_USAGE =
  'Write the awareness time as `--aware=2026-11-30T14:05` (your Slack time zone), `--aware=2026-11-30T14:05Z` or with an offset ' +
  '(`+01:00`), or `--aware=14:05` for today.';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/i;
const WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const TIME_ONLY = /^(\d{2}):(\d{2})$/;

function validClock(hour: number, minute: number): boolean {
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59;
}

function validDate(y: number, m: number, d: number): boolean {
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

/** Reads what follows `--aware=`. Throws AppError saying how to write it. */
export function parseAwareness(text: string): AwarenessSpec {
  const t = text.trim();
  const bad = () =>
    new AppError(`\`${t || '--aware='}\` is not an awareness time I can read. ${AWARE_USAGE}`, 'invalid_input');
  let m = WITH_ZONE.exec(t);
  if (m) {
    const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
    if (!validDate(y, mo, d) || !validClock(h, mi)) throw bad();
    const zone = m[7]!.toUpperCase();
    const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`}`;
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) throw bad();
    return { kind: 'instant', at, text: t };
  }
  m = LOCAL.exec(t);
  if (m) {
    const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
    if (!validDate(y, mo, d) || !validClock(h, mi)) throw bad();
    return { kind: 'local', date: { y, m: mo, d }, hour: h, minute: mi, text: t };
  }
  m = TIME_ONLY.exec(t);
  if (m) {
    const [h, mi] = [Number(m[1]), Number(m[2])];
    if (!validClock(h, mi)) throw bad();
    return { kind: 'local', date: null, hour: h, minute: mi, text: t };
  }
  throw bad();
}

/**
 * The instant an awareness time means. A local time is read in `timeZone` (the declarer's own, or
 * the team's); a wall-clock time the clocks skipped (a spring-forward gap) is refused rather than
 * moved. Checks it is neither in the future nor more than 30 days back.
 */
export function resolveAwareness(spec: AwarenessSpec, timeZone: string, now: Date): Date {
  let at: Date;
  if (spec.kind === 'instant') {
    at = spec.at;
  } else {
    const today = new TZDate(now.getTime(), timeZone);
    const { y, m, d } = spec.date ?? { y: today.getFullYear(), m: today.getMonth() + 1, d: today.getDate() };
    const zoned = new TZDate(y, m - 1, d, spec.hour, spec.minute, timeZone);
    if (
      zoned.getFullYear() !== y ||
      zoned.getMonth() !== m - 1 ||
      zoned.getDate() !== d ||
      zoned.getHours() !== spec.hour ||
      zoned.getMinutes() !== spec.minute
    ) {
      throw new AppError(
        `\`${spec.text}\` does not exist in ${timeZone}: the clocks skipped it (daylight saving). Give the time just after the change, or with an offset.`,
        'invalid_input',
      );
    }
    at = new Date(zoned.getTime());
    // A wall-clock time that happened twice (the clocks went back) is read as the first: the earlier
    // awareness, so the earlier deadline.
    for (const shift of [60, 30]) {
      const earlier = new TZDate(at.getTime() - shift * MINUTE, timeZone);
      if (earlier.getDate() === d && earlier.getHours() === spec.hour && earlier.getMinutes() === spec.minute) {
        at = new Date(earlier.getTime());
        break;
      }
    }
  }
  checkAwareness(at, now, spec.kind === 'local' ? timeZone : 'UTC');
  return at;
}

/** An awareness time must have happened, and not absurdly long ago (a typing mistake, most likely). */
export function checkAwareness(at: Date, now: Date, timeZone = 'UTC'): void {
  if (at.getTime() > now.getTime()) {
    throw new AppError(
      `The awareness time ${formatInZone(at, timeZone)} is in the future. Give when you became aware of the breach (now or earlier); leave it out to mean now.`,
      'invalid_input',
    );
  }
  if (now.getTime() - at.getTime() > BREACH_AWARENESS_MAX_AGE_DAYS * DAY) {
    throw new AppError(
      `The awareness time ${formatInZone(at, timeZone)} is more than ${BREACH_AWARENESS_MAX_AGE_DAYS} days ago. Check the date; for an older breach, talk to your data protection officer, as the 72-hour deadline has long passed.`,
      'invalid_input',
    );
  }
}
