// Upgrading from pg-boss 10 (schema version 24), which pg-boss 12 cannot migrate: a database a
// pg-boss 10 bot left with queued jobs (test/fixtures/pgboss-v10.sql, dumped from pg-boss 10.4.2)
// gets pg-boss 12's schema on the next start, with every unfinished job carried over and run.
// On PGlite and on the PostgreSQL server when TEST_DATABASE_URL is set.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { latestUpdateReminderDue } from '../../src/domain/reminders.ts';
import { CHECKPOINT_DELIVER_QUEUE, CHECKPOINT_TAKE_QUEUE } from '../../src/jobs/audit-checkpoints.ts';
import { REMINDER_QUEUE, startReminderQueue, type ReminderQueue } from '../../src/jobs/reminder-queue.ts';
import type { Logger } from '../../src/logger.ts';
import type { ChatPlatform, Notice } from '../../src/ports/chat-platform.ts';
import type { Clock } from '../../src/ports/clock.ts';
import { testDatabases } from '../support/databases.ts';
import { aRemindableIncident, reminderQueueDeps } from '../support/reminder-queue.ts';
import { loadV10Schema, V10_JOB as JOB } from '../support/pgboss-v10.ts';

const MINUTE = 60_000;
const clock: Clock = { now: () => new Date() };

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

for (const database of testDatabases()) {
  describe(`upgrading the reminder queue from pg-boss 10 (${database.name})`, () => {
    let teardown: () => Promise<void>;
    let db: Database;
    let store: PrismaIncidentStore;
    const sent: { channelId: string; notice: Notice }[] = [];
    const running: ReminderQueue[] = [];
    const logged: { level: string; obj: object; msg?: string }[] = [];
    const logger: Logger = {
      debug() {},
      info: (obj, msg) => logged.push({ level: 'info', obj, ...(msg ? { msg } : {}) }),
      warn: (obj, msg) => logged.push({ level: 'warn', obj, ...(msg ? { msg } : {}) }),
      error: (obj, msg) => logged.push({ level: 'error', obj, ...(msg ? { msg } : {}) }),
    };

    let url: string | null;
    const others: Database[] = [];

    async function start(on: Database = db): Promise<ReminderQueue> {
      const chat = {
        async notify(channelId: string, notice: Notice) {
          sent.push({ channelId, notice });
          return '1.0001';
        },
      } as unknown as ChatPlatform;
      const queue = await startReminderQueue({
        pool: on.pool as pg.Pool,
        deps: reminderQueueDeps({ store, chat, clock, logger }),
        pollingIntervalSeconds: 0.5,
      });
      running.push(queue);
      return queue;
    }

    /** An open incident in its channel, with a commander, its last update `minutesAgo` minutes ago. */
    const anIncident = (minutesAgo: number) =>
      aRemindableIncident(store, { lastUpdateAt: new Date(Date.now() - minutesAgo * MINUTE) });

    const sentFor = (incident: Incident) => sent.filter((s) => s.channelId === incident.channelId);
    const job = async (id: string) =>
      (
        await db.pool.query<{
          name: string;
          state: string;
          singleton_key: string | null;
          data: { incidentId?: string };
          start_after: Date;
          retry_limit: number;
          retry_delay: number;
          retry_backoff: boolean;
          expire_seconds: number;
          keep_until: Date;
        }>(
          'SELECT name, state, singleton_key, data, start_after, retry_limit, retry_delay, retry_backoff, expire_seconds, keep_until FROM pgboss.job WHERE id = $1',
          [id],
        )
      ).rows[0];

    before(async () => {
      const setup = await database.setup();
      teardown = setup.teardown;
      url = setup.url;
      db = await openDatabase({ url, dataDir: null });
      store = new PrismaIncidentStore(db.prisma);
    });
    after(async () => {
      for (const q of running) await q.stop();
      for (const other of others) await other.close();
      await db?.close();
      await teardown?.();
    });

    test('the jobs a pg-boss 10 bot left queued are carried over to pg-boss 12 and run', async () => {
      await loadV10Schema(db.pool as pg.Pool);
      // The fixture's reminder jobs, pointed at incidents of this database; the due one exactly as the
      // old bot queued it for its incident's due time (singleton key incident:due).
      const dueIncident = await anIncident(45);
      const activeIncident = await anIncident(50);
      const retryIncident = await anIncident(55);
      const laterIncident = await anIncident(5);
      const dueAt = latestUpdateReminderDue(dueIncident, clock.now())!;
      await db.pool.query(
        `UPDATE pgboss.job SET data = jsonb_build_object('incidentId', $2::text), singleton_key = $3 WHERE id = $1`,
        [JOB.due, dueIncident.id, `${dueIncident.id}:${dueAt.toISOString()}`],
      );
      for (const [id, incident] of [
        [JOB.active, activeIncident],
        [JOB.retry, retryIncident],
        [JOB.inAnHour, laterIncident],
      ] as const) {
        await db.pool.query(`UPDATE pgboss.job SET data = jsonb_build_object('incidentId', $2::text) WHERE id = $1`, [
          id,
          incident.id,
        ]);
      }
      const {
        rows: [queued],
      } = await db.pool.query<{ start_after: Date; keep_until: Date }>(
        'SELECT start_after, keep_until FROM pgboss.job WHERE id = $1',
        [JOB.inAnHour],
      );
      const { rows: v10 } = await db.pool.query<{ version: number }>('SELECT version FROM pgboss.version');
      assert.deepEqual(v10, [{ version: 24 }]);

      await start();

      // pg-boss 12's schema, and the old one gone.
      const { rows: version } = await db.pool.query<{ version: number; old: boolean }>(
        "SELECT version, to_regnamespace('pgboss_v10') IS NOT NULL AS old FROM pgboss.version",
      );
      assert.ok(version[0]!.version > 24, `schema version ${version[0]!.version}`);
      assert.equal(version[0]!.old, false);

      // Every unfinished job is there, under its own id; the completed one is history, left behind.
      assert.equal(await job(JOB.completed), undefined);
      const later = (await job(JOB.inAnHour))!;
      assert.equal(later.state, 'created');
      assert.equal(later.name, REMINDER_QUEUE);
      assert.equal(later.start_after.getTime(), queued!.start_after.getTime(), 'still due when the old bot said');
      assert.equal(later.keep_until.getTime(), queued!.keep_until.getTime(), 'kept as long as the old bot said');
      assert.ok(later.start_after.getTime() > Date.now() + 50 * MINUTE);
      assert.equal(later.singleton_key, '22222222-2222-4222-8222-222222222222:2026-12-05T13:00:00.000Z');
      assert.equal(later.expire_seconds, 300);
      const deliver = (await job(JOB.deliver))!;
      assert.equal(deliver.name, CHECKPOINT_DELIVER_QUEUE);
      assert.deepEqual(deliver.data, { destination: 'folder', json: '{"not":"a real checkpoint"}' });
      assert.deepEqual(
        [deliver.state, deliver.retry_limit, deliver.retry_delay, deliver.retry_backoff],
        ['created', 11, 30, true],
      );
      assert.equal((await job(JOB.take))?.name, CHECKPOINT_TAKE_QUEUE);

      // The due, the retrying and the interrupted reminders run on the new queue, each once.
      await until('the three reminders', () =>
        [dueIncident, activeIncident, retryIncident].every((i) => sentFor(i).length > 0),
      );
      await until('the carried jobs completed', async () => {
        const states = await Promise.all([JOB.due, JOB.active, JOB.retry].map(async (id) => (await job(id))?.state));
        return states.every((s) => s === 'completed');
      });
      for (const incident of [dueIncident, activeIncident, retryIncident]) {
        assert.equal(sentFor(incident).length, 1);
        assert.equal(sentFor(incident)[0]!.notice.kind, 'update-reminder');
      }
      assert.deepEqual(sentFor(laterIncident), []);
      // The start rescheduled every active incident after the carry-over: the due incident's job was
      // already queued for that due time, so it is the one that ran and none was queued beside it.
      const { rows: forDue } = await db.pool.query<{ id: string }>(
        'SELECT id FROM pgboss.job WHERE singleton_key = $1',
        [`${dueIncident.id}:${dueAt.toISOString()}`],
      );
      assert.deepEqual(
        forDue.map((r) => r.id),
        [JOB.due],
      );
      // Said once at the start, and nothing went wrong.
      assert.deepEqual(logged, [
        {
          level: 'info',
          obj: { carried: 6, finished: 1, queues: [REMINDER_QUEUE, CHECKPOINT_DELIVER_QUEUE, CHECKPOINT_TAKE_QUEUE] },
          msg: 'reminder queue upgraded from pg-boss 10: queued jobs carried over',
        },
      ]);
    });

    test('a restart finds pg-boss 12 in place and carries nothing again', async () => {
      for (const q of running.splice(0)) await q.stop();
      const count = async () =>
        (
          await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pgboss.job WHERE id::text LIKE $1', [
            'aaaaaaaa-%',
          ])
        ).rows[0]!.n;
      const jobsBefore = await count();
      logged.length = 0;
      await start();
      assert.equal(await count(), jobsBefore);
      assert.deepEqual(logged, [], 'nothing carried, nothing said');
      assert.equal((await job(JOB.inAnHour))?.state, 'created');
    });

    test('two replicas starting at once on a pg-boss 10 database carry each job over once', async () => {
      for (const q of running.splice(0)) await q.stop();
      await db.pool.query('DROP SCHEMA pgboss CASCADE');
      await loadV10Schema(db.pool as pg.Pool);
      logged.length = 0;
      // On the server each replica has its own pool; PGlite is one process's database, so one pool.
      const other = database.name === 'postgres' ? await openDatabase({ url, dataDir: null }) : db;
      if (other !== db) others.push(other);
      await Promise.all([start(db), start(other)]);
      const carried = logged
        .filter((l) => l.msg === 'reminder queue upgraded from pg-boss 10: queued jobs carried over')
        .map((l) => (l.obj as { carried: number }).carried);
      assert.equal(
        carried.reduce((a, b) => a + b, 0),
        6,
        JSON.stringify(logged),
      );
      assert.deepEqual(
        logged.filter((l) => l.level !== 'info'),
        [],
      );
      const { rows } = await db.pool.query<{ n: number; old: boolean }>(
        "SELECT count(*)::int AS n, to_regnamespace('pgboss_v10') IS NOT NULL AS old FROM pgboss.job WHERE id::text LIKE 'aaaaaaaa-%'",
      );
      assert.deepEqual(rows, [{ n: 6, old: false }]);
    });
  });
}
