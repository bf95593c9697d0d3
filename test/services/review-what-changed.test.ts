// The review reads the changes to the incident's service and its system (through the catalog) in the
// 24 hours before it was declared, from the change log (PGlite, and PostgreSQL when TEST_DATABASE_URL is set).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { publicReviewOf, reviewOf } from '../../src/services/review/review-of.ts';
import { catalogOf, catalogService } from '../support/catalog.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const declaredAt = new Date('2026-11-24T14:00:00Z');
const before = (h: number) => new Date(declaredAt.getTime() - h * 3600_000);

for (const database of testDatabases()) {
  describe(`the review's "What changed" (${database.name})`, () => {
    const testStore = useTestStore(database);

    test('the service (by its catalog name or as typed) and its system, in the 24 hours before, newest first', async () => {
      const catalog = staticCatalog(
        catalogOf(
          catalogService('ehr-api', { title: 'EHR API', system: 'ehr' }),
          catalogService('ehr-db', { system: 'ehr' }),
          catalogService('pharmacy', { system: 'dispensing' }),
        ),
      );
      const deps = testDeps({ db: testStore.db(), catalog });
      const { incident } = await deps.store.createIfAbsent(
        declaring({ declaration: aDeclaration({ affectedService: 'EHR API' }), declaredAt, via: 'test' }),
      );
      const record = (
        key: string,
        o: { service: string; serviceName: string | null; system: string | null; at: Date },
      ) =>
        deps.changes.record(
          {
            sourceKey: key,
            source: 'api',
            kind: 'deploy',
            service: o.service,
            serviceName: o.serviceName,
            system: o.system,
            owner: null,
            environment: null,
            version: null,
            summary: key,
            author: null,
            approvers: [],
            url: null,
            occurredAt: o.at,
          },
          o.at,
        );
      await record('the service', { service: 'ehr-api', serviceName: 'ehr-api', system: 'ehr', at: before(1) });
      await record('its system', { service: 'ehr-db', serviceName: 'ehr-db', system: 'ehr', at: before(2) });
      await record('as typed, unknown', { service: 'EHR API', serviceName: null, system: null, at: before(3) });
      await record('another system', {
        service: 'pharmacy',
        serviceName: 'pharmacy',
        system: 'dispensing',
        at: before(1),
      });
      await record('too early', { service: 'ehr-api', serviceName: 'ehr-api', system: 'ehr', at: before(25) });
      await record('after', {
        service: 'ehr-api',
        serviceName: 'ehr-api',
        system: 'ehr',
        at: new Date(declaredAt.getTime() + 60_000),
      });

      const review = await reviewOf(deps, incident);
      assert.deepEqual(
        review.whatChanged.changes.map((c) => [c.summary, c.serviceKnown]),
        [
          ['the service', true],
          ['its system', true],
          ['as typed, unknown', false],
        ],
      );
      // Shared beyond the channel, the review's text still goes through the PHI guard.
      const shared = await publicReviewOf(deps, incident);
      assert.equal(shared.whatChanged.changes.length, 3);
    });

    test('no affected service: no changes are read', async () => {
      const deps = testDeps({ db: testStore.db() });
      const { incident } = await deps.store.createIfAbsent(
        declaring({ declaration: aDeclaration({ affectedService: null }), declaredAt, via: 'test' }),
      );
      assert.deepEqual((await reviewOf(deps, incident)).whatChanged.changes, []);
    });
  });
}
