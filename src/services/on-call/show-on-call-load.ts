import { AppError } from '../../domain/errors.ts';
import {
  compareLoad,
  computeLoad,
  previousPeriod,
  type LoadChange,
  type LoadInput,
  type LoadReport,
} from '../../domain/on-call-load.ts';
import { teamWorkingHours, type WorkingHours } from '../../domain/working-hours.ts';
import type { LoadScope, OnCallWindow } from '../../ports/on-call-history.ts';
import { OnCallUnavailable } from '../../ports/on-call-provider.ts';
import type { ServiceDeps } from '../deps.ts';
import { syncOnCallHistory, type SyncOutcome } from './sync-on-call-history.ts';
import { NOT_CONNECTED } from './connection.ts';

export interface OnCallLoad {
  scope: LoadScope;
  periodDays: number;
  report: LoadReport;
  previous: LoadReport;
  change: LoadChange;
  workingHours: WorkingHours;
  teamTimeZone: string;
  sync: SyncOutcome;
  /** PagerDuty person → Slack member, where matched by email. */
  slackUsers: Map<string, string>;
}

const DAY = 24 * 3600_000;
/** Slack members are looked up again after this long (people join, leave and change emails). */
const SLACK_MATCH_MAX_AGE = 7 * DAY;
export const ALL: LoadScope = { kind: 'all', id: null, name: 'everyone on call' };

export const scopeKey = (s: LoadScope) => (s.kind === 'all' ? 'all' : `${s.kind}:${s.id}`);

/**
 * The schedule or team asked for: from PagerDuty, or from the cache while PagerDuty is down.
 * `command`: the subcommand asked (`load`, `allowances`), for the hint to ask for everyone.
 */
export async function resolveScope(
  deps: ServiceDeps,
  query: string | null,
  command: 'load' | 'allowances' = 'load',
): Promise<LoadScope> {
  if (!query) return ALL;
  if (deps.history) {
    try {
      const found = await deps.history.findScope(query);
      if (!found)
        throw new AppError(
          `PagerDuty has no schedule or team called “${query}”. Try \`/incident ${command}\` for everyone on call.`,
          'not_found',
        );
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
async function matchSlackMembers(
  deps: ServiceDeps,
  window: OnCallWindow & { slackUsers: Map<string, string> },
): Promise<void> {
  const now = deps.clock.now();
  const ids = window.people.map((p) => p.id);
  const people = await deps.loadCache.peopleToMatch(ids, new Date(now.getTime() - SLACK_MATCH_MAX_AGE));
  if (!people.length) return;
  let byEmail: Map<string, string>;
  try {
    byEmail = await deps.chat.userIdsByEmail(people.flatMap((p) => (p.email ? [p.email] : [])));
  } catch (err) {
    deps.logger.warn({ err }, 'Slack lookup by email failed; trying again next report');
    return;
  }
  const matches = people.map((p) => ({
    personId: p.id,
    slackUserId: (p.email && byEmail.get(p.email.toLowerCase())) || null,
  }));
  await deps.loadCache.setSlackUsers(matches, now);
  for (const m of matches) {
    if (m.slackUserId) window.slackUsers.set(m.personId, m.slackUserId);
    else window.slackUsers.delete(m.personId);
  }
}

/** Pages of a schedule's or team's rotation: those that came while the person was on call in it (or within an hour of it). */
export function pagesWhileOnCall(window: OnCallWindow): OnCallWindow['pages'] {
  const GRACE = 3600_000;
  const byPerson = new Map<string, [number, number][]>();
  for (const s of window.stretches) {
    let list = byPerson.get(s.userId);
    if (!list) {
      list = [];
      byPerson.set(s.userId, list);
    }
    list.push([s.start.getTime() - GRACE, s.end.getTime() + GRACE]);
  }
  for (const list of byPerson.values()) list.sort((a, b) => a[0] - b[0]);
  return window.pages.filter((p) => {
    const list = byPerson.get(p.userId);
    if (!list) return false;
    const t = p.at.getTime();
    // The last stretch starting at or before t (binary search), or any earlier one still running.
    let lo = 0;
    let hi = list.length - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]![0] <= t) {
        idx = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = idx; i >= 0 && i >= idx - 8; i--) if (list[i]![1] > t) return true;
    return false;
  });
}

/**
 * What the load report (and the allowances) of `scope` over [from, to) is computed from, out of the
 * cache: its people (those on call in it), stretches, pages (a rotation's: those during its shifts;
 * from a day before the period, for the nights across its start) and our incident work.
 * Fills `opts.slackUsers` (PagerDuty person → Slack member); `match` asks Slack for new people.
 */
export async function loadInputFor(
  deps: ServiceDeps,
  scope: LoadScope,
  key: string,
  from: Date,
  to: Date,
  workingHours: WorkingHours,
  opts: { match: boolean; slackUsers: Map<string, string> },
): Promise<LoadInput> {
  // From a day before: a night across the period's start (a page at 23:00, another at 02:00) is
  // the period before's, and computeLoad/computeAllowances must see its first page to know.
  const window = await deps.loadCache.read(key, new Date(from.getTime() - DAY), to);
  const onCall = new Set(window.stretches.filter((s) => s.start < to && s.end > from).map((s) => s.userId));
  window.people = window.people.filter((p) => onCall.has(p.id));
  // The Home tab uses what is known; matching asks Slack once per new person.
  if (opts.match) await matchSlackMembers(deps, window);
  for (const [person, slack] of window.slackUsers) opts.slackUsers.set(person, slack);
  // Pages are cached for everyone: a rotation's report counts those that came during its shifts.
  if (scope.kind !== 'all') window.pages = pagesWhileOnCall(window);
  const personOf = new Map([...window.slackUsers].map(([personId, slackId]) => [slackId, personId]));
  const work = await deps.loadCache.incidentWork([...personOf.keys()], from, to, deps.clock.now());
  return {
    from,
    to,
    teamTimeZone: deps.settings.defaultTimeZone,
    workingHours,
    people: window.people,
    stretches: window.stretches,
    pages: window.pages,
    incidentWork: work.map((w) => ({
      personId: personOf.get(w.slackUserId)!,
      incidentId: w.incidentId,
      roles: w.roles,
      start: w.start,
      end: w.end,
    })),
  };
}

/**
 * `/incident load [schedule|team] [period]`: who carried the pager and how hard, over the period
 * and the one before it. PagerDuty's history is cached; when PagerDuty is down the cached figures
 * are shown with their age.
 */
export async function showOnCallLoad(
  deps: ServiceDeps,
  input: { query: string | null; periodDays: number /** false: from the cache only. */; fetch?: boolean },
): Promise<OnCallLoad> {
  const scope = await resolveScope(deps, input.query);
  const key = scopeKey(scope);
  await deps.loadCache.saveScope(key, scope);
  const to = deps.clock.now();
  const from = new Date(to.getTime() - input.periodDays * DAY);
  const before = previousPeriod(from, to);
  const fetch = input.fetch ?? true;
  const sync = await syncOnCallHistory(deps, key, scope, { previousFrom: before.from, from, to }, { fetch });
  if (!sync.cached) {
    if (!deps.history) throw new AppError(NOT_CONNECTED, 'not_configured');
    throw new AppError(
      `${sync.failed ?? 'PagerDuty did not answer'}, and nothing is cached for ${scope.name} yet, so there is no report to show. Try again later.`,
      'on_call_unavailable',
    );
  }
  const workingHours = teamWorkingHours(deps.settings.teamWorkingHours, scope.name, deps.settings.workingHours);
  const slackUsers = new Map<string, string>();
  const report = computeLoad(
    await loadInputFor(deps, scope, key, from, to, workingHours, { match: fetch, slackUsers }),
  );
  const previous = computeLoad(
    await loadInputFor(deps, scope, key, before.from, before.to, workingHours, { match: fetch, slackUsers }),
  );
  return {
    scope,
    periodDays: input.periodDays,
    report,
    previous,
    change: compareLoad(report, previous),
    workingHours,
    teamTimeZone: deps.settings.defaultTimeZone,
    sync,
    slackUsers,
  };
}
