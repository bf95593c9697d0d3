// The affected service of a declaration, against the service catalog: with a catalog configured, it
// must be one of its services (by name, title or reference), stored by its name with its owner;
// without one it is free text. And the advice a patient-facing service calls for.
import {
  type CatalogService,
  type CatalogSnapshot,
  catalogInUse,
  longestServiceRun,
  serviceLabel,
  serviceNamed,
  suggestServices,
} from './catalog.ts';
import type { DeclarationInput } from './declaration.ts';
import { AppError } from './errors.ts';
import type { Severity } from './severity.ts';

/** A declaration's service as resolved once (held declarations keep it, so a replay decides the same). */
export interface DeclaredService {
  /** What the incident stores as its affected service: the catalog name, or the text as typed. */
  name: string;
  /** The catalog owner (e.g. `group:default/platform`); null without a catalog or an owner. */
  owner: string | null;
}

/** How many "did you mean" services an unknown service's refusal lists. */
export const SERVICE_SUGGESTIONS = 5;

/** What was typed, safe to echo between backticks in a refusal. */
const echo = (s: string) =>
  s
    .replace(/[`\s]+/g, ' ')
    .trim()
    .slice(0, 80);

/** Where the service was typed: the command's `--service=`, or the form's service field. */
export type ServiceTypedIn = 'command' | 'form';

/**
 * The refusal of a service the catalog does not know: what was typed, and up to five services
 * that look like it (or, when none does, where to look), worded for where it was typed (the
 * command's private answer, or under the form's service field).
 */
export function unknownServiceError(
  catalog: CatalogSnapshot,
  typed: string,
  typedIn: ServiceTypedIn = 'command',
): AppError {
  const like = suggestServices(catalog, typed, SERVICE_SUGGESTIONS);
  const list = like.map((s) => (s.title ? `\`${s.name}\` (${echo(s.title)})` : `\`${s.name}\``)).join(', ');
  if (typedIn === 'form') {
    return new AppError(
      `${echo(typed)} is not a service in the service catalog.` +
        (like.length
          ? ` Did you mean ${like.map((s) => (s.title ? `${s.name} (${echo(s.title)})` : s.name)).join(', ')}? Pick one from the list, or clear the field.`
          : ' Pick one from the list (type to search), or clear the field.'),
      'unknown_service',
    );
  }
  return new AppError(
    `\`${echo(typed)}\` is not a service in the service catalog, so nothing was declared. ` +
      (like.length
        ? `Did you mean ${list}? Declare again with \`--service=<name>\` (quoted when it has spaces: \`--service="EHR API"\`), or leave the service out.`
        : 'Check its name in the catalog (`/incident` opens a form that lists the services), or leave the service out.'),
    'unknown_service',
  );
}

/**
 * The declared service: the catalog service the typed text names (name, title or reference,
 * case-insensitively) — its name and owner — or, without a catalog in use (none configured, or not
 * read yet), the text itself with no owner. Null when no service was given. Throws AppError (with
 * suggestions) for a service the catalog does not know.
 */
export function resolveDeclaredService(
  catalog: CatalogSnapshot,
  typed: string | null,
  typedIn: ServiceTypedIn = 'command',
): { declared: DeclaredService; service: CatalogService | null } | null {
  if (!typed) return null;
  if (!catalogInUse(catalog)) return { declared: { name: typed, owner: null }, service: null };
  const service = serviceNamed(catalog, typed);
  if (!service) throw unknownServiceError(catalog, typed, typedIn);
  return { declared: { name: service.name, owner: service.owner }, service };
}

/**
 * An unquoted `--service=` value is one word; the words typed after it (up to the next option) are
 * the title's, from word `at` on. With the catalog in use, they may continue the service's name:
 * `--service=EHR API Wards cannot log in` names `EHR API` when the catalog has it.
 */
export interface ServiceWords {
  /** The words after the service's, as typed (at most SERVICE_WORDS_MAX). */
  following: string[];
  /** Where the first of them is among the title's words. */
  at: number;
}

/** How many words after an unquoted service may continue its name. */
export const SERVICE_WORDS_MAX = 10;

/**
 * The declaration with its one-word service extended by the longest run of the following words
 * that names a catalog service (name or title), those words taken out of the title. Unchanged
 * without a catalog in use, or when no longer name matches.
 */
export function extendDeclaredService<D extends Pick<DeclarationInput, 'title' | 'affectedService'>>(
  catalog: CatalogSnapshot,
  declaration: D,
  words: ServiceWords | undefined,
): D {
  const first = declaration.affectedService;
  if (!words || !first || !catalogInUse(catalog) || !words.following.length) return declaration;
  const run = longestServiceRun(catalog, first, words.following, SERVICE_WORDS_MAX);
  if (!run || run.used === 0) return declaration;
  const titleWords = (declaration.title ?? '').split(' ');
  const taken = titleWords.slice(words.at, words.at + run.used);
  // The title must still hold those words where the parser put them; else leave it as typed.
  if (taken.join(' ') !== words.following.slice(0, run.used).join(' ')) return declaration;
  titleWords.splice(words.at, run.used);
  return {
    ...declaration,
    affectedService: [first, ...taken].join(' '),
    title: titleWords.filter(Boolean).join(' '),
  };
}

/** The catalog service with this PagerDuty service id (`pagerduty.com/service-id`), or null. */
export function serviceOfPagerDutyService(catalog: CatalogSnapshot, pagerDutyServiceId: string): CatalogService | null {
  return catalog.services.find((s) => s.pagerDutyServiceId === pagerDutyServiceId) ?? null;
}

const LOWER_THAN_SEV2: ReadonlySet<Severity> = new Set(['SEV3', 'SEV4']);

/**
 * The advice when a patient-facing service is declared below SEV2 or without clinical impact
 * (it still declares): consider SEV2 or higher and the clinical flag. Null otherwise, and for a
 * near miss (nothing to respond to).
 */
export function patientFacingAdvice(
  service: Pick<CatalogService, 'name' | 'title' | 'clinicalCriticality'> | null,
  d: { severity: Severity; clinicalImpact: boolean; nearMiss?: boolean },
): string | null {
  if (service?.clinicalCriticality !== 'patient-facing' || d.nearMiss) return null;
  const low = LOWER_THAN_SEV2.has(d.severity);
  if (!low && d.clinicalImpact) return null;
  const steps = [
    ...(low ? ['consider SEV2 or higher (`/incident sev 2` in its channel)'] : []),
    ...(d.clinicalImpact
      ? []
      : ['mark clinical impact if patients or clinical work are affected (`/incident clinical on`)']),
  ];
  return `:hospital: ${serviceLabel(service)} is patient-facing: ${steps.join(', and ')}.`;
}

/**
 * What the declare form presets when a patient-facing service is chosen: SEV2 when the severity
 * chosen is lower (SEV3, SEV4) or none yet, and Clinical impact ticked. Null for any other service
 * (nothing changes).
 */
export function patientFacingPreset(
  service: Pick<CatalogService, 'clinicalCriticality'> | null,
  chosen: Severity | null,
): { severity: Severity; clinicalImpact: true } | null {
  if (service?.clinicalCriticality !== 'patient-facing') return null;
  return { severity: !chosen || LOWER_THAN_SEV2.has(chosen) ? 'SEV2' : chosen, clinicalImpact: true };
}
