// Separate owner and bot roles on the PostgreSQL server (TEST_DATABASE_URL), set up as docs/operations.md
// says (Least-privilege database roles): throw-away roles and a scratch database owned by the owner
// role. `npm run db:migrate` as the owner grants the bot role what it needs; as the bot role the
// trail cannot be switched off or rewritten, nor the schema changed; the bot works as the bot role
// (declaring, changes, pg-boss reminders) and starts without DDL rights; with migrations pending it
// stops with one line; a direct session as any other role is recorded as that role, not as the Slack
// member it claims; a bot role with more rights than it should have is refused.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { actingAs } from '../../src/audit-context.ts';
import { openDatabase } from '../../src/db/database.ts';
import { PrismaAuditTrail } from '../../src/db/prisma-audit-trail.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { DatabaseSetupError, grantBotRole, migrateAsOwner } from '../../src/db/roles.ts';
import { applyMigrationsInWorker, readMigrations } from '../../src/db/migrate.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../src/db/scratch.ts';
import { installReminderQueue, startReminderQueue } from '../../src/jobs/reminder-queue.ts';
import { BROADCAST_CHANNEL, startTestBot } from '../support/bot.ts';
import { startSlackStandIn } from '../support/slack-standin.ts';
import { unused, declaring, aDeclaration } from '../support/fixtures.ts';
import { testDeps } from '../support/deps.ts';
import { loadV10Schema, V10_JOB, V10_UNFINISHED } from '../support/pgboss-v10.ts';
import { childEnv } from '../support/node-args.ts';

const server = process.env.TEST_DATABASE_URL;
const suffix = randomBytes(4).toString('hex');
const role = (name: string) => `ib_${name}_${suffix}`;
const OWNER = role('owner');
const BOT = role('bot');
/** A DBA's own login, given DML on the incident tables by the owner. */
const OTHER = role('other');
/** A login that is a member of the bot role (SET ROLE works), but is not the bot role. */
const ADMIN = role('admin');
/** Roles that must never be accepted as the bot's. */
const BAD = {
  superuser: role('bad_super'),
  member: role('bad_member'),
  writer: role('bad_writer'),
  createrole: role('bad_createrole'),
  param: role('bad_param'),
  create: role('bad_create'),
};
const ALL_ROLES = [OWNER, BOT, OTHER, ADMIN, ...Object.values(BAD)];

const declaration = (title: string) => aDeclaration({ title });

function urlAs(base: string, user: string): string {
  const u = new URL(base);
  u.username = user;
  u.password = '';
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function run(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', script],
      { env: { ...childEnv(), ...env }, encoding: 'utf8', timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('least-privilege database roles (postgres)', {
  skip: server ? false : 'set TEST_DATABASE_URL to a PostgreSQL server',
}, () => {
  let scratch: ScratchDatabase;
  let ownerUrl: string;
  let botUrl: string;
  const admin = (sql: string, params: unknown[] = []) => withClient(server!, (c) => c.query(sql, params));
  const asOwner = (sql: string, params: unknown[] = []) => withClient(ownerUrl, (c) => c.query(sql, params));
  const asOwnerOf = async (url: string, sql: string) => (await withClient(url, (c) => c.query(sql))).rows;

  before(async () => {
    // As docs/operations.md: CREATE ROLE … LOGIN for each; the database belongs to the owner.
    for (const r of ALL_ROLES) await admin(`CREATE ROLE "${r}" LOGIN`);
    await admin(`GRANT "${BOT}" TO "${ADMIN}"`);
    await admin(`ALTER ROLE "${BAD.superuser}" SUPERUSER`);
    await admin(`ALTER ROLE "${BAD.createrole}" CREATEROLE`);
    await admin(`GRANT "${OWNER}" TO "${BAD.member}"`);
    await admin(`GRANT pg_write_all_data TO "${BAD.writer}"`);
    await admin(`GRANT SET ON PARAMETER session_replication_role TO "${BAD.param}"`);
    scratch = await createScratchDatabase(server!, 'incident_bot_roles');
    const name = new URL(scratch.url).pathname.slice(1);
    await admin(`ALTER DATABASE "${name}" OWNER TO "${OWNER}"`);
    ownerUrl = urlAs(scratch.url, OWNER);
    botUrl = urlAs(scratch.url, BOT);
  });
  after(async () => {
    await scratch?.drop();
    await admin(`REVOKE SET ON PARAMETER session_replication_role FROM "${BAD.param}"`).catch(() => {});
    for (const r of ALL_ROLES) await admin(`DROP ROLE IF EXISTS "${r}"`).catch(() => {});
  });

  test('npm run db:migrate as the owner applies the migrations, grants the bot role and records it', async () => {
    const first = await run('scripts/migrate.ts', { MIGRATION_DATABASE_URL: ownerUrl, DATABASE_URL: botUrl });
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /Applied .*20261205120000_audit_db_roles.* as the owner\./);
    assert.match(first.stdout, new RegExp(`Granted the bot's role ${BOT} what the bot needs`));
    const { rows } = await asOwner('SELECT bot_role FROM audit_settings');
    assert.deepEqual(rows, [{ bot_role: BOT }]);
    const owners = await asOwner(
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'pgboss')`,
    );
    assert.deepEqual(owners.rows, [{ owner: OWNER }], 'the owner owns every table, pg-boss included');
    // Again: nothing to apply, the grants are made again (idempotent).
    const again = await run('scripts/migrate.ts', { MIGRATION_DATABASE_URL: ownerUrl, DATABASE_URL: botUrl });
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /is up to date\./);
    // The owner gives a DBA's own login DML on the incident (as one might for a data fix).
    await asOwner(`GRANT SELECT, INSERT, UPDATE, DELETE ON incident, timeline_entry TO "${OTHER}"`);
  });

  test('the bot runs as the bot role: it starts with nothing to migrate, declares, changes and sends pg-boss reminders', async () => {
    const slack = await startSlackStandIn({
      users: [
        { id: 'UALICE', name: 'alice', tz: 'Europe/London' },
        { id: 'UBOB', name: 'bob', tz: 'Europe/London' },
      ],
    });
    slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents', members: [] });
    slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE'] });
    slack.addChannel({ id: 'CREMIND', name: 'inc-overdue', members: ['UALICE'] });
    const logged: unknown[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (...a: unknown[]) => logged.push(a),
      error: (...a: unknown[]) => logged.push(a),
    };
    const app = await startTestBot({ slackApiUrl: slack.url, token: slack.token, databaseUrl: botUrl, logger });
    try {
      const { rows } = await app.bot.db.pool.query<{ u: string }>('SELECT session_user AS u');
      assert.equal(rows[0]!.u, BOT, 'the bot runs as the bot role');
      const res = await app.command('declare sev2 Pharmacy feed down', {
        responseUrl: slack.responseUrl('declare'),
        userId: 'UALICE',
        channelId: 'CGENERAL',
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const [declared] = await app.bot.deps.store.listActive();
      assert.ok(declared?.channelId && declared.summaryPinned, 'declared, channel made, summary pinned');
      const trail = new PrismaAuditTrail(app.bot.db.prisma);
      const { entries, problems } = await trail.read(declared.id);
      assert.deepEqual(problems, []);
      assert.ok(entries.length > 1 && entries.every((e) => e.dbRole === BOT && e.claimedActor === null));
      assert.equal(entries[0]!.actor, 'UALICE', "the bot role's claimed actor is kept");

      // A reminder through pg-boss: a SEV1 whose last update is 45 minutes old is due one now.
      const store = app.bot.deps.store;
      const past = new Date(Date.now() - 45 * 60_000);
      const { incident } = await store.createIfAbsent(
        declaring({
          declareKey: 'lp-remind',
          declaration: { ...declaration('Overdue update'), severity: 'SEV1' },
          declaredAt: past,
          via: 'test',
        }),
      );
      await store.recordProvisioning(incident.id, { channelId: 'CREMIND' });
      const overdue = (await store.applyChange(
        incident.id,
        { lastUpdateAt: past, role: { role: 'COMMANDER', userId: 'UBOB', assignedBy: 'UALICE' } },
        { occurredAt: past, kind: 'test_setup', actorId: null, text: 'set up for the test' },
      ))!;
      await app.bot.deps.reminders.schedule(overdue);
      await until('a reminder posted by the pg-boss job', () =>
        slack.messages.some((m) => m.channel === 'CREMIND'),
      ).catch(async (err) => {
        const jobs = await app.bot.db.pool.query(
          'SELECT name, state, start_after, now() AS now, singleton_key, output FROM pgboss.job',
        );
        const q = await app.bot.db.pool.query('SELECT * FROM pgboss.queue');
        throw new Error(
          `${(err as Error).message}; logged: ${JSON.stringify(logged)} jobs ${JSON.stringify(jobs.rows)} queues ${JSON.stringify(q.rows)} msgs ${JSON.stringify(slack.messages.map((m) => m.channel))}`,
        );
      });
      await until(
        'the job completed',
        async () =>
          (
            await app.bot.db.pool.query(
              "SELECT 1 FROM pgboss.job WHERE data->>'incidentId' = $1 AND state = 'completed'",
              [incident.id],
            )
          ).rowCount! > 0,
      );
      const reminded = await trail.read(incident.id);
      assert.deepEqual(reminded.problems, []);
      assert.ok(
        reminded.entries.some((e) => e.via === 'reminder' && e.actor === 'bot' && e.dbRole === BOT),
        'the claim recorded by the reminder',
      );
      assert.deepEqual(logged, []);
    } finally {
      await app.stop();
      await slack.close();
    }
  });

  test('as the bot role, the trail cannot be switched off or rewritten, nor the schema changed', async () => {
    const bot = await openDatabase({ url: botUrl, dataDir: null });
    let incidentId: string;
    try {
      const store = new PrismaIncidentStore(bot.prisma);
      const { incident } = await actingAs({ actor: 'UALICE', via: '/incident declare' }, () =>
        store.createIfAbsent(
          declaring({
            declareKey: 'lp-1',
            declaration: declaration('Locked down'),
            declaredAt: new Date(),
          }),
        ),
      );
      incidentId = incident.id;
    } finally {
      await bot.close();
    }
    const id = incidentId;
    const attempts = [
      'ALTER TABLE incident DISABLE TRIGGER audit',
      'ALTER TABLE incident DISABLE TRIGGER ALL',
      'ALTER TABLE timeline_entry DISABLE TRIGGER USER',
      'ALTER TABLE audit_entry DISABLE TRIGGER append_only',
      'ALTER TABLE audit_head DISABLE TRIGGER written_by_trigger',
      'SET session_replication_role = replica',
      'SET LOCAL session_replication_role = replica',
      "SELECT set_config('session_replication_role', 'replica', true)",
      `ALTER ROLE "${BOT}" SET session_replication_role = replica`,
      `INSERT INTO audit_entry (incident_id, seq, at, actor, via, action, row_key, prev_hash, hash) VALUES ('${id}', 99, now(), 'UMALLORY', 'x', 'incident.update', '${id}', 'x', 'x')`,
      "UPDATE audit_entry SET actor = 'UMALLORY'",
      'DELETE FROM audit_entry',
      'TRUNCATE audit_entry',
      `INSERT INTO audit_head VALUES (gen_random_uuid(), 1, 'x')`,
      'UPDATE audit_head SET seq = seq + 1',
      'DELETE FROM audit_head',
      'TRUNCATE audit_head',
      "UPDATE audit_settings SET bot_role = 'someone_else'",
      'DELETE FROM audit_settings',
      "INSERT INTO audit_settings VALUES (false, 'someone_else')",
      'DELETE FROM _prisma_migrations',
      'UPDATE _prisma_migrations SET rolled_back_at = now()',
      // Derived from the timeline by the database's trigger: nobody writes it directly.
      `INSERT INTO incident_durations (incident_id) VALUES ('${id}') ON CONFLICT DO NOTHING`,
      'UPDATE incident_durations SET res_at = now()',
      'DELETE FROM incident_durations',
      `SELECT incident_durations_recount(ARRAY['${id}'::uuid])`,
      'ALTER TABLE incident ADD COLUMN x int',
      'ALTER TABLE incident RENAME TO incident_old',
      'ALTER TABLE audit_entry DROP COLUMN db_role',
      'DROP TABLE incident CASCADE',
      'DROP TABLE audit_entry',
      'DROP TRIGGER audit ON incident',
      'CREATE RULE quiet AS ON UPDATE TO incident DO INSTEAD NOTHING',
      'CREATE TRIGGER mine AFTER INSERT ON incident FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()',
      'CREATE OR REPLACE FUNCTION audit_record() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$',
      'DROP FUNCTION audit_canonical(uuid, int, timestamptz, text, text, text, text, jsonb, jsonb, text, text)',
      'ALTER FUNCTION audit_record() SECURITY INVOKER',
      'CREATE TABLE public.shadow (id int)',
      'CREATE FUNCTION public.sha256(text) RETURNS bytea LANGUAGE sql AS $$SELECT NULL::bytea$$',
      'CREATE SCHEMA mine',
      'TRUNCATE incident CASCADE',
      'TRUNCATE timeline_entry',
      'CREATE TEMP TABLE incident (id uuid); CREATE TRIGGER audit AFTER INSERT ON pg_temp.incident FOR EACH ROW EXECUTE FUNCTION public.audit_record()',
      `SET ROLE "${OWNER}"`,
      `SET SESSION AUTHORIZATION "${OWNER}"`,
      'ALTER TABLE pgboss.job DISABLE TRIGGER ALL',
      'DROP SCHEMA pgboss CASCADE',
      `ALTER ROLE "${BOT}" SUPERUSER`,
      `GRANT "${OWNER}" TO "${BOT}"`,
    ];
    const entriesBefore = (await asOwner('SELECT count(*)::int AS n FROM audit_entry')).rows[0].n as number;
    const allowed: string[] = [];
    await withClient(botUrl, async (c) => {
      for (const sql of attempts) {
        await c.query('BEGIN');
        try {
          await c.query(sql);
          allowed.push(sql);
        } catch (err) {
          assert.match(
            (err as Error).message,
            /permission denied|must be owner|must be superuser|must have admin option|TRUNCATE would bypass/,
            sql,
          );
        } finally {
          await c.query('ROLLBACK');
        }
      }
    });
    assert.deepEqual(allowed, [], 'the bot role was allowed these');
    assert.equal((await asOwner('SELECT count(*)::int AS n FROM audit_entry')).rows[0].n, entriesBefore);
    // Nor does the bot role hold any right on the audit trail but reading it.
    const rights = await asOwner(
      `SELECT t, p FROM unnest(ARRAY['audit_entry', 'audit_head', 'audit_settings', '_prisma_migrations', 'incident_durations']) t,
              unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES']) p
        WHERE has_table_privilege($1, t, p) ORDER BY 1, 2`,
      [BOT],
    );
    assert.deepEqual(rights.rows.map((r) => `${r.p} ${r.t}`).sort(), [
      'SELECT _prisma_migrations',
      'SELECT audit_entry',
      'SELECT audit_head',
      'SELECT audit_settings',
      'SELECT incident_durations',
    ]);
  });

  test('a direct session as another role that claims a Slack member is recorded as its role, not as that member', async () => {
    const bot = await openDatabase({ url: botUrl, dataDir: null, migrate: false });
    try {
      const store = new PrismaIncidentStore(bot.prisma);
      const { incident } = await actingAs({ actor: 'UALICE', via: '/incident declare' }, () =>
        store.createIfAbsent(
          declaring({
            declareKey: 'lp-2',
            declaration: declaration('Forged actor'),
            declaredAt: new Date(),
          }),
        ),
      );
      const forge = (login: string, title: string, setRole?: string) =>
        withClient(urlAs(scratch.url, login), async (c) => {
          await c.query('BEGIN');
          if (setRole) await c.query(`SET LOCAL ROLE "${setRole}"`);
          await c.query(
            "SELECT set_config('incident_bot.actor', 'UALICE', true), set_config('incident_bot.via', '/incident title', true)",
          );
          await c.query('UPDATE incident SET title = $2 WHERE id = $1', [incident.id, title]);
          await c.query('COMMIT');
        });
      await forge(OWNER, 'By the owner');
      await forge(OTHER, 'By a DBA');
      await forge(ADMIN, 'By someone who can SET ROLE to the bot', BOT);
      // The bot's own role is believed (with its credentials, so is anyone who has them).
      await actingAs({ actor: 'UBOB', via: '/incident title' }, () =>
        store.applyChange(
          incident.id,
          { severity: 'SEV1' },
          { occurredAt: new Date(), kind: 'severity_changed', actorId: 'UBOB', text: 'SEV2 → SEV1' },
        ),
      );
      // A DBA allowed to write the timeline but not incident_durations adds a move: the durations'
      // row follows all the same (its trigger runs with the owner's rights).
      await withClient(urlAs(scratch.url, OTHER), (c) =>
        c.query(
          `INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, text, data)
           VALUES (gen_random_uuid(), $1, now(), 'status_changed', 'Fixed by hand', '{"to": "INVESTIGATING"}')`,
          [incident.id],
        ),
      );
      const durations = await asOwner(
        'SELECT ack_at IS NOT NULL AS acknowledged FROM incident_durations WHERE incident_id = $1',
        [incident.id],
      );
      assert.deepEqual(durations.rows, [{ acknowledged: true }]);
      const trail = new PrismaAuditTrail(bot.prisma);
      const updates = (await trail.read(incident.id)).entries.filter((e) => e.action === 'incident.update');
      assert.deepEqual(
        updates.map((e) => [e.after!.title ?? e.after!.severity, e.actor, e.claimedActor, e.dbRole]),
        [
          ['By the owner', `db:${OWNER}`, 'UALICE', OWNER],
          ['By a DBA', `db:${OTHER}`, 'UALICE', OTHER],
          ['By someone who can SET ROLE to the bot', `db:${ADMIN}`, 'UALICE', ADMIN],
          ['SEV1', 'UBOB', null, BOT],
        ],
      );
      const verified = await trail.verify();
      assert.deepEqual(verified.problems, []);
    } finally {
      await bot.close();
    }
  });

  test('with migrations pending, the bot role stops with one line saying to run npm run db:migrate; with MIGRATION_DATABASE_URL it migrates as the owner', async () => {
    const last = readMigrations().migrationDirectories.at(-1)!.path;
    const saved = await asOwner('SELECT * FROM _prisma_migrations WHERE migration_name = $1', [last]);
    await asOwner('DELETE FROM _prisma_migrations WHERE migration_name = $1', [last]);
    try {
      const started = await run('src/main.ts', {
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'not-a-real-secret',
        INCIDENT_BROADCAST_CHANNEL: 'C0123ABCD',
        DATABASE_URL: botUrl,
        PORT: '0',
        LOG_LEVEL: 'silent',
      });
      assert.equal(started.code, 1, started.stderr + started.stdout);
      const lines = started.stderr.trim().split('\n');
      assert.equal(lines.length, 1, started.stderr);
      assert.match(
        lines[0]!,
        new RegExp(
          `^Database migrations are pending \\(${last}\\) and the database role ${BOT} cannot apply them: run \`npm run db:migrate\` with MIGRATION_DATABASE_URL`,
        ),
      );
    } finally {
      const row = saved.rows[0];
      const cols = Object.keys(row);
      await asOwner(
        `INSERT INTO _prisma_migrations (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
        cols.map((k) => row[k]),
      );
    }

    // A new database: nothing migrated, and the bot role may not create anything.
    const fresh = await createScratchDatabase(server!, 'incident_bot_roles_fresh');
    try {
      const freshBot = urlAs(fresh.url, BOT);
      // An owner URL whose role does not own the database cannot migrate it: said so, nothing done.
      await assert.rejects(
        migrateAsOwner({
          migrationUrl: urlAs(fresh.url, OWNER),
          botUrl: freshBot,
          apply: applyMigrationsInWorker,
          installQueue: installReminderQueue,
        }),
        (err: Error) =>
          err instanceof DatabaseSetupError &&
          /MIGRATION_DATABASE_URL must be the database's owner: as a superuser, ALTER DATABASE/.test(err.message),
      );
      await admin(`ALTER DATABASE "${new URL(fresh.url).pathname.slice(1)}" OWNER TO "${OWNER}"`);
      await assert.rejects(
        openDatabase({ url: freshBot, dataDir: null }),
        (err: Error) =>
          err instanceof DatabaseSetupError &&
          /migrations are pending \(20261125000000_init, .*npm run db:migrate/.test(err.message),
      );
      // The bot's migrate-on-start with the owner's URL: migrates, installs the queue, grants, then runs as the bot role.
      const db = await openDatabase({ url: freshBot, migrationUrl: urlAs(fresh.url, OWNER), dataDir: null });
      try {
        const store = new PrismaIncidentStore(db.prisma);
        const { incident } = await actingAs({ actor: 'UALICE', via: '/incident declare' }, () =>
          store.createIfAbsent(
            declaring({
              declareKey: 'lp-3',
              declaration: declaration('Fresh'),
              declaredAt: new Date(),
            }),
          ),
        );
        const { entries, problems } = await new PrismaAuditTrail(db.prisma).read(incident.id);
        assert.deepEqual(problems, []);
        assert.deepEqual([entries[0]!.actor, entries[0]!.dbRole], ['UALICE', BOT]);
        await assert.rejects(db.pool.query('ALTER TABLE incident DISABLE TRIGGER audit'), /must be owner/);
      } finally {
        await db.close();
      }
    } finally {
      await fresh.drop();
    }
  });

  test('a pg-boss 10 queue: the bot role is told to run db:migrate; db:migrate as the owner carries the queued jobs over and the bot role runs them', async () => {
    const old = await createScratchDatabase(server!, 'incident_bot_roles_v10');
    try {
      await admin(`ALTER DATABASE "${new URL(old.url).pathname.slice(1)}" OWNER TO "${OWNER}"`);
      const ownerOld = urlAs(old.url, OWNER);
      const botOld = urlAs(old.url, BOT);
      // As the previous version left it: migrated, pg-boss 10's queue installed by the owner (with
      // queued jobs), the bot role granted.
      await applyMigrationsInWorker(ownerOld);
      await withClient(ownerOld, (c) => loadV10Schema(c));
      await grantBotRole(ownerOld, BOT);
      const state = () =>
        asOwnerOf(
          ownerOld,
          `SELECT (SELECT max(version) FROM pgboss.version) AS version, to_regnamespace('pgboss_v10') IS NOT NULL AS old`,
        );
      const reminderQueueAs = async (url: string) => {
        const db = await openDatabase({ url, dataDir: null });
        const deps = testDeps({ store: new PrismaIncidentStore(db.prisma), chat: unused<never>('chat') });
        return {
          db,
          queue: await startReminderQueue({ pool: db.pool as pg.Pool, deps, pollingIntervalSeconds: 0.5 }).catch(
            async (err: unknown) => {
              await db.close();
              throw err;
            },
          ),
        };
      };

      // The new version started as the bot role before db:migrate: one line saying to run it, nothing changed.
      await assert.rejects(
        reminderQueueAs(botOld),
        (err: Error) =>
          err instanceof DatabaseSetupError &&
          /reminder queue is still pg-boss 10's.*run `npm run db:migrate` with MIGRATION_DATABASE_URL/.test(
            err.message,
          ),
      );
      assert.deepEqual(await state(), [{ version: 24, old: false }]);

      const migrated = await run('scripts/migrate.ts', { MIGRATION_DATABASE_URL: ownerOld, DATABASE_URL: botOld });
      assert.equal(migrated.code, 0, migrated.stderr + migrated.stdout);
      assert.match(migrated.stdout, new RegExp(`carried ${V10_UNFINISHED} queued job\\(s\\) over`));
      const [after] = await state();
      assert.ok(after!.version > 24 && !after!.old, JSON.stringify(after));
      const owners = await asOwnerOf(
        ownerOld,
        `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pgboss'`,
      );
      assert.deepEqual(owners, [{ owner: OWNER }]);

      // The bot role starts on it and runs the carried jobs.
      const { db, queue } = await reminderQueueAs(botOld);
      try {
        await until(
          'the carried due job completed',
          async () =>
            (await db.pool.query("SELECT 1 FROM pgboss.job WHERE id = $1 AND state = 'completed'", [V10_JOB.due]))
              .rowCount === 1,
        );
        const { rows } = await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pgboss.job WHERE id::text LIKE 'aaaaaaaa-%'",
        );
        assert.equal(rows[0]!.n, V10_UNFINISHED);
      } finally {
        await queue.stop();
        await db.close();
      }
    } finally {
      await old.drop();
    }
  });

  test('the migrator refuses a bot role with more rights than it should have, and changes nothing', async () => {
    const refusals: [string, RegExp][] = [
      [BAD.superuser, /is a superuser/],
      [BAD.member, new RegExp(`is a member of the owner role ${OWNER}`)],
      [BAD.createrole, /has CREATEROLE/],
      [BAD.writer, /INSERT on public\.audit_entry.*UPDATE on public\.audit_head/],
      [BAD.param, /SET on session_replication_role/],
      [OWNER, /same role/],
    ];
    await asOwner(`GRANT CREATE ON SCHEMA public TO "${BAD.create}"`);
    refusals.push([BAD.create, /CREATE on schema public/]);
    for (const [r, message] of refusals) {
      await assert.rejects(
        grantBotRole(ownerUrl, r),
        (err: Error) => err instanceof DatabaseSetupError && message.test(err.message),
        r,
      );
    }
    assert.deepEqual(
      (await asOwner('SELECT bot_role FROM audit_settings')).rows,
      [{ bot_role: BOT }],
      'still the bot role',
    );
    assert.equal(
      (await asOwner('SELECT has_table_privilege($1, $2, $3) AS ok', [BAD.create, 'incident', 'INSERT'])).rows[0].ok,
      false,
      'no grant was kept',
    );

    // A database the bot role migrated itself: its tables must be handed to the owner first.
    await withClient(urlAs(scratch.url, 'postgres'), async (c) => {
      await c.query('CREATE TABLE public.left_by_the_bot (id int)');
      await c.query(`ALTER TABLE public.left_by_the_bot OWNER TO "${BOT}"`);
    });
    try {
      await assert.rejects(
        migrateAsOwner({
          migrationUrl: ownerUrl,
          botUrl,
          apply: applyMigrationsInWorker,
          installQueue: installReminderQueue,
        }),
        (err: Error) =>
          err instanceof DatabaseSetupError &&
          new RegExp(`owns public\\.left_by_the_bot: .*REASSIGN OWNED BY "${BOT}" TO "${OWNER}"`).test(err.message),
      );
    } finally {
      await withClient(urlAs(scratch.url, 'postgres'), (c) => c.query('DROP TABLE public.left_by_the_bot'));
    }
  });
});
