// The freeze feature's part after an incident's change (see src/services/after-commit.ts): a
// resolved or closed incident ends its manual freezes, on the record (who resolved it, audited, a
// `freeze_ended` entry) and in the channels that were told they started. Their unused overrides lapse
// with them. Reopening the incident does not start them again. Durable: should this hook not run
// (a crash after the resolve), the background sweep (endFreezesOfEndedIncidents) ends them, and a
// reopen ends what is still open before it is recorded (src/services/incident/reopen-incident.ts).
import type { Incident } from '../../domain/incident.ts';
import { scopeText } from '../../domain/freeze.ts';
import { isActive } from '../../domain/lifecycle.ts';
import type { AfterCommit } from '../after-commit.ts';
import type { ServiceDeps } from '../deps.ts';
import { redrawSummary, tellFreeze } from './freeze-helpers.ts';

/** Who ended a freeze when nobody is named (a change without an actor, the sweep). */
const BY_THE_BOT = 'incident-bot';

/** How many incidents one sweep looks at (the next pass takes the rest). */
const SWEEP_LIMIT = 50;

/**
 * Ends the manual freezes still open of a resolved or closed incident (nothing when it is active
 * again), on the record and in the channels; `by` who resolved or closed it (null: the bot).
 */
export async function endFreezesOfEndedIncident(
  deps: ServiceDeps,
  incident: Incident,
  by: string | null,
): Promise<void> {
  const now = deps.clock.now();
  const how = incident.status === 'CLOSED' ? 'closed' : 'resolved';
  const ended = await deps.freezes.endOfEndedIncident(incident.id, { by: by ?? BY_THE_BOT, at: now }, (list) => ({
    occurredAt: now,
    kind: 'freeze_ended',
    actorId: by,
    text: `Change freeze lifted on ${list.map((f) => scopeText(f.scope)).join(', ')}: the incident was ${how}`,
    data: { scopes: list.map((f) => f.scope), reason: how },
  }));
  if (!ended.length) return;
  await tellFreeze(
    deps,
    incident,
    { kind: 'change-freeze-ended', incident, by: by ?? '', scopes: ended.map((f) => f.scope), because: how },
    null,
  );
  await redrawSummary(deps, incident.id);
}

export const endFreezesAfterCommit: AfterCommit = async (deps, event) => {
  if (event.kind !== 'changed') return;
  const { before, after } = event;
  if (isActive(after.status) || !isActive(before.status)) return;
  await endFreezesOfEndedIncident(deps, after, event.by ?? null);
};

/**
 * The background sweep (run with the other retries, acting as the bot): ends the freezes a resolve
 * or close left open (its after-commit hook did not run or failed). One incident failing is logged
 * and the others go on.
 */
export async function endFreezesOfEndedIncidents(deps: ServiceDeps): Promise<number> {
  const ids = await deps.freezes.endedIncidentsWithOpenFreezes(SWEEP_LIMIT);
  let ended = 0;
  for (const id of ids) {
    try {
      const incident = await deps.store.findById(id);
      if (!incident || isActive(incident.status)) continue;
      await endFreezesOfEndedIncident(deps, incident, null);
      ended++;
    } catch (err) {
      deps.logger.error({ err, incidentId: id }, 'ending the freezes of a resolved incident failed');
    }
  }
  return ended;
}
