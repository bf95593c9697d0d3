import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL (PGlite in its own thread)', () => {
  test('keeps its data in the folder across a restart; stopping twice is harmless and the port closes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-embedded-'));
    try {
      const first = await startEmbeddedPostgres(path.join(dir, 'data'));
      await withClient(first.url, async (c) => {
        await c.query('CREATE TABLE kept (note text)');
        await c.query("INSERT INTO kept VALUES ('still here')");
      });
      await first.stop();
      await first.stop();
      await assert.rejects(withClient(first.url, async () => {}), 'nothing listens after stop');
      const second = await startEmbeddedPostgres(path.join(dir, 'data'));
      try {
        const { rows } = await withClient(second.url, (c) => c.query('SELECT note FROM kept'));
        assert.deepEqual(rows, [{ note: 'still here' }]);
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('in memory, each database is its own', async () => {
    const a = await startEmbeddedPostgres(null);
    const b = await startEmbeddedPostgres(null);
    try {
      await withClient(a.url, (c) => c.query('CREATE TABLE only_in_a (x int)'));
      const { rows } = await withClient(b.url, (c) => c.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_in_a'"));
      assert.deepEqual(rows, [{ n: 0 }]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test("a query runs without holding up the caller's event loop", async () => {
    const db = await startEmbeddedPostgres(null);
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
});
