import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.ts';
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
        const first = await openDatabase({ url: target.url, dataDir: target.dataDir });
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
