import { TZDate } from '@date-fns/tz';
import { z } from 'zod';
import { format } from 'date-fns/format';

/** e.g. `Tue 24 Nov 14:05 GMT` in the given IANA zone (times are stored in UTC). */
export function formatInZone(date: Date, timeZone: string): string {
  const zoned = new TZDate(date.getTime(), timeZone);
  return `${format(zoned, 'EEE d MMM HH:mm')} ${zoneAbbreviation(date, timeZone)}`;
}

/** Building an Intl.DateTimeFormat costs far more than using one: one per locale and zone. */
const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();
function zoneNameFormat(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale} ${timeZone}`;
  let f = zoneNameFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' });
    zoneNameFormats.set(key, f);
  }
  return f;
}

/** BST/GMT from British English, EST/PST from American English; a GMT offset where neither names it. */
function zoneAbbreviation(date: Date, timeZone: string): string {
  let fallback = timeZone;
  for (const locale of ['en-GB', 'en-US']) {
    const name = zoneNameFormat(locale, timeZone)
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value;
    if (!name) continue;
    if (!/^(GMT|UTC)[+-]/.test(name)) return name;
    if (fallback === timeZone) fallback = name;
  }
  return fallback;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Calendar days (YYYY-MM-DD) and periods of them in a time zone: the one parser and the one
// period every page (the register, the insights, the evidence pack) and the backlog use.
// ---------------------------------------------------------------------------------------------

/** The years a calendar day may have: TZDate and Date read 0000–0099 as 1900–1999, and the day after 9999-12-31 is +010000-01-01. */
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 9998;

const DAY_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Midnight UTC of y-m-d in ms (setUTCFullYear: Date.UTC would read a year below 100 as 19xx). */
function utcMidnight(y: number, m: number, d: number): number {
  const at = new Date(0);
  at.setUTCFullYear(y, m - 1, d);
  return at.getTime();
}

/** A calendar day YYYY-MM-DD that exists (2026-02-30 does not), in the years FIRST_YEAR to LAST_YEAR. Nothing is trimmed. */
export function isCalendarDay(s: string): boolean {
  const m = DAY_TEXT.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < FIRST_YEAR || y > LAST_YEAR || mo < 1 || mo > 12 || d < 1) return false;
  return new Date(utcMidnight(y, mo, d)).getUTCDate() === d;
}

/** The words a refused calendar day is named with (after the parameter's name). */
export const CALENDAR_DAY_RULE = `must be a date written YYYY-MM-DD (a real day, from ${FIRST_YEAR} to ${LAST_YEAR})`;

/** Midnight UTC of a calendar day, in ms. Throws (a bug, not a user mistake) when it is not one. */
function utcDay(day: string): number {
  const m = DAY_TEXT.exec(day);
  const ms = m ? utcMidnight(Number(m[1]), Number(m[2]), Number(m[3])) : Number.NaN;
  if (!m || dayText(ms) !== day) throw new Error(`Not a calendar date YYYY-MM-DD: ${JSON.stringify(day)}`);
  return ms;
}

/** A UTC midnight as YYYY-MM-DD. */
function dayText(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * A calendar day as a query parameter or form field (for parseQuery): surrounding spaces trimmed
 * (as every text parameter is), then isCalendarDay.
 */
export const calendarDayParam = z.string().trim().refine(isCalendarDay, { error: CALENDAR_DAY_RULE });

/** Today's (or any instant's) calendar day in `timeZone`. */
export function dayIn(at: Date, timeZone: string): string {
  return format(new TZDate(at.getTime(), timeZone), 'yyyy-MM-dd');
}

/** Calendar arithmetic on YYYY-MM-DD (no time-zone or DST effects): addDays('2026-03-28', 2) === '2026-03-30'. */
export function addDays(day: string, days: number): string {
  if (!Number.isInteger(days)) throw new Error(`addDays needs a whole number of days, got ${days}`);
  return dayText(utcDay(day) + days * DAY_MS);
}

/** Whole days from calendar day a to b (b - a), e.g. daysBetween('2026-11-01','2026-11-25') === 24. */
export function daysBetween(a: string, b: string): number {
  return Math.round((utcDay(b) - utcDay(a)) / DAY_MS);
}

/** The first instant of a calendar day in `timeZone` (midnight, or the first hour there is). */
export function startOfDayIn(day: string, timeZone: string): Date {
  const at = new Date(utcDay(day));
  const zoned = new TZDate(0, timeZone);
  // setFullYear rather than the constructor: the constructor reads a year below 100 as 19xx.
  zoned.setFullYear(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  zoned.setHours(0, 0, 0, 0);
  return new Date(zoned.getTime());
}

/** Whole calendar days in a time zone: `fromDate` to `toDate`, both included. */
export interface DayPeriod {
  /** YYYY-MM-DD, included. */
  fromDate: string;
  /** YYYY-MM-DD, included. */
  toDate: string;
  timeZone: string;
  /** The first instant of `fromDate` in the zone. */
  since: Date;
  /** The first instant of the day after `toDate` (excluded). */
  until: Date;
}

/** The period from `fromDate` to `toDate` (both included) in `timeZone`: its instants worked out once, here. */
export function dayPeriod(fromDate: string, toDate: string, timeZone: string): DayPeriod {
  return {
    fromDate,
    toDate,
    timeZone,
    since: startOfDayIn(fromDate, timeZone),
    until: startOfDayIn(addDays(toDate, 1), timeZone),
  };
}

/** What differs between the pages that take a period; the rest of the rules are the same everywhere. */
export interface PeriodRules {
  /** The period when neither day is given, seen on `today`. */
  defaultPeriod(today: string): { fromDate: string; toDate: string };
  /** A `to` given alone starts this many days before it, `to` included (the page's default length). */
  defaultDays: number;
  /** The longest period, in days (none when absent). */
  maxDays?: number;
}

/**
 * A period from the days a person gave (already checked with isCalendarDay or calendarDayParam), in
 * `timeZone` on `now`. The same rules for every page: neither given is the page's default; `from`
 * alone runs to today, or is that one day when it is later than today (a future `from` is allowed
 * everywhere: an empty period is an honest answer, and a day picked ahead of time is not a mistake);
 * `to` alone starts the page's default length before it; `from` after `to`, or a period longer than
 * the page's longest, is a problem (the message, for a 400).
 */
export function periodFrom(
  given: { from?: string | undefined; to?: string | undefined },
  rules: PeriodRules,
  at: { now: Date; timeZone: string },
): DayPeriod | { problem: string } {
  const today = dayIn(at.now, at.timeZone);
  let fromDate: string;
  let toDate: string;
  if (given.from === undefined && given.to === undefined) ({ fromDate, toDate } = rules.defaultPeriod(today));
  else {
    // A `from` alone later than today is that one day (the days are strings: no Math.max).
    toDate = given.to ?? [today, given.from!].sort()[1]!;
    fromDate = given.from ?? addDays(toDate, -(rules.defaultDays - 1));
  }
  if (fromDate > toDate) return { problem: `"from" (${fromDate}) must not be after "to" (${toDate}).` };
  if (rules.maxDays !== undefined && daysBetween(fromDate, toDate) + 1 > rules.maxDays)
    return { problem: `The period can be at most ${rules.maxDays} days long.` };
  return dayPeriod(fromDate, toDate, at.timeZone);
}
