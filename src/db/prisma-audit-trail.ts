import { chainProblems, type ChainEntry } from '../domain/audit-chain.ts';
import type { AuditProblem, AuditRecord, AuditTrail, AuditVerification } from '../ports/audit-trail.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

type Json = Record<string, unknown> | null;

export class PrismaAuditTrail implements AuditTrail {
  constructor(private readonly prisma: PrismaClient) {}

  async entries(incidentId: string): Promise<AuditRecord[]> {
    const rows = await this.prisma.$queryRaw<
      { seq: number; at: Date; actor: string; via: string; action: string; row_key: string; before: Json; after: Json; prev_hash: string; hash: string }[]
    >`SELECT seq, at, actor, via, action, row_key, before, after, prev_hash, hash
        FROM audit_entry WHERE incident_id = ${incidentId}::uuid ORDER BY seq, id`;
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      via: r.via,
      action: r.action,
      rowKey: r.row_key,
      before: r.before,
      after: r.after,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  async verify(incidentId?: string): Promise<AuditVerification> {
    const problems: AuditProblem[] = [];
    // Every incident with a chain, a head, or neither (declared since the trail began: `audited`).
    const subjects = await this.prisma.$queryRaw<{ id: string; number: number | null; head_seq: number | null; head_hash: string | null; missing_trail: boolean }[]>`
      WITH ids AS (
        SELECT id FROM incident UNION SELECT incident_id FROM audit_head UNION SELECT DISTINCT incident_id FROM audit_entry
      )
      SELECT ids.id::text AS id, i.number, h.seq AS head_seq, h.hash AS head_hash,
             (h.incident_id IS NULL AND i.audited IS TRUE) AS missing_trail
        FROM ids
        LEFT JOIN incident i ON i.id = ids.id
        LEFT JOIN audit_head h ON h.incident_id = ids.id
       WHERE ${incidentId ?? null}::uuid IS NULL OR ids.id = ${incidentId ?? null}::uuid
       ORDER BY i.number NULLS LAST, ids.id`;
    let entries = 0;
    for (const s of subjects) {
      const chain = await this.prisma.$queryRaw<(ChainEntry & { action: string })[]>`
        SELECT seq, prev_hash AS "prevHash", hash, action,
               audit_canonical(incident_id, seq, at, actor, via, action, row_key, before, after) AS canonical
          FROM audit_entry WHERE incident_id = ${s.id}::uuid ORDER BY seq, id`;
      entries += chain.length;
      const head = s.head_seq === null || s.head_hash === null ? null : { seq: s.head_seq, hash: s.head_hash };
      const found = chainProblems(chain, head);
      if (s.missing_trail) found.push('the incident has no audit trail');
      if (s.number === null && chain.length > 0 && chain.at(-1)!.action !== 'incident.delete') {
        found.push('the incident is gone, but no deletion was recorded');
      }
      for (const problem of found) problems.push({ incidentId: s.id, number: s.number, problem });
    }
    return { incidents: subjects.length, entries, problems };
  }
}
