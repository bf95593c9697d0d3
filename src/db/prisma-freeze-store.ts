import type { ChangeFreeze, FreezeOverride } from '../domain/changes.ts';
import type { ActiveFreeze } from '../domain/freeze.ts';
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

  async ofIncident(incidentId: string) {
    const [freezes, overrides] = await Promise.all([
      this.prisma.changeFreeze.findMany({ where: { incidentId, endedAt: null }, orderBy: { startedAt: 'asc' } }),
      this.prisma.freezeOverride.findMany({ where: { incidentId, usedAt: null }, orderBy: { createdAt: 'asc' } }),
    ]);
    return { freezes: freezes.map(toFreeze), overrides: overrides.map(toOverride) };
  }

  async activeFor(service: string | null): Promise<ActiveFreeze[]> {
    return this.prisma.$queryRaw<ActiveFreeze[]>`
      SELECT 'manual' AS origin, f.id::text AS "freezeId", i.id::text AS "incidentId", i.number AS "incidentNumber",
             i.is_private AS "incidentPrivate", i.channel_id AS "incidentChannelId", f.scope, f.reason,
             f.started_by AS "startedBy", f.started_at AS "startedAt"
        FROM change_freeze f JOIN incident i ON i.id = f.incident_id
       WHERE f.ended_at IS NULL AND ${ACTIVE}
         AND (${service}::text IS NULL OR f.scope = '*' OR lower(f.scope) = lower(${service}::text))
      UNION ALL
      SELECT 'sev1', NULL, i.id::text, i.number, i.is_private, i.channel_id, '*', i.title, i.declared_by, i.created_at
        FROM incident i
       -- freeze_active holds only of an active SEV1 (domain/lifecycle.ts: freezeApplies): said again so
       -- the (status, severity) index finds them without reading every incident.
       WHERE i.status IN ('DECLARED', 'INVESTIGATING', 'IDENTIFIED', 'MONITORING') AND i.severity = 'SEV1' AND i.freeze_active
      ORDER BY "startedAt", "incidentNumber"`;
  }

  async nextOverride(service: string) {
    const rows = await this.prisma.$queryRaw<OverrideWithIncident[]>`
      SELECT ${OVERRIDE_ROW} FROM freeze_override o JOIN incident i ON i.id = o.incident_id
       WHERE lower(o.service) = lower(${service}) AND o.used_at IS NULL AND ${ACTIVE}
       ORDER BY o.created_at, o.id LIMIT 1`;
    return rows[0] ?? null;
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

  async useOverride(
    use: { service: string; ref: string; usedBy: string; at: Date },
    entry: (o: OverrideWithIncident) => NewTimelineEntry,
  ) {
    return auditedTransaction(this.prisma, async (tx) => {
      // One deployment at a time per reference (a redelivery racing the first delivery waits for it,
      // then finds the override it used); different deployments race on the rows below.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`freeze override ${use.ref}`}, 0))`;
      const used = await this.usedBy(tx, use.ref);
      if (used) return { override: used, fresh: false };
      // The oldest unused override, locked; a row another deployment holds is skipped, and one it
      // used meanwhile no longer matches: each override goes to exactly one deployment.
      const taken = await tx.$queryRaw<{ id: string }[]>`
        UPDATE freeze_override SET used_at = ${use.at}, used_by = ${use.usedBy}
         WHERE id = (
           SELECT o.id FROM freeze_override o JOIN incident i ON i.id = o.incident_id
            WHERE lower(o.service) = lower(${use.service}) AND o.used_at IS NULL AND ${ACTIVE}
            ORDER BY o.created_at, o.id LIMIT 1
            FOR UPDATE OF o SKIP LOCKED)
           AND used_at IS NULL
        RETURNING id::text AS id`;
      if (!taken[0]) return null;
      const override = (await this.overrideById(tx, taken[0].id))!;
      const e = entry(override);
      await tx.timelineEntry.create({
        data: entryData(override.incidentId, { ...e, data: { ...e.data, overrideId: override.id } }),
      });
      return { override, fresh: true };
    });
  }

  async overrideUsedBy(ref: string) {
    return this.usedBy(this.prisma, ref);
  }

  private async usedBy(tx: Tx | PrismaClient, ref: string): Promise<OverrideWithIncident | null> {
    const rows = await tx.$queryRaw<OverrideWithIncident[]>`
      SELECT ${OVERRIDE_ROW} FROM freeze_override o JOIN incident i ON i.id = o.incident_id
       WHERE o.used_at IS NOT NULL AND ${usedByRef(ref)}
       ORDER BY o.used_at LIMIT 1`;
    return rows[0] ?? null;
  }

  private async overrideById(tx: Tx, id: string): Promise<OverrideWithIncident | null> {
    const rows = await tx.$queryRaw<OverrideWithIncident[]>`
      SELECT ${OVERRIDE_ROW} FROM freeze_override o JOIN incident i ON i.id = o.incident_id WHERE o.id = ${id}::uuid`;
    return rows[0] ?? null;
  }

  async addEntries(incidentIds: readonly string[], entry: NewTimelineEntry, once?: string) {
    if (!incidentIds.length) return [];
    return auditedTransaction(this.prisma, async (tx) => {
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
