import { assertCanCommand } from '../domain/authority.ts';
import { AppError } from '../domain/errors.ts';
import { OnCallUnavailable } from '../ports/on-call-provider.ts';
import type { ServiceDeps } from './deps.ts';
import { incidentInChannel } from './incident-changes.ts';
import { pagerDutyFrom } from './page-on-call.ts';

/**
 * After resolving, the commander may resolve the PagerDuty incidents linked to ours that are still
 * open. Returns how many were resolved; each is recorded on the timeline.
 */
export async function resolvePagedIncidents(deps: ServiceDeps, input: { channelId: string; userId: string }): Promise<number> {
  if (!deps.onCall) throw new AppError('PagerDuty is not connected.', 'not_configured');
  const incident = await incidentInChannel(deps, input.channelId);
  assertCanCommand(incident, input.userId, 'resolve the linked PagerDuty incidents');
  if (incident.status !== 'RESOLVED' && incident.status !== 'CLOSED') {
    throw new AppError('Resolve this incident first (`/incident resolve`), then its PagerDuty incidents.', 'invalid_transition');
  }
  const open = (await deps.store.pagerDutyLinks(incident.id)).filter((l) => l.status !== 'resolved');
  if (open.length === 0) throw new AppError('No linked PagerDuty incident is still open.', 'invalid_input');
  const fromEmail = await pagerDutyFrom(deps, input.userId);
  for (const link of open) {
    try {
      await deps.onCall.resolvePaged(link.pagerDutyIncidentId, fromEmail);
    } catch (err) {
      if (!(err instanceof OnCallUnavailable)) throw err;
      throw new AppError(`PagerDuty did not resolve ${link.title} (${err.message}). Try again.`, 'on_call_unavailable');
    }
    await deps.store.setPagerDutyStatus(link.pagerDutyIncidentId, 'resolved');
    await deps.store.addTimelineEntry(incident.id, {
      occurredAt: deps.clock.now(),
      kind: 'pagerduty',
      actorId: input.userId,
      text: `Resolved PagerDuty incident ${link.title}`,
      data: { pagerDutyIncidentId: link.pagerDutyIncidentId, event: 'resolved' },
    });
  }
  return open.length;
}
