import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { calendarDate } from '../domain/action-items.ts';
import {
  INSIGHT_SERVICES_MAX,
  REVIEW_DUE_DAYS,
  REVIEWED_SEVERITIES,
  type DurationStats,
  type InsightFigureSet,
  type InsightPeriod,
} from '../domain/insights.ts';
import type { Severity } from '../domain/severity.ts';
import type { InsightFigures } from '../ports/insight-figures.ts';

interface DurationRow {
  dim: 'severity' | 'service' | 'month' | 'all';
  key: string | null;
  label: string | null;
  incidents: number;
  ack_n: number;
  ack_p50: number | null;
  ack_p90: number | null;
  mit_n: number;
  mit_p50: number | null;
  mit_p90: number | null;
  res_n: number;
  res_p50: number | null;
  res_p90: number | null;
}

const NO_INCIDENTS: DurationRow = {
  dim: 'all',
  key: null,
  label: null,
  incidents: 0,
  ...{ ack_n: 0, ack_p50: null, ack_p90: null, mit_n: 0, mit_p50: null, mit_p90: null },
  ...{ res_n: 0, res_p50: null, res_p90: null },
};

const pct = (column: string, p: number) => `percentile_cont(${p}) WITHIN GROUP (ORDER BY ${column})`;

// Drills (exercises) are left out of every figure here, as countsInMetrics (domain/drill.ts) says:
// `NOT drill` beside the near-miss filters. A drill's action items are real follow-up work (a
// runbook to fix, a contact list to update): they stay in the action-item figures.
//
// Each incident of the period (near misses left out) with its durations, as domain/durations.ts
// defines them from the status entries of its timeline: the first move out of DECLARED, the first to
// MONITORING or RESOLVED, and the last RESOLVED unless a move to another open status came after it.
// Their instants are kept per incident by the database as the entries go in (incident_durations,
// see its migration), so this reads one narrow row per incident; an incident with none of those
// entries has no row (declared when created, nothing else yet). A scan and a hash join: its cost
// estimate stays far below PostgreSQL's JIT threshold (the lookup per incident it replaces passed
// it over long periods, and compiling took longer than running). Then grouped four ways in one pass
// (GROUPING SETS): by severity, by service (private incidents' left out), by month in the viewer's
// zone, and all.
const DURATIONS_SQL = `
  WITH inc AS (
    SELECT i.id, i.severity::text AS severity, i.created_at,
      to_char(i.created_at AT TIME ZONE $3, 'YYYY-MM') AS month,
      CASE WHEN NOT i.is_private AND btrim(coalesce(i.affected_service, '')) <> ''
        THEN lower(btrim(i.affected_service)) END AS skey,
      btrim(i.affected_service) AS sname
    FROM incident i
    WHERE i.created_at >= $1 AND i.created_at < $2 AND NOT i.near_miss AND NOT i.drill
      AND (NOT i.is_private OR i.channel_id = ANY($4::text[]))
  ),
  per AS (
    SELECT inc.severity, inc.month, inc.skey, inc.sname,
      coalesce(d.declared_at, inc.created_at) AS declared_at, d.ack_at, d.mit_at, d.res_at, d.other_at
    FROM inc LEFT JOIN incident_durations d ON d.incident_id = inc.id
  ),
  ms AS (
    SELECT severity, month, skey, sname,
      (extract(epoch FROM ack_at - declared_at) * 1000)::float8 AS ack,
      (extract(epoch FROM mit_at - declared_at) * 1000)::float8 AS mit,
      CASE WHEN other_at IS NULL OR other_at < res_at
        THEN (extract(epoch FROM res_at - declared_at) * 1000)::float8 END AS res
    FROM per
  )
  SELECT
    CASE WHEN GROUPING(severity) = 0 THEN 'severity' WHEN GROUPING(skey) = 0 THEN 'service'
      WHEN GROUPING(month) = 0 THEN 'month' ELSE 'all' END AS dim,
    coalesce(severity, skey, month) AS key,
    min(sname COLLATE "C") AS label,
    count(*)::int AS incidents,
    count(ack)::int AS ack_n, ${pct('ack', 0.5)} AS ack_p50, ${pct('ack', 0.9)} AS ack_p90,
    count(mit)::int AS mit_n, ${pct('mit', 0.5)} AS mit_p50, ${pct('mit', 0.9)} AS mit_p90,
    count(res)::int AS res_n, ${pct('res', 0.5)} AS res_p50, ${pct('res', 0.9)} AS res_p90
  FROM ms
  GROUP BY GROUPING SETS ((severity), (skey), (month), ())`;

// The period's incidents by week (its Monday in the viewer's zone), severity and near miss.
const WEEKS_SQL = `
  SELECT to_char(date_trunc('week', created_at AT TIME ZONE $3), 'YYYY-MM-DD') AS week,
    severity::text AS severity, near_miss, count(*)::int AS count
  FROM incident
  WHERE created_at >= $1 AND created_at < $2 AND NOT drill AND (NOT is_private OR channel_id = ANY($4::text[]))
  GROUP BY 1, 2, 3`;

// SEV1–2 incidents of the period, resolved: when their review first listed a contributing factor
// (the guardrail report's "reviewed"), from the review's saves on the timeline.
const REVIEWS_SQL = `
  WITH r AS (
    SELECT i.resolved_at + make_interval(hours => ${REVIEW_DUE_DAYS * 24}) AS due_by,
      (SELECT min(t.occurred_at) FROM timeline_entry t
        WHERE t.incident_id = i.id AND t.kind = 'review_updated'
          AND jsonb_typeof(t.data -> 'input' -> 'contributingFactors') = 'array'
          AND jsonb_array_length(t.data -> 'input' -> 'contributingFactors') > 0) AS done_at
    FROM incident i
    WHERE i.created_at >= $1 AND i.created_at < $2 AND NOT i.near_miss AND NOT i.drill
      AND i.severity::text = ANY($3::text[]) AND i.resolved_at IS NOT NULL
      AND (NOT i.is_private OR i.channel_id = ANY($5::text[]))
  )
  SELECT count(*) FILTER (WHERE done_at <= due_by)::int AS on_time,
    count(*) FILTER (WHERE done_at > due_by OR (done_at IS NULL AND due_by < $4))::int AS late,
    count(*) FILTER (WHERE done_at IS NULL AND due_by >= $4)::int AS pending
  FROM r`;

// Action items due in the period: done on or before their due date (in the viewer's zone), and all
// of them but those still open and not yet past due (they may still be on time). Like every figure
// here, of the incidents the reader may see: public ones, and private ones of their channels.
const ACTIONS_SQL = `
  SELECT count(*)::int AS due,
    count(*) FILTER (WHERE a.status = 'done' AND a.completed_at IS NOT NULL
      AND (a.completed_at AT TIME ZONE $3)::date <= a.due)::int AS on_time
  FROM action_item a
  JOIN incident i ON i.id = a.incident_id
  WHERE a.due >= $1::date AND a.due <= $2::date
    AND ((a.status = 'done' AND a.completed_at IS NOT NULL) OR a.due < $4::date)
    AND (NOT i.is_private OR i.channel_id = ANY($5::text[]))`;

/** The insights' figures in SQL (see ports/insight-figures.ts). */
export class PgInsightFigures implements InsightFigures {
  protected readonly prisma: PrismaClient;
  protected readonly pool: pg.Pool;

  constructor(prisma: PrismaClient, pool: pg.Pool) {
    this.prisma = prisma;
    this.pool = pool;
  }

  async figures(period: InsightPeriod, now: Date, privateChannels: readonly string[]): Promise<InsightFigureSet> {
    const { since, until, timeZone: tz } = period;
    const today = calendarDate(now, tz);
    const channels = [...privateChannels];
    const [weeks, durations, [reviews], [actions]] = await Promise.all([
      this.rows<{ week: string; severity: Severity; near_miss: boolean; count: number }>(WEEKS_SQL, [
        since,
        until,
        tz,
        channels,
      ]),
      this.rows<DurationRow>(DURATIONS_SQL, [since, until, tz, channels]),
      this.rows<{ on_time: number; late: number; pending: number }>(REVIEWS_SQL, [
        since,
        until,
        [...REVIEWED_SEVERITIES],
        now,
        channels,
      ]),
      this.rows<{ due: number; on_time: number }>(ACTIONS_SQL, [period.fromDate, period.toDate, tz, today, channels]),
    ]);
    const n = (v: number | null) => (v === null ? null : Number(v));
    const stats = (r: DurationRow): DurationStats => ({
      incidents: r.incidents,
      metrics: {
        acknowledge: { count: r.ack_n, medianMs: n(r.ack_p50), p90Ms: n(r.ack_p90) },
        mitigate: { count: r.mit_n, medianMs: n(r.mit_p50), p90Ms: n(r.mit_p90) },
        resolve: { count: r.res_n, medianMs: n(r.res_p50), p90Ms: n(r.res_p90) },
      },
    });
    const overall = durations.find((d) => d.dim === 'all');
    const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return {
      weeks: weeks.map((w) => ({ week: w.week, severity: w.severity, nearMiss: w.near_miss, count: w.count })),
      overall: stats(overall ?? NO_INCIDENTS),
      bySeverity: durations
        .filter((d) => d.dim === 'severity' && d.key !== null)
        .map((d) => ({ severity: d.key as Severity, stats: stats(d) })),
      // Bounded by the services (a catalog's worth), then the busiest kept.
      byService: durations
        .filter((d) => d.dim === 'service' && d.key !== null && d.label !== null)
        .sort((a, b) => b.incidents - a.incidents || byCodePoint(a.key!, b.key!))
        .slice(0, INSIGHT_SERVICES_MAX)
        .map((d) => ({ service: d.label!, stats: stats(d) })),
      byMonth: durations
        .filter((d) => d.dim === 'month' && d.key !== null)
        .map((d) => ({ month: d.key!, stats: stats(d) })),
      reviews: { onTime: reviews?.on_time ?? 0, late: reviews?.late ?? 0, pending: reviews?.pending ?? 0 },
      actions: { due: actions?.due ?? 0, onTime: actions?.on_time ?? 0 },
    };
  }

  private async rows<R>(sql: string, values: unknown[]): Promise<R[]> {
    const result = await this.pool.query(sql, values);
    return result.rows as R[];
  }
}
