// Service catalogs for tests: a catalog service with what a test does not care about left empty (or
// owned by the platform group), and a configured, read snapshot of some.
import {
  EMPTY_CATALOG,
  type CatalogGroup,
  type CatalogService,
  type CatalogSnapshot,
} from '../../src/domain/catalog.ts';

/** A catalog Component (or System) with what the tests do not care about left empty. */
export function catalogService(name: string, o: Partial<CatalogService> = {}): CatalogService {
  return {
    ref: `${(o.kind ?? 'Component').toLowerCase()}:default/${name}`,
    kind: 'Component',
    name,
    title: null,
    description: null,
    owner: null,
    ownerName: null,
    system: null,
    pagerDutyServiceId: null,
    slackChannel: null,
    clinicalCriticality: null,
    githubProjectSlug: null,
    jiraProjectKey: null,
    links: [],
    ...o,
  };
}

/** A catalog Group with what the tests do not care about left empty. */
export function catalogGroup(name: string, o: Partial<CatalogGroup> = {}): CatalogGroup {
  return {
    ref: `group:default/${name}`,
    name,
    title: null,
    slackChannel: null,
    githubProjectSlug: null,
    jiraProjectKey: null,
    ...o,
  };
}

/** A Component owned by the platform group, with nothing else set unless given. */
export function aService(o: Partial<CatalogService> & Pick<CatalogService, 'name'>): CatalogService {
  return catalogService(o.name, { owner: 'group:default/platform', ownerName: 'Platform team', ...o });
}

/** A catalog read from files, of these services. */
export function catalogOf(...services: CatalogService[]): CatalogSnapshot {
  return { ...EMPTY_CATALOG, source: 'file', services, loadedAt: new Date('2026-11-24T00:00:00Z') };
}
