import { z } from 'zod';
import { DRILL_NEAR_MISS } from './drill.ts';
import { AppError } from './errors.ts';
import type { Incident } from './incident.ts';
import { SEVERITIES } from './severity.ts';
import type { NewTimelineEntry } from './timeline.ts';

export const TITLE_MAX = 150;
export const DESCRIPTION_MAX = 3000;
export const SERVICE_MAX = 80;

/** What a person gives to declare an incident, from the modal or the fast path. */
export const declarationSchema = z.object({
  title: z
    .string()
    .transform((s) => s.replace(/\s+/g, ' ').trim())
    .pipe(
      z
        .string()
        .min(1, { message: 'The title is empty: say in a few words what is broken.' })
        .max(TITLE_MAX, {
          message: `The title is too long (at most ${TITLE_MAX} characters): put the detail in the description.`,
        }),
    ),
  severity: z.enum(SEVERITIES, { message: 'Pick a severity: SEV1, SEV2, SEV3 or SEV4.' }),
  description: z
    .string()
    .trim()
    .max(DESCRIPTION_MAX, { message: `The description is too long (at most ${DESCRIPTION_MAX} characters).` })
    .default(''),
  affectedService: z
    .string()
    .trim()
    .max(SERVICE_MAX, { message: `The service name is too long (at most ${SERVICE_MAX} characters).` })
    .nullish()
    .transform((s) => (s ? s : null)),
  isPrivate: z.boolean().default(false),
  clinicalImpact: z.boolean().default(false),
  /** A near miss: no harm done, nothing to respond to; recorded so it gets a review. */
  nearMiss: z.boolean().default(false),
  /** An exercise: the full incident flow, marked as a drill everywhere and left out of metrics. */
  drill: z.boolean().default(false),
  /** A personal-data breach: the 72-hour regulator-notification clock runs (domain/breach.ts). */
  dataBreach: z.boolean().optional(),
  /** When the organisation became aware of the breach; left out: when it is declared. */
  breachAwareAt: z.date().optional(),
});
export type Declaration = z.output<typeof declarationSchema>;
export type DeclarationInput = z.input<typeof declarationSchema>;

export const NEAR_MISS_BREACH =
  'A near miss cannot be a personal data breach: if personal data was exposed, declare an incident, e.g. `/incident declare sev2 <title> --breach`.';

/** Validates a declaration; throws AppError listing every problem, in words for the declarer. */
export function parseDeclaration(input: DeclarationInput): Declaration {
  const parsed = declarationSchema.safeParse(input);
  if (!parsed.success) throw new AppError(parsed.error.issues.map((i) => i.message).join(' '));
  if (parsed.data.nearMiss && (parsed.data.dataBreach || parsed.data.breachAwareAt))
    throw new AppError(NEAR_MISS_BREACH);
  if (parsed.data.nearMiss && parsed.data.drill) throw new AppError(DRILL_NEAR_MISS);
  return parsed.data;
}

/** A new incident's record, as its declaration decides it. */
export type NewIncident = Pick<
  Incident,
  | 'title'
  | 'description'
  | 'affectedService'
  | 'serviceOwner'
  | 'severity'
  | 'status'
  | 'isPrivate'
  | 'clinicalImpact'
  | 'nearMiss'
  | 'drill'
  | 'resolvedAt'
  | 'dataBreach'
  | 'breachAwareAt'
  | 'declaredBy'
  | 'responseUrl'
  | 'createdAt'
  | 'lastUpdateAt'
> & { originChannelId: string | null };

/** What declaring records: the incident and its first timeline entries, in order. */
export interface DeclaredIncident {
  incident: NewIncident;
  timeline: NewTimelineEntry[];
}

/**
 * The record a declaration makes at `declaredAt`: a near miss is over when it is recorded (resolved
 * at once, so it is never active); a personal-data breach's 72-hour clock runs from awareness (the
 * declare time unless given), and the breach is on the timeline at that moment.
 */
export function declaredIncident(input: {
  declaration: Declaration;
  declaredBy: string;
  declaredAt: Date;
  /** How it was declared (command, modal, pagerduty), kept on the "declared" entry. */
  via: string;
  originChannelId: string | null;
  responseUrl: string | null;
  /** The affected service's owner in the service catalog (domain/declared-service.ts); null or left out: none. */
  serviceOwner?: string | null;
}): DeclaredIncident {
  const { declaration: d, declaredBy, declaredAt } = input;
  const breachAwareAt = d.dataBreach ? (d.breachAwareAt ?? declaredAt) : null;
  return {
    incident: {
      title: d.title,
      description: d.description,
      affectedService: d.affectedService,
      serviceOwner: input.serviceOwner ?? null,
      severity: d.severity,
      status: d.nearMiss ? 'RESOLVED' : 'DECLARED',
      isPrivate: d.isPrivate,
      clinicalImpact: d.clinicalImpact,
      nearMiss: d.nearMiss,
      drill: d.drill,
      resolvedAt: d.nearMiss ? declaredAt : null,
      dataBreach: !!d.dataBreach,
      breachAwareAt,
      declaredBy,
      originChannelId: input.originChannelId,
      responseUrl: input.responseUrl,
      createdAt: declaredAt,
      lastUpdateAt: declaredAt,
    },
    timeline: [
      {
        occurredAt: declaredAt,
        kind: 'declared',
        actorId: declaredBy,
        text: d.nearMiss
          ? `Recorded a near miss: ${d.title}`
          : d.drill
            ? `Declared an exercise (drill) as ${d.severity}: ${d.title}`
            : `Declared as ${d.severity}: ${d.title}`,
        data: {
          severity: d.severity,
          via: input.via,
          isPrivate: d.isPrivate,
          clinicalImpact: d.clinicalImpact,
          affectedService: d.affectedService,
          ...(input.serviceOwner ? { serviceOwner: input.serviceOwner } : {}),
          ...(d.nearMiss ? { nearMiss: true } : {}),
          ...(d.drill ? { drill: true } : {}),
          ...(d.dataBreach ? { dataBreach: true } : {}),
        },
      },
      // The breach on the timeline at the moment of awareness, where the 72 hours start.
      ...(breachAwareAt
        ? [
            {
              occurredAt: breachAwareAt,
              kind: 'data_breach',
              actorId: declaredBy,
              text: 'Became aware of a personal data breach: the regulator must be notified within 72 hours',
              data: { on: true, awareAt: breachAwareAt.toISOString() },
            },
          ]
        : []),
      // A near miss is resolved as it is recorded: the timeline says so, for its review.
      ...(d.nearMiss
        ? [
            {
              occurredAt: declaredAt,
              kind: 'status_changed',
              actorId: declaredBy,
              text: 'Resolved: recorded as a near miss',
              data: { from: 'DECLARED', to: 'RESOLVED' },
            },
          ]
        : []),
    ],
  };
}
