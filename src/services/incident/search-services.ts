import { type CatalogService, suggestServices } from '../../domain/catalog.ts';
import type { ServiceDeps } from '../deps.ts';

/** Whether a service catalog is configured (then declared services must be in it). */
export function hasServiceCatalog(deps: Pick<ServiceDeps, 'catalog'>): boolean {
  return deps.catalog.current().source !== 'none';
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
