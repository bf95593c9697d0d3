// recordChange: the catalog match (by name; for GitHub by repository, then by the repository's name),
// once per sourceKey, and the pinned summaries of the active incidents the change concerns redrawn
// (their service, or a service of the same system), on both databases.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { recordChange, type ReceivedChange } from '../../src/services/changes/record-change.ts';
import { catalogOf, catalogService } from '../support/changes.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const catalog = staticCatalog(
  catalogOf(
    catalogService('ehr-api', { system: 'ehr', owner: 'group:default/platform', githubProjectSlug: 'acme/ehr' }),
    catalogService('ehr-db', { system: 'ehr', owner: 'group:default/dba' }),
    catalogService('pharmacy', { system: 'dispensing' }),
  ),
);

let n = 0;
const received = (o: Partial<ReceivedChange> = {}): ReceivedChange => ({
  sourceKey: `api:rc-${n++}`,
  source: 'api',
  kind: 'deploy',
  service: 'ehr-api',
  environment: null,
  version: null,
  summary: 'Deploy',
  author: null,
  approvers: [],
  url: null,
  occurredAt: new Date('2026-12-05T10:00:00Z'),
  ...o,
});

for (const database of testDatabases()) {
  describe(`recordChange (${database.name})`, () => {
    const env = useTestStore(database);

    test('matches the catalog by name, by repository, by repository name; unknown is stored as unknown', async () => {
      const deps = testDeps({ db: env.db(), catalog });
      const byName = await recordChange(deps, { change: received({ service: 'EHR-API' }) });
      assert.deepEqual(
        [byName.change.serviceName, byName.change.system, byName.change.owner, byName.created],
        ['ehr-api', 'ehr', 'group:default/platform', true],
      );
      const byRepo = await recordChange(deps, { change: received({ service: 'acme/ehr' }), repository: 'acme/ehr' });
      assert.equal(byRepo.change.serviceName, 'ehr-api');
      const byRepoName = await recordChange(deps, {
        change: received({ service: 'acme/pharmacy' }),
        repository: 'acme/pharmacy',
      });
      assert.equal(byRepoName.change.serviceName, 'pharmacy');
      const unknown = await recordChange(deps, { change: received({ service: 'billing' }) });
      assert.deepEqual([unknown.change.serviceName, unknown.change.system, unknown.change.owner], [null, null, null]);
      const again = await recordChange(deps, { change: { ...received(), sourceKey: unknown.change.sourceKey } });
      assert.equal(again.created, false);
      assert.equal(again.change.id, unknown.change.id);
    });

    test('a new change redraws the summaries of the active incidents on its service or system, once', async () => {
      const chat = new FakeChat();
      const deps = testDeps({ db: env.db(), catalog, chat });
      const declare = async (affectedService: string | null, key: string) => {
        const { incident } = await deps.store.createIfAbsent(
          declaring({ declareKey: key, declaration: aDeclaration({ affectedService }) }),
        );
        await deps.store.recordProvisioning(incident.id, { channelId: `C${key.toUpperCase()}`, summaryTs: '1.000100' });
        return incident;
      };
      const onService = await declare('ehr-api', 'k1');
      const onSystem = await declare('ehr-db', 'k2');
      await declare('pharmacy', 'k3');
      await declare(null, 'k4');
      const change = received({ service: 'ehr-api' });
      await recordChange(deps, { change });
      const redrawn = chat.summaries
        .filter((s) => s.redraw)
        .map((s) => s.incident.id)
        .sort();
      assert.deepEqual(redrawn, [onService.id, onSystem.id].sort());
      chat.summaries.length = 0;
      await recordChange(deps, { change });
      assert.equal(chat.summaries.length, 0, 'a redelivery redraws nothing');
    });
  });
}
