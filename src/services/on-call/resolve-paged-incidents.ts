import { assertCanCommand } from '../../domain/access.ts';
import { AppError } from '../../domain/errors.ts';
import type { ServiceDeps } from '../deps.ts';
import { incidentInChannel } from '../access.ts';
import { pagerDutyFrom } from './page-on-call.ts';
import { askOnCall, requireOnCall } from './connection.ts';

/**
 * After resolving, the commander may resolve the PagerDuty incidents linked to ours that are still
 * open. Returns how many were resolved; each is recorded on the timeline.
 */
export async function resolvePagedIncidents(
  deps: ServiceDeps,
  input: { channelId: string; userId: string },
): Promise<number> {
  const onCall = requireOnCall(deps);
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  assertCanCommand(incident, input.userId, 'resolve the linked PagerDuty incidents');
  if (incident.status !== 'RESOLVED' && incident.status !== 'CLOSED') {
    throw new AppError(
      'Resolve this incident first (`/incident resolve`), then its PagerDuty incidents.',
      'invalid_transition',
    );
  }
  const open = (await deps.store.pagerDutyLinks(incident.id)).filter((l) => l.status !== 'resolved');
  if (open.length === 0) throw new AppError('No linked PagerDuty incident is still open.', 'invalid_input');
  const fromEmail = await pagerDutyFrom(deps, input.userId);
  let resolved = 0;
  for (const link of open) {
    await askOnCall(
      deps,
      () => onCall.resolvePaged(link.pagerDutyIncidentId, fromEmail),
      (reason) => `PagerDuty did not resolve ${link.title} (${reason}). Try again.`,
    );
    // Compare-and-set with its timeline entry: a second click at the same moment (or the webhook's
    // own "resolved") records nothing more.
    const recorded = await deps.store.resolvePagerDutyLink(link.pagerDutyIncidentId, incident.id, {
      occurredAt: deps.clock.now(),
      kind: 'pagerduty',
      actorId: input.userId,
      text: `Resolved PagerDuty incident ${link.title}`,
      data: { pagerDutyIncidentId: link.pagerDutyIncidentId, event: 'resolved' },
    });
    if (recorded) resolved++;
  }
  return resolved;
}
