// The affected service of a declaration, against the service catalog: with a catalog configured, it
// must be one of its services (by name, title or reference), stored by its name with its owner;
// without one it is free text. And the advice a patient-facing service calls for.
import { type CatalogService, type CatalogSnapshot, serviceLabel, serviceNamed, suggestServices } from './catalog.ts';
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

/**
 * The refusal of a service the catalog does not know: what was typed, and up to five services
 * that look like it (or, when none does, where to look).
 */
export function unknownServiceError(catalog: CatalogSnapshot, typed: string): AppError {
  const like = suggestServices(catalog, typed, SERVICE_SUGGESTIONS);
  const list = like.map((s) => (s.title ? `\`${s.name}\` (${echo(s.title)})` : `\`${s.name}\``)).join(', ');
  return new AppError(
    `\`${echo(typed)}\` is not a service in the service catalog, so nothing was declared. ` +
      (like.length
        ? `Did you mean ${list}? Declare again with \`--service=<name>\`, or leave the service out.`
        : 'Check its name in the catalog (`/incident` opens a form that lists the services), or leave the service out.'),
    'unknown_service',
  );
}

/**
 * The declared service: the catalog service the typed text names (name, title or reference,
 * case-insensitively) — its name and owner — or, without a catalog, the text itself with no owner.
 * Null when no service was given. Throws AppError (with suggestions) for a service the catalog
 * does not know.
 */
export function resolveDeclaredService(
  catalog: CatalogSnapshot,
  typed: string | null,
): { declared: DeclaredService; service: CatalogService | null } | null {
  if (!typed) return null;
  if (catalog.source === 'none') return { declared: { name: typed, owner: null }, service: null };
  const service = serviceNamed(catalog, typed);
  if (!service) throw unknownServiceError(catalog, typed);
  return { declared: { name: service.name, owner: service.owner }, service };
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
