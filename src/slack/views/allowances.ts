// The `/incident allowances` answer (Block Kit, private to the asker) and the payroll CSV sent to
// leads. Names come from PagerDuty: every one shown or written goes through the PHI guard.

import type { KnownBlock } from '@slack/types';
import { allowancePeriodDates, allowancesCsv, guardedText } from '../../domain/allowances-csv.ts';
import type { PersonAllowance } from '../../domain/allowances.ts';
import { formatMinor, minorDecimal, type PayRuleSet } from '../../domain/pay-rules.ts';
import { formatInZone } from '../../domain/time.ts';
import type { ChatFile } from '../../ports/chat-platform.ts';
import type { OnCallAllowances } from '../../services/on-call/show-allowances.ts';
import { clipMrkdwn, escapeMrkdwn, fieldsSection, header, mrkdwnContext, mrkdwnSection } from './format.ts';
import type { SlackMessage } from './incident-summary.ts';
import { cell, freshnessNote, num } from './on-call-shared.ts';

/** Rows shown in the message; the rest are in the CSV. */
export const ALLOWANCE_ROWS_SHOWN = 15;
/** Slack's limit for a section's text, with room to spare for the code fence. */
const TABLE_CHARS = 2900;
const NAME_WIDTH = 22;

/** What the rules applied are called: `schedule Platform primary`, `team Platform`, `defaults`. */
export function rulesAppliedText(a: Pick<OnCallAllowances, 'rulesFrom'>): string {
  const { kind, name } = a.rulesFrom;
  return kind === 'defaults' || !name ? 'defaults' : `${kind} ${name}`;
}

/** The rules in a line: what standby, a callout and an interrupted night earn. */
function rulesSummary(rules: PayRuleSet, currency: string, digits: number): string {
  const money = (minor: number) => formatMinor(minor, currency, digits);
  const parts: string[] = [];
  const s = rules.standby;
  if (s) {
    const rates = `weekday ${money(s.rates.weekday)}, weekend ${money(s.rates.weekend)}, public holiday ${money(s.rates.publicHoliday)}`;
    parts.push(
      s.per === 'shift'
        ? `standby per shift (a local day on call at least ${num(s.minimumHours)} h): ${rates}`
        : `standby per hour: ${rates}`,
    );
  } else parts.push('no standby pay');
  const c = rules.callout;
  if (c)
    parts.push(
      c.per === 'page'
        ? `${money(c.amount)} per out-of-hours page`
        : `${money(c.amount)} per incident worked${c.minimumMinutes ? ` at least ${c.minimumMinutes} min` : ''}`,
    );
  else parts.push('no callout pay');
  const t = rules.timeOffInLieu;
  parts.push(t ? `${num(t.hoursPerInterruptedNight)} h time off per interrupted night` : 'no time off in lieu');
  return parts.join(' · ');
}

/** The fixed-width table of people, as many rows as fit Slack's section (at most `max`). */
function table(people: readonly PersonAllowance[], perShift: boolean, currency: string, digits: number, max: number) {
  const head = [
    cell('Name', NAME_WIDTH),
    'Wkday h'.padStart(7),
    'Wkend h'.padStart(7),
    'Hol h'.padStart(6),
    ...(perShift ? ['Shifts'.padStart(9)] : []),
    'Callouts'.padStart(8),
    'TOIL h'.padStart(6),
    `Amount ${currency}`.padStart(12),
  ].join(' ');
  const lines = [escapeMrkdwn(head)];
  let length = head.length + 8;
  let shown = 0;
  for (const p of people.slice(0, max)) {
    const shifts = p.shifts ? `${p.shifts.weekday}/${p.shifts.weekend}/${p.shifts.publicHoliday}` : '';
    const row = escapeMrkdwn(
      [
        cell(guardedText(p.name), NAME_WIDTH),
        num(p.standbyHours.weekday).padStart(7),
        num(p.standbyHours.weekend).padStart(7),
        num(p.standbyHours.publicHoliday).padStart(6),
        ...(perShift ? [shifts.padStart(9)] : []),
        String(p.callouts).padStart(8),
        num(p.timeOffHours).padStart(6),
        minorDecimal(p.amount.minor, digits).padStart(12),
      ].join(' '),
    );
    if (length + row.length + 1 > TABLE_CHARS) break;
    lines.push(row);
    length += row.length + 1;
    shown += 1;
  }
  return { text: `\`\`\`\n${lines.join('\n')}\n\`\`\``, shown };
}

/**
 * The answer: what was applied and how fresh, the totals, and a row per person (a lead: everyone,
 * at most ALLOWANCE_ROWS_SHOWN, the rest in the CSV; anyone else: their own, or why there is none).
 * `files`: whether the CSV was sent (true), failed (false), or was not for this asker (null); `userId`: who asked.
 */
export function allowancesMessage(a: OnCallAllowances, opts: { files: boolean | null; userId: string }): SlackMessage {
  const { report, period } = a;
  const scope = guardedText(a.scope.name);
  const title = `On-call allowances: ${scope}, ${period.label}${period.complete ? '' : ' so far'}`;
  const blocks: KnownBlock[] = [header(title)];
  const notes: string[] = [];
  const fresh = freshnessNote(a);
  if (fresh) notes.push(fresh);
  if (!period.complete)
    notes.push(
      `${period.label} is under way: the figures up to ${formatInZone(period.to, a.teamTimeZone)}, not what will be paid.`,
    );
  if (notes.length) blocks.push(mrkdwnContext(clipMrkdwn(notes.join(' · '), 3000)));

  const applied =
    a.rulesFrom.kind === 'defaults'
      ? 'the defaults'
      : `the ${a.rulesFrom.kind}’s rules (${escapeMrkdwn(guardedText(a.rulesFrom.name ?? ''))})`;
  blocks.push(
    mrkdwnContext(
      clipMrkdwn(
        `*Rules applied:* ${applied}: ${escapeMrkdwn(rulesSummary(report.rules, report.currency, report.minorDigits))}.`,
        3000,
      ),
    ),
  );
  if (a.overridesIgnored)
    blocks.push(
      mrkdwnSection(
        ':warning: The pay rules file has rules per team or schedule; name one to use them (`/incident allowances [month] <schedule or team>`). These figures use the defaults for everyone.',
      ),
    );

  if (report.people.length === 0) {
    blocks.push(
      mrkdwnSection(
        a.everyone
          ? `Nobody in ${escapeMrkdwn(scope)} was on call in ${period.label}${period.complete ? '' : ' so far'}.`
          : notOnCallText(a, opts.userId),
      ),
    );
    return { text: escapeMrkdwn(title), blocks };
  }

  const t = report.totals;
  const money = (minor: number) => formatMinor(minor, report.currency, report.minorDigits);
  blocks.push(
    fieldsSection([
      `*${a.everyone ? 'Amount' : 'Your amount'}*\n${money(t.amountMinor)}`,
      `*On call*\n${num(t.onCallHours)} h`,
      `*Callouts*\n${t.callouts}`,
      `*Time off in lieu*\n${num(t.timeOffHours)} h`,
    ]),
  );
  const perShift = report.rules.standby?.per === 'shift';
  const { text, shown } = table(report.people, perShift, report.currency, report.minorDigits, ALLOWANCE_ROWS_SHOWN);
  blocks.push(mrkdwnSection(text));

  const footer: string[] = [];
  const more = report.people.length - shown;
  if (more > 0) footer.push(`And ${more} more: see the CSV.`);
  footer.push(
    `Hours by kind of day in each person’s own time zone${perShift ? '; shifts weekday/weekend/public holiday' : ''}; TOIL: time off in lieu.`,
  );
  if (!a.everyone)
    footer.push(
      'Only your own row: everyone’s allowances and the payroll CSV are for the on-call leads (ONCALL_LEADS).',
    );
  if (opts.files === true) footer.push('The payroll CSV is in your direct messages with me.');
  if (opts.files === false) footer.push(':warning: The payroll CSV could not be sent to you; try again later.');
  blocks.push(mrkdwnContext(clipMrkdwn(footer.join(' '), 3000)));
  return { text: escapeMrkdwn(title), blocks };
}

/** A non-lead with no row: not on call, or their PagerDuty account not matched to Slack by email. */
function notOnCallText(a: OnCallAllowances, userId: string): string {
  const where = `${escapeMrkdwn(guardedText(a.scope.name))} in ${a.period.label}${a.period.complete ? '' : ' so far'}`;
  const matched = [...a.slackUsers.values()].includes(userId);
  return matched
    ? `You were not on call in ${where}, so there are no allowances for you.`
    : `You have no allowances for ${where}: either you were not on call in it, or your PagerDuty account is not matched to you in Slack (they are matched by email: the same address in both).`;
}

/** `on-call-allowances-2026-11-platform-primary.csv`: the month and a safe slug of the scope (its name through the PHI guard: the file name is shown in Slack). */
export function allowancesFilename(a: Pick<OnCallAllowances, 'period' | 'scope'>): string {
  const slug =
    guardedText(a.scope.name)
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'all';
  return `on-call-allowances-${a.period.key}-${slug}.csv`;
}

/** The payroll CSV for a lead, as a file to send by direct message. */
export function allowancesFiles(a: OnCallAllowances): ChatFile[] {
  const dates = allowancePeriodDates(a.period.from, a.period.to, a.teamTimeZone);
  const csv = allowancesCsv({
    report: a.report,
    periodStart: dates.start,
    periodEnd: dates.end,
    rulesApplied: rulesAppliedText(a),
    emails: a.emails,
  });
  const scope = guardedText(a.scope.name);
  return [
    {
      filename: allowancesFilename(a),
      title: `On-call allowances: ${scope}, ${a.period.label}${a.period.complete ? '' : ' so far'}`,
      content: csv,
      comment: '',
    },
  ];
}
