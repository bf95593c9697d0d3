// Backstage's catalog format into the catalog's values: validation by @backstage/catalog-model,
// the annotations, links, owners, duplicates and the limits (a catalog is outside input).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildCatalog,
  CATALOG_LIMITS,
  linkKind,
  parseCatalogText,
  type RawEntity,
} from '../../src/catalog/entities.ts';

const CATALOG = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: platform
  title: Platform Team
  annotations:
    slack.com/channel: '#platform'
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: jane
spec:
  profile:
    email: jane@example.org
  memberOf: [platform]
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: ehr
  title: Electronic health record
spec:
  owner: platform
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ehr-api
  title: EHR API
  description: The record's API.
  annotations:
    pagerduty.com/service-id: PEHR123
    incident-bot/clinical-criticality: patient-facing
    github.com/project-slug: acme/ehr-api
  links:
    - url: https://runbooks.example.org/ehr-api
      title: EHR API runbook
    - url: https://grafana.example.org/d/ehr
      title: Latency
      type: dashboard
    - url: https://docs.example.org/ehr
      title: Docs
spec:
  type: service
  lifecycle: production
  owner: group:platform
  system: ehr
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: ehr-openapi
spec:
  type: openapi
  lifecycle: production
  owner: platform
  definition: '{}'
`;

async function build(text: string, name = 'catalog-info.yaml') {
  const parsed = await parseCatalogText(text, name, 'yaml');
  return buildCatalog(parsed.entities, parsed.problems);
}

const component = (name: string, extra: Record<string, unknown> = {}, annotations: Record<string, string> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, annotations, ...extra },
  spec: { type: 'service', lifecycle: 'production', owner: 'platform' },
});
const raw = (value: unknown, source = 'x.yaml#1'): RawEntity => ({ source, value });

describe('buildCatalog', () => {
  test('maps Components, Systems, Groups and Users; other kinds are ignored without a problem', async () => {
    const c = await build(CATALOG);
    assert.deepEqual(c.problems, []);
    assert.deepEqual(
      c.services.map((s) => s.ref),
      ['system:default/ehr', 'component:default/ehr-api'],
    );
    const api = c.services.find((s) => s.name === 'ehr-api')!;
    assert.equal(api.kind, 'Component');
    assert.equal(api.title, 'EHR API');
    assert.equal(api.description, "The record's API.");
    assert.equal(api.owner, 'group:default/platform');
    assert.equal(api.ownerName, 'Platform Team');
    assert.equal(api.system, 'ehr');
    assert.equal(api.pagerDutyServiceId, 'PEHR123');
    assert.equal(api.clinicalCriticality, 'patient-facing');
    assert.equal(api.githubProjectSlug, 'acme/ehr-api');
    // The owner's channel, as the service has none of its own.
    assert.equal(api.slackChannel, '#platform');
    assert.deepEqual(api.links, [
      { url: 'https://runbooks.example.org/ehr-api', title: 'EHR API runbook', kind: 'runbook' },
      { url: 'https://grafana.example.org/d/ehr', title: 'Latency', kind: 'dashboard' },
      { url: 'https://docs.example.org/ehr', title: 'Docs', kind: 'other' },
    ]);
    assert.deepEqual(c.groups, [
      {
        ref: 'group:default/platform',
        name: 'platform',
        title: 'Platform Team',
        slackChannel: '#platform',
        githubProjectSlug: null,
        jiraProjectKey: null,
      },
    ]);
    assert.deepEqual(c.users, [
      { ref: 'user:default/jane', name: 'jane', email: 'jane@example.org', githubLogin: null },
    ]);
    const system = c.services.find((s) => s.name === 'ehr')!;
    assert.equal(system.kind, 'System');
    assert.equal(system.system, null);
  });

  test("a service's own channel wins over its group's; an ID stays an ID", async () => {
    const c = await build(
      CATALOG.replace(
        'pagerduty.com/service-id: PEHR123',
        'pagerduty.com/service-id: PEHR123\n    slack.com/channel: C0EHR1234',
      ),
    );
    assert.equal(c.services.find((s) => s.name === 'ehr-api')!.slackChannel, 'C0EHR1234');
  });

  test('an invalid entity is a problem with its source and is skipped; the rest is kept', async () => {
    const c = await buildCatalog([
      raw(component('Bad Name!'), 'a.yaml#1'),
      raw({ ...component('no-owner'), spec: { type: 'service', lifecycle: 'production' } }, 'a.yaml#2'),
      raw({ ...component('foreign'), extra: true }, 'a.yaml#3'),
      raw('just text', 'a.yaml#4'),
      raw(component('good'), 'a.yaml#5'),
      raw({ apiVersion: 'v9', kind: 'Component', metadata: { name: 'old' }, spec: {} }, 'a.yaml#6'),
    ]);
    assert.deepEqual(
      c.services.map((s) => s.name),
      ['good'],
    );
    assert.deepEqual(
      c.problems.map((p) => p.source),
      ['a.yaml#1', 'a.yaml#2', 'a.yaml#3', 'a.yaml#4', 'a.yaml#6'],
    );
    assert.match(c.problems[0]!.message, /metadata\.name.*not valid.*it was skipped/);
    assert.doesNotMatch(c.problems[0]!.message, /To learn more/);
    assert.match(c.problems[1]!.message, /^component:default\/no-owner: .*owner/);
    assert.match(c.problems[2]!.message, /Unknown field extra/);
    assert.match(c.problems[3]!.message, /not an entity/);
  });

  test('wrong annotation values are problems and are ignored; the entity is kept', async () => {
    const c = await buildCatalog([
      raw(
        component(
          'ehr-api',
          {},
          {
            'pagerduty.com/service-id': 'ehr-pager',
            'slack.com/channel': 'Not A Channel!',
            'incident-bot/clinical-criticality': 'life-or-death',
            'github.com/project-slug': 'not a slug',
          },
        ),
      ),
    ]);
    const s = c.services[0]!;
    assert.equal(s.pagerDutyServiceId, null);
    assert.equal(s.slackChannel, null);
    assert.equal(s.clinicalCriticality, null);
    assert.equal(s.githubProjectSlug, null);
    assert.equal(c.problems.length, 4);
    for (const p of c.problems) {
      assert.equal(p.source, 'x.yaml#1');
      assert.match(p.message, /^component:default\/ehr-api: annotation .* it was ignored$/);
    }
    assert.ok(c.problems.some((p) => /clinical-criticality.*patient-facing, clinical-support, none/.test(p.message)));
  });

  test('criticality is read case-insensitively; a channel name gets its #', async () => {
    const c = await buildCatalog([
      raw(
        component(
          'a',
          {},
          { 'incident-bot/clinical-criticality': 'Clinical-Support', 'slack.com/channel': 'ehr-team' },
        ),
      ),
    ]);
    assert.equal(c.services[0]!.clinicalCriticality, 'clinical-support');
    assert.equal(c.services[0]!.slackChannel, '#ehr-team');
    assert.deepEqual(c.problems, []);
  });

  test('duplicate references: a problem, the first one kept; so are two services of one name', async () => {
    const c = await buildCatalog([
      raw(component('ehr-api', { title: 'First' }), 'a.yaml#1'),
      raw(component('EHR-API', { title: 'Second' }), 'b.yaml#1'),
      raw(
        { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: 'ehr-api' }, spec: { owner: 'x' } },
        'c.yaml#1',
      ),
    ]);
    assert.deepEqual(
      c.services.map((s) => s.title),
      ['First'],
    );
    assert.equal(c.problems.length, 2);
    assert.equal(c.problems[0]!.source, 'b.yaml#1');
    assert.match(c.problems[0]!.message, /also defined at a\.yaml#1/);
    assert.match(c.problems[1]!.message, /same name as component:default\/ehr-api/);
  });

  test('an owner in another namespace, a user owner, and an unknown group', async () => {
    const c = await buildCatalog([
      raw({ ...component('a'), metadata: { name: 'a', namespace: 'clinical' } }),
      raw({ ...component('b'), spec: { type: 'service', lifecycle: 'production', owner: 'user:default/jane' } }),
      raw({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'jane' },
        spec: { memberOf: [], profile: { email: 'not-an-email' } },
      }),
    ]);
    assert.equal(c.services[0]!.owner, 'group:clinical/platform');
    assert.equal(c.services[0]!.ownerName, 'platform');
    assert.equal(c.services[0]!.ref, 'component:clinical/a');
    assert.equal(c.services[1]!.owner, 'user:default/jane');
    assert.equal(c.services[1]!.ownerName, 'jane');
    // A wrong email is ignored with a problem; the user is kept.
    assert.equal(c.users[0]!.email, null);
    assert.equal(c.problems.length, 1);
    assert.match(c.problems[0]!.message, /^user:default\/jane: spec\.profile\.email .* not an email address/);
  });

  test('links: only http(s) URLs, kinds from type, title or icon', async () => {
    const c = await buildCatalog([
      raw(
        component('a', {
          links: [
            { url: 'javascript:alert(1)', title: 'Runbook' },
            { url: 'https://x.example.org/1', title: 'On-call playbook' },
            { url: 'https://x.example.org/2', icon: 'dashboard' },
          ],
        }),
      ),
    ]);
    assert.deepEqual(c.services[0]!.links, [
      { url: 'https://x.example.org/1', title: 'On-call playbook', kind: 'runbook' },
      { url: 'https://x.example.org/2', title: 'x.example.org', kind: 'dashboard' },
    ]);
    assert.equal(c.problems.length, 1);
    assert.match(c.problems[0]!.message, /not an http\(s\) URL/);
    assert.equal(linkKind({ type: 'runbook', title: 'Grafana' }), 'runbook');
    assert.equal(linkKind({ title: 'Home' }), 'other');
  });

  test('limits: long strings, deep nesting, long titles, too many entities, descriptions cut', async () => {
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 30; i++) at = at.x = {} as Record<string, unknown>;
    const c = await buildCatalog([
      raw(component('long', { description: 'x'.repeat(CATALOG_LIMITS.stringChars + 1) }), 'a#1'),
      raw(component('deep', { labels: deep }), 'a#2'),
      raw(component('titled', { title: 'T'.repeat(CATALOG_LIMITS.titleChars + 1) }), 'a#3'),
      raw(component('cut', { description: 'd'.repeat(CATALOG_LIMITS.descriptionChars + 50) }), 'a#4'),
    ]);
    assert.deepEqual(
      c.services.map((s) => s.name),
      ['cut'],
    );
    assert.equal(c.services[0]!.description!.length, CATALOG_LIMITS.descriptionChars);
    assert.deepEqual(
      c.problems.map((p) => p.source),
      ['a#1', 'a#2', 'a#3'],
    );
    assert.match(c.problems[0]!.message, /too large: a value is longer/);
    assert.match(c.problems[1]!.message, /nests deeper/);

    const many = Array.from({ length: CATALOG_LIMITS.entities + 5 }, (_, i) =>
      raw({ apiVersion: 'backstage.io/v1alpha1', kind: 'API', metadata: { name: `api-${i}` }, spec: {} }, `m#${i + 1}`),
    );
    const big = await buildCatalog(many);
    assert.equal(big.problems.length, 1);
    assert.match(big.problems[0]!.message, /more than 10000 entities/);
  });

  test('problems are capped, the rest counted', async () => {
    const bad = Array.from({ length: CATALOG_LIMITS.problems + 10 }, (_, i) => raw('nope', `p#${i + 1}`));
    const c = await buildCatalog(bad);
    assert.equal(c.problems.length, CATALOG_LIMITS.problems);
    assert.match(c.problems.at(-1)!.message, /and 11 more problems/);
  });
});

describe('parseCatalogText', async () => {
  test('YAML: many documents, numbered from 1; a broken one is a problem, empty ones are nothing', async () => {
    const r = await parseCatalogText('a: 1\n---\nkey: [unclosed\n---\n---\nb: 2\n', 'svc/x.yaml', 'yaml');
    assert.deepEqual(r.entities, [
      { source: 'svc/x.yaml#1', value: { a: 1 } },
      { source: 'svc/x.yaml#4', value: { b: 2 } },
    ]);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]!.source, 'svc/x.yaml#2');
    assert.match(r.problems[0]!.message, /not valid YAML/);
  });

  test('YAML: duplicate keys and alias bombs are problems, not hangs', async () => {
    assert.equal((await parseCatalogText('a: 1\na: 2\n', 'x.yaml', 'yaml')).problems.length, 1);
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from({ length: 9 }, (_, i) => {
        const prev = i === 0 ? 'a' : `l${i - 1}`;
        return `l${i}: &l${i} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
      }),
    ].join('\n');
    const r = await parseCatalogText(bomb, 'bomb.yaml', 'yaml');
    assert.equal(r.entities.length, 0);
    assert.equal(r.problems.length, 1);
  });

  test('YAML nested too deep is refused before it is parsed, at once', async () => {
    const started = performance.now();
    const r = await parseCatalogText(`${'['.repeat(300_000)}${']'.repeat(300_000)}`, 'deep.yaml', 'yaml');
    assert.ok(performance.now() - started < 1000);
    assert.deepEqual(r.entities, []);
    assert.match(r.problems[0]!.message, /brackets nest deeper than 80 levels/);
    // Brackets that close again do not add up.
    assert.equal(
      (await parseCatalogText(Array(100).fill('a: [1, [2]]\nb: {c: [3]}\n').join('---\n'), 'ok.yaml', 'yaml')).problems
        .length,
      0,
    );
  });

  test('JSON: an entity, a list, or an API answer with items; bad JSON is a problem', async () => {
    assert.equal((await parseCatalogText('{"kind":"Component"}', 'a.json', 'json')).entities.length, 1);
    assert.deepEqual(
      (await parseCatalogText('[{"a":1},{"b":2}]', 'a.json', 'json')).entities.map((e) => e.source),
      ['a.json#1', 'a.json#2'],
    );
    assert.equal((await parseCatalogText('{"items":[{},{},{}]}', 'a.json', 'json')).entities.length, 3);
    assert.match((await parseCatalogText('{nope', 'a.json', 'json')).problems[0]!.message, /not valid JSON/);
  });

  test('a file larger than the limit is skipped with a problem', async () => {
    const r = await parseCatalogText('#'.repeat(CATALOG_LIMITS.fileBytes + 1), 'big.yaml', 'yaml');
    assert.deepEqual(r.entities, []);
    assert.match(r.problems[0]!.message, /larger than/);
  });

  test('more documents than the limit: the rest are skipped with a problem', async () => {
    const text = Array.from({ length: CATALOG_LIMITS.documentsPerFile + 3 }, (_, i) => `n: ${i}`).join('\n---\n');
    const r = await parseCatalogText(text, 'many.yaml', 'yaml');
    assert.equal(r.entities.length, CATALOG_LIMITS.documentsPerFile);
    assert.match(r.problems[0]!.message, /more than 1000 entities in one file/);
  });
});
