// Finding a catalog service by what was typed: exactly (name, reference or title, any case), or
// suggestions for a name not found, quickly even for a long query against a large catalog.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  catalogInUse,
  catalogUnread,
  EMPTY_CATALOG,
  longestServiceRun,
  serviceNamed,
  suggestServices,
  systemOf,
  type CatalogService,
  type CatalogSnapshot,
} from '../../src/domain/catalog.ts';
import { patientFacingPreset, resolveDeclaredService, unknownServiceError } from '../../src/domain/declared-service.ts';
import { AppError } from '../../src/domain/errors.ts';
import { catalogOf, catalogService } from '../support/catalog.ts';

const service = (name: string, title: string | null = null) => catalogService(name, { title });
const catalog = (services: CatalogService[]) => catalogOf(...services);

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

describe('systemOf, catalogInUse, and what a service of several words is', () => {
  test('a System is its own system; a Component its spec.system', () => {
    assert.equal(systemOf({ ...service('ehr'), kind: 'System', system: null }), 'ehr');
    assert.equal(systemOf({ ...service('ehr-api'), system: 'ehr' }), 'ehr');
    assert.equal(systemOf(service('lone')), null);
  });

  test('a catalog is in use once read: before its first read (Backstage down at start) services are taken as typed', () => {
    const read: CatalogSnapshot = { ...catalog([service('ehr-api', 'EHR API')]), loadedAt: new Date() };
    const unread: CatalogSnapshot = {
      ...EMPTY_CATALOG,
      source: 'backstage',
      problems: [{ source: 'x', message: 'down' }],
    };
    assert.equal(catalogInUse(read), true);
    assert.equal(catalogInUse(unread), false);
    assert.equal(catalogInUse(EMPTY_CATALOG), false);
    assert.equal(catalogUnread(unread), true);
    assert.equal(catalogUnread(EMPTY_CATALOG), false);
    assert.equal(catalogUnread(read), false);
    // Declaring: free text before the first read, the catalog's name (or a refusal) after.
    assert.deepEqual(resolveDeclaredService(unread, 'Payments API')?.declared, { name: 'Payments API', owner: null });
    assert.deepEqual(resolveDeclaredService(read, 'EHR API')?.declared, { name: 'ehr-api', owner: null });
    assert.throws(() => resolveDeclaredService(read, 'Payments API'), AppError);
  });

  test('the longest run of words naming a service', () => {
    const c = catalog([service('ehr-api', 'EHR API'), service('ehr', 'EHR'), service('ehr-api-v2', 'EHR API v2')]);
    assert.deepEqual(
      [
        longestServiceRun(c, 'EHR', ['API', 'v2', 'down'])?.service.name,
        longestServiceRun(c, 'EHR', ['API', 'v2', 'down'])?.used,
      ],
      ['ehr-api-v2', 2],
    );
    assert.equal(longestServiceRun(c, 'EHR', ['down'])?.used, 0);
    assert.equal(longestServiceRun(c, 'Payments', ['API']), null);
  });

  test('an unknown service: the command says how to declare again; the form speaks of its list', () => {
    const c = { ...catalog([service('lab-results', 'Lab results')]), loadedAt: new Date() };
    const command = unknownServiceError(c, 'lab-resultz').userMessage;
    assert.match(command, /Declare again with `--service=<name>`/);
    const form = unknownServiceError(c, 'lab-resultz', 'form').userMessage;
    assert.equal(
      form,
      'lab-resultz is not a service in the service catalog. Did you mean lab-results (Lab results)? Pick one from the list, or clear the field.',
    );
    assert.equal(
      unknownServiceError(c, 'zzzzzzzzzzzzzzzz', 'form').userMessage,
      'zzzzzzzzzzzzzzzz is not a service in the service catalog. Pick one from the list (type to search), or clear the field.',
    );
  });

  test('the form’s preset for a patient-facing service: at least SEV2, Clinical impact ticked', () => {
    const pf = { clinicalCriticality: 'patient-facing' as const };
    assert.deepEqual(patientFacingPreset(pf, null), { severity: 'SEV2', clinicalImpact: true });
    assert.deepEqual(patientFacingPreset(pf, 'SEV4'), { severity: 'SEV2', clinicalImpact: true });
    assert.deepEqual(patientFacingPreset(pf, 'SEV3'), { severity: 'SEV2', clinicalImpact: true });
    assert.deepEqual(patientFacingPreset(pf, 'SEV1'), { severity: 'SEV1', clinicalImpact: true });
    assert.equal(patientFacingPreset({ clinicalCriticality: 'clinical-support' }, 'SEV4'), null);
    assert.equal(patientFacingPreset(null, null), null);
  });
});
