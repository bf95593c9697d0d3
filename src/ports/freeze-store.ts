import type { ChangeFreeze, FreezeOverride } from '../domain/changes.ts';
import type { ActiveFreeze } from '../domain/freeze.ts';
import type { NewTimelineEntry } from '../domain/timeline.ts';

/** An override with what may be said of its incident outside it. */
export type OverrideWithIncident = FreezeOverride & { incidentNumber: number; incidentPrivate: boolean };

/**
 * Change freezes and their overrides (the database in production). Every write is on the incident's
 * audit trail, with its timeline entry, in one transaction. A manual freeze is in force while it is
 * not ended and its incident is active: resolving (or closing) the incident ends it (the freeze
 * feature's after-commit hook writes that; should it fail, the background sweep does, and a reopen
 * ends what is still open before it is recorded; the active check here is the safety net meanwhile),
 * so reopening never brings it back.
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
  /**
   * Ends the freezes still open of an incident that is resolved or closed (nothing while it is
   * active), with one timeline entry (`entry` is given those ended): what resolving or closing does
   * (the after-commit hook), the background sweep, and a reopen before it is recorded.
   */
  endOfEndedIncident(
    incidentId: string,
    ended: { by: string; at: Date },
    entry: (ended: ChangeFreeze[]) => NewTimelineEntry,
  ): Promise<ChangeFreeze[]>;
  /** Incidents resolved or closed that still have a freeze not ended (at most `limit`): for the background sweep. */
  endedIncidentsWithOpenFreezes(limit: number): Promise<string[]>;
  /**
   * The incident's freezes not ended (oldest first) and its overrides not used (oldest first), at
   * most `limit` of each: for the pinned summary (whether they are in force is the incident's status).
   */
  openOfIncident(incidentId: string, limit: number): Promise<{ freezes: ChangeFreeze[]; overrides: FreezeOverride[] }>;
  /** The incident's freezes not ended (oldest first) and its overrides not used. */
  ofIncident(incidentId: string): Promise<{ freezes: ChangeFreeze[]; overrides: FreezeOverride[] }>;
  /**
   * The freezes in force that cover `service` (any case; null: every freeze in force), or its
   * `system` (a freeze on a System covers its components): the manual ones of active incidents, and
   * every SEV1 incident's freeze (Incident.freezeActive), which started when the incident last
   * became SEV1 (else when it was declared).
   */
  activeFor(service: string | null, system?: string | null): Promise<ActiveFreeze[]>;
  /**
   * The overrides the next deployment of `service` would use, without using them: one per incident
   * whose freeze covers it (domain/freeze.ts overridesLettingThrough); null when any such incident
   * has no unused override still valid, or nothing freezes it.
   */
  nextOverrides(service: string, system?: string | null): Promise<OverrideWithIncident[] | null>;
  /** Records an override with its timeline entry. */
  createOverride(
    override: Omit<FreezeOverride, 'id' | 'usedAt' | 'usedBy'>,
    entry: NewTimelineEntry,
  ): Promise<FreezeOverride>;
  /**
   * Lets the deployment `ref` (e.g. `github deployment 123`) through the freezes on `service`,
   * atomically: only if EVERY incident whose freeze covers it has an unused override of it still
   * valid, and then one of each is used (all or none). Of deployments racing for one override exactly
   * one gets it, and a deployment that used some already (a redelivery) gets those again (`fresh`
   * false) and uses no other (only those
   * of this service or its System: a change of another service naming the same `ref` is evaluated
   * afresh, never lent them). Each override records `usedBy` (`<ref> (…)`) and its incident's
   * timeline gets `entry`. Null when the deployment is not let through (nothing is written).
   */
  useOverrides(
    use: { service: string; system?: string | null; ref: string; usedBy: string; at: Date },
    entry: (o: OverrideWithIncident) => NewTimelineEntry,
  ): Promise<{ overrides: OverrideWithIncident[]; fresh: boolean } | null>;
  /** The overrides the deployment `ref` used (oldest first), or []. */
  overridesUsedBy(ref: string): Promise<OverrideWithIncident[]>;
  /**
   * Writes `entry` on each incident's timeline (a flagged change, a rejected deployment), in one
   * transaction. With `once`, not on a timeline that has an entry of its kind with that key already
   * (a redelivered webhook; concurrent deliveries take turns on the key, so one writes). Returns the
   * incidents it was written on.
   */
  addEntries(incidentIds: readonly string[], entry: NewTimelineEntry, once?: string): Promise<string[]>;
}
