import type { ChangeEvent } from '../../domain/changes.ts';
import { serviceNamed, systemOf } from '../../domain/catalog.ts';
import type { Incident } from '../../domain/incident.ts';
import { refreshSummary } from '../commit-change.ts';
import type { ServiceDeps } from '../deps.ts';

const fold = (s: string) => s.trim().toLowerCase();

/**
 * Whether a change concerns an incident: its affected service is the change's (the catalog name it
 * matched, or the name the sender gave), or both are in the same system of the catalog.
 */
export function changeAffects(deps: Pick<ServiceDeps, 'catalog'>, change: ChangeEvent, incident: Incident): boolean {
  const affected = incident.affectedService?.trim();
  if (!affected) return false;
  const names = [change.serviceName, change.service].filter((n): n is string => !!n).map(fold);
  if (names.includes(fold(affected))) return true;
  const service = serviceNamed(deps.catalog.current(), affected);
  if (!service) return false;
  if (change.serviceName && fold(service.name) === fold(change.serviceName)) return true;
  const system = systemOf(service);
  return !!system && !!change.system && fold(system) === fold(change.system);
}

/** At most this many active incidents are looked at for one change (the store reads no more). */
export const MAX_INCIDENTS_FOR_CHANGE = 50;

/**
 * The names an incident concerned by the change may record as its affected service: the change's
 * (as matched and as sent), and the name, title and reference of the catalog services it names or
 * that share its system (and the system's own).
 */
function candidateNames(deps: Pick<ServiceDeps, 'catalog'>, change: ChangeEvent): string[] {
  const names = new Set<string>([change.service, ...(change.serviceName ? [change.serviceName] : [])]);
  const system = change.system ? fold(change.system) : null;
  for (const s of deps.catalog.current().services) {
    const named = [change.service, change.serviceName].some((n) => !!n && fold(n) === fold(s.name));
    const inSystem = !!system && (fold(s.system ?? '') === system || (s.kind === 'System' && fold(s.name) === system));
    if (named || inSystem) for (const n of [s.name, s.title, s.ref]) if (n) names.add(n);
  }
  if (change.system) names.add(change.system);
  return [...names];
}

/**
 * After a new change is recorded: the pinned summaries of the active incidents it concerns are
 * redrawn (they list the recent changes to their service). The store is asked only for the active
 * incidents recorded against one of the candidate names (a bounded, indexed read), then each is
 * checked with changeAffects. Each failure is logged; none is thrown.
 */
export async function redrawSummariesForChange(deps: ServiceDeps, change: ChangeEvent): Promise<void> {
  const active = await deps.store.listActiveAffecting(candidateNames(deps, change), MAX_INCIDENTS_FOR_CHANGE);
  for (const incident of active) {
    if (!incident.summaryTs || !changeAffects(deps, change, incident)) continue;
    await refreshSummary(deps, incident.id).catch((err) =>
      deps.logger.warn({ err, incidentId: incident.id, changeId: change.id }, 'summary not redrawn after a change'),
    );
  }
}
