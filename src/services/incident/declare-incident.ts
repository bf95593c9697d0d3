import { checkAwareness, resolveAwareness, type AwarenessSpec } from '../../domain/breach.ts';
import {
  declarationSchema,
  declaredIncident,
  parseDeclaration,
  SERVICE_MAX,
  type DeclarationInput,
} from '../../domain/declaration.ts';
import { z } from 'zod';
import { serviceNamed } from '../../domain/catalog.ts';
import {
  extendDeclaredService,
  patientFacingAdvice,
  resolveDeclaredService,
  type DeclaredService,
  type ServiceWords,
} from '../../domain/declared-service.ts';
import { AppError } from '../../domain/errors.ts';
import { isValidTimeZone } from '../../domain/time.ts';
import type { Incident } from '../../domain/incident.ts';
import type { DeclarationIntake } from '../../ports/declaration-intake.ts';
import type { PagerDutyLink } from '../../ports/incident-store.ts';
import type { ServiceDeps } from '../deps.ts';
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
  /** The PagerDuty incident that declared it: linked in the same transaction as the incident. */
  pagerDutyLink?: PagerDutyLink;
  /**
   * The affected service as resolved against the catalog before the declaration was held
   * (withDeclaredService), so a replay declares what was acknowledged whatever the catalog says
   * by then; null: none. Left out: resolved when recorded.
   */
  service?: DeclaredService | null;
  /**
   * The words typed after an unquoted `--service=` word (the title's): joined to the service when
   * the catalog names it so (withDeclaredService), and then taken out of the title.
   */
  serviceWords?: ServiceWords;
}

export type DeclareIncidentResult =
  /** `advice`: what the declarer should consider (a patient-facing service declared low or without clinical impact). */
  | { duplicate: false; outcome: ProvisionOutcome; advice?: string[] }
  /** The same request came again: nothing new was made. */
  | { duplicate: true; incident: Incident };

const when = z.union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))]);
/**
 * A DeclareIncidentInput as held in the intake (JSON: its times are strings), back to one, the
 * declaration checked as at declare time.
 */
export const heldDeclarationSchema = z.object({
  declareKey: z.string().min(1).max(255),
  declaration: z.looseObject({ breachAwareAt: when.optional() }).pipe(declarationSchema),
  declaredBy: z.string().min(1).max(64),
  originChannelId: z.string().min(1).max(64).nullable(),
  responseUrl: z.url().nullable(),
  via: z.enum(['command', 'modal', 'pagerduty']),
  breachAware: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('instant'), at: when, text: z.string() }),
      z.object({
        kind: z.literal('local'),
        date: z.object({ y: z.number().int(), m: z.number().int(), d: z.number().int() }).nullable(),
        hour: z.number().int(),
        minute: z.number().int(),
        text: z.string(),
      }),
    ])
    .optional(),
  service: z
    .object({ name: z.string().min(1).max(SERVICE_MAX), owner: z.string().min(1).max(255).nullable() })
    .nullable()
    .optional(),
}) satisfies z.ZodType<DeclareIncidentInput, unknown>;

/**
 * The input with its affected service resolved against the catalog now (before it is held): the
 * catalog service it names (stored by name, with its owner), or the text as typed without a
 * catalog in use. An unquoted one-word service typed with words after it (`serviceWords`) takes the
 * longest run of them that names a catalog service, and the title keeps the rest. Throws AppError,
 * with suggestions (worded for the form when declared from it), for a service the catalog does not
 * know, and for a title left empty: nothing is held or recorded. A service text the declaration
 * would refuse anyway is left to record().
 */
export function withDeclaredService<T extends DeclareIncidentInput>(deps: ServiceDeps, input: T): T {
  const { serviceWords, ...rest } = input;
  if (input.service !== undefined) return rest as T;
  const catalog = deps.catalog.current();
  const declaration = extendDeclaredService(catalog, input.declaration, serviceWords);
  // The service took words of the title: what is left must still be a title.
  if (declaration !== input.declaration) parseDeclaration(declaration);
  const typed = declarationSchema.shape.affectedService.safeParse(declaration.affectedService);
  if (!typed.success) return { ...rest, declaration } as T;
  const service = resolveDeclaredService(catalog, typed.data, input.via === 'modal' ? 'form' : 'command');
  return { ...rest, declaration, service: service?.declared ?? null } as T;
}

/**
 * Declares an incident: records it (idempotent on `declareKey`), then opens its channel, invites
 * the declarer, posts and pins the summary and announces it. Bad input throws AppError, and then
 * nothing is recorded. With the intake the declaration was held in before its ack, the hold is
 * released once the incident is recorded (provisioning has its own retry from there) or the input
 * turns out bad; any other failure leaves it held for the background retry (resume-declarations.ts).
 */
export async function declareIncident(
  deps: ServiceDeps,
  input: DeclareIncidentInput,
  intake?: DeclarationIntake,
): Promise<DeclareIncidentResult> {
  const release = () =>
    intake
      ?.release(input.declareKey)
      .catch((err: unknown) =>
        deps.logger.warn({ err, declareKey: input.declareKey }, 'could not release a held declaration'),
      );
  let recorded: Awaited<ReturnType<ServiceDeps['store']['createIfAbsent']>>;
  try {
    recorded = await record(deps, input);
  } catch (err) {
    if (err instanceof AppError) await release();
    throw err;
  }
  await release();
  const { incident, created } = recorded;
  if (!created) return { duplicate: true, incident };
  deps.logger.info(
    { incidentId: incident.id, number: incident.number, severity: incident.severity },
    'incident declared',
  );
  const outcome = await provisionIncident(deps, incident.id);
  const service = incident.affectedService ? serviceNamed(deps.catalog.current(), incident.affectedService) : null;
  const advice = patientFacingAdvice(service, incident);
  return { duplicate: false, outcome, ...(advice ? { advice: [advice] } : {}) };
}

async function record(deps: ServiceDeps, input: DeclareIncidentInput) {
  const declaration = parseDeclaration(input.declaration);
  // Resolved once: as held (a replay declares what was acknowledged), else against the catalog now.
  const service =
    input.service !== undefined
      ? input.service
      : (resolveDeclaredService(deps.catalog.current(), declaration.affectedService)?.declared ?? null);
  declaration.affectedService = service?.name ?? null;
  const now = deps.clock.now();
  if (declaration.dataBreach || input.breachAware) {
    // The 72-hour clock starts at awareness: when given, it must be real (not ahead, not absurdly old).
    declaration.dataBreach = true;
    if (input.breachAware) {
      declaration.breachAwareAt = resolveAwareness(
        input.breachAware,
        await zoneOf(deps, input.declaredBy, input.breachAware),
        now,
      );
    } else if (declaration.breachAwareAt) {
      checkAwareness(declaration.breachAwareAt, now, deps.settings.defaultTimeZone);
    } else {
      declaration.breachAwareAt = now;
    }
  }
  return deps.store.createIfAbsent({
    declareKey: input.declareKey,
    ...declaredIncident({
      declaration,
      declaredBy: input.declaredBy,
      originChannelId: input.originChannelId,
      responseUrl: input.responseUrl,
      declaredAt: now,
      via: input.via,
      serviceOwner: service?.owner ?? null,
    }),
    ...(input.pagerDutyLink ? { pagerDutyLink: input.pagerDutyLink } : {}),
  });
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
