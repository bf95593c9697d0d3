import { parseDeclaration, type DeclarationInput } from '../domain/declaration.ts';
import type { Incident } from '../domain/incident.ts';
import type { ServiceDeps } from './deps.ts';
import { provisionIncident, type ProvisionOutcome } from './provision-incident.ts';

export interface DeclareIncidentInput {
  /** One incident per key: the Slack trigger or view the request came from. */
  declareKey: string;
  declaration: DeclarationInput;
  declaredBy: string;
  originChannelId: string | null;
  responseUrl: string | null;
  via: 'command' | 'modal' | 'pagerduty';
}

export type DeclareIncidentResult =
  | { duplicate: false; outcome: ProvisionOutcome }
  /** The same request came again: nothing new was made. */
  | { duplicate: true; incident: Incident };

/**
 * Declares an incident: records it (idempotent on `declareKey`), then opens its channel, invites
 * the declarer, posts and pins the summary and announces it. Bad input throws AppError, and then
 * nothing is recorded.
 */
export async function declareIncident(deps: ServiceDeps, input: DeclareIncidentInput): Promise<DeclareIncidentResult> {
  const declaration = parseDeclaration(input.declaration);
  const { incident, created } = await deps.store.createIfAbsent({
    declareKey: input.declareKey,
    declaration,
    declaredBy: input.declaredBy,
    originChannelId: input.originChannelId,
    responseUrl: input.responseUrl,
    declaredAt: deps.clock.now(),
    via: input.via,
  });
  if (!created) return { duplicate: true, incident };
  deps.logger.info({ incidentId: incident.id, number: incident.number, severity: incident.severity }, 'incident declared');
  return { duplicate: false, outcome: await provisionIncident(deps, incident.id) };
}
