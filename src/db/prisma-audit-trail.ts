import { canonicalEntry, chainProblems } from '../domain/audit-chain.ts';
import type { AuditProblem, AuditRecord, AuditTrail, AuditVerification, IncidentAudit } from '../ports/audit-trail.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

type Json = Record<string, unknown> | null;

interface Row {
  /** The incident row: null when it is gone; `audited` false when declared before the trail began. */
  incident_audited: boolean | null;
  head_seq: number | null;
  head_hash: string | null;
  seq: number | null;
  at: Date | null;
  /** `at` as the trigger hashed it (UTC, microseconds), by to_char: a built-in, not our function. */
  at_text: string | null;
  actor: string | null;
  via: string | null;
  action: string | null;
  row_key: string | null;
  before: Json;
  after: Json;
  /** before/after as jsonb's own text output (what the trigger hashed). */
  before_text: string | null;
  after_text: string | null;
  prev_hash: string | null;
  hash: string | null;
  db_role: string | null;
  claimed_actor: string | null;
}

export class PrismaAuditTrail implements AuditTrail {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * One incident's entries and its head, read in one statement (one snapshot: a change committed
   * meanwhile is either wholly in it or not at all), and what is wrong with the chain. The
   * canonical text is rebuilt here from the stored columns, so the check does not rest on the
   * database's audit_canonical() function.
   */
  async read(incidentId: string): Promise<IncidentAudit> {
    const rows = await this.prisma.$queryRaw<Row[]>`
      SELECT i.audited AS incident_audited, h.seq AS head_seq, h.hash AS head_hash,
             e.seq, e.at, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text,
             e.actor, e.via, e.action, e.row_key, e.before, e.after,
             e.before::text AS before_text, e.after::text AS after_text, e.prev_hash, e.hash,
             e.db_role, e.claimed_actor
        FROM (SELECT 1) AS one
        LEFT JOIN incident i ON i.id = ${incidentId}::uuid
        LEFT JOIN audit_head h ON h.incident_id = ${incidentId}::uuid
        LEFT JOIN audit_entry e ON e.incident_id = ${incidentId}::uuid
       ORDER BY e.seq, e.id`;
    const head = rows[0]?.head_seq != null && rows[0].head_hash != null ? { seq: rows[0].head_seq, hash: rows[0].head_hash } : null;
    const stored = rows.filter((r) => r.seq !== null);
    const entries: AuditRecord[] = stored.map((r) => ({
      seq: r.seq!,
      at: r.at!,
      actor: r.actor!,
      via: r.via!,
      action: r.action!,
      rowKey: r.row_key!,
      before: r.before,
      after: r.after,
      prevHash: r.prev_hash!,
      hash: r.hash!,
      dbRole: r.db_role,
      claimedActor: r.claimed_actor,
    }));
    const chain = stored.map((r) => ({
      seq: r.seq!,
      prevHash: r.prev_hash!,
      hash: r.hash!,
      canonical: canonicalEntry({
        incidentId,
        seq: r.seq!,
        atText: r.at_text!,
        actor: r.actor!,
        via: r.via!,
        action: r.action!,
        rowKey: r.row_key!,
        beforeText: r.before_text,
        afterText: r.after_text,
        dbRole: r.db_role,
        claimedActor: r.claimed_actor,
      }),
    }));
    const problems = chainProblems(chain, head);
    const audited = rows[0]?.incident_audited ?? null;
    if (audited === true && !head && entries.length === 0) problems.push('the incident has no audit trail');
    if (audited === null && entries.length > 0 && entries.at(-1)!.action !== 'incident.delete') {
      problems.push('the incident is gone, but no deletion was recorded');
    }
    return { entries, problems };
  }

  async verify(incidentId?: string): Promise<AuditVerification> {
    const problems: AuditProblem[] = [];
    const only = incidentId ?? null;
    // Every incident with a chain, a head, or neither.
    const subjects = await this.prisma.$queryRaw<{ id: string; number: number | null }[]>`
      WITH ids AS (
        SELECT id FROM incident WHERE ${only}::uuid IS NULL OR id = ${only}::uuid
        UNION SELECT incident_id FROM audit_head WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT DISTINCT incident_id FROM audit_entry WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
      )
      SELECT ids.id::text AS id, i.number FROM ids LEFT JOIN incident i ON i.id = ids.id
       ORDER BY i.number NULLS LAST, ids.id`;
    let entries = 0;
    for (const s of subjects) {
      const audit = await this.read(s.id);
      entries += audit.entries.length;
      for (const problem of audit.problems) problems.push({ incidentId: s.id, number: s.number, problem });
    }
    return { incidents: subjects.length, entries, problems };
  }
}
