import { refreshSummary } from '../commit-change.ts';
import type { ServiceDeps } from '../deps.ts';

/**
 * Draws the pinned summary of the incident whose channel this is again from the record (a refused
 * choice in the summary's severity menu would stay shown otherwise). Nothing for a channel without
 * an incident; a failed redraw is logged, never thrown.
 */
export async function redrawSummary(deps: ServiceDeps, input: { channelId: string }): Promise<void> {
  const incident = await deps.store.findByChannel(input.channelId);
  if (incident)
    await refreshSummary(deps, incident.id).catch((err) => deps.logger.warn({ err }, 'summary not redrawn'));
}
