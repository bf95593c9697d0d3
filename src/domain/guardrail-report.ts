// The guardrail report: what incidents keep teaching us, and whether the backlog of fixes moves.
import { countsInMetrics } from './drill.ts';
import type { OwnerDelivery } from './delivery-metrics.ts';
import { calendarDate, type ActionStatus } from './action-items.ts';
import { TRACKER_NAMES, type TrackerKind } from './trackers.ts';
import {
  ACTION_CATEGORIES,
  ACTION_CATEGORY_LABELS,
  CONTRIBUTING_FACTOR_LABELS,
  CONTRIBUTING_FACTORS,
  type ActionCategory,
  type ContributingFactor,
} from './review.ts';

export interface GuardrailIncident {
  number: number;
  affectedService: string | null;
  nearMiss: boolean;
  /** An exercise: left out (countsInMetrics). Absent: not a drill. */
  drill?: boolean;
  createdAt: Date;
  /** From the incident's review (empty when there is none). */
  factors: ContributingFactor[];
  /** The incident has a review. */
  reviewed: boolean;
}

export interface GuardrailAction {
  category: ActionCategory;
  status: ActionStatus;
  createdAt: Date;
  completedAt: Date | null;
  /** Calendar date YYYY-MM-DD in the team's time zone, or null. */
  due: string | null;
  /** The tracker its issue is in (or being created in); absent or null: it lives in Slack only. */
  tracker?: TrackerKind | null;
}

/** Where an action item lives: its tracker (its issue there, or being created), or Slack only. */
export const ACTION_HOMES = ['github', 'jira', 'slack'] as const;
export type ActionHome = (typeof ACTION_HOMES)[number];
export const ACTION_HOME_LABELS: Readonly<Record<ActionHome, string>> = {
  github: TRACKER_NAMES.github,
  jira: TRACKER_NAMES.jira,
  slack: 'Slack only',
};

export interface GuardrailReport {
  periodDays: number;
  from: Date;
  to: Date;
  /** Declared in [from, to], near misses included. */
  incidents: number;
  nearMisses: number;
  /** Of those, how many have a review with contributing factors. */
  reviewed: number;
  /** count > 0 only; sorted count desc, then taxonomy order; a factor counts once per incident even if listed twice. */
  factors: { factor: ContributingFactor; label: string; count: number }[];
  /** Services with ≥ 2 incidents in the period; names compared trimmed and case-insensitively, shown as first seen (earliest incident); sorted desc, then name. */
  recurringServices: { service: string; incidents: number }[];
  /** Every category in ACTION_CATEGORIES order; counts actions created in the period. */
  actionsByCategory: { category: ActionCategory; label: string; open: number; done: number }[];
  /** Created in the period. */
  openActions: number;
  doneActions: number;
  /** Median age in whole days (floor) of ALL currently open actions (whole backlog, not only the period), at `to`; null when none is open. Even count: mean of the two middle ages, floored. */
  medianOpenAgeDays: number | null;
  /** All currently open actions with due < today. */
  overdueOpen: number;
  /**
   * Action items created in the period by where they live (ACTION_HOMES order; an issue being
   * created counts in its tracker): open, done, and the median whole days (floor) the done ones
   * stayed open, null when none; absent when not counted.
   */
  byTracker?: { where: ActionHome; label: string; open: number; done: number; medianDaysOpen: number | null }[];
  /**
   * Change failure rate and time to restore (DORA) per owner, then service (domain/delivery-metrics.ts);
   * absent when not computed (the report of rows).
   */
  delivery?: {
    owners: OwnerDelivery[];
    /** How long after a change an incident on its service makes it a failed change. */
    windowHours: number;
    /** Services listed at most; `truncated`: there may be more. */
    servicesMax: number;
    truncated: boolean;
  };
  /**
   * The open action items per team now, and how many are overdue (teams by their catalog titles;
   * counts only, as the backlog's); absent when not computed (the report of rows).
   */
  teams?: {
    rows: { team: string; label: string; open: number; overdue: number }[];
    /** Teams listed at most; `truncated`: there are more. */
    teamsMax: number;
    truncated: boolean;
  };
}

/**
 * What the report is made from, counted by the database (ReviewStore.guardrailFigures) or from
 * rows (guardrailFiguresOf): bounded by the taxonomy and the services, not by the incidents.
 */
export interface GuardrailFigures {
  /** Declared in the period, near misses included. */
  incidents: number;
  nearMisses: number;
  /** Of those, how many have a review listing at least one contributing factor. */
  reviewed: number;
  /** Per factor, the incidents of the period whose review lists it (once per incident). */
  factorCounts: { factor: ContributingFactor; count: number }[];
  /** Per affected service as stored (private incidents' left out): its incidents and its earliest (time, then number). */
  services: { name: string; incidents: number; firstAt: Date; firstNumber: number }[];
  /** Action items created in the period, by category and status. */
  actionCounts: { category: ActionCategory; status: ActionStatus; count: number }[];
  /** The creation times of the middle one (odd count) or two (even) of every open item in creation order; null when none is open. */
  openMiddleCreatedAt: [Date, Date] | null;
  /** Open items (all, not only the period's) due before today. */
  overdueOpen: number;
  /**
   * Action items created in the period per place they live (only places with any): open, done, and
   * the median time the done ones stayed open (completed minus created, at least 0) in ms, null when none.
   */
  trackerCounts?: { where: ActionHome; open: number; done: number; doneOpenMedianMs: number | null }[];
}

const DAY_MS = 24 * 3600_000;
const FACTOR_INDEX = new Map<string, number>(CONTRIBUTING_FACTORS.map((f, i) => [f, i]));
const CATEGORY_INDEX = new Map<string, number>(ACTION_CATEGORIES.map((c, i) => [c, i]));

/**
 * The figures of rows: the incidents and actions as GuardrailIncident and GuardrailAction (the
 * order does not matter). What the database's aggregates must agree with.
 */
export function guardrailFiguresOf(input: {
  now: Date;
  periodDays: number;
  timeZone: string;
  incidents: readonly GuardrailIncident[];
  actions: readonly GuardrailAction[];
}): GuardrailFigures {
  const toMs = input.now.getTime();
  const fromMs = toMs - input.periodDays * DAY_MS;
  const today = calendarDate(input.now, input.timeZone);
  const inPeriod = (d: Date) => {
    const t = d.getTime();
    return t >= fromMs && t <= toMs;
  };
  let incidents = 0;
  let nearMisses = 0;
  let reviewed = 0;
  const factorCounts = new Map<ContributingFactor, number>();
  const services = new Map<string, GuardrailFigures['services'][number]>();
  for (const incident of input.incidents) {
    if (!inPeriod(incident.createdAt) || !countsInMetrics({ drill: incident.drill ?? false })) continue;
    incidents += 1;
    if (incident.nearMiss) nearMisses += 1;
    const factors = new Set(incident.factors.filter((f) => FACTOR_INDEX.has(f)));
    if (incident.reviewed && factors.size > 0) reviewed += 1;
    for (const f of factors) factorCounts.set(f, (factorCounts.get(f) ?? 0) + 1);
    const name = incident.affectedService;
    if (name === null) continue;
    const at = incident.createdAt;
    const s = services.get(name);
    if (!s) services.set(name, { name, incidents: 1, firstAt: at, firstNumber: incident.number });
    else {
      s.incidents += 1;
      if (earlier(at, incident.number, s.firstAt, s.firstNumber))
        Object.assign(s, { firstAt: at, firstNumber: incident.number });
    }
  }
  const actionCounts = new Map<string, GuardrailFigures['actionCounts'][number]>();
  const openCreated: number[] = [];
  let overdueOpen = 0;
  const homes = new Map<ActionHome, { open: number; done: number; openFor: number[] }>();
  for (const action of input.actions) {
    if (inPeriod(action.createdAt)) {
      const where: ActionHome = action.tracker ?? 'slack';
      const home = homes.get(where) ?? { open: 0, done: 0, openFor: [] };
      if (action.status === 'open') home.open += 1;
      else {
        home.done += 1;
        if (action.completedAt)
          home.openFor.push(Math.max(0, action.completedAt.getTime() - action.createdAt.getTime()));
      }
      homes.set(where, home);
    }
    if (action.status === 'open') {
      openCreated.push(action.createdAt.getTime());
      if (action.due !== null && action.due < today) overdueOpen += 1;
    }
    if (!inPeriod(action.createdAt)) continue;
    const key = `${action.category} ${action.status}`;
    const c = actionCounts.get(key);
    if (c) c.count += 1;
    else actionCounts.set(key, { category: action.category, status: action.status, count: 1 });
  }
  const sorted = Float64Array.from(openCreated).sort();
  const n = sorted.length;
  return {
    incidents,
    nearMisses,
    reviewed,
    factorCounts: [...factorCounts].map(([factor, count]) => ({ factor, count })),
    services: [...services.values()],
    actionCounts: [...actionCounts.values()],
    openMiddleCreatedAt: n === 0 ? null : [new Date(sorted[(n - 1) >> 1]!), new Date(sorted[n >> 1]!)],
    overdueOpen,
    trackerCounts: [...homes].map(([where, h]) => ({
      where,
      open: h.open,
      done: h.done,
      doneOpenMedianMs: medianOf(h.openFor),
    })),
  };
}

/** The median as PostgreSQL's percentile_cont(0.5) computes it (the lower middle plus half the gap); null for none. */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const lo = sorted[(sorted.length - 1) >> 1]!;
  const hi = sorted[sorted.length >> 1]!;
  return lo + 0.5 * (hi - lo);
}

/** Every place items live, in ACTION_HOMES order (none counted: zeros). */
function byTracker(counts: NonNullable<GuardrailFigures['trackerCounts']>): NonNullable<GuardrailReport['byTracker']> {
  return ACTION_HOMES.map((where) => {
    const row = counts.find((c) => c.where === where);
    const median = row?.doneOpenMedianMs ?? null;
    return {
      where,
      label: ACTION_HOME_LABELS[where],
      open: row?.open ?? 0,
      done: row?.done ?? 0,
      medianDaysOpen: median === null ? null : Math.floor(median / DAY_MS),
    };
  });
}

const earlier = (at: Date, number: number, than: Date, thanNumber: number) =>
  at.getTime() < than.getTime() || (at.getTime() === than.getTime() && number < thanNumber);

/**
 * The report for the `periodDays` up to `now`, from rows. Pure and deterministic (the order of
 * the input does not matter).
 */
export function guardrailReport(input: {
  now: Date;
  periodDays: number;
  timeZone: string;
  incidents: readonly GuardrailIncident[];
  actions: readonly GuardrailAction[];
}): GuardrailReport {
  return guardrailReportOf({ now: input.now, periodDays: input.periodDays }, guardrailFiguresOf(input));
}

/** The factors as the report lists them (GuardrailReport.factors) from their counts. */
export function factorsOf(factorCounts: GuardrailFigures['factorCounts']): GuardrailReport['factors'] {
  const counted = new Map<string, number>();
  for (const f of factorCounts) counted.set(f.factor, (counted.get(f.factor) ?? 0) + f.count);
  return CONTRIBUTING_FACTORS.map((factor) => ({
    factor,
    label: CONTRIBUTING_FACTOR_LABELS[factor],
    count: counted.get(factor) ?? 0,
  }))
    .filter((f) => f.count > 0)
    .sort((a, b) => b.count - a.count || FACTOR_INDEX.get(a.factor)! - FACTOR_INDEX.get(b.factor)!);
}

/** The report for the `periodDays` up to `now`, from its figures. Pure; bounded by the taxonomy and the services. */
export function guardrailReportOf(
  period: { now: Date; periodDays: number },
  figures: GuardrailFigures,
): GuardrailReport {
  const { now, periodDays } = period;
  const toMs = now.getTime();
  const fromMs = toMs - periodDays * DAY_MS;

  const factors = factorsOf(figures.factorCounts);

  // Per service (trimmed, lower case): the name of its earliest incident (lowest number on a tie).
  const services = new Map<string, { name: string; firstAt: Date; firstNumber: number; incidents: number }>();
  for (const stored of figures.services) {
    const name = stored.name.trim();
    if (name === '') continue;
    const key = name.toLowerCase();
    const s = services.get(key);
    if (!s)
      services.set(key, {
        name,
        firstAt: stored.firstAt,
        firstNumber: stored.firstNumber,
        incidents: stored.incidents,
      });
    else {
      s.incidents += stored.incidents;
      if (earlier(stored.firstAt, stored.firstNumber, s.firstAt, s.firstNumber)) {
        Object.assign(s, { name, firstAt: stored.firstAt, firstNumber: stored.firstNumber });
      }
    }
  }
  const recurringServices = [...services.entries()]
    .filter(([, s]) => s.incidents >= 2)
    .sort(([ka, a], [kb, b]) => b.incidents - a.incidents || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, s]) => ({ service: s.name, incidents: s.incidents }));

  const open = new Array<number>(ACTION_CATEGORIES.length).fill(0);
  const done = new Array<number>(ACTION_CATEGORIES.length).fill(0);
  let openActions = 0;
  let doneActions = 0;
  for (const a of figures.actionCounts) {
    const c = CATEGORY_INDEX.get(a.category);
    if (a.status === 'open') {
      openActions += a.count;
      if (c !== undefined) open[c]! += a.count;
    } else {
      doneActions += a.count;
      if (c !== undefined) done[c]! += a.count;
    }
  }
  const actionsByCategory = ACTION_CATEGORIES.map((category, i) => ({
    category,
    label: ACTION_CATEGORY_LABELS[category],
    open: open[i]!,
    done: done[i]!,
  }));

  // Ages fall as creation times rise (a future one counts as 0): the middle ages are the middle creation times'.
  const middle = figures.openMiddleCreatedAt;
  const age = (d: Date) => Math.max(0, toMs - d.getTime());
  const medianOpenAgeDays = middle === null ? null : Math.floor((age(middle[0]) + age(middle[1])) / 2 / DAY_MS);

  return {
    periodDays,
    from: new Date(fromMs),
    to: new Date(toMs),
    incidents: figures.incidents,
    nearMisses: figures.nearMisses,
    reviewed: figures.reviewed,
    factors,
    recurringServices,
    actionsByCategory,
    openActions,
    doneActions,
    medianOpenAgeDays,
    overdueOpen: figures.overdueOpen,
    ...(figures.trackerCounts ? { byTracker: byTracker(figures.trackerCounts) } : {}),
  };
}
