// The guardrail report: what incidents keep teaching us, and whether the backlog of fixes moves.
import { calendarDate, type ActionStatus } from './action-items.ts';
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
}

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
}

const DAY_MS = 24 * 3600_000;
const FACTOR_INDEX = new Map<string, number>(CONTRIBUTING_FACTORS.map((f, i) => [f, i]));
const CATEGORY_INDEX = new Map<string, number>(ACTION_CATEGORIES.map((c, i) => [c, i]));

/**
 * The report for the `periodDays` up to `now`. Pure and deterministic (the order of the input does
 * not matter); one pass over incidents and actions, plus a sort of the open actions' ages.
 */
export function guardrailReport(input: {
  now: Date;
  periodDays: number;
  timeZone: string;
  incidents: readonly GuardrailIncident[];
  actions: readonly GuardrailAction[];
}): GuardrailReport {
  const { now, periodDays, timeZone } = input;
  const toMs = now.getTime();
  const fromMs = toMs - periodDays * DAY_MS;
  const today = calendarDate(now, timeZone);
  const inPeriod = (d: Date) => {
    const t = d.getTime();
    return t >= fromMs && t <= toMs;
  };

  // Incidents.
  let incidents = 0;
  let nearMisses = 0;
  let reviewed = 0;
  const factorCounts = new Array<number>(CONTRIBUTING_FACTORS.length).fill(0);
  const seen = new Array<number>(CONTRIBUTING_FACTORS.length).fill(-1); // last incident (index) that counted each factor
  // Per service (trimmed, lower case): the name of its earliest incident (lowest number on a tie).
  const services = new Map<string, { name: string; firstAt: number; firstNumber: number; incidents: number }>();
  input.incidents.forEach((incident, i) => {
    if (!inPeriod(incident.createdAt)) return;
    incidents += 1;
    if (incident.nearMiss) nearMisses += 1;
    if (incident.reviewed && incident.factors.length > 0) reviewed += 1;
    for (const factor of incident.factors) {
      const f = FACTOR_INDEX.get(factor);
      if (f === undefined || seen[f] === i) continue;
      seen[f] = i;
      factorCounts[f]! += 1;
    }
    const name = incident.affectedService?.trim() ?? '';
    if (name !== '') {
      const key = name.toLowerCase();
      const at = incident.createdAt.getTime();
      const s = services.get(key);
      if (!s) services.set(key, { name, firstAt: at, firstNumber: incident.number, incidents: 1 });
      else {
        s.incidents += 1;
        if (at < s.firstAt || (at === s.firstAt && incident.number < s.firstNumber)) {
          Object.assign(s, { name, firstAt: at, firstNumber: incident.number });
        }
      }
    }
  });

  const factors = CONTRIBUTING_FACTORS.map((factor, i) => ({
    factor,
    label: CONTRIBUTING_FACTOR_LABELS[factor],
    count: factorCounts[i]!,
  }))
    .filter((f) => f.count > 0)
    .sort((a, b) => b.count - a.count || FACTOR_INDEX.get(a.factor)! - FACTOR_INDEX.get(b.factor)!);

  const recurringServices = [...services.entries()]
    .filter(([, s]) => s.incidents >= 2)
    .sort(([ka, a], [kb, b]) => b.incidents - a.incidents || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, s]) => ({ service: s.name, incidents: s.incidents }));

  // Actions.
  const open = new Array<number>(ACTION_CATEGORIES.length).fill(0);
  const done = new Array<number>(ACTION_CATEGORIES.length).fill(0);
  let openActions = 0;
  let doneActions = 0;
  let overdueOpen = 0;
  const openAges: number[] = [];
  for (const action of input.actions) {
    const isOpen = action.status === 'open';
    if (isOpen) {
      openAges.push(Math.max(0, toMs - action.createdAt.getTime()));
      if (action.due !== null && action.due < today) overdueOpen += 1;
    }
    if (!inPeriod(action.createdAt)) continue;
    const c = CATEGORY_INDEX.get(action.category);
    if (isOpen) {
      openActions += 1;
      if (c !== undefined) open[c]! += 1;
    } else {
      doneActions += 1;
      if (c !== undefined) done[c]! += 1;
    }
  }
  const actionsByCategory = ACTION_CATEGORIES.map((category, i) => ({
    category,
    label: ACTION_CATEGORY_LABELS[category],
    open: open[i]!,
    done: done[i]!,
  }));

  return {
    periodDays,
    from: new Date(fromMs),
    to: new Date(toMs),
    incidents,
    nearMisses,
    reviewed,
    factors,
    recurringServices,
    actionsByCategory,
    openActions,
    doneActions,
    medianOpenAgeDays: medianDays(openAges),
    overdueOpen,
  };
}

/** Median of ages in ms (mean of the two middle ones for an even count), in whole days rounded down. */
function medianDays(agesMs: number[]): number | null {
  if (agesMs.length === 0) return null;
  const sorted = Float64Array.from(agesMs).sort();
  const mid = sorted.length >> 1;
  const ms = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.floor(ms / DAY_MS);
}
