// The wellbeing messages to the on-call leads (issue 19): a bad night the next morning, and a weekly
// check against the Google SRE book's limits. Pure: the data and `now` are passed in.
//
// Definitions (docs/on-call-allowances.md#wellbeing says the same for leads):
//
//  - A *bad night* is a person's local night [22:00, 07:00) (in their own zone, responderZone; named
//    by the date it began, as the load report does) with at least one page. It is reported once it
//    has ended (local 07:00 has passed) and the history is known up to its end, and no later than
//    NIGHT_REPORT_MAX_AGE_MS after its end (a bot that was down for a day does not send stale news).
//  - *Incidents in a shift*: the largest number of distinct PagerDuty incidents with a page to the
//    person, while they were on call (a page at an instant inside their merged stretches), within
//    any span shorter than SHIFT_MS (12 hours): a window [t, t + 12 h). More than
//    `maxIncidentsPerShift` alerts.
//  - *Share on call*: the merged time on call over the four weeks ÷ the four weeks' length (real
//    elapsed time). More than `maxOnCallShare` alerts (exactly 25 % does not).
//  - *Fairness*: the Gini coefficient of the load report's load over the four weeks against the
//    four weeks before; worse when it rose by at least FAIRNESS_WORSE_BY as shown (two decimals).

import {
  DAY_MS,
  HOUR_MS,
  classifyLocalTime,
  computeLoad,
  isoWeekday,
  mergeIntervals,
  responderZone,
  teamClockOf,
  zoneClocks,
  type LoadInput,
  type OnCallPerson,
  type PageEvent,
  type ZoneClock,
} from './on-call-load.ts';
import { DEFAULT_WORKING_HOURS } from './working-hours.ts';

/** A night is reported until this long after it ended (07:00 local). */
export const NIGHT_REPORT_MAX_AGE_MS = DAY_MS;
/** The length of a shift for the incidents-per-shift limit. */
export const SHIFT_MS = 12 * HOUR_MS;
/** The weekly check looks back this many days (four weeks), and compares with the four before. */
export const CHECK_DAYS = 28;
/** The team's fairness is worse when its Gini rose by at least this much (both rounded to two decimals). */
export const FAIRNESS_WORSE_BY = 0.05;
/** The weekly check is due from Monday at this hour in the team's zone. */
export const WEEKLY_CHECK_HOUR = 9;
const NIGHT_END_HOUR = 7;

const NO_WORKING_DAYS: readonly boolean[] = new Array<boolean>(8).fill(false);

/** YYYY-MM-DD of a day number since 1970-01-01. */
export function isoDate(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** HH:MM of local wall ms (ZoneClock.local). */
export function wallTime(local: number): string {
  const minute = Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / 60_000);
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Mon 30 Nov" of local wall ms. */
export function wallDay(local: number): string {
  const day = Math.floor(local / DAY_MS);
  const d = new Date(day * DAY_MS);
  return `${WEEKDAYS[isoWeekday(day) - 1]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

// ---------------------------------------------------------------------------------------------
// Bad nights
// ---------------------------------------------------------------------------------------------

export interface NightPage {
  at: Date;
  /** HH:MM in the person's zone. */
  localTime: string;
  incidentId: string;
}

export interface BadNight {
  personId: string;
  name: string;
  /** The zone the night is read in: the person's own, else the team's. */
  timeZone: string;
  /** The local date the night began on (YYYY-MM-DD): 02:00 on Tuesday is Monday's night. */
  night: string;
  /** "Mon 30 Nov": the night's first day, for the message. */
  nightLabel: string;
  /** The instant of local 07:00 that morning. */
  endedAt: Date;
  /** In time order; the same log entry given twice counts once. */
  pages: NightPage[];
}

export interface NightsInput {
  teamTimeZone: string;
  people: readonly OnCallPerson[];
  pages: readonly PageEvent[];
}

/**
 * The nights to report at `now`: each person's local nights with at least one page that ended at or
 * before `now` (and at or before `knownUntil`, how far the history is known: a night is reported
 * with all its pages, not while PagerDuty's copy stops in it), less than `maxAgeMs` ago. Sorted by
 * end, then person. Linear in the pages (plus sorting each night's few pages).
 */
export function badNights(
  input: NightsInput,
  now: Date,
  opts: { knownUntil?: Date; maxAgeMs?: number } = {},
): BadNight[] {
  const clockFor = zoneClocks();
  const teamClock = teamClockOf(clockFor, input.teamTimeZone);
  const people = new Map<string, { person: OnCallPerson; timeZone: string; clock: ZoneClock }>();
  for (const person of input.people) {
    if (people.has(person.id)) continue;
    people.set(person.id, { person, ...responderZone(person, input.teamTimeZone, clockFor, teamClock) });
  }
  const nowMs = now.getTime();
  const until = Math.min(nowMs, opts.knownUntil?.getTime() ?? nowMs);
  const maxAge = opts.maxAgeMs ?? NIGHT_REPORT_MAX_AGE_MS;
  const nights = new Map<string, BadNight>();
  const seen = new Set<string>();
  for (const p of input.pages) {
    const who = people.get(p.userId);
    if (!who) continue;
    const key = `${p.userId}\u0000${p.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const ms = p.at.getTime();
    if (ms > nowMs) continue;
    const local = who.clock.local(ms);
    const night = classifyLocalTime(local, NO_WORKING_DAYS, DEFAULT_WORKING_HOURS).night;
    if (night === null) continue;
    const nightKey = `${p.userId}\u0000${night}`;
    let found = nights.get(nightKey);
    if (!found) {
      const endedAt = who.clock.instantOf((night + 1) * DAY_MS + NIGHT_END_HOUR * HOUR_MS);
      if (endedAt > until || nowMs - endedAt >= maxAge) continue;
      found = {
        personId: p.userId,
        name: who.person.name,
        timeZone: who.timeZone,
        night: isoDate(night),
        nightLabel: wallDay(night * DAY_MS),
        endedAt: new Date(endedAt),
        pages: [],
      };
      nights.set(nightKey, found);
    }
    found.pages.push({ at: p.at, localTime: wallTime(local), incidentId: p.incidentId });
  }
  const out = [...nights.values()];
  for (const n of out) n.pages.sort((a, b) => a.at.getTime() - b.at.getTime());
  return out.sort(
    (a, b) =>
      a.endedAt.getTime() - b.endedAt.getTime() ||
      (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0) ||
      (a.night < b.night ? -1 : a.night > b.night ? 1 : 0),
  );
}

// ---------------------------------------------------------------------------------------------
// The weekly check
// ---------------------------------------------------------------------------------------------

export interface CheckPeriod {
  /** The Monday of the week the check belongs to, in the team's zone (YYYY-MM-DD): its key. */
  week: string;
  /** The four weeks checked: [from, to), to = that Monday 00:00 local. */
  from: Date;
  to: Date;
  /** The four weeks before, for the fairness comparison. */
  previousFrom: Date;
  /** "2 Nov" and "29 Nov" (the last day), for the message. */
  firstDayLabel: string;
  lastDayLabel: string;
}

/**
 * The weekly check due at `now`: from Monday 09:00 in the team's zone to the end of that week (a
 * bot down on Monday catches up later in the week); null on Monday before 09:00, when last week's
 * check is no longer due and this week's not yet. The four weeks end at that Monday 00:00 local, so
 * every replica and every retry checks the same whole weeks (Monday to Sunday).
 */
export function weeklyCheckDue(now: Date, teamTimeZone: string): CheckPeriod | null {
  const clock = teamClockOf(zoneClocks(), teamTimeZone);
  const local = clock.local(now.getTime());
  const day = Math.floor(local / DAY_MS);
  const monday = day - (isoWeekday(day) - 1);
  if (local < monday * DAY_MS + WEEKLY_CHECK_HOUR * HOUR_MS) return null;
  const at = (d: number) => new Date(clock.instantOf(d * DAY_MS));
  return {
    week: isoDate(monday),
    from: at(monday - CHECK_DAYS),
    to: at(monday),
    previousFrom: at(monday - 2 * CHECK_DAYS),
    firstDayLabel: wallDay((monday - CHECK_DAYS) * DAY_MS).slice(4),
    lastDayLabel: wallDay((monday - 1) * DAY_MS).slice(4),
  };
}

export interface ShiftPeak {
  /** Distinct incidents paged to the person in one window [first, first + SHIFT_MS) while on call. */
  incidents: number;
  /** The first and last page of that window. */
  first: Date;
  last: Date;
  /** Their local times, "Tue 24 Nov 01:10", in the person's zone. */
  firstLabel: string;
  lastLabel: string;
}

export interface PersonCheck {
  personId: string;
  name: string;
  timeZone: string;
  /** Merged time on call in [from, to), ms. */
  onCallMs: number;
  /** onCallMs ÷ (to − from). */
  onCallShare: number;
  /** The busiest 12 hours; null with no page while on call. */
  peak: ShiftPeak | null;
  overShift: boolean;
  overShare: boolean;
}

export interface FairnessChange {
  current: number | null;
  previous: number | null;
  /** Rose by at least FAIRNESS_WORSE_BY (two decimals); false when either is unknown. */
  worse: boolean;
}

export interface WeeklyCheck {
  from: Date;
  to: Date;
  /** Everyone in the current period's input, sorted by name then id. */
  people: PersonCheck[];
  fairness: FairnessChange;
  /** Whether there is anything to tell the leads. */
  alerts: boolean;
}

export interface Thresholds {
  maxIncidentsPerShift: number;
  maxOnCallShare: number;
}

/** The busiest window [t, t + SHIFT_MS) of pages in time order: most distinct incidents (two pointers, linear). */
function busiestShift(pages: readonly PageEvent[]): { incidents: number; first: number; last: number } | null {
  let best: { incidents: number; first: number; last: number } | null = null;
  const inWindow = new Map<string, number>();
  let right = 0;
  for (let left = 0; left < pages.length; left++) {
    const start = pages[left]!.at.getTime();
    while (right < pages.length && pages[right]!.at.getTime() < start + SHIFT_MS) {
      const id = pages[right]!.incidentId;
      inWindow.set(id, (inWindow.get(id) ?? 0) + 1);
      right++;
    }
    if (!best || inWindow.size > best.incidents)
      best = { incidents: inWindow.size, first: start, last: pages[right - 1]!.at.getTime() };
    const id = pages[left]!.incidentId;
    const n = inWindow.get(id)! - 1;
    if (n === 0) inWindow.delete(id);
    else inWindow.set(id, n);
  }
  return best;
}

/** Whether the Gini rose by at least FAIRNESS_WORSE_BY, both rounded to two decimals as shown. */
export function fairnessWorse(current: number | null, previous: number | null): boolean {
  if (current === null || previous === null) return false;
  return Math.round(current * 100) - Math.round(previous * 100) >= Math.round(FAIRNESS_WORSE_BY * 100);
}

/**
 * The weekly check of the four weeks `current` covers ([from, to)) against `previous` (the four
 * before, for fairness only): per person the busiest 12 hours and the share of time on call, each
 * against its threshold, and the team's fairness.
 */
export function weeklyCheck(current: LoadInput, previous: LoadInput, thresholds: Thresholds): WeeklyCheck {
  const from = current.from.getTime();
  const to = current.to.getTime();
  const length = to - from;
  const clockFor = zoneClocks();
  const teamClock = teamClockOf(clockFor, current.teamTimeZone);

  const stretches = new Map<string, [number, number][]>();
  for (const s of current.stretches) {
    let list = stretches.get(s.userId);
    if (!list) {
      list = [];
      stretches.set(s.userId, list);
    }
    list.push([s.start.getTime(), s.end.getTime()]);
  }
  const pages = new Map<string, PageEvent[]>();
  const seen = new Set<string>();
  for (const p of current.pages) {
    const ms = p.at.getTime();
    if (!(ms >= from && ms < to)) continue;
    const key = `${p.userId}\u0000${p.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let list = pages.get(p.userId);
    if (!list) {
      list = [];
      pages.set(p.userId, list);
    }
    list.push(p);
  }

  const people: PersonCheck[] = [];
  const done = new Set<string>();
  for (const person of current.people) {
    if (done.has(person.id)) continue;
    done.add(person.id);
    const zone = responderZone(person, current.teamTimeZone, clockFor, teamClock);
    const onCall = mergeIntervals(stretches.get(person.id) ?? [], from, to);
    let onCallMs = 0;
    for (const [s, e] of onCall) onCallMs += e - s;
    // Pages while on call: both lists in time order, walked together.
    const mine = (pages.get(person.id) ?? []).sort((a, b) => a.at.getTime() - b.at.getTime());
    const whileOnCall: PageEvent[] = [];
    let i = 0;
    for (const p of mine) {
      const t = p.at.getTime();
      while (i < onCall.length && onCall[i]![1] <= t) i++;
      if (i < onCall.length && onCall[i]![0] <= t) whileOnCall.push(p);
    }
    const busiest = busiestShift(whileOnCall);
    const label = (ms: number) => {
      const local = zone.clock.local(ms);
      return `${wallDay(local)} ${wallTime(local)}`;
    };
    const peak = busiest
      ? {
          incidents: busiest.incidents,
          first: new Date(busiest.first),
          last: new Date(busiest.last),
          firstLabel: label(busiest.first),
          lastLabel: label(busiest.last),
        }
      : null;
    people.push({
      personId: person.id,
      name: person.name,
      timeZone: zone.timeZone,
      onCallMs,
      onCallShare: length > 0 ? onCallMs / length : 0,
      peak,
      overShift: (peak?.incidents ?? 0) > thresholds.maxIncidentsPerShift,
      // Compared in ms: 7 days of 28 is exactly 25 %, not over it.
      overShare: length > 0 && onCallMs > thresholds.maxOnCallShare * length,
    });
  }
  people.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0,
  );

  const currentGini = computeLoad(current).fairness.gini;
  const previousGini = computeLoad(previous).fairness.gini;
  const fairness = { current: currentGini, previous: previousGini, worse: fairnessWorse(currentGini, previousGini) };
  return {
    from: new Date(from),
    to: new Date(to),
    people,
    fairness,
    alerts: fairness.worse || people.some((p) => p.overShift || p.overShare),
  };
}

// ---------------------------------------------------------------------------------------------
// How far the cached history is known
// ---------------------------------------------------------------------------------------------

/**
 * Up to which instant the cached history of [from, to) is complete: each stored window holds what
 * was there when it was fetched (min(fetchedAt, end)); the first window missing or fetched before
 * its end stops it. `windows`: the stored copies, any order.
 */
export function historyKnownUntil(
  windows: readonly { start: Date; end: Date; fetchedAt: Date }[],
  expected: readonly { start: Date; end: Date }[],
): Date {
  const stored = new Map(windows.map((w) => [w.start.getTime(), w]));
  for (const w of expected) {
    const copy = stored.get(w.start.getTime());
    if (!copy) return w.start;
    if (copy.fetchedAt.getTime() < w.end.getTime()) return copy.fetchedAt;
  }
  return expected.length ? expected[expected.length - 1]!.end : new Date(0);
}

// ---------------------------------------------------------------------------------------------
// The messages (Slack mrkdwn; the caller sends them through the PHI guard)
// ---------------------------------------------------------------------------------------------

const mrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const who = (name: string, slackUserId: string | null | undefined) =>
  slackUserId ? `*${mrkdwn(name)}* (<@${slackUserId}>)` : `*${mrkdwn(name)}*`;

/** The lead's direct message about a bad night. */
export function badNightMessage(
  night: BadNight,
  opts: { slackUserId?: string | null; timeOffInLieuHours?: number | null },
): string {
  const n = night.pages.length;
  const times = night.pages.map((p) => p.localTime).join(', ');
  const lines = [
    `:crescent_moon: ${who(night.name, opts.slackUserId)} was paged ${n === 1 ? 'once' : `${n} times`} in the night of ${night.nightLabel} (22:00–07:00 ${mrkdwn(night.timeZone)}): ${times}.`,
    'Consider cover for them today, or time off to recover.',
  ];
  if (opts.timeOffInLieuHours)
    lines.push(
      `The pay rules give ${opts.timeOffInLieuHours} ${opts.timeOffInLieuHours === 1 ? 'hour' : 'hours'} of time off in lieu for an interrupted night.`,
    );
  return lines.join('\n');
}

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;

/** The lead's weekly message: the people over a threshold and the fairness change, those in `include` only. */
export function weeklyMessage(
  period: CheckPeriod,
  check: WeeklyCheck,
  thresholds: Thresholds,
  opts: {
    slackUsers: ReadonlyMap<string, string>;
    include: { shift: ReadonlySet<string>; share: ReadonlySet<string>; fairness: boolean };
  },
): string {
  const lines = [`:seedling: *On-call wellbeing: the four weeks ${period.firstDayLabel} – ${period.lastDayLabel}*`];
  for (const p of check.people) {
    if (p.overShift && p.peak && opts.include.shift.has(p.personId))
      lines.push(
        `• ${who(p.name, opts.slackUsers.get(p.personId))}: ${p.peak.incidents} incidents within 12 hours (${p.peak.firstLabel} – ${p.peak.lastLabel} ${mrkdwn(p.timeZone)}), more than ${thresholds.maxIncidentsPerShift} in a shift.`,
      );
    if (p.overShare && opts.include.share.has(p.personId))
      lines.push(
        `• ${who(p.name, opts.slackUsers.get(p.personId))}: on call ${percent(p.onCallShare)} of the time, more than ${percent(thresholds.maxOnCallShare)}.`,
      );
  }
  if (check.fairness.worse && opts.include.fairness)
    lines.push(
      `• The load is spread less evenly: fairness (Gini, 0 = even) ${check.fairness.current!.toFixed(2)}, was ${check.fairness.previous!.toFixed(2)} the four weeks before.`,
    );
  lines.push('Consider cover, a lighter rota or time off for those named (`/incident load` has the figures).');
  return lines.join('\n');
}
