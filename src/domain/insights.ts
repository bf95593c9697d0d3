// The insights of the web view: how many incidents a week, how fast they were acknowledged,
// mitigated and resolved, whether reviews and action items were done on time. The figures are
// counted by the database (ports/insight-figures.ts) or from rows here (insightFiguresOf): the
// database's answer must agree with this one, which is the definition.
import { countsInMetrics } from './drill.ts';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { percentileCont } from './delivery-metrics.ts';
import { incidentDurations, type StatusChange } from './durations.ts';
import { SEVERITIES, type Severity } from './severity.ts';
import { addDays, dayIn, dayPeriod, periodFrom, type DayPeriod, type PeriodRules } from './time.ts';

/** The insights' default period: the last 12 weeks (this week and the 11 before it). */
export const DEFAULT_WEEKS = 12;
/** The longest period asked for (weeks and months are listed in full). */
export const MAX_PERIOD_DAYS = 3 * 366;
/** A SEV1–2 review is on time when completed within this many days of the resolve (exactly 7 counts). */
export const REVIEW_DUE_DAYS = 7;
/** Severities whose reviews are held to REVIEW_DUE_DAYS. */
export const REVIEWED_SEVERITIES: readonly Severity[] = ['SEV1', 'SEV2'];
/** Services listed at most in the durations by service (most incidents first). */
export const INSIGHT_SERVICES_MAX = 20;

export const DURATION_METRICS = ['acknowledge', 'mitigate', 'resolve'] as const;
export type DurationMetric = (typeof DURATION_METRICS)[number];
export const DURATION_LABELS: Record<DurationMetric, string> = {
  acknowledge: 'Time to acknowledge',
  mitigate: 'Time to mitigate',
  resolve: 'Time to resolve',
};

/** A period of whole calendar days in the viewer's zone (time.ts: the one period every page uses). */
export type InsightPeriod = DayPeriod;

/** The period from `from` to `to` (calendar dates) in `timeZone`. */
export const insightPeriod = dayPeriod;

/** The default period at `now`: from the Monday 11 weeks before this week's, to today. */
export function defaultInsightPeriod(now: Date, timeZone: string): InsightPeriod {
  const { fromDate, toDate } = INSIGHTS_PERIOD.defaultPeriod(dayIn(now, timeZone));
  return dayPeriod(fromDate, toDate, timeZone);
}

/**
 * The insights' period rules (time.ts periodFrom): DEFAULT_WEEKS whole weeks to today by default (this
 * week and the ones before it), a `to` alone starts DEFAULT_WEEKS × 7 days before it, MAX_PERIOD_DAYS at most.
 */
export const INSIGHTS_PERIOD: PeriodRules = {
  defaultPeriod: (today) => ({ fromDate: addDays(mondayOf(today), -7 * (DEFAULT_WEEKS - 1)), toDate: today }),
  defaultDays: 7 * DEFAULT_WEEKS,
  maxDays: MAX_PERIOD_DAYS,
};

/** Why a period `from`–`to` (both given) cannot be shown, or null: periodFrom's answer. */
export function periodProblem(from: string, to: string): string | null {
  const p = periodFrom({ from, to }, INSIGHTS_PERIOD, { now: new Date(0), timeZone: 'UTC' });
  return 'problem' in p ? p.problem : null;
}

const DAY_MS = 24 * 3600_000;

/** The Monday of a calendar day's week. */
function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
  return addDays(day, -((weekday + 6) % 7));
}

/** The Monday (YYYY-MM-DD) of the week `at` falls in, in `timeZone` (weeks start on Monday, whatever the DST). */
export function weekOf(at: Date, timeZone: string): string {
  return mondayOf(dayIn(at, timeZone));
}

/** The month (YYYY-MM) `at` falls in, in `timeZone`. */
export function monthOf(at: Date, timeZone: string): string {
  return format(new TZDate(at.getTime(), timeZone), 'yyyy-MM');
}

/** Every week (its Monday) that overlaps the period, in order. */
export function weeksOf(period: InsightPeriod): string[] {
  const first = weekOf(period.since, period.timeZone);
  const out: string[] = [];
  for (let w = first; w <= period.toDate; w = addDays(w, 7)) out.push(w);
  return out;
}

/** Every month (YYYY-MM) that overlaps the period, in order. */
export function monthsOf(period: InsightPeriod): string[] {
  const out: string[] = [];
  let [y, m] = period.fromDate.split('-').map(Number) as [number, number];
  const last = period.toDate.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > last) break;
    out.push(month);
    m += 1;
    if (m > 12) [y, m] = [y + 1, 1];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The figures: what the database counts
// ---------------------------------------------------------------------------------------------

/** A group's durations: how many incidents have each, and their median and 90th percentile (ms). */
export interface DurationStats {
  incidents: number;
  /** Per metric: how many incidents have that duration, the median and p90 (ms; null when none). */
  metrics: Record<DurationMetric, { count: number; medianMs: number | null; p90Ms: number | null }>;
}

export interface InsightFigureSet {
  /** Incidents declared in the period by week (Monday, in the zone), severity and near miss: only the weeks with any. */
  weeks: { week: string; severity: Severity; nearMiss: boolean; count: number }[];
  /** The durations of the period's incidents (near misses left out), all together. */
  overall: DurationStats;
  bySeverity: { severity: Severity; stats: DurationStats }[];
  /**
   * By affected service (trimmed, compared case-insensitively; shown as the smallest stored spelling
   * in code-point order): private incidents left out, as the guardrail report's services. Most
   * incidents first, then by name; at most INSIGHT_SERVICES_MAX.
   */
  byService: { service: string; stats: DurationStats }[];
  /** By month (YYYY-MM in the zone) of declaration: only the months with any. */
  byMonth: { month: string; stats: DurationStats }[];
  /**
   * SEV1–2 incidents of the period (not near misses) that are resolved: their review completed within
   * REVIEW_DUE_DAYS of the resolve (onTime), after it or still not done past it (late), or not yet
   * done while the days still run (pending: counted in neither).
   */
  reviews: { onTime: number; late: number; pending: number };
  /** Action items due in the period up to today: done on or before the due date (in the zone), and all of them. */
  actions: { due: number; onTime: number };
}

/** An incident as the pure computation reads it. */
export interface InsightIncident {
  number: number;
  severity: Severity;
  nearMiss: boolean;
  /** An exercise: left out of every figure (countsInMetrics). Absent: not a drill. */
  drill?: boolean;
  isPrivate: boolean;
  affectedService: string | null;
  createdAt: Date;
  /** The `declared` entry's time (the durations count from it); else createdAt. */
  declaredAt: Date;
  /** The status changes on its timeline (statusChangesFrom). */
  changes: StatusChange[];
  resolvedAt: Date | null;
  /** When its review first listed a contributing factor (a `review_updated` entry), or null. */
  reviewCompletedAt: Date | null;
  /** Its channel (a private incident counts only for its members: see insightFiguresOf). */
  channelId?: string | null;
}

export interface InsightAction {
  /** YYYY-MM-DD, or null. */
  due: string | null;
  status: 'open' | 'done';
  completedAt: Date | null;
  /** Its incident's privacy and channel (see insightFiguresOf). */
  incidentPrivate?: boolean;
  incidentChannelId?: string | null;
}

const emptyStats = (): DurationStats => ({
  incidents: 0,
  metrics: {
    acknowledge: { count: 0, medianMs: null, p90Ms: null },
    mitigate: { count: 0, medianMs: null, p90Ms: null },
    resolve: { count: 0, medianMs: null, p90Ms: null },
  },
});

function statsOf(rows: readonly Record<DurationMetric, number | null>[]): DurationStats {
  const stats = emptyStats();
  stats.incidents = rows.length;
  for (const metric of DURATION_METRICS) {
    const values = rows.flatMap((r) => (r[metric] === null ? [] : [r[metric]])).sort((a, b) => a - b);
    stats.metrics[metric] = {
      count: values.length,
      medianMs: percentileCont(values, 0.5),
      p90Ms: percentileCont(values, 0.9),
    };
  }
  return stats;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The figures of rows for the period, at `now`. Pure; what PgInsightFigures must agree with.
 */
export function insightFiguresOf(input: {
  period: InsightPeriod;
  now: Date;
  incidents: readonly InsightIncident[];
  actions: readonly InsightAction[];
  /**
   * The private channels of whoever reads the figures: a private incident (and its action items)
   * counts only when its channel is one of them (mayReadIncident), as the register lists it.
   * Absent: every incident counts.
   */
  privateChannels?: readonly string[];
}): InsightFigureSet {
  const { period, now } = input;
  const tz = period.timeZone;
  const channels = input.privateChannels ? new Set(input.privateChannels) : null;
  const counts = (isPrivate: boolean, channelId: string | null | undefined) =>
    !channels || !isPrivate || (!!channelId && channels.has(channelId));
  const inPeriod = input.incidents.filter(
    (i) =>
      i.createdAt.getTime() >= period.since.getTime() &&
      i.createdAt.getTime() < period.until.getTime() &&
      countsInMetrics({ drill: i.drill ?? false }) &&
      counts(i.isPrivate, i.channelId),
  );
  const weeks = new Map<string, InsightFigureSet['weeks'][number]>();
  for (const i of inPeriod) {
    const week = weekOf(i.createdAt, tz);
    const key = `${week} ${i.severity} ${i.nearMiss}`;
    const w = weeks.get(key);
    if (w) w.count += 1;
    else weeks.set(key, { week, severity: i.severity, nearMiss: i.nearMiss, count: 1 });
  }

  type Row = Record<DurationMetric, number | null> & { incident: InsightIncident };
  const rows: Row[] = inPeriod
    .filter((i) => !i.nearMiss)
    .map((i) => {
      const d = incidentDurations(i.declaredAt, i.changes);
      return { incident: i, acknowledge: d.toAcknowledgeMs, mitigate: d.toMitigateMs, resolve: d.toResolveMs };
    });
  const group = <K>(keyOf: (r: Row) => K | null) => {
    const m = new Map<K, Row[]>();
    for (const r of rows) {
      const k = keyOf(r);
      if (k === null) continue;
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    }
    return m;
  };

  const bySev = group((r) => r.incident.severity);
  const byMonth = group((r) => monthOf(r.incident.createdAt, tz));
  const byService = group((r) => {
    const name = r.incident.affectedService?.trim() ?? '';
    return r.incident.isPrivate || name === '' ? null : name.toLowerCase();
  });

  const reviews = { onTime: 0, late: 0, pending: 0 };
  for (const i of inPeriod) {
    if (i.nearMiss || !REVIEWED_SEVERITIES.includes(i.severity) || !i.resolvedAt) continue;
    const dueBy = i.resolvedAt.getTime() + REVIEW_DUE_DAYS * DAY_MS;
    const done = i.reviewCompletedAt?.getTime() ?? null;
    if (done !== null && done <= dueBy) reviews.onTime += 1;
    else if (done !== null || dueBy < now.getTime()) reviews.late += 1;
    else reviews.pending += 1;
  }

  const today = dayIn(now, tz);
  const actions = { due: 0, onTime: 0 };
  for (const a of input.actions) {
    if (!counts(a.incidentPrivate ?? false, a.incidentChannelId)) continue;
    if (a.due === null || a.due < period.fromDate || a.due > period.toDate) continue;
    const done = a.status === 'done' && a.completedAt !== null;
    // Not yet due, and not done: it may still be on time, so it is not counted either way.
    if (!done && a.due >= today) continue;
    actions.due += 1;
    if (done && dayIn(a.completedAt!, tz) <= a.due) actions.onTime += 1;
  }

  return {
    weeks: [...weeks.values()],
    overall: rows.length ? statsOf(rows) : emptyStats(),
    bySeverity: [...bySev].map(([severity, list]) => ({ severity, stats: statsOf(list) })),
    byService: [...byService]
      .map(([key, list]) => ({
        key,
        service: list.map((r) => r.incident.affectedService!.trim()).sort(byCodePoint)[0]!,
        stats: statsOf(list),
      }))
      .sort((a, b) => b.stats.incidents - a.stats.incidents || byCodePoint(a.key, b.key))
      .slice(0, INSIGHT_SERVICES_MAX)
      .map(({ service, stats }) => ({ service, stats })),
    byMonth: [...byMonth].map(([month, list]) => ({ month, stats: statsOf(list) })),
    reviews,
    actions,
  };
}

// ---------------------------------------------------------------------------------------------
// The report: the figures laid out for a page
// ---------------------------------------------------------------------------------------------

export interface WeekRow {
  week: string;
  bySeverity: Record<Severity, number>;
  incidents: number;
  nearMisses: number;
}

export interface InsightsReport {
  period: InsightPeriod;
  /** Every week of the period, zeros included. */
  weeks: WeekRow[];
  incidents: number;
  nearMisses: number;
  /** Near misses per incident (near misses ÷ incidents that are not), null without incidents. */
  nearMissRatio: number | null;
  overall: DurationStats;
  /** Every severity, in order. */
  bySeverity: { severity: Severity; stats: DurationStats }[];
  byService: { service: string; stats: DurationStats }[];
  /** Every month of the period, in order. */
  byMonth: { month: string; stats: DurationStats }[];
  reviews: InsightFigureSet['reviews'] & { share: number | null };
  actions: InsightFigureSet['actions'] & { share: number | null };
}

/** The report of the figures: every week, severity and month listed (zeros where none). Pure. */
export function insightsReport(period: InsightPeriod, figures: InsightFigureSet): InsightsReport {
  const weeks = new Map<string, WeekRow>(
    weeksOf(period).map((week) => [
      week,
      { week, bySeverity: { SEV1: 0, SEV2: 0, SEV3: 0, SEV4: 0 }, incidents: 0, nearMisses: 0 },
    ]),
  );
  let incidents = 0;
  let nearMisses = 0;
  for (const w of figures.weeks) {
    const row = weeks.get(w.week);
    if (w.nearMiss) nearMisses += w.count;
    else incidents += w.count;
    if (!row) continue;
    if (w.nearMiss) row.nearMisses += w.count;
    else {
      row.incidents += w.count;
      row.bySeverity[w.severity] += w.count;
    }
  }
  const sev = new Map(figures.bySeverity.map((s) => [s.severity, s.stats]));
  const month = new Map(figures.byMonth.map((m) => [m.month, m.stats]));
  const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);
  return {
    period,
    weeks: [...weeks.values()],
    incidents,
    nearMisses,
    nearMissRatio: share(nearMisses, incidents),
    overall: figures.overall,
    bySeverity: SEVERITIES.map((severity) => ({ severity, stats: sev.get(severity) ?? emptyStats() })),
    byService: figures.byService,
    byMonth: monthsOf(period).map((m) => ({ month: m, stats: month.get(m) ?? emptyStats() })),
    reviews: {
      ...figures.reviews,
      share: share(figures.reviews.onTime, figures.reviews.onTime + figures.reviews.late),
    },
    actions: { ...figures.actions, share: share(figures.actions.onTime, figures.actions.due) },
  };
}
