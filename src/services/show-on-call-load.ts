import { AppError } from '../domain/errors.ts';
import { compareLoad, computeLoad, previousPeriod, type LoadChange, type LoadReport } from '../domain/on-call-load.ts';
import { teamWorkingHours, type WorkingHours } from '../domain/working-hours.ts';
import type { LoadScope, OnCallWindow } from '../ports/on-call-history.ts';
import { OnCallUnavailable } from '../ports/on-call-provider.ts';
import type { ServiceDeps } from './deps.ts';
import { syncOnCallHistory, type SyncOutcome } from './sync-on-call-history.ts';
import { NOT_CONNECTED } from './on-call-access.ts';

export interface OnCallLoad {
  scope: LoadScope;
  periodDays: number;
  report: LoadReport;
  previous: LoadReport;
  change: LoadChange;
  workingHours: WorkingHours;
  teamTimeZone: string;
  sync: SyncOutcome;
}

const DAY = 24 * 3600_000;
/** Slack members are looked up again after this long (people join, leave and change emails). */
const SLACK_MATCH_MAX_AGE = 7 * DAY;
const ALL: LoadScope = { kind: 'all', id: null, name: 'everyone on call' };

export const scopeKey = (s: LoadScope) => (s.kind === 'all' ? 'all' : `${s.kind}:${s.id}`);

/** The schedule or team asked for: from PagerDuty, or from the cache while PagerDuty is down. */
async function resolveScope(deps: ServiceDeps, query: string | null): Promise<LoadScope> {
  if (!query) return ALL;
  if (deps.history) {
    try {
      const found = await deps.history.findScope(query);
      if (!found) throw new AppError(`PagerDuty has no schedule or team called “${query}”. Try \`/incident load\` for everyone on call.`, 'not_found');
      return found;
    } catch (err) {
      if (!(err instanceof OnCallUnavailable)) throw err;
      deps.logger.warn({ err }, 'PagerDuty did not answer a scope lookup; trying the cache');
    }
  }
  const cached = await deps.loadCache.findScope(query);
  if (cached) return cached.scope;
  throw new AppError(
    deps.history
      ? `PagerDuty did not answer, and no report for “${query}” was made before, so I cannot tell which schedule or team that is. Try again later.`
      : NOT_CONNECTED,
    deps.history ? 'on_call_unavailable' : 'not_configured',
  );
}

/** Matches PagerDuty people to Slack members by email (remembered; looked up again weekly). */
async function matchSlackMembers(deps: ServiceDeps, window: OnCallWindow & { slackUsers: Map<string, string> }): Promise<void> {
  const now = deps.clock.now();
  const ids = window.people.map((p) => p.id);
  const matches: { personId: string; slackUserId: string | null }[] = [];
  for (const person of await deps.loadCache.peopleToMatch(ids, new Date(now.getTime() - SLACK_MATCH_MAX_AGE))) {
    try {
      matches.push({ personId: person.id, slackUserId: person.email ? await deps.chat.userIdByEmail(person.email) : null });
    } catch (err) {
      deps.logger.warn({ err, person: person.id }, 'Slack lookup by email failed; trying again next report');
    }
  }
  await deps.loadCache.setSlackUsers(matches, now);
  for (const m of matches) {
    if (m.slackUserId) window.slackUsers.set(m.personId, m.slackUserId);
    else window.slackUsers.delete(m.personId);
  }
}

async function loadFor(deps: ServiceDeps, key: string, from: Date, to: Date, workingHours: WorkingHours): Promise<LoadReport> {
  const window = await deps.loadCache.read(key, from, to);
  await matchSlackMembers(deps, window);
  const personOf = new Map([...window.slackUsers].map(([personId, slackId]) => [slackId, personId]));
  const work = await deps.loadCache.incidentWork([...personOf.keys()], from, to, deps.clock.now());
  return computeLoad({
    from,
    to,
    teamTimeZone: deps.settings.defaultTimeZone,
    workingHours,
    people: window.people,
    stretches: window.stretches,
    pages: window.pages,
    incidentWork: work.map((w) => ({ personId: personOf.get(w.slackUserId)!, incidentId: w.incidentId, roles: w.roles, start: w.start, end: w.end })),
  });
}

/**
 * `/incident load [schedule|team] [period]`: who carried the pager and how hard, over the period
 * and the one before it. PagerDuty's history is cached; when PagerDuty is down the cached figures
 * are shown with their age.
 */
export async function showOnCallLoad(
  deps: ServiceDeps,
  input: { query: string | null; periodDays: number; /** false: from the cache only. */ fetch?: boolean },
): Promise<OnCallLoad> {
  const scope = await resolveScope(deps, input.query);
  const key = scopeKey(scope);
  await deps.loadCache.saveScope(key, scope);
  const to = deps.clock.now();
  const from = new Date(to.getTime() - input.periodDays * DAY);
  const before = previousPeriod(from, to);
  const sync = await syncOnCallHistory(deps, key, scope, before.from, to, { fetch: input.fetch ?? true });
  if (!sync.asOf) {
    if (!deps.history) throw new AppError(NOT_CONNECTED, 'not_configured');
    throw new AppError(
      `${sync.failed ?? 'PagerDuty did not answer'}, and nothing is cached for ${scope.name} yet, so there is no report to show. Try again later.`,
      'on_call_unavailable',
    );
  }
  const workingHours = teamWorkingHours(deps.settings.teamWorkingHours, scope.name, deps.settings.workingHours);
  const report = await loadFor(deps, key, from, to, workingHours);
  const previous = await loadFor(deps, key, before.from, before.to, workingHours);
  return {
    scope,
    periodDays: input.periodDays,
    report,
    previous,
    change: compareLoad(report, previous),
    workingHours,
    teamTimeZone: deps.settings.defaultTimeZone,
    sync,
  };
}
