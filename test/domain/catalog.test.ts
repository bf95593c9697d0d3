// Finding a catalog service by what was typed: exactly (name, reference or title, any case), or
// suggestions for a name not found, quickly even for a long query against a large catalog.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EMPTY_CATALOG,
  serviceNamed,
  suggestServices,
  type CatalogService,
  type CatalogSnapshot,
} from '../../src/domain/catalog.ts';

const service = (name: string, title: string | null = null): CatalogService => ({
  ref: `component:default/${name}`,
  kind: 'Component',
  name,
  title,
  description: null,
  owner: null,
  ownerName: null,
  system: null,
  pagerDutyServiceId: null,
  slackChannel: null,
  clinicalCriticality: null,
  githubProjectSlug: null,
  links: [],
});
const catalog = (services: CatalogService[]): CatalogSnapshot => ({ ...EMPTY_CATALOG, source: 'file', services });

describe('serviceNamed and suggestServices', () => {
  const c = catalog([service('ehr-api', 'EHR API'), service('lab-results', 'Lab results'), service('pharmacy')]);

  test('exactly by name, reference or title, any case', () => {
    assert.equal(serviceNamed(c, 'EHR-API')?.name, 'ehr-api');
    assert.equal(serviceNamed(c, 'component:default/lab-results')?.name, 'lab-results');
    assert.equal(serviceNamed(c, ' lab results ')?.name, 'lab-results');
    assert.equal(serviceNamed(c, 'ehr'), null);
  });

  test('suggestions: a prefix, a part, a typo', () => {
    assert.deepEqual(
      suggestServices(c, 'ehr').map((s) => s.name),
      ['ehr-api'],
    );
    assert.deepEqual(
      suggestServices(c, 'results').map((s) => s.name),
      ['lab-results'],
    );
    assert.deepEqual(
      suggestServices(c, 'pharmcy').map((s) => s.name),
      ['pharmacy'],
    );
    assert.deepEqual(suggestServices(c, 'zzzzzz'), []);
  });

  test('a long query against a large catalog answers at once', () => {
    const big = catalog(
      Array.from({ length: 10_000 }, (_, i) => service(`service-${i}`, `Service number ${i} ${'x'.repeat(150)}`)),
    );
    const started = performance.now();
    suggestServices(big, 'q'.repeat(200));
    suggestServices(big, 'servce-42');
    assert.ok(performance.now() - started < 2000, 'well under two seconds');
  });
});
