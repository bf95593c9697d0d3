// The review read a page of the timeline at a time (PGlite, and the PostgreSQL server when
// TEST_DATABASE_URL is set): the same review whatever the page size, every entry once, in time
// order, the declaration first; and the PHI guard applied.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reviewToMarkdown } from '../../src/domain/review-markdown.ts';
import { buildReview } from '../../src/domain/review.ts';
import { inReadingOrder } from '../../src/domain/timeline.ts';
import { publicReviewOf, reviewOf } from '../../src/services/review/review-of.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';
import { testDeps } from '../support/deps.ts';

const declaredAt = new Date('2026-11-24T14:00:00Z');
const minute = (n: number) => new Date(declaredAt.getTime() + n * 60_000);

for (const database of testDatabases()) {
  describe(`the review's read in pages (${database.name})`, () => {
    const testStore = useTestStore(database);

    test('any page size gives the review of the whole timeline, oldest first, each entry once', async () => {
      const deps = testDeps({ db: testStore.db() });
      const { incident } = await deps.store.createIfAbsent(
        declaring({ declaration: aDeclaration({ nearMiss: true }), declaredAt, via: 'test' }),
      );
      // Two at the same minute, and one added out of time order.
      for (const n of [3, 1, 2, 2, 5, 4, 6, 7, 8, 9])
        await deps.store.addTimelineEntry(incident.id, {
          occurredAt: minute(n),
          kind: 'note',
          actorId: 'UBOB',
          text: `note at ${n} for 943 476 5919`,
        });
      const whole = await reviewOf(deps, incident);
      assert.equal(whole.timeline.length, 12);
      assert.deepEqual(
        whole.timeline.slice(0, 2).map((e) => e.kind),
        ['declared', 'status_changed'],
        'the declaration first, then the near miss resolved at the same time',
      );
      const times = whole.timeline.map((e) => e.at);
      assert.deepEqual(times, [...times].sort(), 'oldest first');
      for (const readPage of [1, 2, 3, 5, 11, 12, 13]) {
        assert.deepEqual(await reviewOf(deps, incident, { readPage }), whole, `pages of ${readPage}`);
      }
      const expected = buildReview(incident, inReadingOrder(await deps.store.timeline(incident.id)), null, {
        timeZone: deps.settings.defaultTimeZone,
      });
      assert.deepEqual(
        whole.timeline.map((e) => e.text).sort(),
        expected.timeline.map((e) => e.text).sort(),
        'the same entries as one read',
      );

      const shared = await publicReviewOf(deps, incident, { readPage: 4 });
      const md = reviewToMarkdown(shared);
      assert.ok(!md.includes('943 476 5919') && md.includes('note at 9 for [redacted NHS number]'), 'PHI redacted');
    });
  });
}
