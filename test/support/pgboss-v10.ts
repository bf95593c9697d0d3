// A pg-boss 10 queue schema with jobs, as a bot before the upgrade to pg-boss 12 left it
// (test/fixtures/pgboss-v10.sql, dumped from pg-boss 10.4.2; see its header).
import fs from 'node:fs';
import type pg from 'pg';

export const V10_FIXTURE = fs.readFileSync(new URL('../fixtures/pgboss-v10.sql', import.meta.url), 'utf8');

/** The fixture's jobs (ids as dumped). */
export const V10_JOB = {
  due: 'aaaaaaaa-0000-4000-8000-000000000001',
  inAnHour: 'aaaaaaaa-0000-4000-8000-000000000002',
  completed: 'aaaaaaaa-0000-4000-8000-000000000003',
  deliver: 'aaaaaaaa-0000-4000-8000-000000000004',
  take: 'aaaaaaaa-0000-4000-8000-000000000005',
  active: 'aaaaaaaa-0000-4000-8000-000000000006',
  retry: 'aaaaaaaa-0000-4000-8000-000000000007',
} as const;
/** Jobs not finished (created, retry, active): those an upgrade must keep. */
export const V10_UNFINISHED = 6;

/**
 * Loads the pg-boss 10 schema and dates it as if the old bot had stopped two minutes ago (the dump's
 * times are those of the day it was made): every time column moves by the same amount, so the job
 * due in an hour is still due in about 58 minutes and the one waiting 30 s for its retry is due.
 */
export async function loadV10Schema(db: pg.Pool | pg.Client): Promise<void> {
  await db.query(V10_FIXTURE);
  await db.query(`
    WITH d AS (SELECT now() - interval '2 minutes' - max(created_on) AS shift FROM pgboss.job)
    UPDATE pgboss.job SET created_on = created_on + d.shift, start_after = start_after + d.shift,
           started_on = started_on + d.shift, completed_on = completed_on + d.shift, keep_until = keep_until + d.shift
      FROM d`);
}
