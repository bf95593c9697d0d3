// Held declarations on both databases: holding a key again keeps the first, what counts as
// unrecorded (old enough, no incident by its key; oldest first, limited), release and prune.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actingAs } from '../../src/audit-context.ts';
import { PgDeclarationIntake } from '../../src/db/pg-declaration-intake.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

const at = (iso: string) => new Date(iso);
const declaration = aDeclaration({ title: 'Held' });

for (const database of testDatabases()) {
  describe(`held declarations (${database.name})`, () => {
    const env = useTestStore(database);
    const intake = () => new PgDeclarationIntake(env.db().pool);
    const keys = async (before: string, limit = 10) => (await intake().unrecorded(at(before), limit)).map((h) => h.key);

    test('a held declaration comes back as held, JSON and time intact; holding its key again keeps the first', async () => {
      await intake().hold(
        'command:A',
        { declareKey: 'command:A', declaration: { title: 'First', breachAwareAt: at('2026-12-02T08:00:00Z') } },
        at('2026-12-02T09:00:00.250Z'),
      );
      await intake().hold(
        'command:A',
        { declareKey: 'command:A', declaration: { title: 'Second' } },
        at('2026-12-02T09:00:01Z'),
      );
      const [held, ...rest] = await intake().unrecorded(at('2026-12-02T10:00:00Z'), 10);
      assert.deepEqual(rest, []);
      assert.equal(held!.key, 'command:A');
      assert.equal(held!.receivedAt.toISOString(), '2026-12-02T09:00:00.250Z');
      assert.deepEqual(held!.request, {
        declareKey: 'command:A',
        declaration: { title: 'First', breachAwareAt: '2026-12-02T08:00:00.000Z' },
      });
    });

    test('unrecorded: only those received before the time given and with no incident by their key, oldest first', async () => {
      await intake().hold('command:B', {}, at('2026-12-02T08:59:00Z'));
      await intake().hold('command:C', {}, at('2026-12-02T09:30:00Z'));
      await intake().hold('view:D', {}, at('2026-12-02T09:10:00Z'));
      await actingAs({ actor: 'UALICE', via: 'test' }, () =>
        env.store().createIfAbsent(
          declaring({
            declareKey: 'view:D',
            declaration,
            declaredAt: at('2026-12-02T09:10:01Z'),
            via: 'modal',
          }),
        ),
      );
      assert.deepEqual(
        await keys('2026-12-02T09:20:00Z'),
        ['command:B', 'command:A'],
        'C is too new; D has its incident',
      );
      assert.deepEqual(await keys('2026-12-02T10:00:00Z'), ['command:B', 'command:A', 'command:C']);
      assert.deepEqual(await keys('2026-12-02T10:00:00Z', 1), ['command:B']);
    });

    test('still holds after the pool replaced its connection (PGlite keeps one session under all of them)', async () => {
      await intake().hold('command:R1', {}, at('2026-12-02T11:00:00Z'));
      const client = await env.db().pool.connect();
      client.release(true);
      await intake().hold('command:R2', {}, at('2026-12-02T11:00:01Z'));
      const keys = (await intake().unrecorded(at('2026-12-02T12:00:00Z'), 10)).map((h) => h.key);
      assert.deepEqual(
        keys.filter((k) => k.startsWith('command:R')),
        ['command:R1', 'command:R2'],
      );
      await intake().release('command:R1');
      await intake().release('command:R2');
    });

    test('holds asked for at once go in a few inserts, each resolved once its own has committed', async () => {
      const pool = env.db().pool;
      const inserts: number[] = [];
      const urgentQuery = pool.urgentQuery.bind(pool);
      pool.urgentQuery = ((text: string, values: unknown[]) => {
        inserts.push(values.length / 3);
        return urgentQuery(text, values);
      }) as typeof pool.urgentQuery;
      try {
        const one = intake(); // the bot has one intake: batches are per instance
        const keys = Array.from({ length: 30 }, (_, i) => `command:G${String(i).padStart(2, '0')}`);
        await Promise.all(keys.map((k, i) => one.hold(k, { i }, at('2026-12-02T11:30:00Z'))));
        assert.equal(
          inserts.reduce((a, b) => a + b, 0),
          30,
          'every hold inserted once',
        );
        assert.ok(
          inserts.length <= 2,
          `30 holds at once in ${inserts.length} inserts (the first goes alone, the rest wait for it together)`,
        );
        const stored = await pool.query<{ declare_key: string; request: { i: number } }>(
          "SELECT declare_key, request FROM declare_request WHERE declare_key LIKE 'command:G%' ORDER BY declare_key",
        );
        assert.deepEqual(
          stored.rows.map((r) => [r.declare_key, r.request.i]),
          keys.map((k, i) => [k, i]),
        );
        // A batch that fails fails each of its holds (their acks say nothing was declared), not the next batch.
        inserts.length = 0;
        const broken = [
          one.hold('command:BAD', { s: '\u0000' }, at('2026-12-02T11:31:00Z')),
          one.hold('command:BAD2', {}, at('2026-12-02T11:31:00Z')),
        ];
        const results = await Promise.allSettled(broken);
        const after = await one.hold('command:AFTER', {}, at('2026-12-02T11:31:01Z')).then(() => 'held');
        assert.deepEqual(
          results.map((r) => r.status),
          ['rejected', 'rejected'],
        );
        assert.equal(after, 'held');
      } finally {
        await pool.query(
          "DELETE FROM declare_request WHERE declare_key LIKE 'command:G%' OR declare_key = 'command:AFTER'",
        );
        pool.urgentQuery = urgentQuery;
      }
    });

    test('release drops one; prune drops those with an incident and those received before the cutoff', async () => {
      await intake().release('command:C');
      await intake().release('command:never-held');
      assert.deepEqual(await keys('2026-12-02T10:00:00Z'), ['command:B', 'command:A']);
      assert.equal(await intake().prune(at('2026-12-02T09:00:00Z')), 2, 'B (before the cutoff) and D (declared)');
      const left = await env
        .db()
        .pool.query<{ declare_key: string }>('SELECT declare_key FROM declare_request ORDER BY declare_key');
      assert.deepEqual(
        left.rows.map((r) => r.declare_key),
        ['command:A'],
      );
      assert.equal(await intake().prune(at('2026-12-02T09:00:00Z')), 0);
    });
  });
}
