// The plans PostgreSQL (TEST_DATABASE_URL) picks for a timeline page, after seeding enough entries
// (60 incidents, 30,000 entries, one incident with 20,000 of them) and ANALYZE: one range of the
// (incident_id, occurred_at, id) index, in the page's order (no sequential scan of timeline_entry,
// no sort), for the latest page, an older one and a newer one. PGlite is not asked (its planner is
// PostgreSQL's, but its statistics on a small in-memory database say little): skipped there.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { timelinePageStatement } from '../../src/db/prisma-incident-store.ts';
import type { TimelinePageQuery } from '../../src/ports/incident-store.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { declaring } from '../support/fixtures.ts';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

const server = testDatabases().find((d) => d.name === 'postgres');

describe('timeline page plans on PostgreSQL', {
  skip: server ? false : 'set TEST_DATABASE_URL to a PostgreSQL server',
}, () => {
  const testStore = useTestStore(server!);

  test('the latest page, an older and a newer page: an index range on timeline_entry, no Seq Scan, no Sort', async () => {
    const { prisma } = testStore.db();
    const store = testStore.store();
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await store.createIfAbsent(declaring())).incident.id);
    const big = ids[0]!;
    // Seeded in bulk (the audit trail's triggers are not what this is about).
    await prisma.$executeRawUnsafe('ALTER TABLE timeline_entry DISABLE TRIGGER USER');
    await prisma.$executeRawUnsafe(
      `INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text)
       SELECT gen_random_uuid(), CASE WHEN i <= 20000 THEN $1::uuid ELSE ($2::uuid[])[1 + i % 59] END,
              now() - (i * interval '7 seconds'), 'note', 'UBOB', 'note ' || i
         FROM generate_series(1, 30000) AS i`,
      big,
      ids.slice(1),
    );
    await prisma.$executeRawUnsafe('ALTER TABLE timeline_entry ENABLE TRIGGER USER');
    await prisma.$executeRawUnsafe('ANALYZE timeline_entry');

    const [middle] = await prisma.$queryRawUnsafe<{ occurred_at: Date; id: string }[]>(
      'SELECT occurred_at, id::text FROM timeline_entry WHERE incident_id = $1::uuid ORDER BY occurred_at, id OFFSET 10000 LIMIT 1',
      big,
    );
    const cursor = { occurredAt: middle!.occurred_at, id: middle!.id };
    const queries: [string, TimelinePageQuery][] = [
      ['latest', { limit: 40 }],
      ['older', { limit: 40, before: cursor }],
      ['newer', { limit: 40, after: cursor }],
    ];
    for (const incidentId of [big, ids[7]!]) {
      for (const [name, query] of queries) {
        const statement = timelinePageStatement(incidentId, query);
        const [row] = await prisma.$queryRawUnsafe<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
          `EXPLAIN (FORMAT JSON) ${statement.text}`,
          ...statement.values,
        );
        const plan = nodes(row!['QUERY PLAN'][0]!.Plan);
        const shown = JSON.stringify(row!['QUERY PLAN']);
        assert.ok(
          !plan.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'timeline_entry'),
          `${name}: a sequential scan of timeline_entry: ${shown}`,
        );
        assert.ok(!plan.some((n) => n['Node Type'].includes('Sort')), `${name}: a sort: ${shown}`);
        assert.ok(
          plan.some((n) => n['Index Name'] === 'timeline_entry_incident_id_occurred_at_id_idx'),
          `${name}: the page index is not used: ${shown}`,
        );
      }
    }
  });
});
