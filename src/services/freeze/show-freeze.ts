import { coveringIncidents, freezesOn, scopeText } from '../../domain/freeze.ts';
import { incidentRef } from '../../domain/incident.ts';
import { isActive } from '../../domain/lifecycle.ts';
import { formatInZone } from '../../domain/time.ts';
import { incidentInChannel } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';
import { systemOfService } from './freeze-helpers.ts';

/** `/incident freeze`: what this incident freezes, and the overrides not used yet (anyone who may read the incident). */
export async function showFreeze(deps: ServiceDeps, input: { channelId: string; userId: string }): Promise<string> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const ref = incidentRef(incident);
  const zone = deps.settings.defaultTimeZone;
  const { freezes, overrides } = await deps.freezes.ofIncident(incident.id);
  const active = isActive(incident.status);
  // An override counts while a freeze of this incident that was in force when it was given still is.
  const inForce = overrides.length
    ? (await deps.freezes.activeFor(null)).filter((f) => f.incidentId === incident.id)
    : [];
  const lapsed = (o: { service: string; createdAt: Date }) =>
    !coveringIncidents(freezesOn(inForce, o.service, systemOfService(deps, o.service))).some(
      (c) => c.since.getTime() <= o.createdAt.getTime(),
    );
  const lines: string[] = [];
  if (incident.freezeActive) lines.push(`• *every service*: the SEV1 freeze, while ${ref} is SEV1 and active`);
  for (const f of freezes) {
    lines.push(
      `• *${scopeText(f.scope)}*: ${f.reason} (<@${f.startedBy}>, ${formatInZone(f.startedAt, zone)})${active ? '' : ' (not in force: the incident is not active)'}`,
    );
  }
  const given = overrides.map((o) =>
    lapsed(o)
      ? `• lapsed: one deployment of *${o.service}* (approved by <@${o.approvedBy}>: ${o.reason}); this incident no longer freezes it as when it was given`
      : `• one deployment of *${o.service}* may go through this incident's freeze (approved by <@${o.approvedBy}>: ${o.reason})`,
  );
  if (!lines.length && !given.length) {
    return `${ref} freezes nothing. The commander can freeze a service with \`/incident freeze on <service|all> <reason>\`.`;
  }
  return [
    lines.length ? `:ice_cube: *${ref} freezes changes to:*` : `${ref} freezes nothing now.`,
    ...lines,
    ...(given.length ? ['*Overrides not used yet:*', ...given] : []),
    lines.length
      ? 'Pipelines ask `GET /api/freeze?service=<name>`; the commander lifts a freeze with `/incident freeze off [<service|all>]`.'
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}
