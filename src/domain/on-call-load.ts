// The maths of a lead's on-call load report: who was on call how long, paged how often, how often
// out of hours or at night (in their own time zone), how many of our incidents they worked, and how
// evenly the load is spread across the rotation. Pure: the period and all data are passed in.
//
// Local time without a formatter per page
// ---------------------------------------
// Pages are classified by their local wall time in the responder's zone. Converting each of 50,000
// pages with a TZDate or Intl formatter is far too slow, so each zone gets a ZoneClock that knows
// the zone's UTC offset per UTC day and turns an instant into local wall-clock milliseconds with
// one Map lookup and an addition:
//
//  - the offset at the start of each UTC day is looked up once (one cached Intl.DateTimeFormat per
//    zone, formatToParts with hourCycle h23) and memoised by day number, so a year of data costs at
//    most ~366 look-ups per zone, however many pages there are;
//  - a day whose offset at its start equals the offset at the next day's start has one offset all
//    day; when they differ, the day holds a transition, which is found by a binary search to the
//    minute (≈11 more look-ups) and remembered as "offset A before instant T, offset B from T".
//
// This is exact for every IANA zone since time zones were standardised: transitions happen on whole
// minutes (in practice on 15-minute boundaries, e.g. Adelaide and Kolkata are ±:30, Nepal +05:45)
// and never twice within one day. (Local-mean-time offsets with seconds, before ~1900, are not.)
// Everything else in the report is linear in the data (plus sorting a person's stretches).

import { AppError } from './errors.ts';
import type { WorkingHours } from './working-hours.ts';

/** A person in the on-call system. */
export interface OnCallPerson {
  id: string;
  name: string;
  email: string | null;
  /** The person's own IANA time zone in the on-call system; null when unknown. */
  timeZone: string | null;
}

/** One stretch of being on call (an escalation level of a schedule or policy), clipped to the window asked for. */
export interface OnCallStretch {
  userId: string;
  scheduleId: string | null;
  escalationPolicyId: string | null;
  level: number;
  start: Date;
  end: Date;
}

/** A person paged: an incident assigned or escalated to them. */
export interface PageEvent {
  /** The log entry's id: with userId, unique. */
  id: string;
  incidentId: string;
  userId: string;
  at: Date;
  kind: 'assigned' | 'escalated';
  serviceId: string | null;
}

const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Nights are local [22:00, 07:00). */
const NIGHT_START_MINUTE = 22 * 60;
const NIGHT_END_MINUTE = 7 * 60;

export interface LoadInput {
  /** The period [from, to). */
  from: Date;
  to: Date;
  /** For the week × hour heatmap, and for a responder whose own zone is unknown or not a valid IANA zone. */
  teamTimeZone: string;
  /** The team's working hours, applied in each responder's own zone. */
  workingHours: WorkingHours;
  /** The scope's responders (on-call system users). Everyone here gets a row, even with no load. */
  people: readonly OnCallPerson[];
  /** May overlap (several levels/schedules): a person's on-call time is the union of their stretches clipped to [from, to). */
  stretches: readonly OnCallStretch[];
  /**
   * Only pages of people in `people` with `at` in [from, to) count. Every log entry counts (a re-page
   * of the same incident interrupts again); the same entry given twice (same id and userId) counts once.
   */
  pages: readonly PageEvent[];
  /** Our own incidents per responder (matched by the caller from on-call user → Slack user). */
  incidentWork: readonly IncidentWork[];
}

export interface IncidentWork {
  personId: string;
  incidentId: string;
  roles: readonly string[];
  start: Date;
  end: Date;
}

export interface ResponderLoad {
  personId: string;
  name: string;
  /** The zone used: the person's own when it is a valid IANA zone, else the team's. */
  timeZone: string;
  /** Union of stretches in real elapsed hours (a DST day is 23 or 25 h); not rounded. */
  onCallHours: number;
  pages: number;
  /** Pages outside working hours in the responder's zone: on a day not in `days`, or local time outside [start, end). */
  outOfHoursPages: number;
  /** Pages at local time in [22:00, 07:00), counted independently of out-of-hours. */
  nightPages: number;
  /**
   * Distinct local nights with at least one night page; a night is named by the local date it began on (02:00 Tue is Monday's night).
   * A night with a page before the period (when the input has it) is the period before's: counted once.
   */
  nightsInterrupted: number;
  /** Distinct incidents worked that overlap the period. */
  incidentsWorked: number;
  /** Role → number of those incidents in which the person held it. */
  rolesHeld: Record<string, number>;
  /** Union of incident work intervals clipped to the period, in hours; not rounded. */
  incidentHours: number;
  /**
   * One load score: pages + outOfHoursPages + 2 × nightPages. A page in working hours weighs 1, one
   * out of hours 2, one at night outside working hours 4 (a night page inside working hours 3).
   */
  load: number;
}

export interface LoadTotals {
  /** Sum over responders (person-hours). */
  onCallHours: number;
  pages: number;
  outOfHoursPages: number;
  nightPages: number;
  /** Sum over responders (two people woken the same night are two interrupted nights). */
  nightsInterrupted: number;
  /** Distinct incidents worked by anyone (an incident worked by three responders counts once). */
  incidentsWorked: number;
  /** Sum over responders (person-hours). */
  incidentHours: number;
}

export interface LoadFairness {
  /** Gini coefficient of `load` over responders with onCallHours > 0: 0 = even (also when all loads are 0), (n-1)/n = one carries all; null with fewer than 2 such responders. */
  gini: number | null;
  /** Highest load ÷ median load over the same responders; null with fewer than 2 of them or a median of 0. */
  maxToMedian: number | null;
}

export interface LoadReport {
  from: Date;
  to: Date;
  /** Sorted by load (highest first), then name, then personId. */
  responders: ResponderLoad[];
  totals: LoadTotals;
  fairness: LoadFairness;
  /** Pages by weekday (0 = Monday … 6 = Sunday) × local hour (0-23) in teamTimeZone. */
  heatmap: number[][];
}

// ---------------------------------------------------------------------------------------------
// Local wall time per zone
// ---------------------------------------------------------------------------------------------

/** Offset `before` until the instant `switchAt`, `after` from it (switchAt = Infinity: one offset all day). */
interface DayOffsets {
  before: number;
  after: number;
  switchAt: number;
}

/** Turns instants into local wall-clock ms in one zone, looking the offset up once per UTC day (see the top of the file). */
export class ZoneClock {
  private readonly days = new Map<number, DayOffsets>();
  private readonly dayStartOffsets = new Map<number, number>();

  private readonly format: Intl.DateTimeFormat;

  private constructor(format: Intl.DateTimeFormat) {
    this.format = format;
  }

  /** Null when `timeZone` is not a zone Intl knows. */
  static create(timeZone: string): ZoneClock | null {
    if (timeZone.trim() === '') return null;
    try {
      return new ZoneClock(
        new Intl.DateTimeFormat('en-US', {
          timeZone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        }),
      );
    } catch {
      return null;
    }
  }

  /** Local wall-clock time of `ms` expressed as ms since 1970-01-01T00:00 (as if the wall clock were UTC). */
  local(ms: number): number {
    const day = Math.floor(ms / DAY_MS);
    let d = this.days.get(day);
    if (d === undefined) {
      d = this.dayOffsets(day);
      this.days.set(day, d);
    }
    return ms + (ms < d.switchAt ? d.before : d.after);
  }

  /**
   * The first instant whose local wall time is at or after `wall` (local ms as from `local`): the
   * instant of that wall time, or the end of the gap it falls in when clocks jump over it. Two
   * guesses, one per offset around it, as the offsets either side of a wall time are at most two.
   */
  instantOf(wall: number): number {
    const first = wall - (this.local(wall) - wall);
    const second = wall - (this.local(first) - first);
    const a = this.local(first) >= wall ? first : Infinity;
    const b = this.local(second) >= wall ? second : Infinity;
    return Math.min(a, b);
  }

  private dayOffsets(day: number): DayOffsets {
    const start = day * DAY_MS;
    const before = this.offsetAtDayStart(day);
    const after = this.offsetAtDayStart(day + 1);
    if (before === after) return { before, after, switchAt: Infinity };
    // The transition is in (start, start + 1 day]: find the first minute with the new offset.
    let lo = 0;
    let hi = 1440;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.offsetAt(start + mid * MINUTE_MS) === before) lo = mid;
      else hi = mid;
    }
    return { before, after, switchAt: start + hi * MINUTE_MS };
  }

  private offsetAtDayStart(day: number): number {
    let o = this.dayStartOffsets.get(day);
    if (o === undefined) {
      o = this.offsetAt(day * DAY_MS);
      this.dayStartOffsets.set(day, o);
    }
    return o;
  }

  /** UTC offset in ms at the instant `ms` (whole seconds). */
  private offsetAt(ms: number): number {
    let y = 0;
    let mo = 0;
    let d = 0;
    let h = 0;
    let mi = 0;
    let s = 0;
    for (const p of this.format.formatToParts(ms)) {
      switch (p.type) {
        case 'year':
          y = Number(p.value);
          break;
        case 'month':
          mo = Number(p.value);
          break;
        case 'day':
          d = Number(p.value);
          break;
        case 'hour':
          h = Number(p.value);
          break;
        case 'minute':
          mi = Number(p.value);
          break;
        case 'second':
          s = Number(p.value);
          break;
        default:
          break;
      }
    }
    const wall = new Date(0);
    wall.setUTCFullYear(y, mo - 1, d); // setUTCFullYear, not Date.UTC: years 0-99 stay themselves
    wall.setUTCHours(h === 24 ? 0 : h, mi, s, 0);
    return wall.getTime() - Math.floor(ms / 1000) * 1000;
  }
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a day number since 1970-01-01 (a Thursday). */
export function isoWeekday(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

// ---------------------------------------------------------------------------------------------
// Intervals
// ---------------------------------------------------------------------------------------------

/**
 * The union of [start, end) intervals, each clipped to [from, to), as disjoint intervals in order
 * (touching ones joined). Overlapping stretches of one person (several levels or schedules) are one
 * time on call: the load report counts it once and the allowances pay it once.
 */
export function mergeIntervals(
  intervals: readonly (readonly [number, number])[],
  from: number,
  to: number,
): [number, number][] {
  const clipped: [number, number][] = [];
  for (const [s, e] of intervals) {
    const cs = Math.max(s, from);
    const ce = Math.min(e, to);
    if (cs < ce) clipped.push([cs, ce]);
  }
  clipped.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of clipped) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) {
      if (e > last[1]) last[1] = e;
    } else {
      merged.push([s, e]);
    }
  }
  return merged;
}

/** Total length in ms of the union of [start, end) intervals, each clipped to [from, to). */
function unionLength(intervals: readonly (readonly [number, number])[], from: number, to: number): number {
  let total = 0;
  for (const [s, e] of mergeIntervals(intervals, from, to)) total += e - s;
  return total;
}

/** Does [start, end) touch [from, to)? An instant (end ≤ start) does when from ≤ start < to. */
function overlaps(start: number, end: number, from: number, to: number): boolean {
  if (end <= start) return start >= from && start < to;
  return start < to && end > from;
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

interface Tally {
  person: OnCallPerson;
  timeZone: string;
  clock: ZoneClock;
  stretches: [number, number][];
  pages: number;
  outOfHours: number;
  nightPages: number;
  nights: Set<number>;
  /** Nights with a page before the period (nightBegunBefore): not this period's. */
  nightsBefore: Set<number>;
  work: [number, number][];
  /** incidentId → roles held in it. */
  incidents: Map<string, Set<string>>;
}

/** `workingDay[isoWeekday]`: is that weekday in the working hours (index 0 unused). */
export function workingDays(wh: WorkingHours): boolean[] {
  const workingDay: boolean[] = new Array<boolean>(8).fill(false);
  for (const d of wh.days) if (d >= 1 && d <= 7) workingDay[d] = true;
  return workingDay;
}

/**
 * How a page at local wall time `local` (ms, from ZoneClock.local) counts: out of hours when on a
 * day not in the working hours or outside [start, end); at night when in [22:00, 07:00), the night
 * named by the local day it began on (02:00 Tuesday is Monday's night), else night is null.
 */
export function classifyLocalTime(
  local: number,
  workingDay: readonly boolean[],
  wh: WorkingHours,
): { outOfHours: boolean; night: number | null } {
  const day = Math.floor(local / DAY_MS);
  const minute = Math.floor((local - day * DAY_MS) / MINUTE_MS);
  const outOfHours = !workingDay[isoWeekday(day)] || minute < wh.startMinute || minute >= wh.endMinute;
  const night = minute >= NIGHT_START_MINUTE ? day : minute < NIGHT_END_MINUTE ? day - 1 : null;
  return { outOfHours, night };
}

/**
 * The night (named as classifyLocalTime names it) of a page at local wall time `local` that came
 * before a period began, or null when it was not at night. A night with such a page began in the
 * period before, which counts it: a night across the period's start (23:00 on the 31st, 02:00 on
 * the 1st) is one interrupted night, counted once, in the period of its first page.
 */
export function nightBegunBefore(local: number): number | null {
  const day = Math.floor(local / DAY_MS);
  const minute = Math.floor((local - day * DAY_MS) / MINUTE_MS);
  return minute >= NIGHT_START_MINUTE ? day : minute < NIGHT_END_MINUTE ? day - 1 : null;
}

/** A cache of one ZoneClock per zone name (null for a zone Intl does not know). */
export function zoneClocks(): (zone: string) => ZoneClock | null {
  const clocks = new Map<string, ZoneClock | null>();
  return (zone) => {
    if (!clocks.has(zone)) clocks.set(zone, ZoneClock.create(zone));
    return clocks.get(zone) ?? null;
  };
}

/** The team's clock, or an AppError telling the lead the zone is not one. */
export function teamClockOf(clockFor: (zone: string) => ZoneClock | null, teamTimeZone: string): ZoneClock {
  const clock = clockFor(teamTimeZone);
  if (!clock) throw new AppError(`\`${teamTimeZone}\` is not a time zone: use an IANA name such as \`Europe/London\`.`);
  return clock;
}

/**
 * The pages the load report counts, and the allowances with it (they must agree): each log entry
 * of a known person once (the same id and userId given twice counts once), in [from, to), with its
 * local wall time in that person's zone. A page before the period marks its night as the period
 * before's (nightBegunBefore, into `nightsBefore`): a night across the period's start is counted
 * once, in the period it began.
 */
export function forEachCountedPage<T extends { clock: ZoneClock; nightsBefore: Set<number> }>(
  pages: readonly PageEvent[],
  tallies: ReadonlyMap<string, T>,
  from: number,
  to: number,
  onPage: (tally: T, ms: number, local: number) => void,
): void {
  const seen = new Set<string>();
  for (const p of pages) {
    const t = tallies.get(p.userId);
    if (!t) continue;
    const ms = p.at.getTime();
    if (ms < from) {
      const night = nightBegunBefore(t.clock.local(ms));
      if (night !== null) t.nightsBefore.add(night);
      continue;
    }
    if (!(ms < to)) continue;
    const key = `${p.userId}\u0000${p.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    onPage(t, ms, t.clock.local(ms));
  }
}

/** The zone a responder's times are read in: their own when Intl knows it, else the team's. */
export function responderZone(
  person: OnCallPerson,
  teamTimeZone: string,
  clockFor: (zone: string) => ZoneClock | null,
  teamClock: ZoneClock,
): { timeZone: string; clock: ZoneClock } {
  const own = person.timeZone ? clockFor(person.timeZone) : null;
  return own ? { timeZone: person.timeZone!, clock: own } : { timeZone: teamTimeZone, clock: teamClock };
}

export function computeLoad(input: LoadInput): LoadReport {
  const from = input.from.getTime();
  const to = input.to.getTime();
  if (!(to >= from))
    throw new Error(
      `computeLoad: the period must not end before it starts (${input.from.toISOString()} … ${input.to.toISOString()})`,
    );

  const clockFor = zoneClocks();
  const teamClock = teamClockOf(clockFor, input.teamTimeZone);

  const wh = input.workingHours;
  const workingDay = workingDays(wh);

  const tallies = new Map<string, Tally>();
  for (const person of input.people) {
    if (tallies.has(person.id)) continue;
    const zone = responderZone(person, input.teamTimeZone, clockFor, teamClock);
    tallies.set(person.id, {
      person,
      timeZone: zone.timeZone,
      clock: zone.clock,
      stretches: [],
      pages: 0,
      outOfHours: 0,
      nightPages: 0,
      nights: new Set(),
      nightsBefore: new Set(),
      work: [],
      incidents: new Map(),
    });
  }

  for (const s of input.stretches) {
    const t = tallies.get(s.userId);
    if (t) t.stretches.push([s.start.getTime(), s.end.getTime()]);
  }

  const heatmap = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  forEachCountedPage(input.pages, tallies, from, to, (t, ms, local) => {
    t.pages += 1;
    const when = classifyLocalTime(local, workingDay, wh);
    if (when.outOfHours) t.outOfHours += 1;
    if (when.night !== null) {
      t.nightPages += 1;
      t.nights.add(when.night);
    }

    const teamLocal = t.clock === teamClock ? local : teamClock.local(ms);
    const teamDay = Math.floor(teamLocal / DAY_MS);
    const hour = Math.floor((teamLocal - teamDay * DAY_MS) / HOUR_MS);
    heatmap[isoWeekday(teamDay) - 1]![hour]! += 1;
  });

  const allIncidents = new Set<string>();
  for (const w of input.incidentWork) {
    const t = tallies.get(w.personId);
    if (!t) continue;
    const start = w.start.getTime();
    const end = w.end.getTime();
    if (!overlaps(start, end, from, to)) continue;
    t.work.push([start, end]);
    allIncidents.add(w.incidentId);
    let roles = t.incidents.get(w.incidentId);
    if (!roles) {
      roles = new Set();
      t.incidents.set(w.incidentId, roles);
    }
    for (const r of w.roles) roles.add(r);
  }

  const responders: ResponderLoad[] = [];
  for (const t of tallies.values()) {
    const rolesHeld: Record<string, number> = {};
    for (const roles of t.incidents.values()) for (const r of roles) rolesHeld[r] = (rolesHeld[r] ?? 0) + 1;
    responders.push({
      personId: t.person.id,
      name: t.person.name,
      timeZone: t.timeZone,
      onCallHours: unionLength(t.stretches, from, to) / HOUR_MS,
      pages: t.pages,
      outOfHoursPages: t.outOfHours,
      nightPages: t.nightPages,
      nightsInterrupted: [...t.nights].filter((n) => !t.nightsBefore.has(n)).length,
      incidentsWorked: t.incidents.size,
      rolesHeld,
      incidentHours: unionLength(t.work, from, to) / HOUR_MS,
      load: t.pages + t.outOfHours + 2 * t.nightPages,
    });
  }
  responders.sort(
    (a, b) => b.load - a.load || compareStrings(a.name, b.name) || compareStrings(a.personId, b.personId),
  );

  const totals: LoadTotals = {
    onCallHours: 0,
    pages: 0,
    outOfHoursPages: 0,
    nightPages: 0,
    nightsInterrupted: 0,
    incidentsWorked: allIncidents.size,
    incidentHours: 0,
  };
  for (const r of responders) {
    totals.onCallHours += r.onCallHours;
    totals.pages += r.pages;
    totals.outOfHoursPages += r.outOfHoursPages;
    totals.nightPages += r.nightPages;
    totals.nightsInterrupted += r.nightsInterrupted;
    totals.incidentHours += r.incidentHours;
  }

  const rotation = responders.filter((r) => r.onCallHours > 0).map((r) => r.load);
  return {
    from: new Date(from),
    to: new Date(to),
    responders,
    totals,
    fairness: { gini: gini(rotation), maxToMedian: maxToMedian(rotation) },
    heatmap,
  };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Gini coefficient of non-negative values: 0 even, (n-1)/n all on one; null for fewer than 2 values; 0 when all are 0. */
export function gini(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  let weighted = 0;
  sorted.forEach((x, i) => {
    sum += x;
    weighted += (i + 1) * x;
  });
  if (sum === 0) return 0;
  // G = Σᵢ Σⱼ |xᵢ - xⱼ| / (2 n² mean) = 2 Σ i·x₍ᵢ₎ / (n Σ x) - (n + 1) / n, values ascending, i from 1.
  return Math.max(0, (2 * weighted) / (n * sum) - (n + 1) / n);
}

function maxToMedian(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return median > 0 ? sorted[n - 1]! / median : null;
}

// ---------------------------------------------------------------------------------------------
// Against the previous period
// ---------------------------------------------------------------------------------------------

export const LOAD_CHANGE_METRICS = ['pages', 'outOfHoursPages', 'nightPages', 'onCallHours', 'incidentHours'] as const;
export type LoadChangeMetric = (typeof LOAD_CHANGE_METRICS)[number];
/** Current minus previous, per metric. */
export type LoadDelta = Record<LoadChangeMetric, number>;

export interface ResponderLoadChange {
  personId: string;
  /** The current name, else the previous one. */
  name: string;
  /** False when the person has no row in that period (their values there count as 0). */
  inCurrent: boolean;
  inPrevious: boolean;
  delta: LoadDelta;
}

export interface LoadChange {
  totals: LoadDelta;
  /** By personId: everyone in either period; someone in only one period has 0 for the other. */
  responders: Map<string, ResponderLoadChange>;
  gini: { current: number | null; previous: number | null };
}

function delta(
  current: Partial<Record<LoadChangeMetric, number>>,
  previous: Partial<Record<LoadChangeMetric, number>>,
): LoadDelta {
  const d = {} as LoadDelta;
  for (const m of LOAD_CHANGE_METRICS) d[m] = (current[m] ?? 0) - (previous[m] ?? 0);
  return d;
}

export function compareLoad(current: LoadReport, previous: LoadReport): LoadChange {
  const prev = new Map(previous.responders.map((r) => [r.personId, r]));
  const responders = new Map<string, ResponderLoadChange>();
  for (const r of current.responders) {
    const p = prev.get(r.personId);
    responders.set(r.personId, {
      personId: r.personId,
      name: r.name,
      inCurrent: true,
      inPrevious: p !== undefined,
      delta: delta(r, p ?? {}),
    });
  }
  for (const p of previous.responders) {
    if (responders.has(p.personId)) continue;
    responders.set(p.personId, {
      personId: p.personId,
      name: p.name,
      inCurrent: false,
      inPrevious: true,
      delta: delta({}, p),
    });
  }
  return {
    totals: delta(current.totals, previous.totals),
    responders,
    gini: { current: current.fairness.gini, previous: previous.fairness.gini },
  };
}

/** The period before: same length, ending at `from`. */
export function previousPeriod(from: Date, to: Date): { from: Date; to: Date } {
  const length = to.getTime() - from.getTime();
  return { from: new Date(from.getTime() - length), to: new Date(from.getTime()) };
}
