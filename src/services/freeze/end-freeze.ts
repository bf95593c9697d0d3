import { assertCanCommand } from '../../domain/access.ts';
import { ALL_SERVICES, type ChangeFreeze } from '../../domain/changes.ts';
import { AppError } from '../../domain/errors.ts';
import { scopeText } from '../../domain/freeze.ts';
import { incidentRef } from '../../domain/incident.ts';
import { incidentInChannel } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';
import { deployedService, redrawSummary, tellFreeze } from './freeze-helpers.ts';

/**
 * `/incident freeze off [<service|all>]`: the commander lifts the freezes this incident started (all
 * of them, or the one of a service). A SEV1 freeze is not lifted here: it lasts while the incident is
 * SEV1 and active. Recorded with a timeline entry; the channels are told as when it started.
 */
export async function endFreeze(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; scope: string | null; responseUrl?: string | null },
): Promise<ChangeFreeze[]> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  assertCanCommand(incident, input.userId, 'lift a change freeze');
  // `all` lifts every freeze of this incident; a service is matched as the catalog names it, or as typed.
  const scope =
    input.scope === null || input.scope === ALL_SERVICES || input.scope.toLowerCase() === 'all' ? null : input.scope;
  const { freezes } = await deps.freezes.ofIncident(incident.id);
  const lower = (s: string) => s.toLowerCase();
  const named =
    scope === null ? null : freezes.some((f) => lower(f.scope) === lower(scope)) ? scope : deployedService(deps, scope);
  const now = deps.clock.now();
  const ended = await deps.freezes.end(incident.id, named, { by: input.userId, at: now }, (list) => ({
    occurredAt: now,
    kind: 'freeze_ended',
    actorId: input.userId,
    text: `Change freeze lifted on ${list.map((f) => scopeText(f.scope)).join(', ')}`,
    data: { scopes: list.map((f) => f.scope) },
  }));
  if (!ended.length) {
    const sev1 = incident.freezeActive
      ? ' The SEV1 freeze on every service lasts while the incident is SEV1 and active: lower the severity or resolve it to lift that.'
      : '';
    const whole = named !== null && freezes.some((f) => f.scope === ALL_SERVICES);
    throw new AppError(
      whole
        ? `${incidentRef(incident)} freezes every service, not ${named} alone: lift it with \`/incident freeze off all\`.`
        : `${incidentRef(incident)} has no freeze${named === null ? '' : ` on ${named}`} to lift.${sev1}`,
      'not_frozen',
    );
  }
  await tellFreeze(
    deps,
    incident,
    { kind: 'change-freeze-ended', incident, by: input.userId, scopes: ended.map((f) => f.scope) },
    { userId: input.userId, responseUrl: input.responseUrl ?? null },
  );
  await redrawSummary(deps, incident.id);
  return ended;
}
