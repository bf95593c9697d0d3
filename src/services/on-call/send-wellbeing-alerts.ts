import {
  badNightMessage,
  badNights,
  historyKnownUntil,
  weeklyCheck,
  weeklyCheckDue,
  weeklyMessage,
  type CheckPeriod,
  type Thresholds,
} from '../../domain/wellbeing.ts';
import { windowsCovering } from '../../domain/sync-windows.ts';
import { teamWorkingHours } from '../../domain/working-hours.ts';
import { isTransient, ChatError } from '../../ports/chat-platform.ts';
import type { WellbeingAlertKey } from '../../ports/wellbeing-alerts.ts';
import type { ServiceDeps } from '../deps.ts';
import { outboundText } from '../outbound-text.ts';
import { ALL, loadInputFor, scopeKey } from './show-on-call-load.ts';
import { syncOnCallHistory } from './sync-on-call-history.ts';

/** A claim never settled (the process died while sending) may be taken over after this long. */
export const CLAIM_LEASE_MS = 10 * 60_000;
/** The bad nights are looked for in the pages of this long before now (a night reported up to a day after it ended). */
const NIGHT_LOOKBACK_MS = 2 * 24 * 3600_000;

export interface SentWellbeingMessage {
  about: 'bad-night' | 'weekly';
  /** The lead's Slack member ID. */
  to: string;
  /** The night or the week (YYYY-MM-DD). */
  period: string;
  /** What the message told (its claims). */
  alerts: WellbeingAlertKey[];
}

/**
 * One sweep of the wellbeing messages to the on-call leads (docs/on-call-allowances.md#wellbeing):
 * each night with pages that ended this morning (local 07:00 passed, at most a day ago), and from
 * Monday 09:00 in the team's zone the weekly check. Nothing unless it is on, leads are named and
 * PagerDuty is connected. Every message is claimed first (wellbeing_alert), so replicas sweeping
 * at once send it once; a transient Slack failure gives the claim back for the next sweep, a
 * permanent one settles it (it would fail every sweep). When PagerDuty does not answer, what is
 * cached is used, and nothing is told about a time the cache does not cover yet.
 */
export async function sendWellbeingAlerts(deps: ServiceDeps): Promise<SentWellbeingMessage[]> {
  const wellbeing = deps.settings.wellbeing;
  const leads = [...new Set(deps.settings.oncallLeads)];
  if (!wellbeing?.enabled || !leads.length || !deps.history) return [];
  const sent: SentWellbeingMessage[] = [];
  const thresholds: Thresholds = {
    maxIncidentsPerShift: wellbeing.maxIncidentsPerShift,
    maxOnCallShare: wellbeing.maxOnCallShare,
  };
  let failed: unknown = null;
  for (const part of [() => sendBadNights(deps, leads, sent), () => sendWeeklyCheck(deps, leads, thresholds, sent)]) {
    // One part failing (the database, a bug) leaves the other to run; the error is thrown after.
    await part().catch((err: unknown) => {
      failed ??= err;
    });
  }
  if (failed) throw failed;
  return sent;
}

const KEY = scopeKey(ALL);

/** Up to where the cached history of [from, to) is complete (PagerDuty may have been down). */
async function knownUntil(deps: ServiceDeps, from: Date, to: Date): Promise<Date> {
  return historyKnownUntil(await deps.loadCache.windows(KEY, from, to), windowsCovering(from, to));
}

function workingHours(deps: ServiceDeps) {
  return teamWorkingHours(deps.settings.teamWorkingHours, ALL.name, deps.settings.workingHours);
}

/** Sends the text to the claimed lead; settles the claim, or gives it back when Slack failed for a moment. Whether it was sent. */
async function deliver(
  deps: ServiceDeps,
  recipient: string,
  claims: WellbeingAlertKey[],
  claimedAt: Date,
  text: string,
): Promise<'sent' | 'retry' | 'given-up'> {
  const { value, findings } = outboundText(text);
  if (findings.length)
    deps.logger.info(
      { redacted: findings.map((f) => f.kind) },
      'redacted a wellbeing message (names come from PagerDuty)',
    );
  try {
    await deps.chat.directMessage(recipient, value);
  } catch (err) {
    const transient = isTransient(err);
    deps.logger.error(
      { err, recipient, alerts: claims.map((c) => `${c.kind}:${c.subject}:${c.period}`), retried: transient },
      'wellbeing message to an on-call lead failed',
    );
    if (transient) {
      await deps.wellbeingAlerts.release(claims, claimedAt).catch((e: unknown) => {
        deps.logger.error({ err: e }, 'could not give back a wellbeing claim: it is retried after its lease');
      });
      return 'retry';
    }
    // A deactivated lead or a missing scope fails every time: given up, with Slack's reason.
    await deps.wellbeingAlerts.settle(
      claims,
      claimedAt,
      deps.clock.now(),
      err instanceof ChatError ? err.code : 'failed',
    );
    return 'given-up';
  }
  await deps.wellbeingAlerts.settle(claims, claimedAt, deps.clock.now(), null);
  return 'sent';
}

async function sendBadNights(deps: ServiceDeps, leads: string[], sent: SentWellbeingMessage[]): Promise<void> {
  const now = deps.clock.now();
  const from = new Date(now.getTime() - NIGHT_LOOKBACK_MS);
  // A PagerDuty outage is logged there and the cache used; knownUntil keeps what it lacks out.
  await syncOnCallHistory(deps, KEY, ALL, { previousFrom: from, from, to: now });
  const until = await knownUntil(deps, from, now);
  const slackUsers = new Map<string, string>();
  const input = await loadInputFor(deps, ALL, KEY, from, now, workingHours(deps), { match: true, slackUsers });
  const toil = deps.settings.payRules?.defaults.timeOffInLieu?.hoursPerInterruptedNight ?? null;
  for (const night of badNights(input, now, { knownUntil: until })) {
    const claimedAt = deps.clock.now();
    const won = await deps.wellbeingAlerts.claim(
      leads.map((recipient) => ({ kind: 'bad-night', subject: night.personId, period: night.night, recipient })),
      claimedAt,
      new Date(claimedAt.getTime() - CLAIM_LEASE_MS),
    );
    if (!won.length) continue;
    const text = badNightMessage(night, {
      slackUserId: slackUsers.get(night.personId) ?? null,
      timeOffInLieuHours: toil,
    });
    for (const claim of won) {
      if ((await deliver(deps, claim.recipient, [claim], claimedAt, text)) === 'sent')
        sent.push({ about: 'bad-night', to: claim.recipient, period: night.night, alerts: [claim] });
    }
  }
}

async function sendWeeklyCheck(
  deps: ServiceDeps,
  leads: string[],
  thresholds: Thresholds,
  sent: SentWellbeingMessage[],
): Promise<void> {
  const now = deps.clock.now();
  const period = weeklyCheckDue(now, deps.settings.defaultTimeZone);
  if (!period) return;
  // The week's check itself is claimed: one replica computes it at a time, and once it is settled
  // nobody computes it again this week.
  const marker: WellbeingAlertKey = { kind: 'weekly-check', subject: KEY, period: period.week, recipient: '' };
  const [mine] = await deps.wellbeingAlerts.claim([marker], now, new Date(now.getTime() - CLAIM_LEASE_MS));
  if (!mine) return;
  let done = false;
  try {
    done = await runWeeklyCheck(deps, leads, thresholds, period, sent);
  } finally {
    if (done) await deps.wellbeingAlerts.settle([marker], now, deps.clock.now(), null);
    else await deps.wellbeingAlerts.release([marker], now);
  }
}

/** The check of `period`, sent to each lead; false when it must run again (history not complete yet, or a lead not reached for a moment). */
async function runWeeklyCheck(
  deps: ServiceDeps,
  leads: string[],
  thresholds: Thresholds,
  period: CheckPeriod,
  sent: SentWellbeingMessage[],
): Promise<boolean> {
  await syncOnCallHistory(deps, KEY, ALL, { previousFrom: period.previousFrom, from: period.from, to: period.to });
  const until = await knownUntil(deps, period.previousFrom, period.to);
  if (until < period.to) {
    deps.logger.warn(
      { week: period.week, knownUntil: until.toISOString() },
      'the weekly wellbeing check waits for PagerDuty: its history of the eight weeks is not all cached',
    );
    return false;
  }
  const wh = workingHours(deps);
  const slackUsers = new Map<string, string>();
  const current = await loadInputFor(deps, ALL, KEY, period.from, period.to, wh, { match: true, slackUsers });
  const previous = await loadInputFor(deps, ALL, KEY, period.previousFrom, period.from, wh, {
    match: false,
    slackUsers: new Map(),
  });
  const check = weeklyCheck(current, previous, thresholds);
  if (!check.alerts) return true;
  let complete = true;
  for (const lead of leads) {
    const keys: WellbeingAlertKey[] = [];
    for (const p of check.people) {
      if (p.overShift)
        keys.push({ kind: 'shift-incidents', subject: p.personId, period: period.week, recipient: lead });
      if (p.overShare) keys.push({ kind: 'on-call-share', subject: p.personId, period: period.week, recipient: lead });
    }
    if (check.fairness.worse) keys.push({ kind: 'fairness', subject: KEY, period: period.week, recipient: lead });
    const claimedAt = deps.clock.now();
    const won = await deps.wellbeingAlerts.claim(keys, claimedAt, new Date(claimedAt.getTime() - CLAIM_LEASE_MS));
    if (!won.length) continue;
    const of = (kind: WellbeingAlertKey['kind']) => new Set(won.filter((k) => k.kind === kind).map((k) => k.subject));
    const text = weeklyMessage(period, check, thresholds, {
      slackUsers,
      include: { shift: of('shift-incidents'), share: of('on-call-share'), fairness: of('fairness').size > 0 },
    });
    const outcome = await deliver(deps, lead, won, claimedAt, text);
    if (outcome === 'sent') sent.push({ about: 'weekly', to: lead, period: period.week, alerts: won });
    if (outcome === 'retry') complete = false;
  }
  return complete;
}
