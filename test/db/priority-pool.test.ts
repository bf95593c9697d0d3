// The pool's two lines: with every connection out, an urgent statement gets the next free one
// before the checkouts that were already waiting; never more than `max` out; a failed connect or
// a destroyed connection frees its place; pg's own query() (callback checkouts) goes through it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PriorityPool } from '../../src/db/priority-pool.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';

const tick = () => new Promise((r) => setTimeout(r, 20));

for (const database of testDatabases()) {
  describe(`priority pool (${database.name})`, () => {
    const env = useTestStore(database);
    /** A pool of one connection: the embedded database's own, or a new one on the server. */
    async function withOneConnection(run: (pool: PriorityPool) => Promise<void>) {
      if (database.name === 'pglite') return run(env.db().pool);
      const pool = new PriorityPool({ connectionString: env.db().url, max: 1 });
      try {
        await run(pool);
      } finally {
        await pool.end();
      }
    }

    test('an urgent statement goes before the checkouts waiting when it came', async () => {
      await withOneConnection(async (pool) => {
        const order: string[] = [];
        const held = await pool.connect();
        const normal1 = pool.query('SELECT 1').then(() => order.push('normal 1'));
        const normal2 = new Promise<void>((resolve, reject) =>
          pool.connect((err, client, done) => {
            if (err || !client) return reject(err);
            order.push('normal 2');
            done();
            resolve();
          }),
        );
        await tick();
        const urgent = pool
          .urgentQuery<{ n: number }>('SELECT $1::int AS n', [7])
          .then((r) => order.push(`urgent ${r.rows[0]!.n}`));
        await tick();
        assert.deepEqual(pool.waiting, { urgent: 1, normal: 2 });
        assert.equal(pool.totalCount, 1, 'never a second connection');
        held.release();
        await Promise.all([normal1, normal2, urgent]);
        assert.deepEqual(order, ['urgent 7', 'normal 1', 'normal 2']);
        assert.deepEqual(pool.waiting, { urgent: 0, normal: 0 });
      });
    });

    test('a destroyed connection and a second release free one place only', async () => {
      await withOneConnection(async (pool) => {
        const client = await pool.connect();
        const next = pool.query('SELECT 2 AS n');
        client.release(true);
        assert.throws(() => client.release(), /already been released/, "pg's own check, and no second place freed");
        assert.equal((await next).rows[0]?.n, 2);
        const [a, b] = await Promise.all([pool.urgentQuery('SELECT 3 AS n', []), pool.query('SELECT 4 AS n')]);
        assert.deepEqual([a.rows[0]?.n, b.rows[0]?.n], [3, 4]);
        assert.ok(pool.totalCount <= 1);
      });
    });
  });
}

test('a connect that fails frees its place for the next checkout', async () => {
  const pool = new PriorityPool({ host: '127.0.0.1', port: 1, max: 1, connectionTimeoutMillis: 2000 });
  try {
    await assert.rejects(pool.urgentQuery('SELECT 1', []), /ECONNREFUSED/);
    await assert.rejects(pool.query('SELECT 1'), /ECONNREFUSED/, 'not left waiting for ever');
    assert.deepEqual(pool.waiting, { urgent: 0, normal: 0 });
  } finally {
    await pool.end();
  }
});
