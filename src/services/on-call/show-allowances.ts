import { maySeeEveryonesAllowances } from '../../domain/access.ts';
import { computeAllowances, SHIFT_MARGIN_MS, type AllowanceReport } from '../../domain/allowances.ts';
import type { MonthWord } from '../../domain/command.ts';
import { AppError } from '../../domain/errors.ts';
import { payPeriod, type PayPeriod } from '../../domain/pay-period.ts';
import { teamKey, teamWorkingHours } from '../../domain/working-hours.ts';
import type { LoadScope } from '../../ports/on-call-history.ts';
import type { ServiceDeps } from '../deps.ts';
import { NOT_CONNECTED } from './connection.ts';
import { loadInputFor, resolveScope, scopeKey } from './show-on-call-load.ts';
import { syncOnCallHistory, type SyncOutcome } from './sync-on-call-history.ts';

/** How far either side of the month the history is read (computeAllowances' edges: a night, a local day in any zone). */
const MARGIN_MS = 2 * 24 * 3600_000;

export const PAY_RULES_NOT_SET =
  'On-call allowances are not set up: the pay rules file (ONCALL_PAY_RULES) is not set. See docs/on-call-allowances.md.';

export interface OnCallAllowances {
  scope: LoadScope;
  period: PayPeriod;
  /** Everyone's rows for a lead; otherwise only the asker's own (none when they were not on call). */
  report: AllowanceReport;
  /** Whether the asker sees everyone's rows (and may have the payroll CSV). */
  everyone: boolean;
  /** Which rules were applied: a schedule's, a team's or the defaults. */
  rulesFrom: { kind: 'schedule' | 'team' | 'defaults'; name: string | null };
  /** The rules file names rules per team or schedule, and the defaults were applied to everyone. */
  overridesIgnored: boolean;
  sync: SyncOutcome;
  /** PagerDuty person → Slack member, where matched by email. */
  slackUsers: Map<string, string>;
  /** The team's zone, which the period's dates are in. */
  teamTimeZone: string;
  /** PagerDuty person → their PagerDuty email (null when PagerDuty has none), for the report's rows only. */
  emails: Map<string, string | null>;
}

/** Which of the file's rule sets a scope gets (payRulesFor's order: schedule, team, defaults). */
function rulesFrom(
  deps: ServiceDeps,
  scope: LoadScope,
): { kind: 'schedule' | 'team' | 'defaults'; name: string | null } {
  const rules = deps.settings.payRules!;
  const key = teamKey(scope.name);
  if (scope.kind === 'schedule' && rules.schedules.has(key)) return { kind: 'schedule', name: scope.name };
  if (scope.kind === 'team' && rules.teams.has(key)) return { kind: 'team', name: scope.name };
  return { kind: 'defaults', name: null };
}

/**
 * `/incident allowances [month] [schedule or team]`: what each person on call in the month is
 * owed (standby, callouts, time off in lieu), from the on-call history the load report uses and the
 * pay rules file. A lead (ONCALL_LEADS) gets every row; anyone else only their own, matched by
 * email between PagerDuty and Slack, and the totals are theirs too.
 */
export async function showAllowances(
  deps: ServiceDeps,
  input: {
    userId: string;
    month: MonthWord | null;
    query: string | null;
    /** All the words after `allowances`, as one name: tried when a month's name and the rest name no schedule or team. */
    words?: string | null;
  },
): Promise<OnCallAllowances> {
  const rules = deps.settings.payRules;
  if (!rules) throw new AppError(PAY_RULES_NOT_SET, 'not_configured');
  const { scope, month } = await scopeAndMonth(deps, input);
  const period = payPeriod(month, deps.clock.now(), deps.settings.defaultTimeZone);
  const key = scopeKey(scope);
  await deps.loadCache.saveScope(key, scope);
  // Around the month too: a night across its start is the month before's, and shifts are cut from
  // when the time on call began, up to SHIFT_MARGIN_MS before (computeAllowances); a shift begun at
  // the month's end runs into the next days.
  const around = {
    from: new Date(period.from.getTime() - SHIFT_MARGIN_MS),
    to: new Date(Math.min(period.to.getTime() + MARGIN_MS, Math.max(period.to.getTime(), deps.clock.now().getTime()))),
  };
  const fetched = await syncOnCallHistory(deps, key, scope, {
    previousFrom: around.from,
    from: around.from,
    to: around.to,
  });
  // What the answer says about the cache (nothing cached, days without data, how current) is
  // about the month itself, not the days read around it.
  const own = await syncOnCallHistory(
    deps,
    key,
    scope,
    { previousFrom: period.from, from: period.from, to: period.to },
    { fetch: false },
  );
  const sync: SyncOutcome = { ...own, fetched: fetched.fetched, failed: fetched.failed };
  if (!sync.cached) {
    if (!deps.history) throw new AppError(NOT_CONNECTED, 'not_configured');
    throw new AppError(
      `${sync.failed ?? 'PagerDuty did not answer'}, and nothing is cached for ${scope.name} in ${period.label}, so there are no allowances to show. Try again later.`,
      'on_call_unavailable',
    );
  }
  const workingHours = teamWorkingHours(deps.settings.teamWorkingHours, scope.name, deps.settings.workingHours);
  const slackUsers = new Map<string, string>();
  const wider = await loadInputFor(deps, scope, key, around.from, around.to, workingHours, {
    match: true,
    slackUsers,
  });
  // The month's people (on call in it); the stretches and pages around it stay for the edges.
  const inMonth = new Set(
    wider.stretches.filter((s) => s.start < period.to && s.end > period.from).map((s) => s.userId),
  );
  const loadInput = {
    ...wider,
    from: period.from,
    to: period.to,
    people: wider.people.filter((p) => inMonth.has(p.id)),
  };
  const everyone = maySeeEveryonesAllowances(deps.settings, input.userId);
  const full = computeAllowances({
    ...loadInput,
    rules,
    scope: {
      schedule: scope.kind === 'schedule' ? scope.name : null,
      team: scope.kind === 'team' ? scope.name : null,
    },
  });
  const report = everyone ? full : ownRows(full, slackUsers, input.userId);
  const shown = new Set(report.people.map((p) => p.personId));
  const emails = new Map(loadInput.people.filter((p) => shown.has(p.id)).map((p) => [p.id, p.email]));
  const from = rulesFrom(deps, scope);
  return {
    scope,
    period,
    report,
    everyone,
    rulesFrom: from,
    overridesIgnored:
      from.kind === 'defaults' && scope.kind === 'all' && (rules.teams.size > 0 || rules.schedules.size > 0),
    sync,
    slackUsers,
    teamTimeZone: loadInput.teamTimeZone,
    emails,
  };
}

/**
 * The scope asked for, and the month. `/incident allowances march madness` reads as March and a
 * scope `madness` (which PagerDuty's search may well find: `March Madness`), unless all the words
 * are the name of a schedule or team: then that one is meant, for the last full month. A month
 * with a year (`2026-11`, `nov 2026`) is always a month.
 */
async function scopeAndMonth(
  deps: ServiceDeps,
  input: { month: MonthWord | null; query: string | null; words?: string | null },
): Promise<{ scope: LoadScope; month: MonthWord | null }> {
  const words = input.words?.trim();
  const ambiguous = input.month !== null && input.month.year === null && input.query !== null;
  if (ambiguous && words && words !== input.query) {
    const whole = await resolveScope(deps, words, 'allowances').catch(() => null);
    if (whole && teamKey(whole.name) === teamKey(words)) return { scope: whole, month: null };
  }
  return { scope: await resolveScope(deps, input.query, 'allowances'), month: input.month };
}

/** The report cut to `userId`'s own rows (their PagerDuty accounts matched by email), with their totals. */
function ownRows(report: AllowanceReport, slackUsers: Map<string, string>, userId: string): AllowanceReport {
  const people = report.people.filter((p) => slackUsers.get(p.personId) === userId);
  return {
    ...report,
    people,
    totals: {
      amountMinor: people.reduce((n, p) => n + p.amount.minor, 0),
      onCallHours: people.reduce((n, p) => n + p.onCallHours, 0),
      callouts: people.reduce((n, p) => n + p.callouts, 0),
      timeOffHours: people.reduce((n, p) => n + p.timeOffHours, 0),
    },
  };
}
