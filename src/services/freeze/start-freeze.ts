import { assertCanCommand } from '../../domain/access.ts';
import { ALL_SERVICES, type ChangeFreeze } from '../../domain/changes.ts';
import { AppError } from '../../domain/errors.ts';
import { freezeCovers, scopeText } from '../../domain/freeze.ts';
import { incidentRef } from '../../domain/incident.ts';
import { incidentInChannel } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';
import {
  assertActiveForFreeze,
  commandedService,
  redrawSummary,
  systemOfService,
  tellFreeze,
} from './freeze-helpers.ts';

/**
 * `/incident freeze on <service|all> <reason>`: the commander freezes changes to a service (the
 * catalog's, when one is configured; a System's freeze covers its components) or to every service,
 * from an active incident, until they lift it or the incident is resolved or closed (which ends it:
 * freeze/after-commit.ts). Recorded with its timeline entry on the incident's audit trail; the
 * incident channel and (unless private) the broadcast channel are told.
 */
export async function startFreeze(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; scope: string; reason: string; responseUrl?: string | null },
): Promise<ChangeFreeze> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  assertCanCommand(incident, input.userId, 'freeze changes');
  assertActiveForFreeze(incident, 'changes are frozen');
  const scope = input.scope === ALL_SERVICES ? ALL_SERVICES : commandedService(deps, input.scope);
  const { freezes } = await deps.freezes.ofIncident(incident.id);
  const system = scope === ALL_SERVICES ? null : systemOfService(deps, scope);
  const already = freezes.find(
    (f) => f.scope === ALL_SERVICES || (scope !== ALL_SERVICES && freezeCovers(f, scope, system)),
  );
  if (already) {
    throw new AppError(
      `${incidentRef(incident)} already freezes ${scopeText(already.scope)}. See its freezes with \`/incident freeze\`.`,
      'already_frozen',
    );
  }
  const now = deps.clock.now();
  const freeze = await deps.freezes.start(
    { incidentId: incident.id, scope, reason: input.reason, startedBy: input.userId, startedAt: now },
    {
      occurredAt: now,
      kind: 'freeze_started',
      actorId: input.userId,
      text: `Change freeze on ${scopeText(scope)}: ${input.reason}`,
      data: { scope, reason: input.reason },
    },
  );
  await tellFreeze(
    deps,
    incident,
    { kind: 'change-freeze-started', incident, by: input.userId, scope, reason: input.reason },
    { userId: input.userId, responseUrl: input.responseUrl ?? null },
  );
  await redrawSummary(deps, incident.id);
  return freeze;
}
