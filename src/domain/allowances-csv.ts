// The on-call allowances as a payroll CSV (RFC 4180: CRLF line ends, fields quoted where needed),
// one row per person and a TOTAL row. Names, emails and zones come from PagerDuty and the file
// leaves Slack for a spreadsheet and payroll, so every text field goes through the PHI guard (an
// email is kept only when it is one email address and nothing else), then csvText's
// formula-injection defence. Money is written from integer minor units, never from a float.

import { TZDate } from '@date-fns/tz';
import type { AllowanceReport, PersonAllowance } from './allowances.ts';
import { csvNumber, csvText } from './load-csv.ts';
import { findPhi } from './phi-guard.ts';
import { DAY_KINDS } from './pay-rules.ts';
import { minorDecimal } from './pay-rules.ts';
import { redactString } from './redaction.ts';

export const ALLOWANCES_CSV_HEADER = [
  'Name',
  'PagerDuty id',
  'Email',
  'Time zone',
  'Period start',
  'Period end',
  'Rules applied',
  'Standby hours weekday',
  'Standby hours weekend',
  'Standby hours public holiday',
  'Shifts weekday',
  'Shifts weekend',
  'Shifts public holiday',
  'Pages',
  'Out-of-hours pages',
  'Incidents worked',
  'Callouts',
  'Nights interrupted',
  'Time off in lieu hours',
  'Amount',
  'Currency',
] as const;

export interface AllowancesCsvInput {
  report: AllowanceReport;
  /** The period's first and last local dates, YYYY-MM-DD (allowancePeriodDates). */
  periodStart: string;
  periodEnd: string;
  /** Which rules applied, e.g. `schedule Platform primary`, `defaults`. */
  rulesApplied: string;
  /** PagerDuty person → their email; missing or null: left blank. */
  emails: ReadonlyMap<string, string | null>;
}

/** `YYYY-MM-DD` of an instant in `zone`. */
function localDate(at: number, zone: string): string {
  const d = new TZDate(at, zone);
  return `${String(d.getFullYear()).padStart(4, '0')}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The first and last local dates of [from, to) in `zone`: a whole November is 2026-11-01 …
 * 2026-11-30; a month under way ends on today's date.
 */
export function allowancePeriodDates(from: Date, to: Date, zone: string): { start: string; end: string } {
  const f = from.getTime();
  const t = to.getTime();
  return { start: localDate(f, zone), end: localDate(t > f ? t - 1 : f, zone) };
}

/** Free text from PagerDuty, as it may leave: through the PHI guard. */
export const guardedText = (s: string): string => redactString(s).value;

/**
 * An email as it may leave: kept when the guard finds exactly one email address that is the whole
 * field (the payroll's key for the person), else guarded like any text.
 */
export function guardedEmail(email: string | null | undefined): string {
  if (!email) return '';
  const found = findPhi(email);
  const only = found.length === 1 ? found[0]! : null;
  if (only && only.kind === 'email' && only.start === 0 && only.end === email.length) return email;
  return guardedText(email);
}

/** Hours as the CSV writes them (two decimals), in whole hundredths: the TOTAL adds these up. */
const hundredths = (hours: number): number => Math.round(Number(csvNumber(hours, 2)) * 100);

/**
 * The payroll CSV: a header row, one row per person in the report's order, then TOTAL. Counts as
 * csvNumber writes them, hours to two decimals, shifts blank when standby is not paid per shift,
 * the amount in major units with exactly the currency's digits (`123.45`, JPY `5000`). The TOTAL
 * row is the sum of the rows as written (three rows of 6.67 hours total 20.01).
 */
export function allowancesCsv(input: AllowancesCsvInput): string {
  const { report } = input;
  const perShift = report.rules.standby?.per === 'shift';
  const common = (p: Pick<PersonAllowance, 'standbyHours' | 'shifts'>) => [
    csvText(input.periodStart),
    csvText(input.periodEnd),
    csvText(guardedText(input.rulesApplied)),
    // Hours to two decimals: payroll checks hours × rate against the amount (a quarter hour is 0.25).
    ...DAY_KINDS.map((k) => csvNumber(p.standbyHours[k], 2)),
    ...DAY_KINDS.map((k) => (perShift && p.shifts ? csvNumber(p.shifts[k]) : '')),
  ];
  const counts = (
    p: Pick<
      PersonAllowance,
      'pages' | 'outOfHoursPages' | 'incidentsWorked' | 'callouts' | 'nightsInterrupted' | 'timeOffHours'
    >,
  ) => [
    ...[p.pages, p.outOfHoursPages, p.incidentsWorked, p.callouts, p.nightsInterrupted].map((n) => csvNumber(n)),
    csvNumber(p.timeOffHours, 2),
  ];
  const money = (minor: number) => [minorDecimal(minor, report.minorDigits), csvText(report.currency)];

  const rows: string[][] = [[...ALLOWANCES_CSV_HEADER]];
  const total = {
    standbyHours: { weekday: 0, weekend: 0, publicHoliday: 0 },
    shifts: { weekday: 0, weekend: 0, publicHoliday: 0 },
    pages: 0,
    outOfHoursPages: 0,
    incidentsWorked: 0,
    callouts: 0,
    nightsInterrupted: 0,
    timeOffHours: 0,
  };
  let amount = 0;
  for (const p of report.people) {
    rows.push([
      csvText(guardedText(p.name)),
      csvText(p.personId),
      csvText(guardedEmail(input.emails.get(p.personId))),
      csvText(guardedText(p.timeZone)),
      ...common(p),
      ...counts(p),
      ...money(p.amount.minor),
    ]);
    for (const k of DAY_KINDS) {
      total.standbyHours[k] += hundredths(p.standbyHours[k]);
      total.shifts[k] += p.shifts?.[k] ?? 0;
    }
    total.pages += p.pages;
    total.outOfHoursPages += p.outOfHoursPages;
    total.incidentsWorked += p.incidentsWorked;
    total.callouts += p.callouts;
    total.nightsInterrupted += p.nightsInterrupted;
    total.timeOffHours += hundredths(p.timeOffHours);
    amount += p.amount.minor;
  }
  // Hours were summed as written (hundredths), so the TOTAL is the column's sum, as payroll adds it.
  for (const k of DAY_KINDS) total.standbyHours[k] /= 100;
  total.timeOffHours /= 100;
  rows.push(['TOTAL', '', '', '', ...common(total), ...counts(total), ...money(amount)]);
  return rows.map((r) => `${r.join(',')}\r\n`).join('');
}
