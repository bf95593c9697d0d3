// Incident reminders as pg-boss jobs in the bot's own Postgres database, so that they survive
// restarts and are shared by every replica.
//
// Exactly once, with any number of replicas: pg-boss hands a job to one worker (its fetch takes the
// row with FOR UPDATE SKIP LOCKED), and should a job still be delivered twice (a retry after a
// crash, a duplicate job, a replica that checks the same incident meanwhile) the check claims each
// reminder through the store's compare-and-set before posting it, so only one caller ever sends a
// given due time (see sendReminders).
//
// A job only triggers a check; the check decides with deps.clock. pg-boss compares start_after
// with the database's clock, so a job is queued with a delay measured on deps.clock (seconds from
// now) rather than an absolute time: skew between the bot's and the database's clocks does not
// move reminders.
import { createHash } from 'node:crypto';
import { createCheckpointQueues } from './audit-checkpoints.ts';
import { getConstructionPlans, PgBoss, type Db, type Job } from 'pg-boss';
import pg from 'pg';
import { actingAs } from '../audit-context.ts';
import type { Incident } from '../domain/incident.ts';
import { nextReminderAt } from '../domain/reminders.ts';
import type { ReminderScheduler, ServiceDeps } from '../services/deps.ts';
import { sendReminders } from '../services/incident/send-reminders.ts';
import { carryOverV10Jobs, setAsideV10Schema, type CarriedOver } from './pgboss-v10.ts';

export const REMINDER_QUEUE = 'incident-reminders';
const REMINDER_QUEUE_OPTIONS = {
  policy: 'short',
  retryLimit: 3,
  retryDelay: 30,
  expireInSeconds: 5 * 60,
} as const;

/**
 * The job id for a reminder's singleton key (incident and due time): the same key always gives the
 * same id, a UUID (version 8, from SHA-256) as pg-boss's job table wants.
 */
export function reminderJobId(singletonKey: string): string {
  const b = createHash('sha256').update(`incident-reminder:${singletonKey}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface ReminderJob {
  incidentId: string;
}

export interface ReminderQueue {
  scheduler: ReminderScheduler;
  /** The queue's pg-boss, for other background jobs on the same connection (audit checkpoints). */
  boss: PgBoss;
  /** Stops fetching, waits for the check in progress and for pg-boss's last queries; the pool stays open. */
  stop(): Promise<void>;
}

export interface ReminderQueueOptions {
  /**
   * The database's pool. pg-boss runs every query through it, never its own connections: the
   * embedded PGlite allows only the one connection this pool holds.
   */
  pool: pg.Pool;
  /** The use cases' dependencies; `reminders` is this queue's scheduler. Read at each job. */
  deps: Omit<ServiceDeps, 'reminders'>;
  /** How often an idle worker looks for due jobs (pg-boss: at least 0.5; default 2). */
  pollingIntervalSeconds?: number;
}

/**
 * pg-boss's database access on a shared pg pool. Some of pg-boss's statements are several in one
 * text with their own BEGIN … COMMIT; if one fails (e.g. two replicas installing the schema at
 * once) the connection would go back to the pool inside an aborted transaction, so a failure is
 * followed by a ROLLBACK on the same connection. Every query in flight is tracked so stop() can
 * wait for pg-boss's fire-and-forget ones (it completes jobs without awaiting).
 */
function sharedPoolDb(pool: pg.Pool): { db: Db; drain(): Promise<void> } {
  const pending = new Set<Promise<unknown>>();
  const run = async (text: string, values?: unknown[]) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await client.query(text, values);
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.release(broken);
    }
  };
  return {
    db: {
      executeSql(text: string, values?: unknown[]) {
        const p = run(text, values);
        pending.add(p);
        void p.then(
          () => pending.delete(p),
          () => pending.delete(p),
        );
        return p;
      },
    },
    async drain() {
      for (;;) {
        if (pending.size) {
          await Promise.allSettled([...pending]);
          continue;
        }
        // A query that just finished may lead pg-boss straight to another (fetch → job → complete).
        await new Promise((resolve) => setImmediate(resolve));
        if (!pending.size) return;
      }
    },
  };
}

const INSTALL_LOCK = "hashtext('incident-bot: install pg-boss')";

/**
 * Installs pg-boss's schema where it is not there yet, one replica at a time. pg-boss's own install
 * takes a transaction-level advisory lock, but a replica that waited on it could still see the
 * catalog as it was before the other replica created the schema (an advisory lock does not refresh
 * the session's catalog cache): its CREATE SCHEMA IF NOT EXISTS then failed on pg_namespace's unique
 * index, and that replica did not start. Here the lock is held for the session and the check runs
 * in a transaction of its own after it was granted, which sees the other replica's schema. All on
 * one connection, so the embedded database's single connection is enough.
 */
export async function installPgBossSchema(pool: pg.Pool): Promise<boolean> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`SELECT pg_advisory_lock(${INSTALL_LOCK})`);
    try {
      const { rows } = await client.query<{ installed: boolean }>(
        "SELECT EXISTS (SELECT 1 FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'pgboss' AND t.relname = 'version') AS installed",
      );
      if (rows[0]!.installed) return false;
      // pg-boss's install as boss.start() runs it: its own BEGIN … COMMIT.
      await client.query(getConstructionPlans('pgboss'));
      return true;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${INSTALL_LOCK})`).catch((e: Error) => (broken = e));
    }
  } finally {
    client.release(broken);
  }
}

export async function startReminderQueue(opts: ReminderQueueOptions): Promise<ReminderQueue> {
  const { deps } = opts;
  const shared = sharedPoolDb(opts.pool);
  // A database a pg-boss 10 bot used: its schema is set aside before pg-boss 12 installs its own.
  await setAsideV10Schema(opts.pool);
  await installPgBossSchema(opts.pool);
  const boss = new PgBoss({
    db: shared.db,
    // No cron schedules: the clock-skew and cron monitors are not needed.
    schedule: false,
    supervise: true,
  });
  boss.on('error', (err: Error) => deps.logger.error({ err }, 'reminder queue error'));

  let stopping = false;
  /**
   * Queues each incident's next check, all in one insert. One job per incident and due time,
   * whatever state the first one is in: its id is made from them, and pg-boss inserts nothing when a
   * job with that id exists. (The queue's "short" policy alone makes singletonKey unique only among
   * jobs not yet started: a replica scheduling a due reminder just after another replica's job had
   * started queued a second one.)
   */
  async function scheduleAll(incidents: Iterable<Incident>): Promise<void> {
    const now = deps.clock.now();
    const jobs: { id: string; singletonKey: string; data: ReminderJob; startAfter?: number }[] = [];
    for (const incident of incidents) {
      const at = nextReminderAt(incident, now, deps.settings.reminderCadence);
      if (!at) continue; // resolved or closed (no breach clock running), or no channel: nothing more to remind
      const delaySeconds = Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 1000));
      const singletonKey = `${incident.id}:${at.toISOString()}`;
      jobs.push({
        id: reminderJobId(singletonKey),
        singletonKey,
        data: { incidentId: incident.id },
        ...(delaySeconds > 0 ? { startAfter: delaySeconds } : {}),
      });
    }
    if (jobs.length === 0) return;
    const inserted = new Set((await boss.insert(REMINDER_QUEUE, jobs, { returnId: true })) ?? []);
    const existing = jobs.map((j) => j.id).filter((id) => !inserted.has(id));
    if (existing.length === 0) return;
    // Those jobs are there already. One that failed (its retries spent while Slack was down for
    // minutes) or was cancelled is put back in the queue: the reminder is still due, the check
    // that failed never queued the next one, and nothing else would queue this one again.
    // (Several replicas doing this at once move it once: pg-boss changes only a failed or a
    // cancelled job.)
    const { rows } = await opts.pool.query<{ id: string; state: string }>(
      "SELECT id::text, state::text FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[]) AND state IN ('failed', 'cancelled')",
      [REMINDER_QUEUE, existing],
    );
    const failed = rows.filter((r) => r.state === 'failed').map((r) => r.id);
    const cancelled = rows.filter((r) => r.state === 'cancelled').map((r) => r.id);
    if (failed.length) await boss.retry(REMINDER_QUEUE, failed);
    if (cancelled.length) await boss.resume(REMINDER_QUEUE, cancelled);
  }
  const scheduler: ReminderScheduler = {
    schedule: (incident: Incident) => scheduleAll([incident]),
  };

  await boss.start();
  try {
    await boss.createQueue(REMINDER_QUEUE, REMINDER_QUEUE_OPTIONS);
    // The jobs a pg-boss 10 bot left queued, before the reschedule below so that those already
    // queued for an incident's due time are not queued twice.
    const carried = await carryOverV10Jobs(opts.pool, boss);
    if (carried) deps.logger.info(carried, 'reminder queue upgraded from pg-boss 10: queued jobs carried over');
    // A job lost, or an incident changed while no replica ran: every active incident gets its next
    // check. Done before this replica's worker starts, so that a job already queued for the same due
    // time is still waiting and is not queued twice.
    // A breach's 72-hour clock runs whatever the status, so resolved ones awaiting notice count too.
    const toSchedule = new Map<string, Incident>();
    for (const incident of [...(await deps.store.listActive()), ...(await deps.store.listAwaitingBreachNotice())])
      toSchedule.set(incident.id, incident);
    // All in one insert (and, for jobs already there, one look at their state).
    await scheduleAll(toSchedule.values()).catch((err: unknown) =>
      deps.logger.error({ err, incidents: toSchedule.size }, 'could not schedule reminders'),
    );
    await boss.work<ReminderJob>(
      REMINDER_QUEUE,
      {
        batchSize: 1,
        ...(opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {}),
      },
      async (jobs: Job<ReminderJob>[]) => {
        for (const job of jobs) {
          // Fetched while stopping: fail it, so it is retried here later or by another replica.
          if (stopping) throw new Error('reminder queue stopping');
          await actingAs({ actor: 'bot', via: 'reminder' }, () =>
            sendReminders({ ...deps, reminders: scheduler }, job.data.incidentId),
          );
        }
      },
    );
  } catch (err) {
    stopping = true;
    await boss.stop({ graceful: false, close: false }).catch(() => {});
    await shared.drain();
    throw err;
  }

  let stopped: Promise<void> | null = null;
  return {
    scheduler,
    boss,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await boss.stop({ graceful: true, close: false, timeout: 10_000 });
        await shared.drain();
      })();
      return stopped;
    },
  };
}

/**
 * Installs (or upgrades) pg-boss's schema and creates the reminder and audit checkpoint queues, as the database owner:
 * both are DDL, which the bot's least-privileged role cannot run. The bot's own start then finds
 * them in place and only reads and writes rows (`npm run db:migrate` with MIGRATION_DATABASE_URL).
 * A pg-boss 10 schema is replaced, its queued jobs carried over (see pgboss-v10.ts): returns what
 * was carried, or null.
 */
export async function installReminderQueue(ownerUrl: string): Promise<CarriedOver | null> {
  const pool = new pg.Pool({ connectionString: ownerUrl, max: 2 });
  const shared = sharedPoolDb(pool);
  const errors: Error[] = [];
  try {
    await setAsideV10Schema(pool);
    await installPgBossSchema(pool);
    const boss = new PgBoss({ db: shared.db, schedule: false, supervise: false, registerInstance: false });
    boss.on('error', (err: Error) => errors.push(err));
    await boss.start();
    try {
      await boss.createQueue(REMINDER_QUEUE, REMINDER_QUEUE_OPTIONS);
      await createCheckpointQueues(boss);
      const carried = await carryOverV10Jobs(pool, boss);
      if (errors.length) throw errors[0]!;
      return carried;
    } finally {
      await boss.stop({ graceful: false, close: false });
      await shared.drain();
    }
  } finally {
    await pool.end();
  }
}
