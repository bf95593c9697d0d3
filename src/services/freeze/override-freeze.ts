import { assertCanCommand } from '../../domain/access.ts';
import type { FreezeOverride } from '../../domain/changes.ts';
import { AppError } from '../../domain/errors.ts';
import { freezeCovers } from '../../domain/freeze.ts';
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
 * `/incident freeze override <service> <reason>`: the commander lets ONE deployment of a service this
 * incident freezes through. It counts while this incident still freezes the service (lifting the
 * freeze, a downgrade from SEV1 or the resolve lapses it), and only together with an override from
 * every other incident freezing the service: one incident cannot let a deployment past another's
 * freeze. The next deployment the protection rule reviews, or the next change reported for the
 * service, uses it (exactly once); the override, its approver and what it let through are on the
 * timeline and the audit trail.
 */
export async function overrideFreeze(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; service: string; reason: string; responseUrl?: string | null },
): Promise<FreezeOverride> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  assertCanCommand(incident, input.userId, 'let a deployment through the freeze');
  assertActiveForFreeze(incident, 'overrides are given');
  const service = commandedService(deps, input.service);
  const system = systemOfService(deps, service);
  const { freezes } = await deps.freezes.ofIncident(incident.id);
  if (!incident.freezeActive && !freezes.some((f) => freezeCovers(f, service, system))) {
    throw new AppError(
      `${incidentRef(incident)} does not freeze ${service}, so there is nothing to override. See its freezes with \`/incident freeze\`.`,
      'not_frozen',
    );
  }
  const now = deps.clock.now();
  const override = await deps.freezes.createOverride(
    { incidentId: incident.id, service, reason: input.reason, approvedBy: input.userId, createdAt: now },
    {
      occurredAt: now,
      kind: 'freeze_override',
      actorId: input.userId,
      text: `Override approved by <@${input.userId}>: one deployment of ${service} may go through the freeze: ${input.reason}`,
      data: { service, reason: input.reason, approvedBy: input.userId },
    },
  );
  await tellFreeze(
    deps,
    incident,
    { kind: 'freeze-override', incident, by: input.userId, service, reason: input.reason },
    { userId: input.userId, responseUrl: input.responseUrl ?? null },
  );
  await redrawSummary(deps, incident.id);
  return override;
}
