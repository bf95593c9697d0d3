// "Reviewed within 7 days" is 7 × 24 hours in SQL as in the pure definition (insightFiguresOf),
// whatever the database session's time zone: make_interval(days => 7) is seven calendar days in the
// session's zone, an hour longer across the end of summer time, so a review an hour late was counted
// on time by the database when its session ran in Europe/London.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type pg from 'pg';
import { PgInsightFigures } from '../../src/db/pg-insight-figures.ts';
import { insightFiguresOf, insightPeriod } from '../../src/domain/insights.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const now = new Date('2026-11-24T14:00:00Z');
const declaredAt = new Date('2026-10-19T12:00:00Z');
// Resolved at 13:00 BST on 20 October; 168 hours later is 12:00 GMT on 27 October (13:00 GMT is seven days in London).
const resolvedAt = new Date('2026-10-20T12:00:00Z');
const reviewedAt = new Date('2026-10-27T12:30:00Z');

/** The bot's pool, every query run in a session whose time zone is `zone`. */
function poolIn(pool: pg.Pool, zone: string): pg.Pool {
  return {
    connect: () => pool.connect(),
    query: async (sql: string, values: unknown[]) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL TIME ZONE '${zone}'`);
        const result = await client.query(sql, values);
        await client.query('COMMIT');
        return result;
      } finally {
        client.release();
      }
    },
  } as unknown as pg.Pool;
}

for (const database of testDatabases()) {
  describe(`reviews within 7 days across the end of summer time (${database.name})`, () => {
    const testStore = useTestStore(database);

    test('a review 7 days and 30 minutes after the resolve is late, in any session time zone', async () => {
      const deps = testDeps({ db: testStore.db(), clock: new TestClock(now) });
      const { incident } = await deps.store.createIfAbsent(
        declaring({ declaration: aDeclaration({ title: 'Bed board down', severity: 'SEV1' }), declaredAt }),
      );
      await deps.store.applyChange(
        incident.id,
        { status: 'RESOLVED', resolvedAt },
        {
          occurredAt: resolvedAt,
          kind: 'resolved',
          actorId: 'UALICE',
          text: 'resolved',
          data: { from: 'DECLARED', to: 'RESOLVED' },
        },
      );
      await deps.reviews.saveReviewInput(
        incident.id,
        { contributingFactors: [{ factor: 'capacity', detail: '' }] },
        { by: 'UALICE', at: reviewedAt },
      );
      const period = insightPeriod('2026-10-01', '2026-10-31', 'Europe/London');
      const pure = insightFiguresOf({
        period,
        now,
        incidents: [
          {
            number: incident.number,
            severity: 'SEV1',
            nearMiss: false,
            isPrivate: false,
            affectedService: null,
            createdAt: incident.createdAt,
            declaredAt,
            changes: [],
            resolvedAt,
            reviewCompletedAt: reviewedAt,
          },
        ],
        actions: [],
      });
      assert.deepEqual(pure.reviews, { onTime: 0, late: 1, pending: 0 });
      const db = testStore.db();
      for (const zone of ['UTC', 'Europe/London', 'America/New_York']) {
        const sql = await new PgInsightFigures(db.prisma, poolIn(db.pool, zone)).figures(period, now, []);
        assert.deepEqual(sql.reviews, pure.reviews, zone);
      }
    });
  });
}
