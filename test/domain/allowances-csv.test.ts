import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ALLOWANCES_CSV_HEADER,
  allowancePeriodDates,
  allowancesCsv,
  guardedEmail,
} from '../../src/domain/allowances-csv.ts';
import { type AllowanceReport, computeAllowances } from '../../src/domain/allowances.ts';
import type { OnCallPerson, OnCallStretch, PageEvent } from '../../src/domain/on-call-load.ts';
import { minorDecimal, parsePayRules } from '../../src/domain/pay-rules.ts';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours.ts';

const LONDON = 'Europe/London';
const at = (iso: string) => new Date(iso);
const person = (id: string, name: string, email: string | null = null): OnCallPerson => ({
  id,
  name,
  email,
  timeZone: LONDON,
});
const stretch = (userId: string, start: string, end: string): OnCallStretch => ({
  userId,
  scheduleId: 'S1',
  escalationPolicyId: null,
  level: 1,
  start: at(start),
  end: at(end),
});
let seq = 0;
const page = (userId: string, when: string): PageEvent => ({
  id: `LE${++seq}`,
  incidentId: `PI${seq}`,
  userId,
  at: at(when),
  kind: 'assigned',
  serviceId: null,
});

const PER_SHIFT = `
currency: GBP
region: england-and-wales
defaults:
  standby: { per: shift, minimumHours: 12, weekday: 25, weekend: 40, publicHoliday: 60 }
  callout: { per: page, amount: 30 }
  timeOffInLieu: { hoursPerInterruptedNight: 2 }
`;

/** November 2026 in London (GMT all month: no daylight saving change). */
const NOVEMBER = { from: at('2026-11-01T00:00:00Z'), to: at('2026-12-01T00:00:00Z') };

function report(
  rules: string,
  people: OnCallPerson[],
  stretches: OnCallStretch[],
  pages: PageEvent[] = [],
): AllowanceReport {
  return computeAllowances({
    ...NOVEMBER,
    teamTimeZone: LONDON,
    workingHours: DEFAULT_WORKING_HOURS,
    people,
    stretches,
    pages,
    incidentWork: [],
    rules: parsePayRules(rules),
    scope: {},
  });
}

/** RFC 4180 records (CRLF ends, quoted fields with doubled quotes), for checking what a spreadsheet reads. */
function parseCsv(text: string): string[][] {
  assert.ok(text.endsWith('\r\n'), 'every record ends with CRLF');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
      } else {
        field += ch;
        i += 1;
      }
    } else if (ch === '"') {
      assert.equal(field, '', 'a quote only opens a field');
      quoted = true;
      i += 1;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i += 1;
    } else if (ch === '\r') {
      assert.equal(text[i + 1], '\n', 'CR only before LF');
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      assert.notEqual(ch, '\n', 'no bare LF outside quotes');
      field += ch;
      i += 1;
    }
  }
  return rows;
}

const byColumn = (rows: string[][]) =>
  rows.slice(1).map((r) => Object.fromEntries(ALLOWANCES_CSV_HEADER.map((h, i) => [h, r[i]])));

describe('allowances CSV', () => {
  const people = [
    person('PANN', 'Ann Shift', 'ann@example.org'),
    person('PEVIL', '=HYPERLINK("http://x","pay")', 'evil@example.org'),
    person('PJO', 'Smith, "Jo"\nnew line', 'not an email, NHS 943 476 5919'),
    person('PNHS', 'Cy 943 476 5919', null),
  ];
  const stretches = [
    // Monday 2 November 09:00 to Monday 9 November 09:00: weekday shifts Mon (15 h)…Fri, weekend
    // Sat and Sun, not the last Monday's 9 h. 120 h on weekdays, 48 at the weekend.
    stretch('PANN', '2026-11-02T09:00:00Z', '2026-11-09T09:00:00Z'),
    // Saturday 7 November, all day: one weekend shift.
    stretch('PEVIL', '2026-11-07T00:00:00Z', '2026-11-08T00:00:00Z'),
    // Tuesday 10 November 20:00 to Wednesday 08:00: a 12-hour night, one weekday shift (Tuesday's).
    stretch('PJO', '2026-11-10T20:00:00Z', '2026-11-11T08:00:00Z'),
  ];
  const pages = [
    page('PANN', '2026-11-03T23:30:00Z'), // out of hours, at night: a callout and 2 h time off
    page('PANN', '2026-11-04T11:00:00Z'), // in working hours: paid nothing
    page('PJO', '2026-11-11T02:00:00Z'), // out of hours, at night
    page('PJO', '2026-11-11T03:00:00Z'), // the same night: one night, a second callout
  ];
  const r = report(PER_SHIFT, people, stretches, pages);
  const csv = allowancesCsv({
    report: r,
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
    rulesApplied: 'schedule Platform primary',
    emails: new Map(people.map((p) => [p.id, p.email])),
  });
  const rows = parseCsv(csv);
  const record = byColumn(rows);
  const of = (id: string) => record.find((x) => x['PagerDuty id'] === id)!;

  test('a header, one row per person in the report’s order, a TOTAL row; every row as wide as the header', () => {
    assert.deepEqual(rows[0], [...ALLOWANCES_CSV_HEADER]);
    assert.equal(rows.length, 1 + 4 + 1);
    for (const row of rows) assert.equal(row.length, ALLOWANCES_CSV_HEADER.length);
    assert.deepEqual(
      rows.slice(1, -1).map((x) => x[1]),
      r.people.map((p) => p.personId),
    );
    assert.equal(rows.at(-1)![0], 'TOTAL');
  });

  test('the figures and amounts, hand-computed', () => {
    const ann = of('PANN');
    assert.equal(ann.Name, 'Ann Shift');
    assert.equal(ann.Email, 'ann@example.org', 'a plain email is the payroll’s key: kept');
    assert.equal(ann['Time zone'], LONDON);
    assert.equal(ann['Period start'], '2026-11-01');
    assert.equal(ann['Period end'], '2026-11-30');
    assert.equal(ann['Rules applied'], 'schedule Platform primary');
    assert.equal(ann['Standby hours weekday'], '120');
    assert.equal(ann['Standby hours weekend'], '48');
    assert.equal(ann['Standby hours public holiday'], '0');
    assert.equal(ann['Shifts weekday'], '5');
    assert.equal(ann['Shifts weekend'], '2');
    assert.equal(ann['Shifts public holiday'], '0');
    assert.equal(ann.Pages, '2');
    assert.equal(ann['Out-of-hours pages'], '1');
    assert.equal(ann.Callouts, '1');
    assert.equal(ann['Nights interrupted'], '1');
    assert.equal(ann['Time off in lieu hours'], '2');
    assert.equal(ann.Amount, '235.00', '5 × 25 + 2 × 40 + 1 × 30');
    assert.equal(ann.Currency, 'GBP');

    const jo = of('PJO');
    assert.equal(jo['Standby hours weekday'], '12');
    assert.equal(jo['Shifts weekday'], '1');
    assert.equal(jo.Callouts, '2');
    assert.equal(jo['Nights interrupted'], '1');
    assert.equal(jo.Amount, '85.00', '1 × 25 + 2 × 30');
    assert.equal(of('PEVIL').Amount, '40.00');
    assert.equal(of('PNHS').Amount, '0.00', 'in the people but not on call: a zero row');

    const total = record.at(-1)!;
    assert.equal(total['Standby hours weekday'], '132');
    assert.equal(total['Standby hours weekend'], '72');
    assert.equal(total['Shifts weekday'], '6');
    assert.equal(total['Shifts weekend'], '3');
    assert.equal(total.Pages, '4');
    assert.equal(total.Callouts, '3');
    assert.equal(total['Time off in lieu hours'], '4');
    assert.equal(total.Amount, '360.00');
    assert.equal(total.Amount, minorDecimal(r.totals.amountMinor, 2), 'the report’s own total');
    assert.equal(total.Currency, 'GBP');
  });

  test('quotes, commas and line breaks are quoted; formulas are defused', () => {
    assert.equal(of('PJO').Name, 'Smith, "Jo"\nnew line', 'read back as written');
    assert.match(csv, /"Smith, ""Jo""\nnew line"/);
    assert.equal(of('PEVIL').Name, `'=HYPERLINK("http://x","pay")`, 'a leading = gets a quote mark');
    for (const row of rows) for (const field of row) assert.doesNotMatch(field, /^[=+\-@]/);
  });

  test('names and emails pass the PHI guard: an email that is more than an email is redacted', () => {
    assert.equal(of('PNHS').Name, 'Cy [redacted NHS number]');
    assert.equal(of('PNHS').Email, '', 'no email: blank');
    assert.doesNotMatch(csv, /943 476 5919/);
    assert.match(of('PJO').Email ?? '', /\[redacted NHS number\]/);
    assert.equal(guardedEmail('ann@example.org'), 'ann@example.org');
    assert.equal(guardedEmail('ann@example.org, 943 476 5919'), '[redacted email address], [redacted NHS number]');
    assert.equal(guardedEmail(null), '');
  });

  test('per hour: shift columns blank, in the TOTAL too; hours to two decimals', () => {
    const perHour = report(
      `
currency: GBP
rounding: nearest-penny
region: england-and-wales
defaults:
  standby: { per: hour, weekday: 1.50, weekend: 2.50, publicHoliday: 3.00 }
`,
      [person('PA', 'A')],
      // Friday 6 November 17:20 to Saturday 09:00: 6 h 40 min on the Friday, 9 h on the Saturday.
      [stretch('PA', '2026-11-06T17:20:00Z', '2026-11-07T09:00:00Z')],
    );
    const rows = byColumn(
      parseCsv(
        allowancesCsv({
          report: perHour,
          periodStart: '2026-11-01',
          periodEnd: '2026-11-30',
          rulesApplied: 'defaults',
          emails: new Map(),
        }),
      ),
    );
    for (const row of rows) {
      assert.equal(row['Shifts weekday'], '');
      assert.equal(row['Shifts weekend'], '');
      assert.equal(row['Shifts public holiday'], '');
    }
    assert.equal(rows[0]!['Standby hours weekday'], '6.67');
    assert.equal(rows[0]!['Standby hours weekend'], '9');
    // 6⅔ h × £1.50 = £10.00; 9 h × £2.50 = £22.50.
    assert.equal(rows[0]!.Amount, '32.50');
    assert.equal(rows[1]!.Amount, '32.50');
    assert.equal(rows[0]!.Email, '');
  });

  test('the TOTAL row is the sum of the rows as written: payroll adds the column up', () => {
    const ids = ['PA', 'PB', 'PC'];
    const perHour = report(
      `
currency: GBP
region: england-and-wales
defaults:
  standby: { per: hour, weekday: 1.50, weekend: 2.50, publicHoliday: 3.00 }
  timeOffInLieu: { hoursPerInterruptedNight: 1.333 }
`,
      ids.map((id) => person(id, id)),
      // 6 h 40 min each on Friday 6 November: 6.67 in each row.
      ids.map((id) => stretch(id, '2026-11-06T17:20:00Z', '2026-11-07T00:00:00Z')),
      ids.map((id) => page(id, '2026-11-06T23:00:00Z')),
    );
    const rows = byColumn(
      parseCsv(
        allowancesCsv({
          report: perHour,
          periodStart: '2026-11-01',
          periodEnd: '2026-11-30',
          rulesApplied: 'defaults',
          emails: new Map(),
        }),
      ),
    );
    const people = rows.slice(0, -1);
    const total = rows.at(-1)!;
    assert.equal(total.Name, 'TOTAL');
    for (const column of ['Standby hours weekday', 'Time off in lieu hours', 'Amount'] as const) {
      const hundredths = people.reduce((n, row) => n + Math.round(Number(row[column]) * 100), 0);
      assert.equal(Math.round(Number(total[column]) * 100), hundredths, `${column}: ${total[column]}`);
    }
    assert.equal(people[0]!['Standby hours weekday'], '6.67');
    assert.equal(total['Standby hours weekday'], '20.01');
  });

  test('JPY: whole yen, no decimal point; large sums exact', () => {
    const yen = report(
      `
currency: JPY
region: england-and-wales
defaults:
  standby: { per: hour, weekday: 123, weekend: 456, publicHoliday: 789 }
`,
      [person('PA', 'A'), person('PB', 'B')],
      [
        stretch('PA', '2026-11-02T00:00:00Z', '2026-11-07T00:00:00Z'), // 120 weekday h (in London)
        stretch('PB', '2026-11-07T00:00:00Z', '2026-11-09T00:00:00Z'), // 48 weekend h
      ],
    );
    const rows = byColumn(
      parseCsv(
        allowancesCsv({
          report: yen,
          periodStart: '2026-11-01',
          periodEnd: '2026-11-30',
          rulesApplied: 'defaults',
          emails: new Map(),
        }),
      ),
    );
    assert.equal(rows[0]!.Amount, String(120 * 123));
    assert.equal(rows[1]!.Amount, String(48 * 456));
    assert.equal(rows[2]!.Amount, String(120 * 123 + 48 * 456));
    assert.equal(rows[2]!.Currency, 'JPY');
    for (const row of rows) assert.doesNotMatch(row.Amount!, /\./);
  });

  test('money from integer minor units: no floating-point drift', () => {
    assert.equal(minorDecimal(0, 2), '0.00');
    assert.equal(minorDecimal(7, 2), '0.07');
    assert.equal(minorDecimal(-7, 2), '-0.07');
    assert.equal(minorDecimal(30, 2), '0.30', '0.1 + 0.2 as pence');
    assert.equal(minorDecimal(900719925474099, 2), '9007199254740.99');
    assert.equal(minorDecimal(5000, 0), '5000');
    assert.equal(minorDecimal(12345, 3), '12.345');
  });

  test('the period’s dates are local to the team zone: a month under way ends today', () => {
    // November 2026 in New York: 04:00 UTC on the 1st (EDT) to 05:00 UTC on 1 December (EST).
    assert.deepEqual(allowancePeriodDates(at('2026-11-01T04:00:00Z'), at('2026-12-01T05:00:00Z'), 'America/New_York'), {
      start: '2026-11-01',
      end: '2026-11-30',
    });
    assert.deepEqual(allowancePeriodDates(at('2026-11-01T00:00:00Z'), at('2026-11-15T10:00:00Z'), LONDON), {
      start: '2026-11-01',
      end: '2026-11-15',
    });
  });
});
