import type { ActionItem } from '../../domain/action-items.ts';
import {
  CATALOG_UNREAD,
  catalogUnread,
  serviceNamed,
  suggestServices,
  systemOf,
  type CatalogProblem,
  type CatalogService,
  type CatalogSnapshot,
} from '../../domain/catalog.ts';
import type { ChangeEvent } from '../../domain/changes.ts';
import { AppError } from '../../domain/errors.ts';
import { incidentRef, type Incident, type IncidentStatus } from '../../domain/incident.ts';
import { outboundActionItem, outboundIncident, redactString } from '../../domain/redaction.ts';
import type { Severity } from '../../domain/severity.ts';
import { OnCallUnavailable, type OnCallShift } from '../../ports/on-call-provider.ts';
import { actionItemsAsSeenBy, incidentsReadableBy } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';

/** How far back `/incident service` counts incidents. */
export const SERVICE_INCIDENT_DAYS = 90;
/** How far back it looks for changes. */
export const SERVICE_CHANGE_DAYS = 30;
/** Incidents, action items and changes shown at most, each. */
export const SERVICE_LIST_LIMIT = 5;
/** Action items counted at most ("50+" beyond). */
export const SERVICE_ITEMS_COUNT_CAP = 50;
/**
 * Private incidents of a service whose channel membership is asked of Slack at most (newest first);
 * any beyond are left out for everyone (failing closed).
 */
export const SERVICE_PRIVATE_CHECKED = 20;
/** Catalog problems shown with an answer. */
export const PROBLEMS_SHOWN = 3;

/** An incident as the service view lists it (a private one only for a member of its channel). */
export interface ServiceIncidentLine {
  ref: string;
  /** Redacted by the PHI guard. */
  title: string;
  isPrivate: boolean;
  severity: Severity;
  status: IncidentStatus;
  nearMiss: boolean;
  /** An exercise: listed, marked (optional for lines made before drills). */
  drill?: boolean;
  declaredAt: Date;
  /** Where to go (null while it has none). */
  channelId: string | null;
}

export interface ServiceOnCallPerson extends Pick<OnCallShift, 'level' | 'name' | 'end'> {
  /** The Slack member with the on-call person's email, or null (then the name is shown). */
  slackUserId: string | null;
}

export type ServiceOnCall =
  | { status: 'ok'; now: ServiceOnCallPerson[] }
  /** PAGERDUTY_TOKEN is not set. */
  | { status: 'not-configured' }
  /** PagerDuty has no such service (by its id or name). */
  | { status: 'unknown' }
  | { status: 'unavailable'; reason: string };

/** What the catalog says of its own health, for the answer's foot. */
export interface CatalogHealth {
  source: CatalogSnapshot['source'];
  loadedAt: Date | null;
  problemCount: number;
  /** The first few. */
  problems: CatalogProblem[];
}

export interface ServiceView {
  service: CatalogService;
  onCall: ServiceOnCall;
  /** Active incidents of the service, newest first. */
  openIncidents: ServiceIncidentLine[];
  /** Incidents declared in the last SERVICE_INCIDENT_DAYS: how many, and the latest few. */
  recentCount: number;
  recent: ServiceIncidentLine[];
  /** Open action items of its incidents or its owning team, in backlog order (as the reader may see them). */
  actionItems: ActionItem[];
  actionItemsTotal: number;
  actionItemsCapped: boolean;
  /** The latest changes to the service or its system; null when they could not be read. */
  changes: ChangeEvent[] | null;
  catalog: CatalogHealth;
  now: Date;
}

export function catalogHealth(snapshot: CatalogSnapshot): CatalogHealth {
  return {
    source: snapshot.source,
    loadedAt: snapshot.loadedAt,
    problemCount: snapshot.problems.length,
    problems: snapshot.problems.slice(0, PROBLEMS_SHOWN),
  };
}

/** Text from outside (a catalog, what was typed) as Slack shows it literally. */
const literal = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** "The catalog has N problems: …" for an error message; empty when it has none. */
export function problemsNote(health: CatalogHealth): string {
  if (health.problemCount === 0) return '';
  const lines = health.problems.map((p) => `• ${literal(p.source)}: ${literal(p.message)}`);
  const more =
    health.problemCount > health.problems.length
      ? `\n…and ${health.problemCount - health.problems.length} more (see the bot's log).`
      : '';
  return `\n\n:warning: The catalog has ${health.problemCount} problem${health.problemCount === 1 ? '' : 's'}:\n${lines.join('\n')}${more}`;
}

export const NO_CATALOG_MESSAGE =
  'No service catalog is configured, so I know no services. Set `CATALOG_PATH` to a `catalog-info.yaml` file or a folder of them, ' +
  'or `BACKSTAGE_URL` (and `BACKSTAGE_TOKEN`) to your Backstage instance: see docs/ownership-and-change.md.';

/** The service asked for, or an AppError saying there is no catalog, or suggesting names. */
export function findService(snapshot: CatalogSnapshot, query: string): CatalogService {
  if (snapshot.source === 'none') throw new AppError(NO_CATALOG_MESSAGE, 'not_configured');
  // Configured, but its first read failed (Backstage down at start): nothing to show yet.
  if (catalogUnread(snapshot))
    throw new AppError(
      `${CATALOG_UNREAD} It is read again every few minutes: try again later.${problemsNote(catalogHealth(snapshot))}`,
      'not_configured',
    );
  const found = serviceNamed(snapshot, query);
  if (found) return found;
  const suggestions = suggestServices(snapshot, query);
  const shown = query.length > 80 ? `${query.slice(0, 79)}…` : query;
  const hint = suggestions.length
    ? ` Did you mean ${suggestions.map((s) => `\`${s.name}\`${s.title ? ` (${s.title})` : ''}`).join(', ')}?`
    : snapshot.services.length
      ? ` The catalog has ${snapshot.services.length} service${snapshot.services.length === 1 ? '' : 's'}, e.g. ${snapshot.services
          .slice(0, 3)
          .map((s) => `\`${s.name}\``)
          .join(', ')}.`
      : ' The catalog has no services yet.';
  throw new AppError(
    `No service in the catalog is called \`${literal(shown.replace(/`/g, "'"))}\`.${hint}${problemsNote(catalogHealth(snapshot))}`,
    'not_found',
  );
}

/** Who carries the service's pager now: by its PagerDuty service id when the catalog gives one, else by its name. */
async function onCallOf(deps: ServiceDeps, service: CatalogService, now: Date): Promise<ServiceOnCall> {
  if (!deps.onCall) return { status: 'not-configured' };
  let answer: Awaited<ReturnType<NonNullable<ServiceDeps['onCall']>['onCall']>>;
  try {
    answer = await deps.onCall.onCall(service.name, now, {
      exactService: true,
      ...(service.pagerDutyServiceId ? { serviceId: service.pagerDutyServiceId } : {}),
    });
  } catch (err) {
    if (!(err instanceof OnCallUnavailable)) deps.logger.error({ err, service: service.name }, 'on-call lookup failed');
    return { status: 'unavailable', reason: err instanceof OnCallUnavailable ? err.message : 'the lookup failed' };
  }
  if (!answer) return { status: 'unknown' };
  const ids = new Map<string, string | null>();
  await Promise.all(
    [...new Set(answer.now.map((s) => s.email).filter((e): e is string => !!e))].map(async (email) => {
      ids.set(email, await deps.chat.userIdByEmail(email).catch(() => null));
    }),
  );
  return {
    status: 'ok',
    now: answer.now.map((s) => ({
      level: s.level,
      name: s.name,
      end: s.end,
      slackUserId: s.email ? (ids.get(s.email) ?? null) : null,
    })),
  };
}

/**
 * `/incident service <name>` (anywhere): the catalog's service with its owner, criticality and
 * links; who is on call now; its open incidents and how many it had in the last 90 days; the open
 * action items of its incidents or its owning team; and its latest changes. Every read is bounded.
 * A private incident the reader is not a member of is neither listed nor counted, and every text
 * that leaves its incident's channel is redacted.
 */
export async function showService(deps: ServiceDeps, input: { userId: string; name: string }): Promise<ServiceView> {
  const snapshot = deps.catalog.current();
  const service = findService(snapshot, input.name);
  const now = deps.clock.now();
  const since = new Date(now.getTime() - SERVICE_INCIDENT_DAYS * 86_400_000);
  // Incidents record the service as it was typed or picked: its name, or its title.
  const names = [service.name, ...(service.title ? [service.title] : [])];
  // A private incident the reader may not see is neither listed nor counted (the access module asks
  // Slack for its channel's membership, failing closed): a non-member learns nothing of it.
  const privates = await deps.store.privateIncidentsOfService(names, since, SERVICE_PRIVATE_CHECKED);
  const privateShown = privates.length ? [...(await incidentsReadableBy(deps, privates, input.userId))] : [];
  // Nor are its action items: only those of a public incident, of a private one the reader may
  // read, or the reader's own (owned or added) are listed and counted.
  const itemFilter = {
    status: 'open' as const,
    service: { names, team: service.owner },
    visibleTo: { userId: input.userId, privateShown },
  };
  const [onCall, incidents, page, total, changes] = await Promise.all([
    onCallOf(deps, service, now),
    deps.store.incidentsOfService(names, since, SERVICE_LIST_LIMIT, privateShown),
    deps.reviews.backlogPage(itemFilter, { after: null, limit: SERVICE_LIST_LIMIT }),
    deps.reviews.countBacklog(itemFilter, SERVICE_ITEMS_COUNT_CAP),
    deps.changes
      .changesTo({
        services: [service.name],
        systems: systemOf(service) ? [systemOf(service)!] : [],
        from: new Date(now.getTime() - SERVICE_CHANGE_DAYS * 86_400_000),
        to: now,
        limit: SERVICE_LIST_LIMIT,
      })
      .catch((err: unknown) => {
        deps.logger.error({ err, service: service.name }, 'could not read the changes of a service');
        return null;
      }),
  ]);
  const shown = new Set(privateShown);
  // The store left out the private incidents the reader may not see; said again here, failing closed.
  const visible = (i: Incident) => !i.isPrivate || shown.has(i.id);
  const line = (i: Incident): ServiceIncidentLine => ({
    ref: incidentRef(i),
    title: outboundIncident(i).value.title,
    isPrivate: i.isPrivate,
    severity: i.severity,
    status: i.status,
    nearMiss: i.nearMiss,
    drill: i.drill,
    declaredAt: i.createdAt,
    channelId: i.channelId,
  });
  const items = (await actionItemsAsSeenBy(deps, page, input.userId)).map((i) => outboundActionItem(i).value);
  return {
    service,
    onCall,
    openIncidents: incidents.active.filter(visible).map(line),
    recentCount: incidents.recentCount,
    recent: incidents.recent.filter(visible).map(line),
    actionItems: items,
    actionItemsTotal: total,
    actionItemsCapped: total >= SERVICE_ITEMS_COUNT_CAP,
    // A change's text comes from a pipeline or a pull request: it leaves through the PHI guard too.
    changes: changes?.map((c) => ({ ...c, summary: redactString(c.summary).value })) ?? null,
    catalog: catalogHealth(snapshot),
    now,
  };
}
