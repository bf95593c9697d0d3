import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { DataDirLockedError, LOCK_FILE } from '../../src/db/data-dir-lock.ts';
import { openDatabase } from '../../src/db/database.ts';
import { SOCKET_NAME, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { holdDataDir } from '../support/hold-data-dir.ts';
import { listeningTcpPorts } from '../support/listening.ts';
import { readMigrations } from '../../src/db/migrate.ts';
import { embeddedTemplate, emptyEmbeddedTemplate } from '../support/templates.ts';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The folder `pg` connects in (the URL's `host` parameter, which wins over its host name). */
const socketFolderOf = (url: string) => new URL(url).searchParams.get('host');

/** Every file and folder under `dir` that others could reach: folders not 0700, anything else with a group/other bit. */
function notPrivate(dir: string): string[] {
  const found: string[] = [];
  const check = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    const mode = st.mode & 0o7777;
    if (st.isDirectory() ? mode !== 0o700 : (mode & 0o077) !== 0)
      found.push(`${path.relative(dir, p) || '.'} ${mode.toString(8)}`);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) check(path.join(p, e));
  };
  check(dir);
  return found;
}

/** A write that makes Postgres create relation files, index files and WAL segments. */
async function someWrites(url: string) {
  await withClient(url, async (c) => {
    await c.query('CREATE TABLE IF NOT EXISTS patient_note (id serial PRIMARY KEY, note text)');
    await c.query("INSERT INTO patient_note (note) SELECT repeat('x', 2000) FROM generate_series(1, 10000)");
    await c.query('CREATE INDEX IF NOT EXISTS patient_note_note ON patient_note (note)');
    await c.query('CHECKPOINT');
  });
}

// Tests not about how a new database is made start from a template (initdb is seconds of
// WebAssembly): the migrated one, or the empty one (initdb's); the file-mode test runs initdb.
describe('embedded PostgreSQL (PGlite in its own thread)', () => {
  test('keeps its data in the folder across a restart; stopping twice is harmless and the port closes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-embedded-'));
    try {
      const first = await startEmbeddedPostgres(path.join(dir, 'data'), { template: await emptyEmbeddedTemplate() });
      await withClient(first.url, async (c) => {
        await c.query('CREATE TABLE kept (note text)');
        await c.query("INSERT INTO kept VALUES ('still here')");
      });
      await first.stop();
      await first.stop();
      await assert.rejects(
        withClient(first.url, async () => {}),
        'nothing listens after stop',
      );
      // A template is for a new database only: a folder holding one is opened as it is.
      const second = await startEmbeddedPostgres(path.join(dir, 'data'), { template: await embeddedTemplate() });
      try {
        assert.equal(second.created, false);
        const { rows } = await withClient(second.url, (c) => c.query('SELECT note FROM kept'));
        assert.deepEqual(rows, [{ note: 'still here' }]);
        assert.deepEqual(
          (await withClient(second.url, (c) => c.query("SELECT to_regclass('_prisma_migrations') AS t"))).rows,
          [{ t: null }],
        );
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('restart: a new thread on the same folder, its data kept, the folder locked throughout; refused in memory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-restart-'));
    try {
      const db = await startEmbeddedPostgres(path.join(dir, 'data'), { template: await embeddedTemplate() });
      try {
        await withClient(db.url, async (c) => {
          await c.query('CREATE TABLE kept (note text)');
          await c.query("INSERT INTO kept VALUES ('across the restart')");
        });
        const restarting = db.restart();
        // While the old thread stops and the new one starts, the folder is still this process's.
        await assert.rejects(
          openDatabase({ url: null, dataDir: path.join(dir, 'data') }),
          /stop the bot first, or use DATABASE_URL/,
        );
        await restarting;
        const { rows } = await withClient(db.url, (c) => c.query('SELECT note FROM kept'));
        assert.deepEqual(rows, [{ note: 'across the restart' }]);
        assert.ok(fs.statSync(db.socketPath).isSocket(), 'served on the same socket');
        await assert.rejects(
          openDatabase({ url: null, dataDir: path.join(dir, 'data') }),
          /stop the bot first, or use DATABASE_URL/,
        );
      } finally {
        await db.stop();
      }
      await assert.rejects(db.restart(), /stopped/);
      const again = await startEmbeddedPostgres(path.join(dir, 'data'));
      await again.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const memory = await startEmbeddedPostgres(null, { template: await embeddedTemplate() });
    try {
      await assert.rejects(memory.restart(), /in-memory embedded database cannot be restarted/);
      await withClient(memory.url, (c) => c.query('SELECT 1'));
    } finally {
      await memory.stop();
    }
  });

  test('in memory, each database is its own, also when both start from one template', async () => {
    // The tests' migrated template (test/support/templates.ts): each database is a copy of it.
    const template = await embeddedTemplate();
    const a = await startEmbeddedPostgres(null, { template });
    const b = await startEmbeddedPostgres(null, { template });
    try {
      const migrated = 'SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL';
      assert.deepEqual((await withClient(b.url, (c) => c.query(migrated))).rows, [
        { n: readMigrations().migrationDirectories.length },
      ]);
      await withClient(a.url, (c) => c.query('CREATE TABLE only_in_a (x int)'));
      const { rows } = await withClient(b.url, (c) =>
        c.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_in_a'"),
      );
      assert.deepEqual(rows, [{ n: 0 }]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test("a query runs without holding up the caller's event loop", async () => {
    const db = await startEmbeddedPostgres(null, { template: await embeddedTemplate() });
    try {
      // On the caller's thread PGlite would block it for the whole second (the timer would not run).
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      try {
        await withClient(db.url, (c) => c.query('SELECT pg_sleep(1)'));
      } finally {
        clearInterval(timer);
      }
      assert.ok(ticks >= 10, `the timer ran ${ticks} times while the query ran`);
    } finally {
      await db.stop();
    }
  });

  test('a data folder PGlite cannot use is an error at start, and nothing is left running', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-embedded-bad-'));
    try {
      fs.writeFileSync(path.join(dir, 'PG_VERSION'), 'not a version\n');
      await assert.rejects(startEmbeddedPostgres(dir), /PGlite/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the data folder is private to its user: folders 0700, files 0600, those Postgres creates later too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-modes-'));
    const data = path.join(dir, 'data');
    try {
      const db = await startEmbeddedPostgres(data);
      try {
        assert.deepEqual(notPrivate(data), [], 'right after start');
        // The process's umask: whatever it creates from now on (PGlite outside Postgres's own 0600) is private.
        assert.equal(process.umask() & 0o077, 0o077);
        await someWrites(db.url);
        assert.deepEqual(notPrivate(data), [], 'after writes (new relations, WAL segments)');
      } finally {
        await db.stop();
      }
      assert.deepEqual(notPrivate(data), [], 'after stop');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a folder left open to everyone (older versions: 0777, files 0666) is made private when opened', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-old-modes-'));
    const data = path.join(dir, 'data');
    try {
      const first = await startEmbeddedPostgres(data, { template: await embeddedTemplate() });
      await someWrites(first.url);
      await first.stop();
      const open = (p: string) => {
        const st = fs.lstatSync(p);
        fs.chmodSync(p, st.isDirectory() ? 0o777 : 0o666);
        if (st.isDirectory()) for (const e of fs.readdirSync(p)) open(path.join(p, e));
      };
      open(data);
      // A link to a file outside the folder: chmod would follow it; it is left as it is.
      const outside = path.join(dir, 'outside.txt');
      fs.writeFileSync(outside, "not the bot's");
      fs.chmodSync(outside, 0o644);
      fs.symlinkSync(outside, path.join(data, 'a-link'));
      assert.ok(notPrivate(data).length > 100, 'the folder is open to everyone before');

      const second = await startEmbeddedPostgres(data);
      try {
        assert.deepEqual(notPrivate(data), []);
        const { rows } = await withClient(second.url, (c) => c.query('SELECT count(*)::int AS n FROM patient_note'));
        assert.deepEqual(rows, [{ n: 10000 }]);
      } finally {
        await second.stop();
      }
      assert.equal(fs.statSync(outside).mode & 0o777, 0o644, 'the link was not followed');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('served on a Unix socket (0600) in the data folder, never on a TCP port', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-socket-'));
    const data = path.join(dir, 'data');
    try {
      const before = listeningTcpPorts();
      const db = await startEmbeddedPostgres(data, { template: await embeddedTemplate() });
      try {
        if (before) assert.deepEqual(listeningTcpPorts(), before, 'no TCP listener was opened');
        const socket = path.join(data, SOCKET_NAME);
        assert.equal(db.socketPath, socket);
        const st = fs.statSync(socket);
        assert.ok(st.isSocket());
        assert.equal(st.mode & 0o777, 0o600);
        assert.equal(socketFolderOf(db.url), data, 'the URL names the socket folder, not a host and port');
        // The ordinary driver and the bot's whole stack (migrations in their worker, Prisma's adapter) work over it.
        await withClient(db.url, async (c) => assert.deepEqual((await c.query('SELECT 1 AS one')).rows, [{ one: 1 }]));
      } finally {
        await db.stop();
      }
      assert.ok(!fs.existsSync(path.join(data, SOCKET_NAME)), 'the socket goes at stop');
      const bot = await openDatabase({ url: null, dataDir: data });
      try {
        if (before) assert.deepEqual(listeningTcpPorts(), before, 'no TCP listener with the bot stack either');
        assert.equal(socketFolderOf(bot.url), data);
        const rows = await bot.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM _prisma_migrations`;
        assert.ok(rows[0]!.n > 0, 'migrated over the socket');
      } finally {
        await bot.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('in memory: the socket is in a fresh private folder (0700), removed at stop; no TCP port either', async () => {
    const before = listeningTcpPorts();
    const db = await startEmbeddedPostgres(null, { template: await embeddedTemplate() });
    if (before) assert.deepEqual(listeningTcpPorts(), before);
    const folder = path.dirname(db.socketPath);
    try {
      assert.equal(fs.statSync(folder).mode & 0o777, 0o700);
      assert.equal(fs.statSync(db.socketPath).mode & 0o777, 0o600);
      assert.equal(socketFolderOf(db.url), folder);
      await withClient(db.url, (c) => c.query('SELECT 1'));
    } finally {
      await db.stop();
    }
    assert.ok(!fs.existsSync(folder), 'the folder is removed at stop');
  });

  test('a data folder open in another process is refused with one line, changing nothing; a kill -9 leaves no lasting lock', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-lock-'));
    const data = path.join(dir, 'data');
    try {
      const first = await holdDataDir(data);
      let killed = false;
      try {
        const files = () => fs.readdirSync(data, { recursive: true }).sort().join('\n');
        const listed = files();
        // A second process, the way `npm run db:migrate` would start (it migrates first).
        const second = await holdDataDir(data).then(
          () => assert.fail('the second process opened the folder'),
          (err: Error) => err.message,
        );
        assert.match(
          second,
          new RegExp(
            `The data folder ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another process \\(pid ${first.proc.pid}\\): stop the bot first, or use DATABASE_URL\\.\n$`,
          ),
        );
        assert.match(second, /exited \(code 1\)/);
        // In this process too.
        await assert.rejects(
          startEmbeddedPostgres(data),
          (err: unknown) => err instanceof DataDirLockedError && err.pid === first.proc.pid,
        );
        assert.equal(files(), listed, 'nothing in the folder changed');
        await withClient(first.url, async (c) => {
          await c.query('CREATE TABLE survived (x int)');
          assert.deepEqual(
            (await c.query("SELECT to_regclass('_prisma_migrations') AS t")).rows,
            [{ t: null }],
            'no migration ran',
          );
        });

        await first.kill9();
        killed = true;
        assert.ok(fs.existsSync(path.join(data, LOCK_FILE)), 'the killed process left its lock behind');
        const next = await startEmbeddedPostgres(data);
        try {
          await withClient(next.url, (c) => c.query('SELECT * FROM survived'));
        } finally {
          await next.stop();
        }
        assert.ok(!fs.existsSync(path.join(data, LOCK_FILE)), 'released at stop');
      } finally {
        if (!killed) await first.kill9();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('in one process, a folder already open is refused until it is stopped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-lock-self-'));
    try {
      const db = await startEmbeddedPostgres(dir, { template: await embeddedTemplate() });
      try {
        await assert.rejects(openDatabase({ url: null, dataDir: dir }), /stop the bot first, or use DATABASE_URL/);
      } finally {
        await db.stop();
      }
      const again = await startEmbeddedPostgres(dir);
      await again.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
