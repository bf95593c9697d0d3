// recordChange: the catalog match (by name; for GitHub by the repository's full project slug; without
// a catalog by the repository's name for the allowed owners), a failed freeze check redone on a retry,
// once per sourceKey, and the pinned summaries of the active incidents the change concerns redrawn
// (their service, or a service of the same system), on both databases.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { recordChange, type ReceivedChange } from '../../src/services/changes/record-change.ts';
import { deployedService } from '../../src/services/freeze/freeze-helpers.ts';
import { EMPTY_CATALOG } from '../../src/domain/catalog.ts';
import { catalogOf, catalogService } from '../support/catalog.ts';
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
const nov1 = new Date('2026-11-01T10:00:00Z');
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

test('deployedService (the freezes): a repository is a service only by its full slug with a catalog; by its name for allowed owners without one', () => {
  const withCatalog = { catalog };
  assert.equal(deployedService(withCatalog, 'acme/ehr'), 'ehr-api');
  assert.equal(deployedService(withCatalog, 'ACME/EHR'), 'ehr-api');
  assert.equal(deployedService(withCatalog, 'attacker/ehr'), 'attacker/ehr', 'another owner: not ehr-api');
  assert.equal(deployedService(withCatalog, 'acme/ehr-api'), 'acme/ehr-api', 'not by the repository name');
  assert.equal(deployedService(withCatalog, 'EHR-API'), 'ehr-api');
  const none = staticCatalog(EMPTY_CATALOG);
  assert.equal(deployedService({ catalog: none }, 'acme/billing'), 'billing', 'no list: any owner');
  const allowed = { catalog: none, settings: { githubAllowedOwners: ['acme'] } };
  assert.equal(deployedService(allowed, 'Acme/billing'), 'billing');
  assert.equal(deployedService(allowed, 'attacker/billing'), 'attacker/billing');
  assert.equal(deployedService(allowed, 'billing'), 'billing');
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
      assert.equal(byRepoName.change.serviceName, null, 'with a catalog, a repository maps only by its project slug');
      const otherOwner = await recordChange(deps, {
        change: received({ service: 'attacker/ehr' }),
        repository: 'attacker/ehr',
      });
      assert.deepEqual(
        [otherOwner.change.serviceName, otherOwner.change.system, otherOwner.change.owner],
        [null, null, null],
      );
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

    test('without a catalog: a repository is its name for an allowed owner, else stored as owner/repo, unknown', async () => {
      const open = testDeps({ db: env.db() });
      const any = await recordChange(open, {
        change: received({ service: 'acme/billing', occurredAt: nov1 }),
        repository: 'acme/billing',
      });
      assert.equal(any.change.serviceName, 'billing', 'no GITHUB_ALLOWED_OWNERS: any owner');
      const deps = testDeps({ db: env.db(), settings: { githubAllowedOwners: ['Acme'] } });
      const allowed = await recordChange(deps, {
        change: received({ service: 'acme/billing', occurredAt: nov1 }),
        repository: 'acme/billing',
      });
      assert.equal(allowed.change.serviceName, 'billing');
      const other = await recordChange(deps, {
        change: received({ service: 'attacker/billing', occurredAt: nov1 }),
        repository: 'attacker/billing',
      });
      assert.deepEqual([other.change.service, other.change.serviceName], ['attacker/billing', null]);
      // A free-text "Billing" incident meets the allowed repository's changes (any case), not the other owner's.
      const toBilling = await deps.changes.changesTo({
        services: ['Billing'],
        systems: [],
        from: nov1,
        to: new Date('2026-11-02T00:00:00Z'),
        limit: 10,
      });
      assert.deepEqual(toBilling.map((c) => c.service).sort(), ['acme/billing', 'acme/billing']);
    });

    test('changesTo matches services, catalog names and systems in any case', async () => {
      const deps = testDeps({ db: env.db(), catalog });
      const nov3 = new Date('2026-11-03T10:00:00Z');
      await recordChange(deps, { change: received({ service: 'billing', occurredAt: nov3 }) });
      await recordChange(deps, { change: received({ service: 'EHR-DB', occurredAt: nov3 }) });
      const q = { from: new Date('2026-11-03T00:00:00Z'), to: new Date('2026-11-04T00:00:00Z'), limit: 10 };
      const names = async (services: string[], systems: string[] = []) =>
        (await deps.changes.changesTo({ ...q, services, systems })).map((c) => c.service).sort();
      assert.deepEqual(await names(['BILLING']), ['billing']);
      assert.deepEqual(await names(['Ehr-Db']), ['EHR-DB'], 'by its catalog name, in any case');
      assert.deepEqual(await names([], ['EHR']), ['EHR-DB'], 'by its system, in any case');
      assert.deepEqual(await names(['pharmacy']), []);
    });

    test('a failed freeze check is thrown (the change stays stored), and a retry of the change runs it again', async () => {
      const deps = testDeps({ db: env.db() });
      let asked = 0;
      deps.freezes.activeFor = async () => {
        asked++;
        if (asked === 1) throw new Error('freeze store down (test)');
        return [];
      };
      const change = received({ service: 'billing' });
      await assert.rejects(recordChange(deps, { change }), /freeze store down/);
      assert.equal(asked, 1);
      const retry = await recordChange(deps, { change });
      assert.equal(retry.created, false);
      assert.equal(asked, 2, 'the duplicate was checked against the freezes again');
      const flagged = await deps.changes.markFreeze(retry.change.id, { flagged: true, overrideId: null });
      const again = await recordChange(deps, { change });
      assert.equal(again.change.id, flagged.id);
      assert.equal(asked, 2, 'a change marked already is not checked again');
    });
  });
}
