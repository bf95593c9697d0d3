// The Slack delivery log on both databases: a key is recorded once (a second record of it, or a
// concurrent one, is refused), a forgotten key may be recorded again, and pruning deletes only the
// keys received before the cutoff.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PgDeliveryLog } from '../../src/db/pg-delivery-log.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';

const at = (iso: string) => new Date(iso);

for (const database of testDatabases()) {
  describe(`Slack delivery log (${database.name})`, () => {
    const env = useTestStore(database);
    const log = () => new PgDeliveryLog(env.db().pool);
    const stored = async (key: string) =>
      (
        await env.db().pool.query<{ received_at: Date }>('SELECT received_at FROM slack_delivery WHERE key = $1', [key])
      ).rows.map((r) => r.received_at.toISOString());

    test('a key is recorded once, with the time it was received', async () => {
      assert.equal(await log().record('command:T1', at('2026-12-02T09:00:00.123Z')), true);
      assert.equal(await log().record('command:T1', at('2026-12-02T09:00:05Z')), false);
      assert.deepEqual(await stored('command:T1'), ['2026-12-02T09:00:00.123Z']);
    });

    test('of records of one key made at once, exactly one wins', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => log().record('event:Ev1', at('2026-12-02T09:01:00Z'))),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await stored('event:Ev1')).length, 1);
    });

    test('records asked for at once by one log share inserts; a key twice among them is recorded once', async () => {
      const one = log();
      const keys = ['burst:1', 'burst:2', 'burst:1', 'burst:3'];
      const results = await Promise.all(keys.map((k) => one.record(k, at('2026-12-02T09:01:30Z'))));
      assert.deepEqual(results, [true, true, false, true]);
      for (const k of ['burst:1', 'burst:2', 'burst:3'])
        assert.deepEqual(await stored(k), ['2026-12-02T09:01:30.000Z']);
      assert.deepEqual(
        await Promise.all(['burst:2', 'burst:4'].map((k) => one.record(k, at('2026-12-02T09:01:31Z')))),
        [false, true],
      );
    });

    test('a forgotten key is recorded again; forgetting an unknown key is harmless', async () => {
      await log().record('view:V1', at('2026-12-02T09:02:00Z'));
      await log().forget('view:V1');
      await log().forget('view:never-seen');
      assert.deepEqual(await stored('view:V1'), []);
      assert.equal(await log().record('view:V1', at('2026-12-02T09:03:00Z')), true);
    });

    test('still records after the pool replaced its connection (PGlite keeps one session under all of them)', async () => {
      assert.equal(await log().record('reconnect:1', at('2026-12-02T09:04:00Z')), true);
      const client = await env.db().pool.connect();
      client.release(true); // destroyed: the next query opens a new connection
      assert.equal(await log().record('reconnect:2', at('2026-12-02T09:04:01Z')), true);
      assert.equal(await log().record('reconnect:1', at('2026-12-02T09:04:02Z')), false);
    });

    test('pruning deletes the keys received before the cutoff, and says how many', async () => {
      await log().record('prune:old-1', at('2026-11-01T00:00:00Z'));
      await log().record('prune:old-2', at('2026-11-30T23:59:59.999Z'));
      await log().record('prune:edge', at('2026-12-01T00:00:00Z'));
      assert.equal(await log().pruneBefore(at('2026-12-01T00:00:00Z')), 2);
      assert.deepEqual(await stored('prune:old-1'), []);
      assert.deepEqual(await stored('prune:old-2'), []);
      assert.deepEqual(await stored('prune:edge'), ['2026-12-01T00:00:00.000Z']);
      assert.deepEqual(await stored('command:T1'), ['2026-12-02T09:00:00.123Z'], 'received after the cutoff: kept');
      assert.equal(await log().pruneBefore(at('2026-12-01T00:00:00Z')), 0);
    });
  });
}
