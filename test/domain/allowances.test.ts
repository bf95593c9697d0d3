import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { type AllowancesInput, computeAllowances, type PersonAllowance } from '../../src/domain/allowances.ts';
import {
  computeLoad,
  type IncidentWork,
  type OnCallPerson,
  type OnCallStretch,
  type PageEvent,
} from '../../src/domain/on-call-load.ts';
import { parsePayRules } from '../../src/domain/pay-rules.ts';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours.ts';

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const at = (iso: string) => new Date(iso);

/** The instant of a local wall time in a zone (month 1-12). */
function local(zone: string, y: number, mo: number, d: number, h = 0, mi = 0): Date {
  return new Date(new TZDate(y, mo - 1, d, h, mi, zone).getTime());
}

const person = (id: string, timeZone: string | null = LONDON): OnCallPerson => ({
  id,
  name: id,
  email: null,
  timeZone,
});

const stretch = (userId: string, start: Date | string, end: Date | string, scheduleId = 'S1'): OnCallStretch => ({
  userId,
  scheduleId,
  escalationPolicyId: null,
  level: 1,
  start: typeof start === 'string' ? at(start) : start,
  end: typeof end === 'string' ? at(end) : end,
});

let pageSeq = 0;
function page(userId: string, when: Date | string): PageEvent {
  pageSeq += 1;
  return {
    id: `LE${pageSeq}`,
    incidentId: `PI${pageSeq}`,
    userId,
    at: typeof when === 'string' ? at(when) : when,
    kind: 'assigned',
    serviceId: null,
  };
}

const work = (personId: string, incidentId: string, start: string, end: string): IncidentWork => ({
  personId,
  incidentId,
  roles: ['responder'],
  start: at(start),
  end: at(end),
});

const PER_SHIFT = `
currency: GBP
region: england-and-wales
defaults:
  standby: { per: shift, minimumHours: 12, weekday: 25, weekend: 40, publicHoliday: 60 }
  callout: { per: page, amount: 30 }
  timeOffInLieu: { hoursPerInterruptedNight: 2 }
`;

const PER_HOUR = `
currency: GBP
region: england-and-wales
defaults:
  standby: { per: hour, weekday: 1.50, weekend: 2.00, publicHoliday: 3.00 }
`;

function run(
  rulesText: string,
  period: [string | Date, string | Date],
  data: Partial<Pick<AllowancesInput, 'people' | 'stretches' | 'pages' | 'incidentWork' | 'scope'>>,
): PersonAllowance[] {
  return computeAllowances({
    from: typeof period[0] === 'string' ? at(period[0]) : period[0],
    to: typeof period[1] === 'string' ? at(period[1]) : period[1],
    teamTimeZone: LONDON,
    workingHours: DEFAULT_WORKING_HOURS,
    people: data.people ?? [person('A')],
    stretches: data.stretches ?? [],
    pages: data.pages ?? [],
    incidentWork: data.incidentWork ?? [],
    rules: parsePayRules(rulesText),
    scope: data.scope ?? {},
  }).people;
}

const standbyLines = (p: PersonAllowance) =>
  p.breakdown.filter((l) => l.item === 'standby').map((l) => [l.kind, l.quantity, l.amount]);

describe('standby', () => {
  test('a rota across month end: shifts are cut from the handover, each paid in the month it begins', () => {
    // Friday 30 January 2026 09:00 to Monday 2 February 09:00 (London is on UTC in winter).
    const stretches = [stretch('A', '2026-01-30T09:00:00Z', '2026-02-02T09:00:00Z')];
    const [jan] = run(PER_SHIFT, ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'], { stretches });
    assert.deepEqual(jan!.standbyHours, { weekday: 15, weekend: 24, publicHoliday: 0 });
    assert.deepEqual(jan!.shifts, { weekday: 1, weekend: 1, publicHoliday: 0 });
    assert.equal(jan!.amount.minor, 2500 + 4000);
    assert.equal(jan!.amount.currency, 'GBP');

    const [feb] = run(PER_SHIFT, ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'], { stretches });
    assert.deepEqual(feb!.standbyHours, { weekday: 9, weekend: 24, publicHoliday: 0 });
    assert.deepEqual(
      feb!.shifts,
      { weekday: 0, weekend: 1, publicHoliday: 0 },
      'Sunday 09:00 to Monday 09:00 is Sunday 1 February’s shift',
    );
    assert.equal(feb!.amount.minor, 4000);
  });

  test('overnight and weekend rotas: a shift runs from its handover, up to a day, by the day it begins', () => {
    const period: [string, string] = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'];
    // Tuesday 13 January 17:00 to Wednesday 09:00: one weekday shift of 16 hours.
    const [evening] = run(PER_SHIFT, period, {
      stretches: [stretch('A', local(LONDON, 2026, 1, 13, 17), local(LONDON, 2026, 1, 14, 9))],
    });
    assert.deepEqual(evening!.shifts, { weekday: 1, weekend: 0, publicHoliday: 0 });
    assert.deepEqual(evening!.standbyHours, { weekday: 16, weekend: 0, publicHoliday: 0 });
    // A 12-hour night, 20:00 to 08:00, and a 12-hour day, 08:00 to 20:00: a shift each.
    const [night] = run(PER_SHIFT, period, {
      stretches: [stretch('A', local(LONDON, 2026, 1, 13, 20), local(LONDON, 2026, 1, 14, 8))],
    });
    assert.deepEqual(night!.shifts, { weekday: 1, weekend: 0, publicHoliday: 0 });
    const [day] = run(PER_SHIFT, period, {
      stretches: [stretch('A', local(LONDON, 2026, 1, 13, 8), local(LONDON, 2026, 1, 13, 20))],
    });
    assert.deepEqual(day!.shifts, { weekday: 1, weekend: 0, publicHoliday: 0 });
    // Friday 16 January 17:00 to Monday 19th 09:00: Friday's 24 hours (a weekday's), then Saturday's
    // and Sunday's (16 hours, to the Monday handover).
    const [weekend] = run(PER_SHIFT, period, {
      stretches: [stretch('A', local(LONDON, 2026, 1, 16, 17), local(LONDON, 2026, 1, 19, 9))],
    });
    assert.deepEqual(weekend!.shifts, { weekday: 1, weekend: 2, publicHoliday: 0 });
    assert.equal(weekend!.amount.minor, 2500 + 2 * 4000);
    // A week from Monday 09:00, with someone else covering Wednesday 12:00 to 13:00: still seven shifts.
    const [week] = run(PER_SHIFT, period, {
      stretches: [
        stretch('A', local(LONDON, 2026, 1, 19, 9), local(LONDON, 2026, 1, 21, 12)),
        stretch('A', local(LONDON, 2026, 1, 21, 13), local(LONDON, 2026, 1, 26, 9)),
      ],
    });
    assert.deepEqual(week!.shifts, { weekday: 5, weekend: 2, publicHoliday: 0 });
    // Eleven hours is short of the 12-hour minimum.
    const [short] = run(PER_SHIFT, period, {
      stretches: [stretch('A', local(LONDON, 2026, 1, 13, 21), local(LONDON, 2026, 1, 14, 8))],
    });
    assert.deepEqual(short!.shifts, { weekday: 0, weekend: 0, publicHoliday: 0 });
  });

  test('an overnight shift across month end is the month’s it began in; the next month pays none of it', () => {
    // Saturday 31 January 20:00 to Sunday 1 February 08:00.
    const stretches = [stretch('A', local(LONDON, 2026, 1, 31, 20), local(LONDON, 2026, 2, 1, 8))];
    const [jan] = run(PER_SHIFT, ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'], { stretches });
    const [feb] = run(PER_SHIFT, ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'], { stretches });
    assert.deepEqual(jan!.shifts, { weekday: 0, weekend: 1, publicHoliday: 0 });
    assert.deepEqual(feb!.shifts, { weekday: 0, weekend: 0, publicHoliday: 0 });
    // The hours stay each month's own, as the load report has them.
    assert.deepEqual([jan!.onCallHours, feb!.onCallHours], [4, 8]);
  });

  test('on call without a break for two months: each month pays the shifts begun in it', () => {
    // 09:00 on 20 December to 09:00 on 20 February, without a break.
    const stretches = [stretch('A', local(LONDON, 2025, 12, 20, 9), local(LONDON, 2026, 2, 20, 9))];
    const [jan] = run(PER_SHIFT, ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'], { stretches });
    const [feb] = run(PER_SHIFT, ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'], { stretches });
    const total = (p: PersonAllowance) => p.shifts!.weekday + p.shifts!.weekend + p.shifts!.publicHoliday;
    // January's are cut from the start, 09:00 on 20 December: 31 begin in January (1 January 09:00 …
    // 31 January 09:00), New Year's Day a public holiday. February's start is further back than
    // SHIFT_MARGIN_MS (15 days), so they are cut from 00:00 on 17 January: 19 begin in February (the
    // 20th's nine hours are short of a shift). Either way a day of the month begins one shift.
    assert.equal(total(jan!), 31);
    assert.equal(jan!.shifts!.publicHoliday, 1);
    assert.equal(total(feb!), 19);
  });

  test('days are cut at midnight in the responder’s own zone', () => {
    // 15:00 Monday to 03:00 Tuesday in New York: 9 hours on Monday, 3 on Tuesday; to London it would be all Monday night.
    const stretches = [stretch('N', local(NEW_YORK, 2026, 3, 2, 15), local(NEW_YORK, 2026, 3, 3, 3))];
    const [n] = run(PER_HOUR, ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'], {
      people: [person('N', NEW_YORK)],
      stretches,
    });
    assert.equal(n!.timeZone, NEW_YORK);
    assert.deepEqual(n!.standbyHours, { weekday: 12, weekend: 0, publicHoliday: 0 });
    // A Friday 15:00 to Saturday 03:00 in New York splits 9 weekday / 3 weekend hours.
    const [f] = run(PER_HOUR, ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'], {
      people: [person('N', NEW_YORK)],
      stretches: [stretch('N', local(NEW_YORK, 2026, 3, 6, 15), local(NEW_YORK, 2026, 3, 7, 3))],
    });
    assert.deepEqual(f!.standbyHours, { weekday: 9, weekend: 3, publicHoliday: 0 });
    assert.equal(f!.amount.minor, 9 * 150 + 3 * 200);
  });

  test('daylight saving in London: the last Sunday of March has 23 hours, of October 25', () => {
    const period: [string, string] = ['2026-03-01T00:00:00Z', '2026-11-01T00:00:00Z'];
    // Saturday 28 March 12:00 GMT to Monday 30 March 12:00 BST: 12 + 23 + 12 = 47 real hours. Two
    // shifts from the handover, both begun on the weekend: Saturday 12:00 to Sunday 12:00 (23 real
    // hours: the clocks go forward) and Sunday 12:00 to Monday 12:00.
    const [spring] = run(PER_SHIFT, period, {
      stretches: [stretch('A', local(LONDON, 2026, 3, 28, 12), local(LONDON, 2026, 3, 30, 12))],
    });
    assert.equal(spring!.onCallHours, 47);
    assert.deepEqual(spring!.standbyHours, { weekday: 12, weekend: 35, publicHoliday: 0 });
    assert.deepEqual(spring!.shifts, { weekday: 0, weekend: 2, publicHoliday: 0 });

    // All of Sunday 25 October: 25 real hours, one shift.
    const [autumn] = run(PER_HOUR, period, {
      stretches: [stretch('A', local(LONDON, 2026, 10, 25), local(LONDON, 2026, 10, 26))],
    });
    assert.equal(autumn!.onCallHours, 25);
    assert.deepEqual(autumn!.standbyHours, { weekday: 0, weekend: 25, publicHoliday: 0 });
    assert.equal(autumn!.amount.minor, 25 * 200);

    // Just the repeated hour's night: Sunday 00:30 to 02:30 local is 3 real hours.
    const [night] = run(PER_HOUR, period, {
      stretches: [stretch('A', local(LONDON, 2026, 10, 25, 0, 30), local(LONDON, 2026, 10, 25, 2, 30))],
    });
    assert.equal(night!.standbyHours.weekend, 3);
  });

  test('Christmas 2027 on a Saturday: the substitute Monday and Tuesday are paid as public holidays', () => {
    const stretches = [stretch('A', '2027-12-24T00:00:00Z', '2027-12-29T00:00:00Z')];
    const period: [string, string] = ['2027-12-01T00:00:00Z', '2028-01-01T00:00:00Z'];
    const [a] = run(PER_SHIFT, period, { stretches });
    // Friday 24th a weekday; Saturday 25th, Sunday 26th (Boxing Day), Monday 27th and Tuesday 28th (substitutes) holidays.
    assert.deepEqual(a!.shifts, { weekday: 1, weekend: 0, publicHoliday: 4 });
    assert.deepEqual(a!.standbyHours, { weekday: 24, weekend: 0, publicHoliday: 96 });
    assert.equal(a!.amount.minor, 2500 + 4 * 6000);

    const [company] = run(`${PER_SHIFT}companyHolidays: [2027-12-24]\n`, period, { stretches });
    assert.deepEqual(company!.shifts, { weekday: 0, weekend: 0, publicHoliday: 5 });
  });

  test('two overlapping schedules for one person are paid once', () => {
    const stretches = [
      stretch('A', '2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z', 'primary'),
      stretch('A', '2026-01-05T12:00:00Z', '2026-01-06T12:00:00Z', 'secondary'),
    ];
    const period: [string, string] = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'];
    const [hourly] = run(PER_HOUR, period, { stretches });
    assert.equal(hourly!.onCallHours, 36);
    assert.equal(hourly!.amount.minor, 36 * 150);
    const [shifts] = run(PER_SHIFT, period, { stretches });
    assert.deepEqual(shifts!.shifts, { weekday: 2, weekend: 0, publicHoliday: 0 }, 'Monday and Tuesday, once each');
  });

  test('a schedule’s or team’s rules by name; everyone in the scope gets a row', () => {
    const rules = `${PER_HOUR}schedules:\n  Pharmacy Primary:\n    standby: { per: hour, weekday: 10, weekend: 10, publicHoliday: 10 }\n`;
    const stretches = [stretch('A', '2026-01-05T00:00:00Z', '2026-01-05T02:00:00Z')];
    const people = [person('A'), person('B')];
    const period: [string, string] = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'];
    const [a, b] = run(rules, period, { people, stretches, scope: { schedule: 'pharmacy primary' } });
    assert.equal(a!.amount.minor, 2 * 1000);
    assert.equal(b!.amount.minor, 0);
    assert.equal(b!.onCallHours, 0);
    const [d] = run(rules, period, { people, stretches, scope: { schedule: 'Other' } });
    assert.equal(d!.amount.minor, 2 * 150);
  });
  test('a shift begun near month end (a responder zones away from the team) is paid once, in the month it begins', () => {
    // The months are London's; Tokyo's Sunday 1 February runs 15:00 Saturday to 15:00 Sunday UTC:
    // 9 hours in January, 15 in February. On call from Friday 30 January to Tuesday 3 February, Tokyo time.
    const TOKYO = 'Asia/Tokyo';
    const stretches = [stretch('T', local(TOKYO, 2026, 1, 30), local(TOKYO, 2026, 2, 3))];
    const data = { people: [person('T', TOKYO)], stretches };
    const total = (p: PersonAllowance) => p.shifts!.weekday + p.shifts!.weekend + p.shifts!.publicHoliday;
    for (const minimumHours of [8, 12, 16, 24]) {
      const rules = PER_SHIFT.replace('minimumHours: 12', `minimumHours: ${minimumHours}`);
      const [jan] = run(rules, ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'], data);
      const [feb] = run(rules, ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'], data);
      const [both] = run(rules, ['2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'], data);
      assert.equal(total(both!), 4, `${minimumHours} h: four whole Tokyo days`);
      assert.equal(total(jan!) + total(feb!), total(both!), `${minimumHours} h: January + February`);
      // Tokyo's Sunday 1 February begins at 15:00 on London's Saturday 31 January: January's shift.
      assert.deepEqual(feb!.shifts, { weekday: 1, weekend: 0, publicHoliday: 0 }, `${minimumHours} h`);
      assert.deepEqual(jan!.shifts, { weekday: 1, weekend: 2, publicHoliday: 0 }, `${minimumHours} h`);
      // The hours stay each month's own: they reconcile with the load report.
      assert.equal(jan!.onCallHours + feb!.onCallHours, both!.onCallHours);
    }
  });
});

describe('callouts and time off', () => {
  test('a page at 06:59 interrupts the night, one at 07:00 does not; both are out of hours', () => {
    const pages = [page('A', local(LONDON, 2026, 1, 13, 6, 59)), page('A', local(LONDON, 2026, 1, 14, 7, 0))];
    const [a] = run(PER_SHIFT, ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'], { pages });
    assert.equal(a!.outOfHoursPages, 2);
    assert.equal(a!.callouts, 2);
    assert.equal(a!.nightsInterrupted, 1);
    assert.equal(a!.timeOffHours, 2);
    assert.deepEqual(
      a!.breakdown.filter((l) => l.item === 'callout'),
      [{ item: 'callout', kind: null, unit: 'page', quantity: 2, rate: 3000, amount: 6000 }],
    );
    assert.equal(a!.amount.minor, 6000);
  });

  test('a page in working hours is no callout; two pages in one night are one night off', () => {
    const pages = [
      page('A', local(LONDON, 2026, 1, 13, 10, 0)),
      page('A', local(LONDON, 2026, 1, 13, 23, 0)),
      page('A', local(LONDON, 2026, 1, 14, 2, 0)),
    ];
    const [a] = run(PER_SHIFT, ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'], { pages });
    assert.equal(a!.pages, 3);
    assert.equal(a!.callouts, 2);
    assert.equal(a!.nightsInterrupted, 1);
    assert.equal(a!.timeOffHours, 2);
  });

  test('per incident: worked at least the minimum in all, paid once, in the month the work began', () => {
    const rules = `currency: GBP\nregion: england-and-wales\ndefaults:\n  callout: { per: incident, amount: 50, minimumMinutes: 15 }\n`;
    const incidentWork = [
      work('A', 'I1', '2026-01-10T10:00:00Z', '2026-01-10T10:20:00Z'), // 20 minutes: paid
      work('A', 'I2', '2026-01-11T10:00:00Z', '2026-01-11T10:10:00Z'), // 10 minutes: not
      work('A', 'I3', '2026-01-12T10:00:00Z', '2026-01-12T10:10:00Z'), // 10 + 10 minutes in two goes: paid once
      work('A', 'I3', '2026-01-12T11:00:00Z', '2026-01-12T11:10:00Z'),
      work('A', 'I4', '2025-12-31T23:00:00Z', '2026-01-01T02:00:00Z'), // began in December: December's
      work('A', 'I5', '2026-01-31T23:50:00Z', '2026-02-01T01:00:00Z'), // begins in January, 70 minutes: January's
    ];
    const [jan] = run(rules, ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'], { incidentWork });
    assert.equal(jan!.callouts, 3);
    assert.equal(jan!.amount.minor, 3 * 5000);
    const [dec] = run(rules, ['2025-12-01T00:00:00Z', '2026-01-01T00:00:00Z'], { incidentWork });
    assert.equal(dec!.callouts, 1);
    const [feb] = run(rules, ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'], { incidentWork });
    assert.equal(feb!.callouts, 0);
  });
  test('a night across month end (23:00 on the 31st, 02:00 on the 1st) earns time off once, in the month of its first page', () => {
    const pages = [page('A', '2026-01-31T23:00:00Z'), page('A', '2026-02-01T02:00:00Z')];
    const [jan] = run(PER_SHIFT, ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'], { pages });
    const [feb] = run(PER_SHIFT, ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'], { pages });
    assert.equal(jan!.nightsInterrupted, 1);
    assert.equal(jan!.timeOffHours, 2);
    assert.equal(feb!.nightsInterrupted, 0, 'the night began in January and is paid there');
    assert.equal(feb!.timeOffHours, 0);
    // The 02:00 page is still February's page and callout.
    assert.equal(feb!.pages, 1);
    assert.equal(feb!.callouts, 1);
    // A night that begins in February is February's.
    const [later] = run(PER_SHIFT, ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'], {
      pages: [...pages, page('A', '2026-02-01T23:30:00Z')],
    });
    assert.equal(later!.nightsInterrupted, 1);
  });
});

describe('rounding', () => {
  const rules = (rounding: string) =>
    `currency: GBP\nrounding: ${rounding}\nregion: england-and-wales\ndefaults:\n  standby: { per: hour, weekday: 1.55, weekend: 1.55, publicHoliday: 1.55 }\n`;
  // 7 minutes at £1.55 an hour is 18.083p; 4 weekday hours and 7 minutes is 638.08p.
  const stretches = [stretch('A', '2026-01-05T10:00:00Z', '2026-01-05T14:07:00Z')];
  const period: [string, string] = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'];

  test('nearest penny, up to the penny, nearest pound, per line of the breakdown', () => {
    assert.equal(run(rules('nearest-penny'), period, { stretches })[0]!.amount.minor, 638);
    assert.equal(run(rules('up-to-penny'), period, { stretches })[0]!.amount.minor, 639);
    assert.equal(run(rules('nearest-pound'), period, { stretches })[0]!.amount.minor, 600);
  });

  test('each line is rounded and the amount is their sum', () => {
    // 10 minutes on a weekday (25.83p) and 10 on Saturday (25.83p): 26 + 26, not round(51.67) = 52 by chance; use up-to-penny to tell.
    const split = [stretch('A', '2026-01-09T23:50:00Z', '2026-01-10T00:10:00Z')];
    const [a] = run(rules('up-to-penny'), period, { stretches: split });
    assert.deepEqual(standbyLines(a!), [
      ['weekday', 1 / 6, 26],
      ['weekend', 1 / 6, 26],
      ['publicHoliday', 0, 0],
    ]);
    assert.equal(a!.amount.minor, 52);
  });
});

describe('reconciles with the load report', () => {
  const ZONES = [LONDON, NEW_YORK, 'Asia/Kolkata', 'Australia/Adelaide', null, 'Not/AZone'];
  const FROM = Date.parse('2026-03-01T00:00:00Z');
  const TO = Date.parse('2026-11-01T00:00:00Z');
  const SPAN = TO - FROM;

  test('on-call hours, pages, out-of-hours pages and interrupted nights equal computeLoad’s on generated data', () => {
    const instant = fc.integer({ min: FROM - 5 * 86_400_000, max: TO + 5 * 86_400_000 });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...ZONES), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(3), instant, fc.integer({ min: 0, max: 10 * 86_400_000 }), fc.boolean()), {
          maxLength: 20,
        }),
        fc.array(fc.tuple(fc.nat(3), fc.integer({ min: FROM - 86_400_000, max: TO + 86_400_000 })), { maxLength: 60 }),
        fc.integer({ min: 0, max: 60 }),
        (zones, rawStretches, rawPages, cut) => {
          const people = zones.map((z, i) => person(`P${i}`, z));
          const stretches = rawStretches.map(([who, start, length, second]) =>
            stretch(`P${who % people.length}`, new Date(start), new Date(start + length), second ? 'S2' : 'S1'),
          );
          const pages = rawPages.map(([who, ms]) => page(`P${who % people.length}`, new Date(ms)));
          // Pages given twice count once in both reports.
          if (pages.length > 0) pages.push({ ...pages[0]! });
          // A period starting anywhere in the first 60 days.
          const from = new Date(FROM + Math.floor((cut / 60) * (SPAN / 4)));
          const to = new Date(TO);
          const rules = parsePayRules(PER_SHIFT);
          const input = {
            from,
            to,
            teamTimeZone: LONDON,
            workingHours: DEFAULT_WORKING_HOURS,
            people,
            stretches,
            pages,
            incidentWork: [],
          };
          const load = computeLoad(input);
          const allowances = computeAllowances({ ...input, rules, scope: {} });
          // A local day the period's start cuts is judged whole: its hours may lie a day either side.
          const DAY = 86_400_000;
          const around = computeLoad({ ...input, from: new Date(from.getTime() - DAY), to: new Date(TO + DAY) });
          const hoursAround = new Map(around.responders.map((r) => [r.personId, r.onCallHours]));
          assert.equal(allowances.people.length, load.responders.length);
          const byId = new Map(load.responders.map((r) => [r.personId, r]));
          for (const p of allowances.people) {
            const r = byId.get(p.personId)!;
            assert.equal(p.timeZone, r.timeZone);
            assert.equal(p.onCallHours, r.onCallHours);
            const split = p.standbyHours.weekday + p.standbyHours.weekend + p.standbyHours.publicHoliday;
            assert.ok(Math.abs(split - r.onCallHours) < 1e-9, `${split} vs ${r.onCallHours}`);
            assert.equal(p.pages, r.pages);
            assert.equal(p.outOfHoursPages, r.outOfHoursPages);
            assert.equal(p.callouts, r.outOfHoursPages);
            assert.equal(p.nightsInterrupted, r.nightsInterrupted);
            assert.equal(p.timeOffHours, 2 * r.nightsInterrupted);
            assert.equal(
              p.amount.minor,
              p.breakdown.reduce((s, l) => s + l.amount, 0),
            );
            const shifts = p.shifts!;
            // A shift is at least 12 hours: never more shifts than on-call hours allow (those of the
            // shifts begun in the period, which reach at most a day past its end).
            assert.ok(
              (shifts.weekday + shifts.weekend + shifts.publicHoliday) * 12 <= hoursAround.get(p.personId)! + 1e-9,
            );
          }
          assert.ok(Math.abs(allowances.totals.onCallHours - load.totals.onCallHours) < 1e-6);
          // Cut in two anywhere (a month end): shifts and nights off add up, none in both halves or neither.
          const mid = new Date(from.getTime() + Math.floor((TO - from.getTime()) * (cut / 61)));
          const first = computeAllowances({ ...input, to: mid, rules, scope: {} });
          const second = computeAllowances({ ...input, from: mid, rules, scope: {} });
          const sum = (r: typeof allowances, f: (p: PersonAllowance) => number) =>
            r.people.reduce((n, p) => n + f(p), 0);
          const shiftCount = (p: PersonAllowance) => p.shifts!.weekday + p.shifts!.weekend + p.shifts!.publicHoliday;
          assert.equal(sum(first, shiftCount) + sum(second, shiftCount), sum(allowances, shiftCount));
          const nights = (p: PersonAllowance) => p.nightsInterrupted;
          assert.equal(sum(first, nights) + sum(second, nights), sum(allowances, nights));
        },
      ),
      { numRuns: 150 },
    );
  });
});
