import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { IncidentRegister, RegisterRow, RegisterWhere } from '../ports/incident-register.ts';

interface Row {
  id: string;
  number: number;
  title: string;
  severity: RegisterRow['severity'];
  status: RegisterRow['status'];
  affected_service: string | null;
  service_owner: string | null;
  commander_id: string;
  created_at: Date;
  resolved_at: Date | null;
  closed_at: Date | null;
  is_private: boolean;
  near_miss: boolean;
  drill: boolean;
  clinical_impact: boolean;
  data_breach: boolean;
}

const toRow = (r: Row): RegisterRow => ({
  id: r.id,
  number: r.number,
  title: r.title,
  severity: r.severity,
  status: r.status,
  affectedService: r.affected_service,
  serviceOwner: r.service_owner,
  commanderId: r.commander_id,
  declaredAt: r.created_at,
  resolvedAt: r.resolved_at,
  closedAt: r.closed_at,
  isPrivate: r.is_private,
  nearMiss: r.near_miss,
  drill: r.drill,
  clinicalImpact: r.clinical_impact,
  dataBreach: r.data_breach,
});

/**
 * The WHERE clause of `where` and its parameters (numbered from 1). The period is a range on
 * created_at (incident_created_at_number_idx); a private incident only with its channel among the
 * viewer's (the rule of domain/access.ts mayReadIncident: keep the two alike).
 */
function whereOf(where: RegisterWhere): { sql: string; params: unknown[] } {
  const params: unknown[] = [where.start, where.end, where.privateChannels];
  const parts = ['i.created_at >= $1', 'i.created_at < $2', '(NOT i.is_private OR i.channel_id = ANY($3::text[]))'];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (where.severities.length) parts.push(`i.severity::text = ANY(${param(where.severities)}::text[])`);
  if (where.statuses.length) parts.push(`i.status::text = ANY(${param(where.statuses)}::text[])`);
  if (where.service !== null) parts.push(`lower(i.affected_service) = ${param(where.service)}`);
  if (where.owners.length) parts.push(`lower(i.service_owner) = ANY(${param(where.owners)}::text[])`);
  if (where.nearMiss !== null) parts.push(`i.near_miss = ${param(where.nearMiss)}`);
  if (where.drill !== null) parts.push(`i.drill = ${param(where.drill)}`);
  if (where.text !== null) {
    // A literal substring of the title (LIKE's own characters escaped), or the number the search names.
    const like = `%${where.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const text = `lower(i.title) LIKE ${param(like)}`;
    parts.push(where.number !== null ? `(${text} OR i.number = ${param(where.number)})` : text);
  }
  return { sql: parts.join(' AND '), params };
}

// The commander (else the declarer: domain/access.ts commandingUser) as a subquery of the select
// list, which PostgreSQL evaluates only for the rows the LIMIT keeps, not for every row sorted.
const COLUMNS = `i.id, i.number, i.title, i.severity::text AS severity, i.status::text AS status, i.affected_service,
  i.service_owner,
  COALESCE((SELECT c.user_id FROM incident_role c WHERE c.incident_id = i.id AND c.role = 'COMMANDER'), i.declared_by)
    AS commander_id,
  i.created_at, i.resolved_at, i.closed_at, i.is_private, i.near_miss, i.drill, i.clinical_impact, i.data_breach`;

/** The incident register in SQL (see ports/incident-register.ts): plain statements on the bot's pool. */
export class PgIncidentRegister implements IncidentRegister {
  protected readonly prisma: PrismaClient;
  protected readonly pool: pg.Pool;

  constructor(prisma: PrismaClient, pool: pg.Pool) {
    this.prisma = prisma;
    this.pool = pool;
  }

  async list(where: RegisterWhere, page: { offset: number; limit: number }) {
    const { sql, params } = whereOf(where);
    const n = params.length;
    // The page and the count are two statements (a count over the page's rows would be lost past the last page).
    const [rows, count] = await Promise.all([
      this.pool.query<Row>(
        `SELECT ${COLUMNS} FROM incident i
         WHERE ${sql} ORDER BY i.created_at DESC, i.number DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...params, page.limit, page.offset],
      ),
      this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident i WHERE ${sql}`, params),
    ]);
    return { rows: rows.rows.map(toRow), total: count.rows[0]!.n };
  }

  rows(where: RegisterWhere, limit: number) {
    return this.list(where, { offset: 0, limit });
  }

  async candidates(where: RegisterWhere, cap: number) {
    const { sql, params } = whereOf(where);
    const { rows } = await this.pool.query<{ id: string; number: number; title: string }>(
      `SELECT i.id, i.number, i.title FROM incident i
       WHERE ${sql} ORDER BY i.created_at DESC, i.number DESC LIMIT $${params.length + 1}`,
      [...params, cap],
    );
    return rows;
  }

  async byIds(ids: readonly string[]) {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM incident i WHERE i.id = ANY($1::uuid[])`, [
      [...ids],
    ]);
    const byId = new Map(rows.map((r) => [r.id, toRow(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async auditLength(incidentId: string): Promise<number> {
    const { rows } = await this.pool.query<{ seq: number }>(
      'SELECT seq::int AS seq FROM audit_head WHERE incident_id = $1::uuid',
      [incidentId],
    );
    return rows[0]?.seq ?? 0;
  }
}
