import {
  type CatalogService,
  catalogInUse,
  catalogUnread,
  serviceNamed,
  suggestServices,
} from '../../domain/catalog.ts';
import type { ServiceDeps } from '../deps.ts';

/**
 * Whether the service catalog is in use: configured and read at least once (then declared services
 * must be in it, and the form searches it). Before its first read, services are free text.
 */
export function hasServiceCatalog(deps: Pick<ServiceDeps, 'catalog'>): boolean {
  return catalogInUse(deps.catalog.current());
}

/** Whether a catalog is configured but could not be read yet (services are then taken as typed). */
export function serviceCatalogUnread(deps: Pick<ServiceDeps, 'catalog'>): boolean {
  return catalogUnread(deps.catalog.current());
}

/**
 * The catalog services the declare form's service search offers for what was typed, best first:
 * every service (by name) for an empty query, else the ones that look like it. Never waits on I/O
 * (the catalog is in memory), so it answers within Slack's 3 seconds.
 */
export function searchServices(deps: Pick<ServiceDeps, 'catalog'>, query: string, limit: number): CatalogService[] {
  const catalog = deps.catalog.current();
  const q = query.trim();
  if (!q) return [...catalog.services].sort((a, b) => a.name.localeCompare(b.name)).slice(0, limit);
  return suggestServices(catalog, q, limit);
}

/**
 * The catalog service chosen in the declare form (by its name, as the search offered it), or null
 * without a catalog in use or when it is gone since. In memory: answers within Slack's 3 seconds.
 */
export function chosenService(deps: Pick<ServiceDeps, 'catalog'>, name: string): CatalogService | null {
  const catalog = deps.catalog.current();
  return catalogInUse(catalog) ? serviceNamed(catalog, name) : null;
}
