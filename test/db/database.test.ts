import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.ts';
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
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await admin.end();
    for (let i = 0; i < 50 && dropped.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(dropped.length > 0, 'the dropped connection was reported, not thrown');
    assert.equal(await db.prisma.incident.count(), 0, 'the next query uses a new connection');
  } finally {
    await db.close();
    await scratch.drop();
  }
});
