import { ALL_SERVICES, type ChangeFreeze, type FreezeOverride } from '../domain/changes.ts';
import {
  coveringIncidents,
  freezeCovers,
  freezesOn,
  freezingIncidents,
  overridesLettingThrough,
  type ActiveFreeze,
} from '../domain/freeze.ts';
import type { NewTimelineEntry } from '../domain/timeline.ts';
import type { FreezeStore, OverrideWithIncident } from '../ports/freeze-store.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { auditedTransaction } from './audited.ts';

type Tx = Prisma.TransactionClient;

function toFreeze(r: ChangeFreeze): ChangeFreeze {
  return {
    id: r.id,
    incidentId: r.incidentId,
    scope: r.scope,
    reason: r.reason,
    startedBy: r.startedBy,
    startedAt: r.startedAt,
    endedBy: r.endedBy,
    endedAt: r.endedAt,
  };
}

function toOverride(r: FreezeOverride): FreezeOverride {
  return {
    id: r.id,
    incidentId: r.incidentId,
    service: r.service,
    reason: r.reason,
    approvedBy: r.approvedBy,
    createdAt: r.createdAt,
    usedAt: r.usedAt,
    usedBy: r.usedBy,
  };
}

function entryData(incidentId: string, entry: NewTimelineEntry) {
  return {
    incidentId,
    occurredAt: entry.occurredAt,
    kind: entry.kind,
    actorId: entry.actorId,
    text: entry.text,
    ...(entry.data ? { data: entry.data as Prisma.InputJsonObject } : {}),
  };
}

/** An incident that is not resolved or closed (domain/lifecycle.ts: isActive), on `incident i`. */
const ACTIVE = Prisma.sql`i.status NOT IN ('RESOLVED', 'CLOSED')`;

/** An override's columns under the names of OverrideWithIncident, on `freeze_override o JOIN incident i`. */
const OVERRIDE_ROW = Prisma.sql`o.id::text AS "id", o.incident_id::text AS "incidentId", o.service, o.reason,
  o.approved_by AS "approvedBy", o.created_at AS "createdAt", o.used_at AS "usedAt", o.used_by AS "usedBy",
  i.number AS "incidentNumber", i.is_private AS "incidentPrivate"`;

/** What the deployment `ref` wrote on the override it used: `ref` itself, or `ref (…)`. */
const usedByRef = (ref: string) => Prisma.sql`(o.used_by = ${ref} OR starts_with(o.used_by, ${`${ref} (`}))`;

/** Whether an override (of a service) is one of `service`: the same name, or its System's (any case). */
function overrideCovers(o: Pick<FreezeOverride, 'service'>, service: string, system: string | null): boolean {
  return o.service !== ALL_SERVICES && freezeCovers({ scope: o.service }, service, system);
}

/** Change freezes and overrides in tables change_freeze and freeze_override (audited with their incident). */
export class PrismaFreezeStore implements FreezeStore {
  private readonly prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.prisma = prisma;
  }

  async start(freeze: Omit<ChangeFreeze, 'id' | 'endedBy' | 'endedAt'>, entry: NewTimelineEntry) {
    return auditedTransaction(this.prisma, async (tx) => {
      const row = await tx.changeFreeze.create({ data: freeze });
      await tx.timelineEntry.create({
        data: entryData(freeze.incidentId, { ...entry, data: { ...entry.data, freezeId: row.id } }),
      });
      return toFreeze(row);
    });
  }

  async end(
    incidentId: string,
    scope: string | null,
    ended: { by: string; at: Date },
    entry: (ended: ChangeFreeze[]) => NewTimelineEntry,
  ) {
    return auditedTransaction(this.prisma, async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        UPDATE change_freeze SET ended_by = ${ended.by}, ended_at = ${ended.at}
         WHERE incident_id = ${incidentId}::uuid AND ended_at IS NULL
           AND (${scope}::text IS NULL OR lower(scope) = lower(${scope}::text))
        RETURNING id::text AS id`;
      if (!rows.length) return [];
      const freezes = (
        await tx.changeFreeze.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { startedAt: 'asc' } })
      ).map(toFreeze);
      const e = entry(freezes);
      await tx.timelineEntry.create({
        data: entryData(incidentId, { ...e, data: { ...e.data, freezeIds: freezes.map((f) => f.id) } }),
      });
      return freezes;
    });
  }

  async endOfEndedIncident(
    incidentId: string,
    ended: { by: string; at: Date },
    entry: (ended: ChangeFreeze[]) => NewTimelineEntry,
  ) {
    return auditedTransaction(this.prisma, async (tx) => {
      // The incident's row is locked: a reopen racing this waits, then finds them ended.
      const inactive = await tx.$queryRaw<unknown[]>`
        SELECT 1 FROM incident i WHERE i.id = ${incidentId}::uuid AND NOT (${ACTIVE}) FOR UPDATE`;
      if (!inactive.length) return [];
      const rows = await tx.$queryRaw<{ id: string }[]>`
        UPDATE change_freeze SET ended_by = ${ended.by}, ended_at = ${ended.at}
         WHERE incident_id = ${incidentId}::uuid AND ended_at IS NULL
        RETURNING id::text AS id`;
      if (!rows.length) return [];
      const freezes = (
        await tx.changeFreeze.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { startedAt: 'asc' } })
      ).map(toFreeze);
      const e = entry(freezes);
      await tx.timelineEntry.create({
        data: entryData(incidentId, { ...e, data: { ...e.data, freezeIds: freezes.map((f) => f.id) } }),
      });
      return freezes;
    });
  }

  async endedIncidentsWithOpenFreezes(limit: number) {
    // Open freezes are few (the (ended_at, scope) index finds them); bounded all the same.
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT DISTINCT f.incident_id::text AS id FROM change_freeze f JOIN incident i ON i.id = f.incident_id
       WHERE f.ended_at IS NULL AND NOT (${ACTIVE})
       LIMIT ${limit}`;
    return rows.map((r) => r.id);
  }

  async openOfIncident(incidentId: string, limit: number) {
    const [freezes, overrides] = await Promise.all([
      this.prisma.changeFreeze.findMany({
        where: { incidentId, endedAt: null },
        orderBy: { startedAt: 'asc' },
        take: limit,
      }),
      this.prisma.freezeOverride.findMany({
        where: { incidentId, usedAt: null },
        orderBy: { createdAt: 'asc' },
        take: limit,
      }),
    ]);
    return { freezes: freezes.map(toFreeze), overrides: overrides.map(toOverride) };
  }

  async ofIncident(incidentId: string) {
    const [freezes, overrides] = await Promise.all([
      this.prisma.changeFreeze.findMany({ where: { incidentId, endedAt: null }, orderBy: { startedAt: 'asc' } }),
      this.prisma.freezeOverride.findMany({ where: { incidentId, usedAt: null }, orderBy: { createdAt: 'asc' } }),
    ]);
    return { freezes: freezes.map(toFreeze), overrides: overrides.map(toOverride) };
  }

  async activeFor(service: string | null, system: string | null = null): Promise<ActiveFreeze[]> {
    return this.active(this.prisma, service, system);
  }

  private async active(tx: Tx | PrismaClient, service: string | null, system: string | null): Promise<ActiveFreeze[]> {
    return tx.$queryRaw<ActiveFreeze[]>`
      SELECT 'manual' AS origin, f.id::text AS "freezeId", i.id::text AS "incidentId", i.number AS "incidentNumber",
             i.is_private AS "incidentPrivate", i.channel_id AS "incidentChannelId", f.scope, f.reason,
             f.started_by AS "startedBy", f.started_at AS "startedAt"
        FROM change_freeze f JOIN incident i ON i.id = f.incident_id
       WHERE f.ended_at IS NULL AND ${ACTIVE}
         AND (${service}::text IS NULL OR f.scope = '*' OR lower(f.scope) = lower(${service}::text)
              OR lower(f.scope) = lower(${system}::text))
      UNION ALL
      -- A SEV1 freeze started when it was last (re)started: the incident became SEV1 (change-severity.ts
      -- writes severity_changed with data.to) or was reopened at SEV1 (reopen-incident.ts writes
      -- status_changed with data.reopened; a reopen below SEV1 is followed by the escalation that
      -- froze it), else when it was declared SEV1.
      SELECT 'sev1', NULL, i.id::text, i.number, i.is_private, i.channel_id, '*', i.title, i.declared_by,
             COALESCE((SELECT max(t.occurred_at) FROM timeline_entry t
                        WHERE t.incident_id = i.id AND t.kind IN ('severity_changed', 'status_changed')
                          AND ((t.kind = 'severity_changed' AND t.data->>'to' = 'SEV1')
                               OR (t.kind = 'status_changed' AND t.data->>'reopened' = 'true'))),
                      i.created_at)
        FROM incident i
       -- freeze_active holds only of an active SEV1 (domain/lifecycle.ts: freezeApplies): said again so
       -- the (status, severity) index finds them without reading every incident.
       WHERE i.status IN ('DECLARED', 'INVESTIGATING', 'IDENTIFIED', 'MONITORING') AND i.severity = 'SEV1' AND i.freeze_active
      ORDER BY "startedAt", "incidentNumber"`;
  }

  async nextOverrides(service: string, system: string | null = null) {
    const covering = freezesOn(await this.active(this.prisma, service, system), service, system);
    if (!covering.length) return null;
    const ids = freezingIncidents(covering);
    const unused = await this.prisma.$queryRaw<OverrideWithIncident[]>`
      SELECT ${OVERRIDE_ROW} FROM freeze_override o JOIN incident i ON i.id = o.incident_id
       WHERE lower(o.service) = lower(${service}) AND o.used_at IS NULL
         AND o.incident_id::text IN (${Prisma.join(ids)})
       ORDER BY o.created_at, o.id`;
    return overridesLettingThrough(covering, unused);
  }

  async createOverride(override: Omit<FreezeOverride, 'id' | 'usedAt' | 'usedBy'>, entry: NewTimelineEntry) {
    return auditedTransaction(this.prisma, async (tx) => {
      const row = await tx.freezeOverride.create({ data: override });
      await tx.timelineEntry.create({
        data: entryData(override.incidentId, { ...entry, data: { ...entry.data, overrideId: row.id } }),
      });
      return toOverride(row);
    });
  }

  async useOverrides(
    use: { service: string; system?: string | null; ref: string; usedBy: string; at: Date },
    entry: (o: OverrideWithIncident) => NewTimelineEntry,
  ) {
    const system = use.system ?? null;
    return auditedTransaction(this.prisma, async (tx) => {
      // One deployment at a time per reference (a redelivery racing the first delivery waits for it,
      // then finds the overrides it used); different deployments race on the rows below.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`freeze override ${use.ref}`}, 0))`;
      // Only those of this service (or its System): a change naming another deployment's id
      // (POST /changes with its github_deployment_id) does not borrow that deployment's overrides.
      const used = (await this.usedBy(tx, use.ref)).filter((o) => overrideCovers(o, use.service, system));
      if (used.length) return { overrides: used, fresh: false };
      // Every incident freezing the service must give one (domain/freeze.ts overridesLettingThrough).
      const covering = freezesOn(await this.active(tx, use.service, system), use.service, system);
      const incidents = coveringIncidents(covering);
      if (!incidents.length) return null;
      // For each, its oldest unused override still valid, locked; a row another deployment holds is
      // skipped, and one it used meanwhile no longer matches: each override goes to exactly one
      // deployment. One missing: none is used (the locks go with the transaction; nothing written).
      const ids: string[] = [];
      for (const { incidentId, since } of incidents) {
        const row = await tx.$queryRaw<{ id: string }[]>`
          SELECT o.id::text AS id FROM freeze_override o
           WHERE o.incident_id = ${incidentId}::uuid AND lower(o.service) = lower(${use.service})
             AND o.used_at IS NULL AND o.created_at >= ${since}
           ORDER BY o.created_at, o.id LIMIT 1
           FOR UPDATE SKIP LOCKED`;
        if (!row[0]) return null;
        ids.push(row[0].id);
      }
      const overrides: OverrideWithIncident[] = [];
      for (const id of ids) {
        await tx.$executeRaw`
          UPDATE freeze_override SET used_at = ${use.at}, used_by = ${use.usedBy} WHERE id = ${id}::uuid AND used_at IS NULL`;
        const override = (await this.overrideById(tx, id))!;
        const e = entry(override);
        await tx.timelineEntry.create({
          data: entryData(override.incidentId, { ...e, data: { ...e.data, overrideId: override.id } }),
        });
        overrides.push(override);
      }
      return { overrides, fresh: true };
    });
  }

  async overridesUsedBy(ref: string) {
    return this.usedBy(this.prisma, ref);
  }

  private async usedBy(tx: Tx | PrismaClient, ref: string): Promise<OverrideWithIncident[]> {
    return tx.$queryRaw<OverrideWithIncident[]>`
      SELECT ${OVERRIDE_ROW} FROM freeze_override o JOIN incident i ON i.id = o.incident_id
       WHERE o.used_at IS NOT NULL AND ${usedByRef(ref)}
       ORDER BY o.used_at, o.created_at, o.id`;
  }

  private async overrideById(tx: Tx, id: string): Promise<OverrideWithIncident | null> {
    const rows = await tx.$queryRaw<OverrideWithIncident[]>`
      SELECT ${OVERRIDE_ROW} FROM freeze_override o JOIN incident i ON i.id = o.incident_id WHERE o.id = ${id}::uuid`;
    return rows[0] ?? null;
  }

  async addEntries(incidentIds: readonly string[], entry: NewTimelineEntry, once?: string) {
    if (!incidentIds.length) return [];
    return auditedTransaction(this.prisma, async (tx) => {
      // Concurrent deliveries of one key take turns: the second sees what the first wrote.
      if (once !== undefined)
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`freeze entry ${entry.kind} ${once}`}, 0))`;
      const written: string[] = [];
      for (const id of incidentIds) {
        if (once !== undefined) {
          const seen = await tx.$queryRaw<unknown[]>`
            SELECT 1 FROM timeline_entry
             WHERE incident_id = ${id}::uuid AND kind = ${entry.kind} AND data->>'once' = ${once} LIMIT 1`;
          if (seen.length) continue;
        }
        await tx.timelineEntry.create({
          data: entryData(id, once === undefined ? entry : { ...entry, data: { ...entry.data, once } }),
        });
        written.push(id);
      }
      return written;
    });
  }
}
