// MIGRATE_ON_START=false (several replicas, a migration Job applies the migrations): the bot applies
// nothing at start, and refuses to start with one line while any committed migration is not applied,
// on the embedded database and on a PostgreSQL server; on a migrated database it starts as usual.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../src/db/database.ts';
import { readMigrations } from '../../src/db/migrate.ts';
import { DatabaseSetupError } from '../../src/db/roles.ts';
import { createScratchDatabase } from '../../src/db/scratch.ts';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { SIGNING_SECRET } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';
import { startChildBot } from '../reliability/child-bot.ts';
import { childEnv } from '../support/node-args.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MIGRATIONS = readMigrations().migrationDirectories.map((d) => d.path);
const REFUSED =
  /^Database migrations are pending \((.+)\) and MIGRATE_ON_START=false: run `npm run db:migrate` \(the migration Job\) with this version first, then start the bot\.$/;

/** `src/main.ts` as `npm start` runs it, to its exit. */
function runBot(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...childEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 90_000,
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Target {
  name: string;
  /** A fresh, empty database: the bot's environment for it, and how to open it directly. */
  fresh(): Promise<{
    env: Record<string, string>;
    open: (migrate: boolean | 'check') => ReturnType<typeof openDatabase>;
    drop(): Promise<void>;
  }>;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-on-start-'));
let n = 0;
const targets: Target[] = [
  {
    name: 'pglite',
    async fresh() {
      const dir = path.join(tmp, `data-${++n}`);
      return {
        env: { DATA_DIR: dir },
        open: (migrate) => openDatabase({ url: null, dataDir: dir, migrate }),
        drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];
const server = process.env.TEST_DATABASE_URL;
if (server) {
  targets.push({
    name: 'postgres',
    async fresh() {
      const scratch = await createScratchDatabase(server, 'incident_bot_migrate_on_start');
      return {
        env: { DATABASE_URL: scratch.url },
        open: (migrate) => openDatabase({ url: scratch.url, dataDir: null, migrate }),
        drop: () => scratch.drop(),
      };
    },
  });
}

describe('MIGRATE_ON_START=false', () => {
  let slack: SlackStandIn;
  before(async () => {
    slack = await startSlackStandIn({ users: [] });
    slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents', members: [] });
  });
  after(async () => {
    await slack?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const target of targets) {
    describe(target.name, () => {
      test('on an unmigrated database the bot exits 1 with one line naming the pending migrations, and applies none', {
        timeout: 120_000,
      }, async () => {
        const db = await target.fresh();
        try {
          const run = await runBot({
            SLACK_BOT_TOKEN: slack.token,
            SLACK_SIGNING_SECRET: SIGNING_SECRET,
            SLACK_API_URL: slack.url,
            INCIDENT_BROADCAST_CHANNEL: BROADCAST_CHANNEL,
            PORT: '0',
            MIGRATE_ON_START: 'false',
            ...db.env,
          });
          assert.equal(run.code, 1, run.stderr);
          const lines = run.stderr.trimEnd().split('\n');
          assert.equal(lines.length, 1, `one line: ${run.stderr}`);
          const m = REFUSED.exec(lines[0]!);
          assert.ok(m, lines[0]);
          assert.deepEqual(m[1]!.split(', '), MIGRATIONS, 'every committed migration is named');
          assert.equal(run.stdout, '', 'it never started (nothing logged, nothing listening)');
          // Nothing was applied: no migrations table, no incident table.
          const opened = await db.open(false);
          try {
            const { rows } = await opened.pool.query<{ m: string | null; i: string | null }>(
              "SELECT to_regclass('public._prisma_migrations')::text AS m, to_regclass('public.incident')::text AS i",
            );
            assert.deepEqual(rows, [{ m: null, i: null }]);
          } finally {
            await opened.close();
          }
        } finally {
          await db.drop();
        }
      });

      test('a migration not yet applied (a new version before its Job ran) is refused too, and not applied', async () => {
        const db = await target.fresh();
        try {
          await (await db.open(true)).close();
          const last = MIGRATIONS.at(-1)!;
          const migrated = await db.open(false);
          try {
            await migrated.pool.query('DELETE FROM _prisma_migrations WHERE migration_name = $1', [last]);
          } finally {
            await migrated.close();
          }
          await assert.rejects(
            db.open('check'),
            (err: unknown) => err instanceof DatabaseSetupError && REFUSED.exec(err.message)?.[1] === last,
          );
          const reopened = await db.open(false);
          try {
            const { rows } = await reopened.pool.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM _prisma_migrations WHERE migration_name = $1',
              [last],
            );
            assert.equal(rows[0]!.n, 0, 'the check applied nothing');
          } finally {
            await reopened.close();
          }
        } finally {
          await db.drop();
        }
      });

      test('on a migrated database (npm run db:migrate, the Job) the bot starts, serves /healthz and stops cleanly', {
        timeout: 120_000,
      }, async () => {
        const db = await target.fresh();
        try {
          await (await db.open(true)).close();
          const bot = await startChildBot(slack, { MIGRATE_ON_START: 'false', ...db.env });
          try {
            const res = await fetch(`${bot.url}/healthz`);
            assert.equal(res.status, 200);
          } finally {
            bot.proc.kill('SIGTERM');
          }
          assert.equal((await bot.exited).code, 0, bot.stderr());
          assert.equal(bot.stderr(), '');
        } finally {
          await db.drop();
        }
      });
    });
  }
});
