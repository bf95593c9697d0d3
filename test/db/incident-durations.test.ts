// incident_durations, kept by the database from the timeline (its migration's triggers), gives the
// durations domain/durations.ts computes from the same entries, whatever order they went in: a
// RESOLVED before an earlier INVESTIGATING, a reopen after a resolve, a second `declared`, entries
// of kinds and data that move to no status; and after a data fix by hand (an entry's time changed,
// an entry moved to another incident or removed) it follows the timeline. Through PgInsightFigures
// (PGlite, and the PostgreSQL server when TEST_DATABASE_URL is set): one incident per day, so a
// day's median is that incident's duration. And the incrementally kept row is the one counted
// again from the whole timeline.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { incidentDurations } from '../../src/domain/durations.ts';
import { STATUSES } from '../../src/domain/incident.ts';
import { insightPeriod } from '../../src/domain/insights.ts';
import { DURATION_KINDS, declaredAtFrom, statusChangesFrom } from '../../src/domain/timeline.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const ZONE = 'UTC';
const MINUTE = 60_000;
const now = new Date('2027-06-01T00:00:00Z');

interface Entry {
  kind: string;
  /** Minutes after the incident's declaration (negative: before it). */
  minutes: number;
  data?: Record<string, unknown>;
}

const day = (k: number) => new Date(Date.UTC(2026, 0, 1) + k * 86_400_000).toISOString().slice(0, 10);

for (const database of testDatabases()) {
  describe(`incident_durations (${database.name})`, () => {
    const testStore = useTestStore(database);
    let deps: ServiceDeps;
    let next = 0;

    /** An incident declared at noon on a day of its own (its `declared` entry at minute 0). */
    async function declare(): Promise<{ id: string; k: number; at: (m: number) => Date }> {
      deps ??= testDeps({ db: testStore.db(), clock: new TestClock(now) });
      const k = next++;
      const declaredAt = new Date(`${day(k)}T12:00:00Z`);
      const { incident } = await deps.store.createIfAbsent(
        declaring({ declareKey: `durations-${k}`, declaration: aDeclaration({ title: `D${k}` }), declaredAt }),
      );
      return { id: incident.id, k, at: (m: number) => new Date(declaredAt.getTime() + m * MINUTE) };
    }

    async function add(incident: { id: string; at: (m: number) => Date }, entries: Entry[]) {
      for (const e of entries)
        await deps.store.addTimelineEntry(incident.id, {
          occurredAt: incident.at(e.minutes),
          kind: e.kind,
          actorId: 'UALICE',
          text: e.kind,
          ...(e.data ? { data: e.data } : {}),
        });
    }

    /** The durations domain/durations.ts gives from the incident's timeline as the store reads it. */
    async function expected(id: string, createdAt: Date) {
      const entries = (await deps.store.timeline(id)).map((e) => ({
        kind: e.kind,
        occurredAt: e.occurredAt,
        data: (e.data ?? undefined) as Record<string, unknown> | undefined,
      }));
      const d = incidentDurations(declaredAtFrom(entries, createdAt), statusChangesFrom(entries));
      return { acknowledge: d.toAcknowledgeMs, mitigate: d.toMitigateMs, resolve: d.toResolveMs };
    }

    /** The durations the insights' SQL gives for the incident's day (it is the day's only incident). */
    async function counted(k: number) {
      const figures = await deps.insights.figures(insightPeriod(day(k), day(k), ZONE), now, []);
      assert.equal(figures.overall.incidents, 1);
      const m = figures.overall.metrics;
      const one = (x: { count: number; medianMs: number | null }) => {
        assert.equal(x.count, x.medianMs === null ? 0 : 1);
        return x.medianMs;
      };
      return { acknowledge: one(m.acknowledge), mitigate: one(m.mitigate), resolve: one(m.resolve) };
    }

    const rowOf = async (id: string) =>
      (
        await testStore
          .db()
          .pool.query(
            'SELECT declared_at, ack_at, mit_at, res_at, other_at FROM incident_durations WHERE incident_id = $1',
            [id],
          )
      ).rows[0] ?? null;

    /** The kept row is the one counted again from the whole timeline. */
    async function assertRecounted(id: string) {
      const kept = await rowOf(id);
      await testStore.db().pool.query('SELECT incident_durations_recount(ARRAY[$1::uuid])', [id]);
      assert.deepEqual(await rowOf(id), kept);
    }

    async function assertAgrees(incident: { id: string; k: number; at: (m: number) => Date }, what: string) {
      assert.deepEqual(await counted(incident.k), await expected(incident.id, incident.at(0)), what);
      await assertRecounted(incident.id);
    }

    const move = (to: string, minutes: number, kind = 'status_changed'): Entry => ({ kind, minutes, data: { to } });

    test('entries out of order give the durations of the domain', async () => {
      // Resolved first, then the earlier moves: acknowledged at 5, mitigated at 30, resolved at 90.
      const a = await declare();
      await add(a, [move('RESOLVED', 90, 'resolved'), move('MONITORING', 30), move('INVESTIGATING', 5)]);
      assert.deepEqual(await counted(a.k), { acknowledge: 5 * MINUTE, mitigate: 30 * MINUTE, resolve: 90 * MINUTE });
      await assertAgrees(a, 'resolved before the earlier moves');

      // A reopen after the resolve went in before the resolve: not resolved.
      const b = await declare();
      await add(b, [
        move('INVESTIGATING', 200, 'reopened'),
        move('INVESTIGATING', 5),
        move('RESOLVED', 90, 'resolved'),
      ]);
      assert.deepEqual(await counted(b.k), { acknowledge: 5 * MINUTE, mitigate: 90 * MINUTE, resolve: null });
      await assertAgrees(b, 'reopened, not resolved again');
      // Resolved again after the reopen (and closed: a close is no reopen).
      await add(b, [move('CLOSED', 400, 'closed'), move('RESOLVED', 300, 'resolved')]);
      assert.deepEqual(await counted(b.k), { acknowledge: 5 * MINUTE, mitigate: 90 * MINUTE, resolve: 300 * MINUTE });
      await assertAgrees(b, 'reopened and resolved again');

      // A second `declared` entry, earlier than the first: the durations count from it.
      const c = await declare();
      await add(c, [move('INVESTIGATING', 5), { kind: 'declared', minutes: -10 }]);
      assert.deepEqual((await counted(c.k)).acknowledge, 15 * MINUTE);
      await assertAgrees(c, 'an earlier declaration');

      // Kinds and data that move to no status change nothing: a note saying `to`, a reopen without
      // one, a resolve whose `to` is no status (its kind implies RESOLVED).
      const d = await declare();
      await add(d, [
        { kind: 'note', minutes: 1, data: { to: 'RESOLVED' } },
        { kind: 'reopened', minutes: 2 },
        { kind: 'resolved', minutes: 50, data: { to: 'SOLVED' } },
      ]);
      assert.deepEqual(await counted(d.k), { acknowledge: 50 * MINUTE, mitigate: 50 * MINUTE, resolve: 50 * MINUTE });
      await assertAgrees(d, 'entries that move to no status');
    });

    test('after a data fix by hand (an entry changed, moved or removed) it follows the timeline', async () => {
      const pool = testStore.db().pool;
      const a = await declare();
      const b = await declare();
      await add(a, [move('INVESTIGATING', 5), move('RESOLVED', 90, 'resolved')]);
      await add(b, [move('INVESTIGATING', 7)]);
      // A resolve's time corrected.
      await pool.query(
        "UPDATE timeline_entry SET occurred_at = occurred_at + interval '1 hour' WHERE incident_id = $1 AND kind = 'resolved'",
        [a.id],
      );
      assert.deepEqual((await counted(a.k)).resolve, 150 * MINUTE);
      await assertAgrees(a, 'a time corrected');
      // A move recorded on the wrong incident, moved to its own.
      await pool.query("UPDATE timeline_entry SET incident_id = $2 WHERE incident_id = $1 AND kind = 'resolved'", [
        a.id,
        b.id,
      ]);
      assert.deepEqual((await counted(a.k)).resolve, null);
      await assertAgrees(a, 'an entry moved away');
      await assertAgrees(b, 'an entry moved here');
      // An entry's data corrected: no longer a move to MONITORING.
      await pool.query(
        'UPDATE timeline_entry SET data = \'{"to": "MONITORING"}\' WHERE incident_id = $1 AND kind = \'status_changed\'',
        [a.id],
      );
      assert.deepEqual((await counted(a.k)).mitigate, 5 * MINUTE);
      await assertAgrees(a, 'data corrected');
      // Every entry of its kinds removed: no row, declared when created, nothing else.
      await pool.query('DELETE FROM timeline_entry WHERE incident_id = $1', [a.id]);
      assert.equal(await rowOf(a.id), null);
      assert.deepEqual(await counted(a.k), { acknowledge: null, mitigate: null, resolve: null });
      // The text of an entry is no part of it (the bot edits only messages' text): nothing counted again.
      await pool.query("UPDATE timeline_entry SET text = 'edited' WHERE incident_id = $1", [b.id]);
      await assertAgrees(b, 'text edited');
      // An incident removed takes its row with it.
      await pool.query('DELETE FROM incident WHERE id = $1', [b.id]);
      assert.equal(await rowOf(b.id), null);
    });

    test('any entries, in any order, give the durations of the domain', async () => {
      // Entries of every kind the durations read (and a note), to any status, a junk one or none,
      // at distinct minutes around the declaration, inserted in the order drawn.
      const entry = fc.record({
        kind: fc.constantFrom(...DURATION_KINDS, 'note'),
        to: fc.option(fc.constantFrom<string>(...STATUSES, 'SOLVED'), { nil: undefined }),
      });
      const timeline = fc
        .uniqueArray(fc.integer({ min: -30, max: 600 }), { minLength: 0, maxLength: 8 })
        .chain((minutes) =>
          fc.tuple(fc.constant(minutes), fc.array(entry, { minLength: minutes.length, maxLength: minutes.length })),
        );
      await fc.assert(
        fc.asyncProperty(timeline, async ([minutes, entries]) => {
          const incident = await declare();
          await add(
            incident,
            entries.map((e, i) => ({ kind: e.kind, minutes: minutes[i]!, ...(e.to ? { data: { to: e.to } } : {}) })),
          );
          await assertAgrees(incident, JSON.stringify(entries.map((e, i) => [minutes[i], e.kind, e.to])));
        }),
        { numRuns: 25 },
      );
    });
  });
}
