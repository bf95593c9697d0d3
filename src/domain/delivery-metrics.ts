// DORA's change failure rate and time to restore, per service and owner, for the guardrail report.
//
// - Change failure rate: of the changes to a service in the period, the share followed by an incident
//   declared on that service within CHANGE_FAILURE_WINDOW_HOURS after it (near misses are not failures).
// - Time to restore: the median (and 90th percentile) of resolved − declared over the service's
//   incidents declared in the period and resolved (near misses left out: nothing was broken).
//
// Private incidents are left out of both: a figure per service would say a private incident happened
// there. Services are compared trimmed and case-insensitively: a change's catalog name (else the name
// it came with) against an incident's affected service.

import { countsInMetrics } from './drill.ts';

export const CHANGE_FAILURE_WINDOW_HOURS = 24;
/** Services the report lists at most (those with the most incidents, then changes). */
export const DELIVERY_SERVICES_MAX = 20;

/** Teams listed at most in the guardrail report's open action items per team. */
export const TEAMS_MAX = 20;

/** A team's open action items (ActionItem.team; counted by the database, ReviewStore.openActionsByTeam). */
export interface TeamActionFigures {
  /** The team as recorded (a catalog group reference such as group:default/platform). */
  team: string;
  open: number;
  /** Of those, due before today. */
  overdue: number;
}

/** One service's figures, counted by the database (ReviewStore.deliveryFigures) or from rows (deliveryFiguresOf). */
export interface ServiceDeliveryFigures {
  /** As first seen (the lowest in code-point order of the names it was given). */
  service: string;
  /** The catalog owner (a group reference) recorded with its changes or incidents; null when none. */
  owner: string | null;
  /** Declared in the period (near misses included; private ones left out). */
  incidents: number;
  changes: number;
  /** Of those changes, the ones followed by an incident on the service within the window. */
  failedChanges: number;
  /** Incidents of the period resolved (not near misses): what the restore times are of. */
  restored: number;
  restoreMedianMs: number | null;
  restoreP90Ms: number | null;
}

export interface DeliveryIncident {
  affectedService: string | null;
  owner: string | null;
  isPrivate: boolean;
  nearMiss: boolean;
  /** An exercise: left out (countsInMetrics). Absent: not a drill. */
  drill?: boolean;
  createdAt: Date;
  resolvedAt: Date | null;
}

export interface DeliveryChange {
  /** The catalog name it matched, else the name it came with. */
  service: string;
  owner: string | null;
  occurredAt: Date;
}

/** How the database compares names: lower(btrim(name)) (btrim takes spaces only). */
const key = (s: string) => s.replace(/^ +| +$/g, '').toLowerCase();

/** The continuous percentile (PostgreSQL's percentile_cont) of sorted values; null for none. */
export function percentileCont(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/**
 * The figures of rows, for [since, until] (both included), at most `limit` services: most incidents
 * first, then most changes, then by name. What the database's aggregates must agree with.
 */
export function deliveryFiguresOf(input: {
  since: Date;
  until: Date;
  incidents: readonly DeliveryIncident[];
  changes: readonly DeliveryChange[];
  limit?: number;
}): ServiceDeliveryFigures[] {
  const from = input.since.getTime();
  const to = input.until.getTime();
  const inPeriod = (d: Date) => d.getTime() >= from && d.getTime() <= to;
  const windowMs = CHANGE_FAILURE_WINDOW_HOURS * 3600_000;
  const visible = input.incidents.filter(
    (i) =>
      !i.isPrivate &&
      countsInMetrics({ drill: i.drill ?? false }) &&
      i.affectedService &&
      key(i.affectedService) !== '',
  );
  const failuresBy = new Map<string, number[]>();
  for (const i of visible) {
    if (i.nearMiss) continue;
    const k = key(i.affectedService!);
    const list = failuresBy.get(k) ?? [];
    list.push(i.createdAt.getTime());
    failuresBy.set(k, list);
  }
  const services = new Map<string, ServiceDeliveryFigures & { restores: number[] }>();
  const entry = (name: string) => {
    const k = key(name);
    let s = services.get(k);
    if (!s) {
      s = {
        service: name,
        owner: null,
        incidents: 0,
        changes: 0,
        failedChanges: 0,
        restored: 0,
        restoreMedianMs: null,
        restoreP90Ms: null,
        restores: [],
      };
      services.set(k, s);
    } else if (name < s.service) s.service = name;
    return s;
  };
  const owners = new Map<string, { changes: (string | null)[]; incidents: (string | null)[] }>();
  const ownerOf = (k: string) => {
    let o = owners.get(k);
    if (!o) {
      o = { changes: [], incidents: [] };
      owners.set(k, o);
    }
    return o;
  };
  for (const c of input.changes) {
    if (!inPeriod(c.occurredAt) || key(c.service) === '') continue;
    const s = entry(c.service);
    s.changes += 1;
    ownerOf(key(c.service)).changes.push(c.owner);
    const t = c.occurredAt.getTime();
    if ((failuresBy.get(key(c.service)) ?? []).some((at) => at > t && at <= t + windowMs)) s.failedChanges += 1;
  }
  for (const i of visible) {
    if (!inPeriod(i.createdAt)) continue;
    const s = entry(i.affectedService!);
    s.incidents += 1;
    ownerOf(key(i.affectedService!)).incidents.push(i.owner);
    if (!i.nearMiss && i.resolvedAt) {
      s.restored += 1;
      s.restores.push(i.resolvedAt.getTime() - i.createdAt.getTime());
    }
  }
  // The owner: the greatest recorded with its changes, else with its incidents (as max() in SQL).
  const greatest = (list: (string | null)[]) =>
    list.filter((o): o is string => o !== null).reduce<string | null>((a, b) => (a === null || b > a ? b : a), null);
  return [...services.entries()]
    .map(([k, { restores, ...s }]) => {
      const sorted = restores.sort((a, b) => a - b);
      const o = ownerOf(k);
      return {
        ...s,
        owner: greatest(o.changes) ?? greatest(o.incidents),
        restoreMedianMs: percentileCont(sorted, 0.5),
        restoreP90Ms: percentileCont(sorted, 0.9),
      };
    })
    .sort(
      (a, b) =>
        b.incidents - a.incidents ||
        b.changes - a.changes ||
        (key(a.service) < key(b.service) ? -1 : key(a.service) > key(b.service) ? 1 : 0),
    )
    .slice(0, input.limit ?? DELIVERY_SERVICES_MAX);
}

export interface ServiceDelivery extends ServiceDeliveryFigures {
  /** failedChanges ÷ changes; null without changes. */
  changeFailureRate: number | null;
}

export interface OwnerDelivery {
  /** The owner reference; null: services without an owner. */
  owner: string | null;
  /** For people to read: the group's title, else the reference's name; "No owner" for null. */
  label: string;
  incidents: number;
  changes: number;
  failedChanges: number;
  changeFailureRate: number | null;
  services: ServiceDelivery[];
}

const rate = (failed: number, changes: number) => (changes > 0 ? failed / changes : null);

/** The name part of an entity reference: `group:default/platform` → `platform`. */
export function refName(ref: string): string {
  return ref.replace(/^[^:]*:/, '').replace(/^[^/]*\//, '');
}

/**
 * The figures grouped by owner (most incidents first, then most changes, then by label; "No owner"
 * last), each owner's services in the order given. `labels`: owner reference → title.
 */
export function deliveryByOwner(
  figures: readonly ServiceDeliveryFigures[],
  labels: ReadonlyMap<string, string> = new Map(),
): OwnerDelivery[] {
  const groups = new Map<string | null, OwnerDelivery>();
  for (const f of figures) {
    let g = groups.get(f.owner);
    if (!g) {
      g = {
        owner: f.owner,
        label: f.owner === null ? 'No owner' : (labels.get(f.owner) ?? refName(f.owner)),
        incidents: 0,
        changes: 0,
        failedChanges: 0,
        changeFailureRate: null,
        services: [],
      };
      groups.set(f.owner, g);
    }
    g.incidents += f.incidents;
    g.changes += f.changes;
    g.failedChanges += f.failedChanges;
    g.services.push({ ...f, changeFailureRate: rate(f.failedChanges, f.changes) });
  }
  return [...groups.values()]
    .map((g) => ({ ...g, changeFailureRate: rate(g.failedChanges, g.changes) }))
    .sort(
      (a, b) =>
        Number(a.owner === null) - Number(b.owner === null) ||
        b.incidents - a.incidents ||
        b.changes - a.changes ||
        (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
    );
}
