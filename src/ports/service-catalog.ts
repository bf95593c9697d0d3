import type { CatalogSnapshot } from '../domain/catalog.ts';

/**
 * The service catalog (Backstage's format, from files or a Backstage instance in production): the
 * last good read, kept in memory and refreshed in the background, so asking never waits on I/O.
 */
export interface ServiceCatalog {
  current(): CatalogSnapshot;
}

/** A catalog that never changes: EMPTY_CATALOG when none is configured, or a fixed one (tests). */
export function staticCatalog(snapshot: CatalogSnapshot): ServiceCatalog {
  return { current: () => snapshot };
}
