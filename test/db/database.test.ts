import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.ts';
import { installedEmbeddedTemplate, makeEmbeddedTemplate } from '../../src/db/embedded-template.ts';
import { readMigrations } from '../../src/db/migrate.ts';
import { createScratchDatabase } from '../../src/db/scratch.ts';

// A PostgreSQL restart or failover drops idle connections: the bot logs it and carries on.
test('a connection the server drops neither crashes the bot nor breaks later queries', async (t) => {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) return t.skip('set TEST_DATABASE_URL to a PostgreSQL server to run this check');
  const scratch = await createScratchDatabase(server, 'incident_bot_drop');
  const dropped: Error[] = [];
  const db = await openDatabase({ url: scratch.url, dataDir: null, onIdleError: (err) => dropped.push(err) });
  try {
    await db.prisma.$queryRaw`SELECT 1`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    const name = new URL(scratch.url).pathname.slice(1);
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    await admin.end();
    for (let i = 0; i < 50 && dropped.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(dropped.length > 0, 'the dropped connection was reported, not thrown');
    assert.equal(await db.prisma.incident.count(), 0, 'the next query uses a new connection');
  } finally {
    await db.close();
    await scratch.drop();
  }
});

// What a start applied, for its log line: every committed migration on a new database, none after.
// On the embedded database the thread that ran initdb and the migrations is replaced by a fresh one
// (its WebAssembly memory only grows); the database is as usable as ever.
test('openDatabase says which migrations it applied: all on a new database, none on the next opening', async (t) => {
  const migrations = readMigrations().migrationDirectories.map((d) => d.path);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-applied-'));
  const targets: { name: string; url: string | null; dataDir: string | null; drop(): Promise<void> }[] = [
    {
      name: 'embedded',
      url: null,
      dataDir: path.join(dir, 'data'),
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    },
  ];
  const server = process.env.TEST_DATABASE_URL;
  if (server) {
    const scratch = await createScratchDatabase(server, 'incident_bot_applied');
    targets.push({ name: 'PostgreSQL', url: scratch.url, dataDir: null, drop: () => scratch.drop() });
  }
  for (const target of targets) {
    await t.test(target.name, async () => {
      try {
        // No template: initdb and every migration, as where none was made at install.
        const first = await openDatabase({ url: target.url, dataDir: target.dataDir, embeddedTemplate: null });
        try {
          assert.deepEqual(first.applied, migrations);
          assert.equal(await first.prisma.incident.count(), 0, 'usable after the migrations');
        } finally {
          await first.close();
        }
        for (const migrate of [true, 'check'] as const) {
          const again = await openDatabase({ url: target.url, dataDir: target.dataDir, migrate });
          try {
            assert.deepEqual(again.applied, []);
            assert.equal(await again.prisma.incident.count(), 0);
          } finally {
            await again.close();
          }
        }
      } finally {
        await target.drop();
      }
    });
  }
});

test('a first start on an empty folder loads the template made at install: migrated, private, no initdb or migration run', async () => {
  // The template as `npm install` makes it (scripts/embedded-template.ts), in the bot's own folder.
  const file = await makeEmbeddedTemplate();
  assert.equal(installedEmbeddedTemplate(), file);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-template-'));
  try {
    const dataDir = path.join(dir, 'data');
    const db = await openDatabase({ url: null, dataDir });
    try {
      assert.equal(db.created, true, 'a new database in this folder');
      assert.equal(db.fromTemplate, true);
      assert.deepEqual(db.applied, [], 'nothing left to apply');
      const { rows } = await db.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL',
      );
      assert.deepEqual(rows, [{ n: readMigrations().migrationDirectories.length }], 'every committed migration');
      assert.equal(await db.prisma.incident.count(), 0, 'and no data');
    } finally {
      await db.close();
    }
    // Private like any data folder: folders 0700, files 0600.
    const walk = (d: string): string[] =>
      fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(d, e.name);
        return e.isDirectory() ? [p, ...walk(p)] : [p];
      });
    for (const p of walk(dataDir)) {
      const st = fs.statSync(p);
      if (st.isSocket()) continue;
      assert.equal(st.mode & 0o077, 0, `${p} is private (${(st.mode & 0o777).toString(8)})`);
    }
    // The next start opens it as it is: nothing to apply, not new.
    const again = await openDatabase({ url: null, dataDir });
    try {
      assert.equal(again.created, false);
      assert.equal(again.fromTemplate, false);
      assert.deepEqual(again.applied, []);
    } finally {
      await again.close();
    }
    // With MIGRATE_ON_START=false ('check') a new folder is not migrated behind the operator's back.
    const unmigrated = path.join(dir, 'unmigrated');
    await assert.rejects(openDatabase({ url: null, dataDir: unmigrated, migrate: 'check' }), /migrations are pending/i);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
