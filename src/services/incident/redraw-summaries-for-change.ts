import type { ChangeEvent } from '../../domain/changes.ts';
import { refreshSummary } from '../commit-change.ts';
import type { ServiceDeps } from '../deps.ts';

/** At most this many incidents' summaries are redrawn for one change. */
export const MAX_REDRAWN_FOR_CHANGE = 20;

/**
 * After a change to production is recorded: redraws the pinned summaries of the active incidents
 * it affects (their affected service is the change's service, as the catalog names it or as sent,
 * or a service of its system), so "Recent changes" shows it. The catalog's services of the
 * change's system count too. Each redraw failure is logged, never thrown; returns how many were
 * redrawn.
 */
export async function redrawSummariesForChange(
  deps: ServiceDeps,
  change: Pick<ChangeEvent, 'service' | 'serviceName' | 'system'>,
): Promise<number> {
  const names = new Set<string>([change.service, ...(change.serviceName ? [change.serviceName] : [])]);
  if (change.system) {
    names.add(change.system);
    for (const s of deps.catalog.current().services) if (s.system === change.system) names.add(s.name);
  }
  const incidents = await deps.store.listActiveAffecting([...names], MAX_REDRAWN_FOR_CHANGE);
  let redrawn = 0;
  for (const incident of incidents) {
    try {
      await refreshSummary(deps, incident.id);
      redrawn++;
    } catch (err) {
      deps.logger.warn({ err, incidentId: incident.id }, 'summary not redrawn after a change was recorded');
    }
  }
  return redrawn;
}
