import { serviceNamed, systemOf, type CatalogService } from '../domain/catalog.ts';
import type { Incident } from '../domain/incident.ts';
import { isActive } from '../domain/lifecycle.ts';
import type { SummaryContext } from '../ports/chat-platform.ts';
import type { ServiceDeps } from './deps.ts';

/** How far before the declaration the summary looks for changes to the affected service. */
export const CHANGES_BEFORE_MS = 24 * 60 * 60_000;
/** How many changes before the declaration the summary shows (newest first): the suspects. */
export const SUMMARY_CHANGES = 5;
/** How many changes since the declaration it shows (newest first). */
export const SUMMARY_CHANGES_SINCE = 3;
/** How many of the incident's freezes, and of its unused overrides, it shows. */
export const SUMMARY_FREEZES = 5;

/**
 * What the pinned summary shows beside the incident's own record: its affected service in the
 * catalog (owner, criticality, runbooks, dashboards); the changes to that service (and its system)
 * in two groups, the 24 hours before the declaration first (so later deploys never push the
 * suspects out) and then those since, until it was resolved (or now); and, while it is active, its
 * manual change freezes and unused overrides. The change log is read only with a catalog
 * configured (ownership and change go together; without one the summary costs no more) and a
 * service named. A read that fails is logged and the summary is drawn without it, never held up.
 */
export async function summaryContext(
  deps: Pick<ServiceDeps, 'catalog' | 'changes' | 'freezes' | 'clock' | 'logger'> & {
    store?: Pick<ServiceDeps['store'], 'clinicalRecord' | 'breachAssessment' | 'breachNotices'>;
    settings?: Pick<ServiceDeps['settings'], 'breachRegimes'>;
  },
  incident: Pick<Incident, 'id' | 'affectedService' | 'createdAt' | 'resolvedAt' | 'status'> & {
    clinicalImpact?: boolean;
    dataBreach?: boolean;
  },
): Promise<SummaryContext> {
  const [changes, freezes, clinical, breach] = await Promise.all([
    changesOf(deps, incident),
    freezesOf(deps, incident),
    clinicalOf(deps, incident),
    breachOf(deps, incident),
  ]);
  return { ...changes, ...freezes, ...clinical, ...breach };
}

/** A clinical-impact incident's hazards and sign-off (the summary says whether it may be resolved). */
async function clinicalOf(
  deps: Pick<ServiceDeps, 'logger'> & { store?: Pick<ServiceDeps['store'], 'clinicalRecord'> },
  incident: Pick<Incident, 'id'> & { clinicalImpact?: boolean },
): Promise<Pick<SummaryContext, 'clinical'>> {
  if (!incident.clinicalImpact || !deps.store) return {};
  try {
    return { clinical: await deps.store.clinicalRecord(incident.id) };
  } catch (err) {
    deps.logger.warn({ err, incidentId: incident.id }, 'clinical record not read for the summary: drawn without it');
    return {};
  }
}

/** A breach's assessment and notifications made, and the regimes (the summary's obligation lines). */
async function breachOf(
  deps: Pick<ServiceDeps, 'logger'> & {
    store?: Pick<ServiceDeps['store'], 'breachAssessment' | 'breachNotices'>;
    settings?: Pick<ServiceDeps['settings'], 'breachRegimes'>;
  },
  incident: Pick<Incident, 'id'> & { dataBreach?: boolean },
): Promise<Pick<SummaryContext, 'breach'>> {
  if (!incident.dataBreach || !deps.store) return {};
  try {
    const [assessment, notices] = await Promise.all([
      deps.store.breachAssessment(incident.id),
      deps.store.breachNotices(incident.id),
    ]);
    const regimes = deps.settings?.breachRegimes?.length ? deps.settings.breachRegimes : (['uk-gdpr'] as const);
    return { breach: { regimes, assessment, notices } };
  } catch (err) {
    deps.logger.warn({ err, incidentId: incident.id }, 'breach assessment not read for the summary: drawn without it');
    return {};
  }
}

async function changesOf(
  deps: Pick<ServiceDeps, 'catalog' | 'changes' | 'clock' | 'logger'>,
  incident: Pick<Incident, 'id' | 'affectedService' | 'createdAt' | 'resolvedAt'>,
): Promise<Pick<SummaryContext, 'service' | 'changes' | 'changesSince'>> {
  const name = incident.affectedService;
  const catalog = deps.catalog.current();
  if (!name || catalog.source === 'none') return { service: null, changes: [] };
  const service: CatalogService | null = serviceNamed(catalog, name);
  const system = service ? systemOf(service) : null;
  const declared = incident.createdAt.getTime();
  const to = Math.max((incident.resolvedAt ?? deps.clock.now()).getTime(), declared);
  const query = (from: number, until: number, limit: number) =>
    deps.changes.changesTo({
      services: [name],
      systems: system ? [system] : [],
      from: new Date(from),
      to: new Date(until),
      limit,
    });
  try {
    const [before, since] = await Promise.all([
      query(declared - CHANGES_BEFORE_MS, declared, SUMMARY_CHANGES),
      query(declared, to + 1, SUMMARY_CHANGES_SINCE),
    ]);
    return { service, changes: before, changesSince: since };
  } catch (err) {
    deps.logger.warn({ err, incidentId: incident.id }, 'changes not read for the summary: drawn without them');
    return { service, changes: [] };
  }
}

async function freezesOf(
  deps: Pick<ServiceDeps, 'freezes' | 'logger'>,
  incident: Pick<Incident, 'id' | 'status'>,
): Promise<Pick<SummaryContext, 'freezes' | 'overrides'>> {
  // A resolved or closed incident's freezes are not in force (resolving ends them; reopening does not
  // bring them back: see freeze/after-commit.ts).
  if (!isActive(incident.status)) return {};
  try {
    const open = await deps.freezes.openOfIncident(incident.id, SUMMARY_FREEZES);
    return {
      freezes: open.freezes.map((f) => ({ scope: f.scope, reason: f.reason })),
      overrides: open.overrides.map((o) => ({ service: o.service })),
    };
  } catch (err) {
    deps.logger.warn({ err, incidentId: incident.id }, 'freezes not read for the summary: drawn without them');
    return {};
  }
}
