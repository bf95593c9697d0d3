// The scale bench's data (bench/scale.ts): incidents, their timelines and action items, seeded with
// set-based SQL (generate_series) instead of the use cases, in a migrated database. The rows are
// the ones the bot writes (every NOT NULL column, gapless numbers with number_counter moved on,
// a commander each, a `declared` entry each, status changes for the resolved and closed), and the
// audit trail is written by the database's own triggers as the rows go in (actor `bench-seed`), so
// `npm run audit:verify` holds. The audit trigger takes an advisory lock per incident for the rest
// of its transaction, so rows go in by batches of a few hundred incidents (PostgreSQL's lock table
// is sized for about 64 locks per connection).
//
// With the default sizes: 10,000 incidents (2% active, the newest; 4% near misses, 10% private,
// SEV1-4 1:2:3:4), 100,000 timeline entries (20,000 of them on the newest incident, the big one,
// public and investigating, in channel BIG_CHANNEL), 20,000 action items on resolved and closed
// incidents (owners among 50 people, UALICE one of them, 5% without; 60% done; due dates from 180
// days ago to 90 days ahead, 9% without).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { EMBEDDED_TEMPLATE_DIR, embeddedTemplateKey, makeDataDirTarball } from '../src/db/embedded-template.ts';
import { applyMigrationsInWorker } from '../src/db/migrate.ts';
import { applyPendingMigrations } from '../src/db/roles.ts';

export interface ScaleSizes {
  incidents: number;
  timelineEntries: number;
  /** Of timelineEntries, on the newest incident. */
  bigTimeline: number;
  actionItems: number;
}

export const SCALE_SIZES: ScaleSizes = {
  incidents: 10_000,
  timelineEntries: 100_000,
  bigTimeline: 20_000,
  actionItems: 20_000,
};

/** The big incident's channel (the newest incident's): `/incident timeline` is asked there. */
export const BIG_CHANNEL = 'CSEEDBIG0';
/** Incidents per transaction (the audit trigger's advisory locks stay per transaction). */
const BATCH = 500;

/** The version of the seed below: a cached seeded database is made again when it changes. */
export const SEED_VERSION = 1;

export interface SeedResult {
  ms: number;
  counts: { incidents: number; timelineEntries: number; actionItems: number; auditEntries: number };
  bigIncidentId: string;
}

/** A Slack user id of the seeded people: UALICE for k ≡ 1 (mod 50), else USEEDnn. */
const person = (k: string) =>
  `CASE WHEN ${k} % 50 = 1 THEN 'UALICE' ELSE 'USEED' || lpad((${k} % 50)::text, 2, '0') END`;

/** Seeds `url` (migrated, no incident or action item yet). */
export async function seedScale(url: string, sizes: ScaleSizes = SCALE_SIZES): Promise<SeedResult> {
  const t0 = performance.now();
  const { incidents: N, timelineEntries: T, bigTimeline: B, actionItems: A } = sizes;
  const active = Math.max(1, Math.round(N * 0.02));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const inTransaction = async (sql: string, params: unknown[]) => {
    await client.query('BEGIN');
    try {
      await client.query(
        "SELECT set_config('incident_bot.actor', 'bench-seed', true), set_config('incident_bot.via', 'npm run bench:scale', true)",
      );
      await client.query(sql, params);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  };
  try {
    const existing = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM incident');
    if (existing.rows[0]!.n !== 0) throw new Error('the scale seed needs a database without incidents');

    // Incidents 1..N, one every 90 minutes up to a day ago; the newest `active` are active.
    const incidentSql = `
      WITH s AS (
        SELECT n,
          now() - interval '1 day' - (($3::int - n) * interval '90 minutes') AS created,
          n > $3::int - $4::int AS active,
          n <> $3::int AND n % 25 = 7 AS near_miss
        FROM generate_series($1::int, $2::int) n
      ), t AS (
        SELECT s.*,
          CASE WHEN n = $3::int THEN 'INVESTIGATING'
               WHEN active THEN (ARRAY['DECLARED','INVESTIGATING','IDENTIFIED','MONITORING'])[n % 4 + 1]
               WHEN near_miss OR n % 3 = 0 THEN 'RESOLVED' ELSE 'CLOSED' END::"IncidentStatus" AS status,
          CASE WHEN near_miss THEN 'SEV4' ELSE (ARRAY['SEV1','SEV2','SEV2','SEV3','SEV3','SEV3','SEV4','SEV4','SEV4','SEV4'])[n % 10 + 1] END::"Severity" AS severity,
          CASE WHEN active THEN NULL WHEN near_miss THEN created ELSE created + ((n % 48) + 1) * interval '1 hour' END AS resolved
        FROM s
      )
      INSERT INTO incident (id, number, declare_key, title, description, affected_service, severity, status,
        is_private, clinical_impact, declared_by, origin_channel_id, channel_id, channel_name, summary_ts,
        summary_pinned, declarer_invited, announcement_ts, provisioned_at, created_at, updated_at, resolved_at,
        closed_at, last_update_at, freeze_active, freeze_announced, on_call_invited_at, near_miss, data_breach,
        breach_aware_at, breach_notified_at, breach_notified_by)
      SELECT gen_random_uuid(), n, 'bench-seed-' || n,
        CASE WHEN near_miss THEN 'Near miss ' ELSE 'Seeded incident ' END || n || ': ' ||
          (ARRAY['EPR logins failing','Pharmacy orders delayed','Lab results not arriving','Bed board stale','Pager gateway slow'])[n % 5 + 1],
        'Seeded by the scale bench', (ARRAY['epr','pharmacy','lab','beds',NULL])[n % 5 + 1], severity, status,
        n <> $3::int AND n % 10 = 3, n % 17 = 0, ${person('n')}, 'CGENERAL',
        CASE WHEN n = $3::int THEN '${BIG_CHANNEL}' ELSE 'CSEED' || lpad(n::text, 6, '0') END,
        'inc-' || n || '-seeded', extract(epoch FROM created)::bigint || '.000100', true, true,
        extract(epoch FROM created)::bigint || '.000200', created + interval '2 seconds', created,
        COALESCE(resolved, created), resolved,
        CASE WHEN status = 'CLOSED' THEN resolved + interval '2 days' END,
        COALESCE(resolved, created), active AND severity = 'SEV1', active AND severity = 'SEV1',
        created + interval '3 seconds', near_miss, n % 97 = 0,
        CASE WHEN n % 97 = 0 THEN created END,
        CASE WHEN n % 97 = 0 AND NOT active THEN created + interval '30 hours' END,
        CASE WHEN n % 97 = 0 AND NOT active THEN 'USEED02' END
      FROM t`;
    // A commander each, and the entries every incident has: declared, and the status changes.
    const rolesSql = `
      INSERT INTO incident_role (incident_id, role, user_id, assigned_by, assigned_at)
      SELECT id, 'COMMANDER', declared_by, declared_by, created_at FROM incident WHERE number BETWEEN $1 AND $2`;
    const baseEntriesSql = `
      INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text, data, created_at)
      SELECT gen_random_uuid(), i.id, e.at, e.kind, i.declared_by, e.text, e.data, e.at
      FROM incident i CROSS JOIN LATERAL (VALUES
        (i.created_at, 'declared',
          CASE WHEN i.near_miss THEN 'Recorded a near miss: ' || i.title ELSE 'Declared as ' || i.severity || ': ' || i.title END,
          jsonb_build_object('severity', i.severity, 'via', 'command', 'isPrivate', i.is_private,
            'clinicalImpact', i.clinical_impact, 'affectedService', i.affected_service)
            || CASE WHEN i.near_miss THEN '{"nearMiss": true}'::jsonb ELSE '{}'::jsonb END
            || CASE WHEN i.data_breach THEN '{"dataBreach": true}'::jsonb ELSE '{}'::jsonb END),
        (CASE WHEN i.status NOT IN ('DECLARED') AND NOT i.near_miss THEN i.created_at + interval '5 minutes' END,
          'status_changed', 'Status: investigating', '{"from": "DECLARED", "to": "INVESTIGATING"}'::jsonb),
        (CASE WHEN i.near_miss THEN i.created_at END, 'status_changed', 'Resolved: recorded as a near miss',
          '{"from": "DECLARED", "to": "RESOLVED"}'::jsonb),
        (CASE WHEN NOT i.near_miss THEN i.resolved_at END, 'resolved', 'Resolved', '{"from": "INVESTIGATING", "to": "RESOLVED"}'::jsonb),
        (i.closed_at, 'closed', 'Closed', '{"from": "RESOLVED", "to": "CLOSED"}'::jsonb)
      ) AS e(at, kind, text, data)
      WHERE i.number BETWEEN $1 AND $2 AND e.at IS NOT NULL`;
    for (let a = 1; a <= N; a += BATCH) {
      const b = Math.min(N, a + BATCH - 1);
      await inTransaction(incidentSql, [a, b, N, active]);
      await inTransaction(`${rolesSql}`, [a, b]);
      await inTransaction(baseEntriesSql, [a, b]);
    }
    await client.query(`UPDATE number_counter SET last = GREATEST(last, $1) WHERE name = 'incident'`, [N]);

    // Notes: the big incident gets B entries in all, the others share what is left of T.
    const big = await client.query<{ id: string; n: number }>(
      'SELECT i.id, (SELECT count(*)::int FROM timeline_entry t WHERE t.incident_id = i.id) AS n FROM incident i WHERE number = $1',
      [N],
    );
    const bigId = big.rows[0]!.id;
    const total = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM timeline_entry')).rows[0]!.n;
    const bigNotes = Math.max(0, B - big.rows[0]!.n);
    const others = Math.max(0, T - total - bigNotes);
    const spread = Math.max(1, N - 1);
    const perIncident = Math.floor(others / spread);
    const extra = others % spread;
    const notesSql = `
      INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text, created_at)
      SELECT gen_random_uuid(), i.id, i.created_at + j * interval '7 minutes',
        CASE WHEN j % 4 = 0 THEN 'status_update' ELSE 'note' END, ${person('(i.number + j)')},
        CASE WHEN j % 4 = 0 THEN 'Update ' || j || ': still investigating, next update in 30 minutes'
             ELSE 'Note ' || j || ': checked the ' || (ARRAY['logs','dashboards','queue depth','error rate'])[j % 4 + 1] || ' again' END,
        i.created_at + j * interval '7 minutes'
      FROM incident i CROSS JOIN LATERAL generate_series(1, $3::int + (i.number <= $4::int)::int) j
      WHERE i.number BETWEEN $1 AND $2 AND i.number <> $5`;
    if (N > 1 && others > 0)
      for (let a = 1; a < N; a += BATCH) {
        await inTransaction(notesSql, [a, Math.min(N - 1, a + BATCH - 1), perIncident, extra, N]);
      }
    // The big incident: notes, updates and pinned messages every 4 seconds over its day.
    if (bigNotes > 0)
      await inTransaction(
        `INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text, source_ts, permalink, created_at)
         SELECT gen_random_uuid(), i.id, i.created_at + j * interval '4 seconds',
           CASE WHEN j % 100 = 1 THEN 'pinned_message' WHEN j % 10 = 0 THEN 'status_update' ELSE 'note' END,
           ${person('j')},
           CASE WHEN j % 10 = 0 THEN 'Update ' || j || ': failover in progress, EPR read-only for clinicians'
                ELSE 'Note ' || j || ': ' || (ARRAY['restarted the API pods','error rate down to 2%','paged the database on-call','ward 7 reports slow logins','rolled back release 4.2'])[j % 5 + 1] END,
           CASE WHEN j % 100 = 1 THEN extract(epoch FROM i.created_at + j * interval '4 seconds')::bigint || '.' || lpad(j::text, 6, '0') END,
           CASE WHEN j % 100 = 1 THEN 'https://example.slack.com/archives/${BIG_CHANNEL}/p' || j END,
           i.created_at + j * interval '4 seconds'
         FROM incident i CROSS JOIN generate_series(1, $2::int) j WHERE i.id = $1`,
        [bigId, bigNotes],
      );

    // Action items on resolved and closed incidents (not the active ones), spread over them.
    const reviewed = Math.max(1, N - active);
    const actionsSql = `
      INSERT INTO action_item (id, number, incident_id, text, owner_id, due, category, priority, status, created_by,
        created_at, completed_at, completed_by)
      SELECT gen_random_uuid(), k, i.id,
        'Action ' || k || ': ' || (ARRAY['add an alert on queue depth','write the failover runbook','name an owner for the lab feed','rate-limit the pager gateway','review the change freeze'])[k % 5 + 1],
        CASE WHEN k % 20 = 0 THEN NULL ELSE ${person('k')} END,
        CASE WHEN k % 11 = 0 THEN NULL ELSE current_date + ((k % 270) - 180) END,
        (ARRAY['guardrail','observability','ownership','runbook','process'])[k % 5 + 1]::"ActionCategory",
        (ARRAY['high','medium','low'])[k % 3 + 1]::"ActionPriority",
        CASE WHEN k % 5 < 3 THEN 'done' ELSE 'open' END::"ActionStatus",
        i.declared_by, COALESCE(i.resolved_at, i.created_at) + interval '1 day',
        CASE WHEN k % 5 < 3 THEN COALESCE(i.resolved_at, i.created_at) + interval '10 days' END,
        CASE WHEN k % 5 < 3 THEN ${person('(k + 3)')} END
      FROM generate_series($1::int, $2::int) k
      JOIN incident i ON i.number = ((k::bigint * 7919) % $3::int)::int + 1`;
    for (let a = 1; a <= A; a += BATCH) {
      await inTransaction(actionsSql, [a, Math.min(A, a + BATCH - 1), reviewed]);
    }
    await client.query(`UPDATE number_counter SET last = GREATEST(last, $1) WHERE name = 'action_item'`, [A]);
    await client.query('ANALYZE');

    const c = await client.query<SeedResult['counts']>(
      `SELECT (SELECT count(*)::int FROM incident) AS incidents, (SELECT count(*)::int FROM timeline_entry) AS "timelineEntries",
              (SELECT count(*)::int FROM action_item) AS "actionItems", (SELECT count(*)::int FROM audit_entry) AS "auditEntries"`,
    );
    return { ms: performance.now() - t0, counts: c.rows[0]!, bigIncidentId: bigId };
  } finally {
    await client.end();
  }
}

/**
 * A tarball of an embedded database with the seed in it, made once (2-3 minutes of PGlite) and
 * kept beside the bot's own template, named by the migrations' hash (embeddedTemplateKey), the
 * seed's version and its sizes: the bot's embedded database in memory starts from it
 * (openDatabase's embeddedTemplate). Returns its path and the seeding's result when made now.
 */
export async function seededEmbeddedTemplate(
  sizes: ScaleSizes = SCALE_SIZES,
): Promise<{ file: string; seeded: SeedResult | null }> {
  const current = `pglite-scale-${embeddedTemplateKey()}-v${SEED_VERSION}-`;
  const file = path.join(
    EMBEDDED_TEMPLATE_DIR,
    `${current}${sizes.incidents}-${sizes.timelineEntries}-${sizes.bigTimeline}-${sizes.actionItems}.tar`,
  );
  // Those of other migrations or another seed are never used again (each is about 470 MB).
  if (fs.existsSync(EMBEDDED_TEMPLATE_DIR))
    for (const name of fs.readdirSync(EMBEDDED_TEMPLATE_DIR))
      if (name.startsWith('pglite-scale-') && !name.startsWith(current) && !name.endsWith('.partial'))
        fs.rmSync(path.join(EMBEDDED_TEMPLATE_DIR, name), { force: true });
  let seeded: SeedResult | null = null;
  await makeDataDirTarball(file, async (url) => {
    await applyPendingMigrations(url, applyMigrationsInWorker);
    seeded = await seedScale(url, sizes);
  });
  return { file, seeded };
}
