import { assertCanCommand } from '../../domain/access.ts';
import { assertTransition } from '../../domain/lifecycle.ts';
import { assertClinicalSafetySignedOff } from '../../domain/clinical-safety.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange, decidedBy } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/** `/incident close`: the commander closes a resolved incident (one with clinical impact only while signed off). */
export async function closeIncident(deps: ServiceDeps, input: { channelId: string; userId: string }) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  assertCanCommand(incident, input.userId, 'close the incident');
  assertTransition(incident.status, 'CLOSED');
  if (incident.clinicalImpact)
    assertClinicalSafetySignedOff(incident, await deps.store.clinicalRecord(incident.id), 'closed');
  const now = deps.clock.now();
  const closed = await commitChange(deps, {
    incident,
    change: { status: 'CLOSED', closedAt: now },
    guard: {
      ...decidedBy(incident),
      clinicalImpact: incident.clinicalImpact,
      ...(incident.clinicalImpact ? { clinicalSignoff: 'given' as const } : {}),
    },
    entry: {
      occurredAt: now,
      kind: 'status_changed',
      actorId: input.userId,
      text: 'Closed',
      data: { from: incident.status, to: 'CLOSED' },
    },
    notices: [{ to: 'incident', notice: (i) => ({ kind: 'closed', incident: i, by: input.userId }) }],
  });
  // The closed incident's trail anchored outside the database. Queued, taken in the background; a
  // failure here is logged and never undoes the close (the next scheduled checkpoint covers it).
  await deps.auditCheckpoints
    ?.request({ kind: 'incident-closed', incident: closed.number })
    .catch((err: unknown) =>
      deps.logger.error(
        { err, incidentId: closed.id },
        'could not queue the audit checkpoint of a closed incident: the next scheduled one covers it',
      ),
    );
  return closed;
}
