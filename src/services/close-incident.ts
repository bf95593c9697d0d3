import { assertCanCommand } from '../domain/authority.ts';
import { assertTransition } from '../domain/lifecycle.ts';
import type { ServiceDeps } from './deps.ts';
import { commitChange, decidedBy, incidentInChannel } from './incident-changes.ts';

/** `/incident close`: the commander closes a resolved incident. */
export async function closeIncident(deps: ServiceDeps, input: { channelId: string; userId: string }) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  assertCanCommand(incident, input.userId, 'close the incident');
  assertTransition(incident.status, 'CLOSED');
  const now = deps.clock.now();
  return commitChange(deps, {
    incident,
    change: { status: 'CLOSED', closedAt: now },
    guard: decidedBy(incident),
    entry: { occurredAt: now, kind: 'status_changed', actorId: input.userId, text: 'Closed', data: { from: incident.status, to: 'CLOSED' } },
    notices: [{ to: 'incident', notice: (i) => ({ kind: 'closed', incident: i, by: input.userId }) }],
  });
}
