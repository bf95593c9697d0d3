import type { ChangeEvent } from '../../domain/changes.ts';
import { serviceNamed } from '../../domain/catalog.ts';
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
  const system = service.kind === 'System' ? service.name : service.system;
  return !!system && !!change.system && fold(system) === fold(change.system);
}

/**
 * After a new change is recorded: the pinned summaries of the active incidents it concerns are
 * redrawn (they list the recent changes to their service). Each failure is logged; none is thrown.
 */
export async function redrawSummariesForChange(deps: ServiceDeps, change: ChangeEvent): Promise<void> {
  const active = await deps.store.listActive();
  for (const incident of active) {
    if (!incident.summaryTs || !changeAffects(deps, change, incident)) continue;
    await refreshSummary(deps, incident.id).catch((err) =>
      deps.logger.warn({ err, incidentId: incident.id, changeId: change.id }, 'summary not redrawn after a change'),
    );
  }
}
