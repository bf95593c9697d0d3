// Upgrading a database from pg-boss 10. pg-boss 11 rewrote the queue schema (version 25) with no
// migration from pg-boss 10's (version 24), and pg-boss 12 migrates only from 25 on: started on a
// version-24 schema it refuses ("Cannot migrate pg-boss schema from version 24"). So the bot carries
// its queued jobs over itself, in two steps around pg-boss's start:
//
// 1. setAsideV10Schema, before pg-boss starts: a version-24 `pgboss` schema is renamed `pgboss_v10`,
//    so pg-boss installs its own schema as on a new database.
// 2. carryOverV10Jobs, once pg-boss has started: every job of pgboss_v10 not yet finished (created,
//    retry, or active: fetched by a bot that then stopped) goes into the new schema's queue of the
//    same name, keeping its id, data, singleton key, due time, remaining retries, expiry and
//    retention; then pgboss_v10 is dropped. One transaction: all are carried and the old schema is
//    gone, or nothing changed.
//
// Both steps hold one advisory lock, so replicas starting at once do it once. A start interrupted
// between the steps does the second at the next start; ids are kept and pg-boss skips an id already
// there, so a repeat carries nothing twice. Finished jobs (completed, failed, cancelled) are history
// and are not carried. Each step changes schemas, so it needs the owner: a least-privileged bot role
// gets one DatabaseSetupError saying to run `npm run db:migrate` as the owner, which does both.
import type pg from 'pg';
import type { Db, JobInsert, PgBoss } from 'pg-boss';
import { DatabaseSetupError } from '../db/roles.ts';

/** pg-boss 10's schema version (10.4.x). */
export const PGBOSS_V10_VERSION = 24;
export const V10_SCHEMA = 'pgboss_v10';
const LOCK = "hashtext('incident-bot: carry pg-boss 10 jobs over')";
// Read from the catalog tables, which each statement sees as of its own snapshot: after waiting for
// the lock, to_regnamespace() and to_regclass() could still answer from this session's catalog
// cache as it was before another replica renamed or dropped the schema.
const OLD_EXISTS = `EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '${V10_SCHEMA}')`;

const OWNER_HINT =
  "the reminder queue is still pg-boss 10's, which this version replaces: run `npm run db:migrate` with MIGRATION_DATABASE_URL set to the database owner first (it carries the queued reminders over), then start the bot";

/** A permission error (the bot's own role, not the owner) as one DatabaseSetupError; others as they are. */
function setupError(err: unknown): never {
  if ((err as { code?: string }).code === '42501')
    throw new DatabaseSetupError(`The database role cannot upgrade the reminder queue: ${OWNER_HINT}.`);
  throw err;
}

async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${LOCK})`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    return setupError(err);
  } finally {
    client.release(broken);
  }
}

/**
 * Step 1, before pg-boss starts: renames a pg-boss 10 schema (`pgboss` at version 24) to pgboss_v10.
 * Returns whether there is a pgboss_v10 to carry over (set aside now, or by an earlier start).
 */
export async function setAsideV10Schema(pool: pg.Pool): Promise<boolean> {
  return inTransaction(pool, async (c) => {
    const { rows } = await c.query<{ installed: boolean; old: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'pgboss' AND t.relname = 'version') AS installed,
              ${OLD_EXISTS} AS old`,
    );
    const { installed, old } = rows[0]!;
    const current = installed
      ? (await c.query<{ v: number | null }>('SELECT max(version) AS v FROM pgboss.version')).rows[0]!.v
      : null;
    if (current !== PGBOSS_V10_VERSION) return old;
    if (old) {
      throw new DatabaseSetupError(
        `The database has both a pg-boss 10 queue (schema pgboss) and one set aside by an earlier upgrade (schema ${V10_SCHEMA}): ` +
          `restore the backup taken before the upgrade, or drop the one not wanted (DROP SCHEMA ... CASCADE), then start again.`,
      );
    }
    await c.query(`ALTER SCHEMA pgboss RENAME TO ${V10_SCHEMA}`);
    return true;
  });
}

interface V10Job {
  id: string;
  name: string;
  data: object | null;
  priority: number;
  retry_limit: number;
  retry_count: number;
  retry_delay: number;
  retry_backoff: boolean;
  start_after: Date;
  singleton_key: string | null;
  expire_seconds: number;
  retention_seconds: number;
}

interface V10Queue {
  name: string;
  policy: string | null;
  retry_limit: number | null;
  retry_delay: number | null;
  retry_backoff: boolean | null;
  expire_seconds: number | null;
  retention_minutes: number | null;
}

export interface CarriedOver {
  /** Jobs inserted into the new schema (a repeat after an interrupted start counts only new ones). */
  carried: number;
  /** Jobs of pgboss_v10 not carried: finished ones (history). */
  finished: number;
  queues: string[];
}

/**
 * Step 2, once pg-boss 12 has installed its schema: carries pgboss_v10's unfinished jobs into the
 * queues of the same name (a queue the bot has not created yet is created with its pg-boss 10
 * options) and drops pgboss_v10, in one transaction. Null when there is no pgboss_v10.
 */
export async function carryOverV10Jobs(pool: pg.Pool, boss: PgBoss): Promise<CarriedOver | null> {
  const present = await pool.query<{ old: boolean }>(`SELECT ${OLD_EXISTS} AS old`);
  if (!present.rows[0]!.old) return null;

  // The queues first, outside the transaction, through pg-boss's own connection: one missing (the
  // bot creates the checkpoint queues only when checkpoints are on) is created with its pg-boss 10
  // options, and one there already is left as it is. Either way createQueue loads the queue into
  // this pg-boss's cache, so that the inserts below need no other connection than the transaction's
  // (the embedded database has only one: a cache miss there would wait for it forever).
  const queues = await pool
    .query<V10Queue>(
      `SELECT name, policy, retry_limit, retry_delay, retry_backoff, expire_seconds, retention_minutes FROM ${V10_SCHEMA}.queue
        WHERE name IN (SELECT DISTINCT name FROM ${V10_SCHEMA}.job WHERE state IN ('created', 'retry', 'active')) ORDER BY name`,
    )
    .then(
      (r) => r.rows,
      // Dropped meanwhile: another replica carried the jobs over.
      (err: unknown) => (['3F000', '42P01'].includes((err as { code?: string }).code ?? '') ? null : setupError(err)),
    );
  if (!queues) return null;
  for (const q of queues) {
    await boss.createQueue(q.name, {
      ...(q.policy ? { policy: q.policy } : {}),
      ...(q.retry_limit !== null ? { retryLimit: q.retry_limit } : {}),
      ...(q.retry_delay !== null ? { retryDelay: q.retry_delay } : {}),
      ...(q.retry_backoff !== null ? { retryBackoff: q.retry_backoff } : {}),
      ...(q.expire_seconds ? { expireInSeconds: q.expire_seconds } : {}),
      ...(q.retention_minutes ? { retentionSeconds: q.retention_minutes * 60 } : {}),
    });
  }

  return inTransaction(pool, async (c) => {
    // Another replica may have finished it while this one waited for the lock.
    const again = await c.query<{ old: boolean }>(`SELECT ${OLD_EXISTS} AS old`);
    if (!again.rows[0]!.old) return { carried: 0, finished: 0, queues: [] };
    const { rows: jobs } = await c.query<V10Job>(
      `SELECT id, name, data, priority, retry_limit, retry_count, retry_delay, retry_backoff, start_after, singleton_key,
              GREATEST(1, ceil(extract(epoch FROM expire_in)))::int AS expire_seconds,
              GREATEST(1, ceil(extract(epoch FROM keep_until - start_after)))::int AS retention_seconds
         FROM ${V10_SCHEMA}.job WHERE state IN ('created', 'retry', 'active') ORDER BY created_on, id`,
    );
    const { rows: done } = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${V10_SCHEMA}.job WHERE state NOT IN ('created', 'retry', 'active')`,
    );
    const db: Db = { executeSql: (text, values) => c.query(text, values) };
    const byQueue = new Map<string, V10Job[]>();
    for (const j of jobs) byQueue.set(j.name, [...(byQueue.get(j.name) ?? []), j]);
    let carried = 0;
    for (const [name, list] of byQueue) {
      const inserts: JobInsert[] = list.map((j) => ({
        id: j.id,
        ...(j.data !== null ? { data: j.data } : {}),
        priority: j.priority,
        // An active job was fetched by a bot that stopped before finishing it: it runs again, as
        // pg-boss 10 would have retried it once it expired.
        startAfter: j.start_after,
        ...(j.singleton_key !== null ? { singletonKey: j.singleton_key } : {}),
        retryLimit: Math.max(0, j.retry_limit - j.retry_count),
        retryDelay: j.retry_delay,
        retryBackoff: j.retry_backoff,
        expireInSeconds: j.expire_seconds,
        retentionSeconds: j.retention_seconds,
      }));
      const ids = await boss.insert(name, inserts, { db, returnId: true });
      carried += ids?.length ?? 0;
    }
    await c.query(`DROP SCHEMA ${V10_SCHEMA} CASCADE`);
    return { carried, finished: done[0]!.n, queues: [...byQueue.keys()] };
  });
}
