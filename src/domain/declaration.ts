import { z } from 'zod';
import { AppError } from './errors.ts';
import { SEVERITIES } from './severity.ts';

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
  return parsed.data;
}
