// The pg-boss reminder queue with two replicas on one database (PGlite, and the PostgreSQL server
// when TEST_DATABASE_URL is set): a due reminder is posted once across both, queued jobs survive a
// restart and a starting replica reschedules every active incident. Waits are bounded polls.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { latestUpdateReminderDue, nextReminderAt } from '../../src/domain/reminders.ts';
import {
  installPgBossSchema,
  REMINDER_QUEUE,
  startReminderQueue,
  type ReminderQueue,
} from '../../src/jobs/reminder-queue.ts';
import { silentLogger } from '../../src/logger.ts';
import type { ChatPlatform, Notice } from '../../src/ports/chat-platform.ts';
import type { Clock } from '../../src/ports/clock.ts';
import { openOptions, testDatabases } from '../support/databases.ts';
import { aRemindableIncident, reminderQueueDeps } from '../support/reminder-queue.ts';

const MINUTE = 60_000;
// The queue works on the database's clock (start_after) and the checks on this one: here both are
// real time, and incidents are made overdue by dating their last update in the past.
const clock: Clock = { now: () => new Date() };

interface Replica {
  name: string;
  queue: ReminderQueue;
  store: PrismaIncidentStore;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

for (const database of testDatabases()) {
  describe(`reminder queue with two replicas (${database.name})`, () => {
    let teardown: () => Promise<void>;
    const databases: Database[] = [];
    let primary: Database;
    const sent: { replica: string; channelId: string; notice: Notice }[] = [];
    const running: ReminderQueue[] = [];

    /**
     * A replica: its own pool and Prisma client on the server; on PGlite the one pool, as the bot
     * does (PGlite's socket server corrupts concurrent connections).
     */
    async function startReplica(name: string, url: string | null): Promise<Replica> {
      let db = primary;
      if (database.name === 'postgres') {
        db = await openDatabase({ url, dataDir: null });
        databases.push(db);
      }
      const store = new PrismaIncidentStore(db.prisma);
      const chat = {
        async notify(channelId: string, notice: Notice) {
          sent.push({ replica: name, channelId, notice });
          return '1.0001';
        },
      } as unknown as ChatPlatform;
      const queue = await startReminderQueue({
        pool: db.pool as pg.Pool,
        deps: reminderQueueDeps({ store, chat, clock, logger: silentLogger }),
        pollingIntervalSeconds: 0.5,
      });
      running.push(queue);
      return { name, queue, store };
    }

    const anIncident = aRemindableIncident;

    const sentFor = (incident: Incident) => sent.filter((s) => s.channelId === incident.channelId);

    async function jobs(incident: Incident) {
      const { rows } = await primary.pool.query<{ id: string; state: string; singleton_key: string; due: boolean }>(
        `SELECT id, state, singleton_key, start_after < now() AS due FROM pgboss.job
         WHERE name = $1 AND data->>'incidentId' = $2 ORDER BY created_on`,
        [REMINDER_QUEUE, incident.id],
      );
      return rows;
    }

    /** No job for the incident could still be delivered now: every delivery has happened. */
    const settled = async (incident: Incident) =>
      (await jobs(incident)).every((j) => !j.due || ['completed', 'cancelled', 'failed'].includes(j.state));

    let url: string | null;
    let a: Replica;
    let b: Replica;

    before(async () => {
      const setup = await database.setup();
      teardown = setup.teardown;
      url = setup.url;
      primary = await openDatabase({ url, dataDir: null });
      databases.push(primary);
      a = await startReplica('a', url);
      b = await startReplica('b', url);
    });
    after(async () => {
      for (const q of running) await q.stop();
      for (const db of databases.reverse()) await db.close();
      await teardown?.();
    });

    test('a due reminder is posted exactly once across both replicas', async () => {
      const incident = await anIncident(a.store, { lastUpdateAt: new Date(Date.now() - 45 * MINUTE) });
      const due = latestUpdateReminderDue(incident, clock.now())!;
      // Both replicas schedule it: one job per incident and due time.
      await Promise.all([a.queue.scheduler.schedule(incident), b.queue.scheduler.schedule(incident)]);
      await until('the reminder', () => sentFor(incident).length > 0);
      await until('no deliverable job left', () => settled(incident));

      assert.equal(sentFor(incident).length, 1);
      const { notice } = sentFor(incident)[0]!;
      assert.equal(notice.kind, 'update-reminder');
      assert.equal(notice.kind === 'update-reminder' && notice.minutesSinceUpdate >= 45, true);
      const stored = (await a.store.findById(incident.id))!;
      assert.deepEqual(stored.updateReminderDueAt, due);

      const all = await jobs(incident);
      assert.equal(
        all.filter((j) => j.singleton_key === `${incident.id}:${due.toISOString()}`).length,
        1,
        'queued once',
      );
      // Scheduling that same state again, once its job has run (a replica that read the incident
      // before the reminder, or a retried request), queues nothing: one job per incident and due time,
      // whatever state the first one is in.
      await Promise.all([a.queue.scheduler.schedule(incident), b.queue.scheduler.schedule(incident)]);
      assert.equal(
        (await jobs(incident)).filter((j) => j.singleton_key === `${incident.id}:${due.toISOString()}`).length,
        1,
        'not queued again after it ran',
      );
      // The check queued the next one: 30 minutes after the previous due time.
      const next = nextReminderAt(stored, clock.now())!;
      assert.deepEqual(next, new Date(due.getTime() + 30 * MINUTE));
      assert.deepEqual(
        all.filter((j) => j.state === 'created').map((j) => j.singleton_key),
        [`${incident.id}:${next.toISOString()}`],
      );
    });

    test('a reminder whose job failed or was cancelled is queued again when it is scheduled again', async () => {
      for (const [ending, back] of [
        ['failed', 'retry'],
        ['cancelled', 'created'],
      ] as const) {
        // Due in 20 minutes: nothing runs it during the test.
        const incident = await anIncident(a.store, { lastUpdateAt: new Date(Date.now() - 10 * MINUTE) });
        await a.queue.scheduler.schedule(incident);
        const [job] = await jobs(incident);
        assert.ok(job, 'queued');
        // Its retries spent while Slack was down (or cancelled by hand): the job has ended.
        await primary.pool.query(`UPDATE pgboss.job SET state = $2, completed_on = now() WHERE id = $1`, [
          job.id,
          ending,
        ]);
        // The next start's sweep, or any change to the incident, schedules the same reminder again.
        await Promise.all([a.queue.scheduler.schedule(incident), b.queue.scheduler.schedule(incident)]);
        const after = await jobs(incident);
        assert.deepEqual(
          after.map((j) => [j.id, j.state]),
          [[job.id, back]],
          `a ${ending} job is put back in the queue, once`,
        );
      }
    });

    test('queued jobs survive a restart, and a starting replica reschedules active incidents', async () => {
      // Both replicas go down.
      await a.queue.stop();
      await b.queue.stop();

      // A job queued with no worker running (as a replica that dies right after scheduling leaves it).
      const queued = await anIncident(a.store, { lastUpdateAt: new Date(Date.now() - 40 * MINUTE) });
      await a.queue.scheduler.schedule(queued);
      const [job] = await jobs(queued);
      assert.ok(job, 'a job is queued');
      // An overdue incident whose job was lost, and a resolved one.
      const lost = await anIncident(a.store, { lastUpdateAt: new Date(Date.now() - 50 * MINUTE) });
      const resolved = await anIncident(a.store, { lastUpdateAt: new Date(Date.now() - 50 * MINUTE), resolved: true });
      assert.deepEqual(await jobs(lost), []);

      const c = await startReplica('c', url);
      // Rescheduled on start: the active one, not the resolved one.
      assert.equal((await jobs(lost)).length, 1);
      assert.deepEqual(await jobs(resolved), []);

      await until('both reminders', () => sentFor(queued).length > 0 && sentFor(lost).length > 0);
      await until('no deliverable job left', async () => (await settled(queued)) && (await settled(lost)));
      assert.equal(sentFor(queued).length, 1);
      assert.equal(sentFor(lost).length, 1);
      assert.deepEqual(sentFor(resolved), []);
      assert.deepEqual(
        [...sentFor(queued), ...sentFor(lost)].map((s) => s.replica),
        ['c', 'c'],
      );

      // The job queued before the restart is the one that ran; the restart queued no second one.
      const queuedJobs = await jobs(queued);
      assert.equal(queuedJobs.find((j) => j.id === job.id)?.state, 'completed');
      assert.equal(queuedJobs.filter((j) => j.singleton_key === job.singleton_key).length, 1);

      // A further restart reschedules, but queues nothing twice.
      await c.queue.stop();
      const jobsBefore = (await jobs(lost)).length;
      await startReplica('d', url);
      assert.equal((await jobs(lost)).length, jobsBefore);
    });

    test('a starting replica reschedules every active incident in one insert, and the next start queues nothing twice', async () => {
      for (const q of running) await q.stop();
      const incidents = await Promise.all(
        // Due in 16 to 20 minutes: nothing runs them during the test.
        [10, 11, 12, 13, 14].map((m) => anIncident(a.store, { lastUpdateAt: new Date(Date.now() - m * MINUTE) })),
      );
      for (const incident of incidents) assert.deepEqual(await jobs(incident), []);

      const e = await startReplica('e', url);
      const queued = await Promise.all(incidents.map((incident) => jobs(incident)));
      assert.deepEqual(
        queued.map((j) => j.length),
        [1, 1, 1, 1, 1],
        'one job each',
      );
      // pg-boss stamps a job with the time its statement's transaction began: one time for all five
      // is one statement (five sends would be five transactions, five times).
      const { rows } = await primary.pool.query<{ n: number }>(
        'SELECT count(DISTINCT created_on)::int AS n FROM pgboss.job WHERE id = ANY($1::uuid[])',
        [queued.map((j) => j[0]!.id)],
      );
      assert.equal(rows[0]!.n, 1, 'queued in one insert');

      await e.queue.stop();
      await startReplica('f', url);
      for (const [i, incident] of incidents.entries()) {
        assert.deepEqual(
          (await jobs(incident)).map((j) => j.id),
          queued[i]!.map((j) => j.id),
          'the second start queues nothing twice',
        );
      }
    });
  });

  describe(`pg-boss's schema on a database without it, replicas starting at once (${database.name})`, () => {
    test('it is installed once and every replica starts', async () => {
      const setup = await database.setup();
      const dbs: Database[] = [];
      const queues: ReminderQueue[] = [];
      try {
        dbs.push(await openDatabase(openOptions(setup)));
        // On the server each replica has its own pool; PGlite is one process's database, so one pool.
        if (database.name === 'postgres')
          dbs.push(...(await Promise.all([1, 2, 3].map(() => openDatabase(openOptions(setup))))));
        const pool = (i: number) => dbs[i % dbs.length]!.pool as pg.Pool;
        const schema = async () =>
          (
            await dbs[0]!.pool.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'pgboss'",
            )
          ).rows[0]!.n;

        await dbs[0]!.pool.query('DROP SCHEMA IF EXISTS pgboss CASCADE');
        const installed = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => installPgBossSchema(pool(i))));
        assert.deepEqual(
          installed.filter(Boolean).length,
          1,
          `installed by exactly one of six callers: ${JSON.stringify(installed)}`,
        );
        assert.equal(await schema(), 1);

        // The same through the queue's start, as replicas starting at once run it.
        await dbs[0]!.pool.query('DROP SCHEMA pgboss CASCADE');
        const store = new PrismaIncidentStore(dbs[0]!.prisma);
        const chat = { notify: async () => '1.0001' } as unknown as ChatPlatform;
        const started = await Promise.allSettled(
          [0, 1, 2, 3].map((i) =>
            startReminderQueue({
              pool: pool(i),
              deps: reminderQueueDeps({ store, chat, clock, logger: silentLogger }),
              pollingIntervalSeconds: 0.5,
            }),
          ),
        );
        for (const s of started) if (s.status === 'fulfilled') queues.push(s.value);
        assert.deepEqual(
          started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started')),
          ['started', 'started', 'started', 'started'],
        );
        const { rows } = await dbs[0]!.pool.query<{ version: number }>('SELECT version FROM pgboss.version');
        assert.equal(rows.length, 1);
      } finally {
        for (const q of queues) await q.stop();
        for (const db of dbs.reverse()) await db.close();
        await setup.teardown();
      }
    });
  });
}
