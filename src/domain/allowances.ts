// What each person is owed for a period on call, from the load report's inputs and the pay rules
// (pay-rules.ts). Pure: the period, the data and the rules are passed in.
//
// - Standby: a person's stretches are merged first (two schedules or levels at once are one time on
//   call, paid once), then cut at local midnights in the person's own zone (the load report's
//   zone: their own when valid, else the team's). Each local day is a weekday, a weekend day
//   (Saturday, Sunday) or a public holiday (the region's public holidays with their substitute
//   days, plus the company's; a holiday on a weekend is paid as a holiday). Per hour: the hours on
//   each kind of day times its rate. Per shift: each time on call without a break is cut into
//   shifts of a day at most, from the time it began (a week from Monday 09:00 is seven shifts from
//   09:00 to 09:00; an evening from 17:00 to 09:00 is one); a shift at least `minimumHours` long (real
//   elapsed hours) is paid by the kind of the local day it began on (Friday 17:00 to Saturday 17:00
//   is a weekday's, Saturday 17:00 on a weekend's), in the period it began in: once, never in two
//   months or none. The stretches given may reach past the period for this (SHIFT_MARGIN_MS).
// - Callouts: per page, every out-of-hours page (the load report's outOfHoursPages: outside the
//   team's working hours in the person's zone); per incident, every incident the person worked
//   whose work on it began in the period and lasted at least `minimumMinutes` in all (the union of
//   their work on it, so an incident crossing month end is paid once, in the month it began).
// - Time off in lieu: hours per interrupted night, a night being local [22:00, 07:00) with at least
//   one page, named by the day it began (the load report's nightsInterrupted). A night with a page
//   before the period (23:00 on the 31st) is the period before's, so a night across month end is
//   one night off, not two (the pages given may reach before the period for this).
// - Money in integer minor units. Each line of the breakdown is rounded by the rule; the amount is
//   the sum of the lines, so the breakdown always adds up to what is paid.
//
// Linear in stretches + pages (plus sorting each person's stretches), and in the days on call.

import {
  classifyLocalTime,
  DAY_MS,
  forEachCountedPage,
  HOUR_MS,
  isoWeekday,
  type LoadInput,
  mergeIntervals,
  type OnCallPerson,
  responderZone,
  teamClockOf,
  workingDays,
  type ZoneClock,
  zoneClocks,
} from './on-call-load.ts';
import {
  DAY_KINDS,
  type DayKind,
  holidayDates,
  type PayRuleSet,
  type PayRules,
  payRulesFor,
  roundMinor,
} from './pay-rules.ts';

/** What the load report is computed from (the same period, people, stretches, pages and work: the figures reconcile), with the pay rules. */
export interface AllowancesInput extends LoadInput {
  rules: PayRules;
  /** The report's scope by name, to pick a schedule's or team's rules over the defaults. */
  scope: { schedule?: string | null; team?: string | null };
}

/** One line of what is paid: quantity × rate, rounded. Standby lines have a day kind. */
export interface AllowanceLine {
  item: 'standby' | 'callout';
  kind: DayKind | null;
  unit: 'shift' | 'hour' | 'page' | 'incident';
  /** Shifts, hours (not rounded), pages or incidents. */
  quantity: number;
  /** Minor units per unit. */
  rate: number;
  /** Minor units, rounded by the rules' rounding. */
  amount: number;
}

export interface PersonAllowance {
  personId: string;
  name: string;
  timeZone: string;
  /** Union of stretches in real elapsed hours: the load report's onCallHours. */
  onCallHours: number;
  /** The same hours by kind of local day. */
  standbyHours: Record<DayKind, number>;
  /** Local days on call at least the shift's minimum; null when standby is not paid per shift. */
  shifts: Record<DayKind, number> | null;
  pages: number;
  /** The load report's outOfHoursPages. */
  outOfHoursPages: number;
  /** Incidents worked at least the minimum, begun in the period (counted whatever the callout rule). */
  incidentsWorked: number;
  /** What the callout rule pays for: outOfHoursPages per page, incidentsWorked per incident, 0 without a rule. */
  callouts: number;
  nightsInterrupted: number;
  timeOffHours: number;
  /** Sum of the breakdown's amounts. */
  amount: { minor: number; currency: string };
  breakdown: AllowanceLine[];
}

export interface AllowanceReport {
  from: Date;
  to: Date;
  currency: string;
  minorDigits: number;
  /** The rules applied (the scope's, else the defaults). */
  rules: PayRuleSet;
  /** Sorted by name, then personId. */
  people: PersonAllowance[];
  totals: { amountMinor: number; onCallHours: number; callouts: number; timeOffHours: number };
}

/**
 * Time on call this long before the period decides where its shifts begin: a rota (a week or two)
 * is cut from its real handover; on call without a break for longer is cut from this far back, the
 * same way for every month. After the period, a day (and a zone's offset) ends the last shift.
 */
export const SHIFT_MARGIN_MS = 15 * DAY_MS;

/**
 * The shifts of merged, disjoint intervals: each cut into pieces from its start, one local day each
 * (the same local time the next day, so a daylight-saving day is 23 or 25 hours), the last piece
 * ending with the interval. Returns each piece's start and length.
 */
export function shiftPieces(
  merged: readonly (readonly [number, number])[],
  clock: ZoneClock,
): { start: number; ms: number }[] {
  const pieces: { start: number; ms: number }[] = [];
  for (const [start, end] of merged) {
    const wall = clock.local(start);
    let cursor = start;
    for (let k = 1; cursor < end; k++) {
      let next = clock.instantOf(wall + k * DAY_MS);
      // Never stand still: a clock that cannot find the next day moves a day on.
      if (!(next > cursor)) next = cursor + DAY_MS;
      const stop = Math.min(end, next);
      pieces.push({ start: cursor, ms: stop - cursor });
      cursor = stop;
    }
  }
  return pieces;
}

const zeroKinds = (): Record<DayKind, number> => ({ weekday: 0, weekend: 0, publicHoliday: 0 });

/** `YYYY-MM-DD` of a day number since 1970-01-01. */
function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Milliseconds on call per local day number, for merged disjoint intervals: each is cut at the
 * local midnights of `clock` (a daylight-saving day is 23 or 25 hours long).
 */
export function msPerLocalDay(merged: readonly (readonly [number, number])[], clock: ZoneClock): Map<number, number> {
  const perDay = new Map<number, number>();
  for (const [start, end] of merged) {
    let cursor = start;
    while (cursor < end) {
      const day = Math.floor(clock.local(cursor) / DAY_MS);
      let midnight = clock.instantOf((day + 1) * DAY_MS);
      // Never stand still: a clock that cannot find the next midnight moves a day on.
      if (!(midnight > cursor)) midnight = cursor + DAY_MS;
      const stop = Math.min(end, midnight);
      perDay.set(day, (perDay.get(day) ?? 0) + (stop - cursor));
      cursor = stop;
    }
  }
  return perDay;
}

export function computeAllowances(input: AllowancesInput): AllowanceReport {
  const from = input.from.getTime();
  const to = input.to.getTime();
  if (!(to >= from)) {
    throw new Error(
      `computeAllowances: the period must not end before it starts (${input.from.toISOString()} … ${input.to.toISOString()})`,
    );
  }
  const { rules } = input;
  const ruleSet = payRulesFor(rules, input.scope);
  const round = (numerator: number, denominator: number) =>
    roundMinor(numerator, denominator, rules.rounding, rules.minorDigits);

  // Local dates may be a day either side of the period's UTC years.
  const firstYear = new Date(from - DAY_MS).getUTCFullYear();
  const lastYear = new Date(to + DAY_MS).getUTCFullYear();
  const years: number[] = [];
  for (let y = firstYear; y <= lastYear; y++) years.push(y);
  const holidays = holidayDates(rules, years);
  const kindCache = new Map<number, DayKind>();
  const kindOf = (day: number): DayKind => {
    let k = kindCache.get(day);
    if (k === undefined) {
      k = holidays.has(dateOf(day)) ? 'publicHoliday' : isoWeekday(day) >= 6 ? 'weekend' : 'weekday';
      kindCache.set(day, k);
    }
    return k;
  };

  const clockFor = zoneClocks();
  const teamClock = teamClockOf(clockFor, input.teamTimeZone);
  const workingDay = workingDays(input.workingHours);

  interface Tally {
    person: OnCallPerson;
    timeZone: string;
    clock: ZoneClock;
    stretches: [number, number][];
    pages: number;
    outOfHours: number;
    nights: Set<number>;
    /** Nights with a page before the period: counted in the period before. */
    nightsBefore: Set<number>;
    /** incidentId → that person's work intervals on it. */
    work: Map<string, [number, number][]>;
  }
  const tallies = new Map<string, Tally>();
  for (const person of input.people) {
    if (tallies.has(person.id)) continue;
    const zone = responderZone(person, input.teamTimeZone, clockFor, teamClock);
    tallies.set(person.id, {
      person,
      ...zone,
      stretches: [],
      pages: 0,
      outOfHours: 0,
      nights: new Set(),
      nightsBefore: new Set(),
      work: new Map(),
    });
  }
  for (const s of input.stretches) tallies.get(s.userId)?.stretches.push([s.start.getTime(), s.end.getTime()]);

  // The same pages as the load report (forEachCountedPage): a night with a page before the period
  // began in the period before, which pays its time off.
  forEachCountedPage(input.pages, tallies, from, to, (t, _ms, local) => {
    t.pages += 1;
    const when = classifyLocalTime(local, workingDay, input.workingHours);
    if (when.outOfHours) t.outOfHours += 1;
    if (when.night !== null) t.nights.add(when.night);
  });
  for (const t of tallies.values()) for (const n of t.nightsBefore) t.nights.delete(n);

  for (const w of input.incidentWork) {
    const t = tallies.get(w.personId);
    if (!t) continue;
    let intervals = t.work.get(w.incidentId);
    if (!intervals) {
      intervals = [];
      t.work.set(w.incidentId, intervals);
    }
    intervals.push([w.start.getTime(), w.end.getTime()]);
  }

  const minimumIncidentMs = ruleSet.callout?.per === 'incident' ? ruleSet.callout.minimumMinutes * 60_000 : 0;
  const people: PersonAllowance[] = [];
  for (const t of tallies.values()) {
    const merged = mergeIntervals(t.stretches, from, to);
    let onCallMs = 0;
    for (const [s, e] of merged) onCallMs += e - s;

    const standbyMs = zeroKinds();
    const shifts = zeroKinds();
    const standby = ruleSet.standby;
    const shiftMs = standby?.per === 'shift' ? standby.minimumHours * HOUR_MS : Infinity;
    for (const [day, ms] of msPerLocalDay(merged, t.clock)) standbyMs[kindOf(day)] += ms;
    if (standby?.per === 'shift') {
      // Shifts are cut from when the time on call began (before the period, maybe) and paid in the
      // period they begin in, by the kind of the local day they begin on.
      const around = mergeIntervals(t.stretches, from - SHIFT_MARGIN_MS, to + 2 * DAY_MS);
      for (const piece of shiftPieces(around, t.clock)) {
        if (piece.ms < shiftMs || piece.start < from || piece.start >= to) continue;
        shifts[kindOf(Math.floor(t.clock.local(piece.start) / DAY_MS))] += 1;
      }
    }

    let incidentsWorked = 0;
    for (const intervals of t.work.values()) {
      let first = Infinity;
      for (const [s] of intervals) first = Math.min(first, s);
      if (!(first >= from && first < to)) continue;
      let workMs = 0;
      for (const [s, e] of mergeIntervals(intervals, -Infinity, Infinity)) workMs += e - s;
      if (workMs >= minimumIncidentMs) incidentsWorked += 1;
    }

    const breakdown: AllowanceLine[] = [];
    if (standby) {
      for (const kind of DAY_KINDS) {
        const rate = standby.rates[kind];
        if (standby.per === 'shift') {
          breakdown.push({
            item: 'standby',
            kind,
            unit: 'shift',
            quantity: shifts[kind],
            rate,
            amount: round(shifts[kind] * rate, 1),
          });
        } else {
          breakdown.push({
            item: 'standby',
            kind,
            unit: 'hour',
            quantity: standbyMs[kind] / HOUR_MS,
            rate,
            amount: round(standbyMs[kind] * rate, HOUR_MS),
          });
        }
      }
    }
    const callout = ruleSet.callout;
    const callouts = callout ? (callout.per === 'page' ? t.outOfHours : incidentsWorked) : 0;
    if (callout) {
      breakdown.push({
        item: 'callout',
        kind: null,
        unit: callout.per,
        quantity: callouts,
        rate: callout.amount,
        amount: round(callouts * callout.amount, 1),
      });
    }

    people.push({
      personId: t.person.id,
      name: t.person.name,
      timeZone: t.timeZone,
      onCallHours: onCallMs / HOUR_MS,
      standbyHours: {
        weekday: standbyMs.weekday / HOUR_MS,
        weekend: standbyMs.weekend / HOUR_MS,
        publicHoliday: standbyMs.publicHoliday / HOUR_MS,
      },
      shifts: standby?.per === 'shift' ? shifts : null,
      pages: t.pages,
      outOfHoursPages: t.outOfHours,
      incidentsWorked,
      callouts,
      nightsInterrupted: t.nights.size,
      timeOffHours: t.nights.size * (ruleSet.timeOffInLieu?.hoursPerInterruptedNight ?? 0),
      amount: { minor: breakdown.reduce((sum, l) => sum + l.amount, 0), currency: rules.currency },
      breakdown,
    });
  }
  people.sort((a, b) => compare(a.name, b.name) || compare(a.personId, b.personId));

  const totals = { amountMinor: 0, onCallHours: 0, callouts: 0, timeOffHours: 0 };
  for (const p of people) {
    totals.amountMinor += p.amount.minor;
    totals.onCallHours += p.onCallHours;
    totals.callouts += p.callouts;
    totals.timeOffHours += p.timeOffHours;
  }
  return {
    from: new Date(from),
    to: new Date(to),
    currency: rules.currency,
    minorDigits: rules.minorDigits,
    rules: ruleSet,
    people,
    totals,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
