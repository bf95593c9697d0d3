// Service catalogs for tests: a service with sensible defaults, and a configured snapshot of some.
import { EMPTY_CATALOG, type CatalogService, type CatalogSnapshot } from '../../src/domain/catalog.ts';

/** A Component owned by the platform group, with nothing else set unless given. */
export function aService(o: Partial<CatalogService> & Pick<CatalogService, 'name'>): CatalogService {
  return {
    ref: `component:default/${o.name}`,
    kind: 'Component',
    title: null,
    description: null,
    owner: 'group:default/platform',
    ownerName: 'Platform team',
    system: null,
    pagerDutyServiceId: null,
    slackChannel: null,
    clinicalCriticality: null,
    githubProjectSlug: null,
    links: [],
    ...o,
  };
}

/** A catalog read from files, of these services. */
export function catalogOf(...services: CatalogService[]): CatalogSnapshot {
  return { ...EMPTY_CATALOG, source: 'file', services, loadedAt: new Date('2026-11-24T00:00:00Z') };
}
