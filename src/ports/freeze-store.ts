import type { ChangeFreeze, FreezeOverride } from '../domain/changes.ts';
import type { ActiveFreeze } from '../domain/freeze.ts';
import type { NewTimelineEntry } from '../domain/timeline.ts';

/** An override with what may be said of its incident outside it. */
export type OverrideWithIncident = FreezeOverride & { incidentNumber: number; incidentPrivate: boolean };

/**
 * Change freezes and their overrides (the database in production). Every write is on the incident's
 * audit trail, with its timeline entry, in one transaction. A manual freeze is in force while it is
 * not ended and its incident is active: resolving (or closing) the incident ends it without another
 * write, and reopening the incident brings it back unless it was lifted.
 */
export interface FreezeStore {
  /** Records a freeze with its timeline entry. */
  start(freeze: Omit<ChangeFreeze, 'id' | 'endedBy' | 'endedAt'>, entry: NewTimelineEntry): Promise<ChangeFreeze>;
  /**
   * Ends the incident's freezes in force of `scope` (null: all of them), with one timeline entry
   * (`entry` is given those ended). None in force: [] and nothing written.
   */
  end(
    incidentId: string,
    scope: string | null,
    ended: { by: string; at: Date },
    entry: (ended: ChangeFreeze[]) => NewTimelineEntry,
  ): Promise<ChangeFreeze[]>;
  /** The incident's freezes not ended (oldest first) and its overrides not used. */
  ofIncident(incidentId: string): Promise<{ freezes: ChangeFreeze[]; overrides: FreezeOverride[] }>;
  /**
   * The freezes in force that cover `service` (any case; null: every freeze in force): the manual
   * ones of active incidents, and every SEV1 incident's freeze (Incident.freezeActive).
   */
  activeFor(service: string | null): Promise<ActiveFreeze[]>;
  /** The override the next deployment of `service` would use (oldest unused, of an active incident), without using it. */
  nextOverride(service: string): Promise<OverrideWithIncident | null>;
  /** Records an override with its timeline entry. */
  createOverride(
    override: Omit<FreezeOverride, 'id' | 'usedAt' | 'usedBy'>,
    entry: NewTimelineEntry,
  ): Promise<FreezeOverride>;
  /**
   * Lets the deployment `ref` (e.g. `github deployment 123`) through on one override of `service`,
   * atomically: of deployments racing for one override exactly one gets it, and a deployment that
   * used one already (a redelivery) gets that one again (`fresh` false) and uses no other. The
   * override records `usedBy` (`<ref> (…)`) and its incident's timeline gets `entry`. Null when
   * there is no unused override of an active incident.
   */
  useOverride(
    use: { service: string; ref: string; usedBy: string; at: Date },
    entry: (o: OverrideWithIncident) => NewTimelineEntry,
  ): Promise<{ override: OverrideWithIncident; fresh: boolean } | null>;
  /** The override the deployment `ref` used, or null. */
  overrideUsedBy(ref: string): Promise<OverrideWithIncident | null>;
  /**
   * Writes `entry` on each incident's timeline (a flagged change, a rejected deployment), in one
   * transaction. With `once`, not on a timeline that has an entry of its kind with that key already
   * (a redelivered webhook). Returns the incidents it was written on.
   */
  addEntries(incidentIds: readonly string[], entry: NewTimelineEntry, once?: string): Promise<string[]>;
}
