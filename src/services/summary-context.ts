import { serviceNamed, type CatalogService } from '../domain/catalog.ts';
import type { ChangeEvent } from '../domain/changes.ts';
import type { Incident } from '../domain/incident.ts';
import type { SummaryContext } from '../ports/chat-platform.ts';
import type { ServiceDeps } from './deps.ts';

/** How far before the declaration the summary looks for changes to the affected service. */
export const CHANGES_BEFORE_MS = 24 * 60 * 60_000;
/** How many changes the summary shows (newest first). */
export const SUMMARY_CHANGES = 5;

/**
 * What the pinned summary shows beside the incident's own record: its affected service in the
 * catalog (owner, criticality, runbooks, dashboards) and the changes to that service (and its
 * system) from 24 hours before the declaration until it was resolved (or now). One read of the
 * change log, only with a catalog configured (ownership and change go together; without one the
 * summary is as it was, and costs no more) and a service named. A change log that fails is logged
 * and the summary is drawn without changes, never held up.
 */
export async function summaryContext(
  deps: Pick<ServiceDeps, 'catalog' | 'changes' | 'clock' | 'logger'>,
  incident: Pick<Incident, 'id' | 'affectedService' | 'createdAt' | 'resolvedAt'>,
): Promise<SummaryContext> {
  const name = incident.affectedService;
  const catalog = deps.catalog.current();
  if (!name || catalog.source === 'none') return { service: null, changes: [] };
  const service: CatalogService | null = serviceNamed(catalog, name);
  const to = incident.resolvedAt ?? deps.clock.now();
  let changes: ChangeEvent[] = [];
  try {
    changes = await deps.changes.changesTo({
      services: [name],
      systems: service?.system ? [service.system] : [],
      from: new Date(incident.createdAt.getTime() - CHANGES_BEFORE_MS),
      to: new Date(Math.max(to.getTime(), incident.createdAt.getTime()) + 1),
      limit: SUMMARY_CHANGES,
    });
  } catch (err) {
    deps.logger.warn({ err, incidentId: incident.id }, 'changes not read for the summary: drawn without them');
  }
  return { service, changes };
}
