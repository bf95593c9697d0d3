import { checkAwareness, resolveAwareness, type AwarenessSpec } from '../domain/breach.ts';
import { parseDeclaration, type DeclarationInput } from '../domain/declaration.ts';
import { isValidTimeZone } from '../domain/time.ts';
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
  /** A typed breach awareness time (`--aware=`): a local time is read in the declarer's Slack zone, else TZ_DEFAULT. */
  breachAware?: AwarenessSpec;
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
  const now = deps.clock.now();
  if (declaration.dataBreach || input.breachAware) {
    // The 72-hour clock starts at awareness: when given, it must be real (not ahead, not absurdly old).
    declaration.dataBreach = true;
    if (input.breachAware) {
      declaration.breachAwareAt = resolveAwareness(input.breachAware, await zoneOf(deps, input.declaredBy, input.breachAware), now);
    } else if (declaration.breachAwareAt) {
      checkAwareness(declaration.breachAwareAt, now, deps.settings.defaultTimeZone);
    } else {
      declaration.breachAwareAt = now;
    }
  }
  const { incident, created } = await deps.store.createIfAbsent({
    declareKey: input.declareKey,
    declaration,
    declaredBy: input.declaredBy,
    originChannelId: input.originChannelId,
    responseUrl: input.responseUrl,
    declaredAt: now,
    via: input.via,
  });
  if (!created) return { duplicate: true, incident };
  deps.logger.info({ incidentId: incident.id, number: incident.number, severity: incident.severity }, 'incident declared');
  return { duplicate: false, outcome: await provisionIncident(deps, incident.id) };
}

/**
 * The zone a person's typed local time is read in: their own Slack zone, else the team's. Only
 * asked for a local time (an instant with its offset needs none).
 */
export async function zoneOf(deps: ServiceDeps, userId: string, spec: AwarenessSpec): Promise<string> {
  if (spec.kind === 'instant') return 'UTC';
  const own = await deps.chat.userTimeZone(userId).catch((err: unknown) => {
    deps.logger.warn({ err, userId }, 'time zone lookup failed; reading the awareness time in TZ_DEFAULT');
    return null;
  });
  return own && isValidTimeZone(own) ? own : deps.settings.defaultTimeZone;
}
