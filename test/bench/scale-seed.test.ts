// The scale bench's seed (bench/scale-seed.ts) at a hundredth of its size, on both databases: the
// counts asked for, the mix, rows the bot reads, an audit trail that verifies, and number counters
// moved on so the next declare takes the next number. (How long seeding takes is the bench's to say.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PrismaAuditTrail } from '../../src/db/prisma-audit-trail.ts';
import { BIG_CHANNEL, seedScale } from '../../bench/scale-seed.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';

const SIZES = { incidents: 100, timelineEntries: 1_000, bigTimeline: 200, actionItems: 200 };

for (const database of testDatabases()) {
  describe(`the scale bench's seed (${database.name})`, () => {
    const env = useTestStore(database);

    test('seeds the counts asked for, with the audit trail intact and the counters moved on', async () => {
      const seeded = await seedScale(env.db().url, SIZES);
      assert.deepEqual(
        { ...seeded.counts, auditEntries: undefined },
        { incidents: 100, timelineEntries: 1_000, actionItems: 200, auditEntries: undefined },
      );
      // One audit entry per audited row: incidents, their commanders, entries, action items.
      assert.equal(seeded.counts.auditEntries, 100 + 100 + 1_000 + 200);

      const store = env.store();
      const big = await store.findByChannel(BIG_CHANNEL);
      assert.ok(big);
      assert.equal(big.id, seeded.bigIncidentId);
      assert.equal(big.number, 100);
      assert.equal(big.status, 'INVESTIGATING');
      assert.equal(big.isPrivate, false);
      assert.equal((await store.timeline(big.id)).length, 200);

      const prisma = env.db().prisma;
      const statuses = await prisma.incident.groupBy({ by: ['status'], _count: true });
      const count = (s: string) => statuses.find((x) => x.status === s)?._count ?? 0;
      assert.equal(count('DECLARED') + count('INVESTIGATING') + count('IDENTIFIED') + count('MONITORING'), 2);
      assert.ok(count('RESOLVED') > 0 && count('CLOSED') > 0);
      assert.equal(await prisma.incident.count({ where: { nearMiss: true } }), 4);
      assert.equal(await prisma.incident.count({ where: { isPrivate: true } }), 10);
      assert.equal(await prisma.incident.count({ where: { severity: 'SEV1' } }), 10);
      assert.equal(await prisma.actionItem.count({ where: { status: 'done' } }), 120);
      assert.equal(await prisma.actionItem.count({ where: { ownerId: 'UALICE' } }), 4);
      assert.equal(
        await prisma.actionItem.count({ where: { incident: { status: { in: ['RESOLVED', 'CLOSED'] } } } }),
        200,
      );

      const counters = await prisma.numberCounter.findMany({ orderBy: { name: 'asc' } });
      assert.deepEqual(
        counters.map((c) => [c.name, c.last]),
        [
          ['action_item', 200],
          ['incident', 100],
        ],
      );
      const verified = await new PrismaAuditTrail(prisma).verify();
      assert.deepEqual(verified.problems, []);
      assert.equal(verified.incidents, 100);
    });
  });
}
