import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TZDate } from '@date-fns/tz';
import { AppError } from '../../src/domain/errors.ts';
import {
  compareLoad,
  computeLoad,
  gini,
  previousPeriod,
  type IncidentWork,
  type LoadInput,
  type ResponderLoad,
} from '../../src/domain/on-call-load.ts';
import { DEFAULT_WORKING_HOURS, parseWorkingHours } from '../../src/domain/working-hours.ts';
import type { OnCallPerson, OnCallStretch, PageEvent } from '../../src/domain/on-call-load.ts';

const at = (iso: string) => new Date(iso);
const H = 3_600_000;
const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const KOLKATA = 'Asia/Kolkata';
const ADELAIDE = 'Australia/Adelaide';

/** The instant of a local wall time in a zone (month 1-12). */
function local(zone: string, y: number, mo: number, d: number, h = 0, mi = 0): Date {
  return new Date(new TZDate(y, mo - 1, d, h, mi, zone).getTime());
}

const person = (id: string, timeZone: string | null = LONDON, name = id): OnCallPerson => ({
  id,
  name,
  email: null,
  timeZone,
});

let pageSeq = 0;
function page(userId: string, when: Date | string, extra: Partial<PageEvent> = {}): PageEvent {
  pageSeq += 1;
  return {
    id: `LE${pageSeq}`,
    incidentId: `PI${pageSeq}`,
    userId,
    at: typeof when === 'string' ? at(when) : when,
    kind: 'assigned',
    serviceId: null,
    ...extra,
  };
}

const stretch = (userId: string, start: Date | string, end: Date | string, level = 1): OnCallStretch => ({
  userId,
  scheduleId: 'S1',
  escalationPolicyId: null,
  level,
  start: typeof start === 'string' ? at(start) : start,
  end: typeof end === 'string' ? at(end) : end,
});

const work = (
  personId: string,
  incidentId: string,
  start: string,
  end: string,
  roles: string[] = [],
): IncidentWork => ({
  personId,
  incidentId,
  roles,
  start: at(start),
  end: at(end),
});

/** A whole year around the 2026 DST changes unless the test says otherwise. */
function input(overrides: Partial<LoadInput>): LoadInput {
  return {
    from: at('2026-01-01T00:00:00Z'),
    to: at('2027-01-01T00:00:00Z'),
    teamTimeZone: LONDON,
    workingHours: DEFAULT_WORKING_HOURS,
    people: [],
    stretches: [],
    pages: [],
    incidentWork: [],
    ...overrides,
  };
}

function row(report: { responders: ResponderLoad[] }, id: string): ResponderLoad {
  const r = report.responders.find((x) => x.personId === id);
  assert.ok(r, `no row for ${id}`);
  return r;
}

/** Night/out-of-hours classification of single pages: one person per page so each row is one page. */
function classify(zone: string, instants: Date[], workingHours = DEFAULT_WORKING_HOURS) {
  const people = instants.map((_, i) => person(`P${i}`, zone));
  const report = computeLoad(
    input({ teamTimeZone: zone, workingHours, people, pages: instants.map((t, i) => page(`P${i}`, t)) }),
  );
  return instants.map((_, i) => {
    const r = row(report, `P${i}`);
    return { night: r.nightPages === 1, outOfHours: r.outOfHoursPages === 1 };
  });
}

/** [weekday 0 = Monday, hour] cells of the heatmap holding pages, as `d:h=n`. */
function heatCells(heatmap: number[][]): string[] {
  const cells: string[] = [];
  for (const [d, hours] of heatmap.entries()) for (const [h, n] of hours.entries()) if (n) cells.push(`${d}:${h}=${n}`);
  return cells;
}

describe('on-call hours', () => {
  test('a local day on the London spring-forward day is 23 hours, on the fall-back day 25', () => {
    const springStart = local(LONDON, 2026, 3, 29);
    const springEnd = local(LONDON, 2026, 3, 30);
    const fallStart = local(LONDON, 2026, 10, 25);
    const fallEnd = local(LONDON, 2026, 10, 26);
    // Pinned, so the test does not just agree with itself.
    assert.equal(springStart.toISOString(), '2026-03-29T00:00:00.000Z');
    assert.equal(springEnd.toISOString(), '2026-03-29T23:00:00.000Z');
    assert.equal(fallStart.toISOString(), '2026-10-24T23:00:00.000Z');
    assert.equal(fallEnd.toISOString(), '2026-10-26T00:00:00.000Z');
    const report = computeLoad(
      input({
        people: [person('SPRING'), person('FALL'), person('NORMAL')],
        stretches: [
          stretch('SPRING', springStart, springEnd),
          stretch('FALL', fallStart, fallEnd),
          stretch('NORMAL', local(LONDON, 2026, 6, 1), local(LONDON, 2026, 6, 2)),
        ],
      }),
    );
    assert.equal(row(report, 'SPRING').onCallHours, 23);
    assert.equal(row(report, 'FALL').onCallHours, 25);
    assert.equal(row(report, 'NORMAL').onCallHours, 24);
    assert.equal(report.totals.onCallHours, 72);
  });

  test('overlapping stretches are a union, clipped to the period; others ignored', () => {
    const report = computeLoad(
      input({
        from: at('2026-06-01T00:00:00Z'),
        to: at('2026-06-08T00:00:00Z'),
        people: [person('A'), person('B'), person('C')],
        stretches: [
          stretch('A', '2026-06-02T00:00:00Z', '2026-06-02T08:00:00Z', 1),
          stretch('A', '2026-06-02T04:00:00Z', '2026-06-02T12:00:00Z', 2), // overlaps: +4 h
          stretch('A', '2026-06-02T05:00:00Z', '2026-06-02T06:00:00Z', 3), // inside: +0
          stretch('A', '2026-06-02T12:00:00Z', '2026-06-02T14:00:00Z', 1), // adjacent: +2
          stretch('A', '2026-06-02T12:00:00Z', '2026-06-02T14:00:00Z', 1), // the same again: +0
          stretch('B', '2026-05-31T20:00:00Z', '2026-06-01T03:30:00Z'), // clipped at from: 3.5 h
          stretch('B', '2026-06-07T22:00:00Z', '2026-06-09T00:00:00Z'), // clipped at to: 2 h
          stretch('B', '2026-05-20T00:00:00Z', '2026-05-21T00:00:00Z'), // before: ignored
          stretch('B', '2026-06-08T00:00:00Z', '2026-06-09T00:00:00Z'), // from `to` on: ignored
          stretch('B', '2026-06-03T00:00:00Z', '2026-06-03T00:00:00Z'), // empty
          stretch('NOT-IN-SCOPE', '2026-06-02T00:00:00Z', '2026-06-03T00:00:00Z'),
        ],
      }),
    );
    assert.equal(row(report, 'A').onCallHours, 14);
    assert.equal(row(report, 'B').onCallHours, 5.5);
    assert.equal(row(report, 'C').onCallHours, 0);
    assert.equal(report.responders.length, 3);
    assert.equal(report.totals.onCallHours, 19.5);
  });
});

describe('pages, nights and out of hours', () => {
  // 2026-06-01 is a Monday; London is on BST (+01:00).
  test('23:30 Monday and 02:00 Tuesday are one night (Monday’s); night is [22:00, 07:00)', () => {
    const report = computeLoad(
      input({
        people: [person('A')],
        pages: [
          page('A', local(LONDON, 2026, 6, 1, 23, 30)),
          page('A', local(LONDON, 2026, 6, 2, 2, 0)),
          page('A', local(LONDON, 2026, 6, 2, 6, 59)), // still Monday's night
          page('A', local(LONDON, 2026, 6, 2, 7, 0)), // day
          page('A', local(LONDON, 2026, 6, 2, 21, 59)), // day
          page('A', local(LONDON, 2026, 6, 2, 22, 0)), // Tuesday's night
        ],
      }),
    );
    const a = row(report, 'A');
    assert.equal(a.pages, 6);
    assert.equal(a.nightPages, 4);
    assert.equal(a.nightsInterrupted, 2);
    // 07:00 and 21:59 on a Tuesday are outside 09:00-17:30 too: every page is out of hours.
    assert.equal(a.outOfHoursPages, 6);
    assert.equal(a.load, 6 + 6 + 2 * 4);
  });

  test('the first night of the period can begin before it: a 01:00 page on the first day is the night before', () => {
    const report = computeLoad(
      input({
        from: local(LONDON, 2026, 6, 2),
        to: local(LONDON, 2026, 6, 3),
        people: [person('A')],
        pages: [page('A', local(LONDON, 2026, 6, 2, 1)), page('A', local(LONDON, 2026, 6, 2, 23))],
      }),
    );
    assert.equal(row(report, 'A').nightsInterrupted, 2);
  });

  test('re-pages each count, the same log entry twice counts once, a night counts once', () => {
    const report = computeLoad(
      input({
        people: [person('A'), person('B')],
        pages: [
          page('A', '2026-06-01T23:00:00Z', { id: 'L1', incidentId: 'I1' }),
          page('A', '2026-06-01T23:10:00Z', { id: 'L2', incidentId: 'I1', kind: 'escalated' }),
          page('A', '2026-06-01T23:10:00Z', { id: 'L2', incidentId: 'I1', kind: 'escalated' }), // duplicate entry
          page('B', '2026-06-01T23:10:00Z', { id: 'L2', incidentId: 'I1', kind: 'escalated' }), // same entry, other person
        ],
      }),
    );
    assert.equal(row(report, 'A').pages, 2);
    assert.equal(row(report, 'A').nightsInterrupted, 1);
    assert.equal(row(report, 'B').pages, 1);
    assert.equal(report.totals.pages, 3);
  });

  test('pages outside the period or of people not in scope are ignored', () => {
    const from = at('2026-06-01T00:00:00Z');
    const to = at('2026-06-02T00:00:00Z');
    const report = computeLoad(
      input({
        from,
        to,
        people: [person('A')],
        pages: [
          page('A', from), // included: the period is [from, to)
          page('A', '2026-06-01T12:00:00Z'),
          page('A', to), // excluded
          page('A', '2026-05-31T23:59:59Z'),
          page('A', new Date(Number.NaN)),
          page('STRANGER', '2026-06-01T12:00:00Z'),
        ],
      }),
    );
    assert.equal(report.responders.length, 1);
    assert.equal(row(report, 'A').pages, 2);
    assert.equal(report.totals.pages, 2);
    assert.equal(
      report.heatmap.flat().reduce((a, b) => a + b, 0),
      2,
    );
  });

  test('out of hours: weekends, before the start, from the end on', () => {
    // Monday 2026-06-01 … Sunday 2026-06-07, London.
    const [d, l] = [DEFAULT_WORKING_HOURS, (day: number, h: number, m = 0) => local(LONDON, 2026, 6, day, h, m)];
    assert.deepEqual(
      classify(
        LONDON,
        [l(1, 8, 59), l(1, 9, 0), l(3, 12, 0), l(5, 17, 29), l(5, 17, 30), l(6, 12, 0), l(7, 10, 0)],
        d,
      ).map((c) => c.outOfHours),
      [true, false, false, false, true, true, true],
    );
  });

  test('out of hours with parsed working hours, on other days and hours', () => {
    const wh = parseWorkingHours('Mon,Wed,Fri 08:00-16:00');
    const l = (day: number, h: number, m = 0) => local(LONDON, 2026, 6, day, h, m);
    assert.deepEqual(
      classify(LONDON, [l(1, 8, 0), l(2, 12, 0), l(3, 15, 59), l(3, 16, 0), l(5, 7, 59), l(6, 12, 0)], wh).map(
        (c) => c.outOfHours,
      ),
      [false, true, false, true, true, true],
    );
    const allWeek = parseWorkingHours('Mon-Sun 07:00-19:00');
    assert.deepEqual(
      classify(LONDON, [l(6, 7, 0), l(7, 18, 59), l(7, 19, 0)], allWeek).map((c) => c.outOfHours),
      [false, false, true],
    );
  });

  test('night and out of hours are counted independently', () => {
    // Round-the-clock working hours: a night page is not out of hours.
    const wh = parseWorkingHours('Mon-Sun 00:00-24:00');
    assert.deepEqual(classify(LONDON, [local(LONDON, 2026, 6, 2, 3)], wh), [{ night: true, outOfHours: false }]);
  });

  test('the same instant is night in New York and working hours in Kolkata', () => {
    const instant = at('2026-06-02T04:00:00Z'); // 00:00 EDT Tuesday; 09:30 IST Tuesday
    const report = computeLoad(
      input({
        people: [person('NY', NEW_YORK), person('IN', KOLKATA)],
        pages: [page('NY', instant), page('IN', instant)],
      }),
    );
    assert.deepEqual(
      [row(report, 'NY').nightPages, row(report, 'NY').outOfHoursPages, row(report, 'NY').nightsInterrupted],
      [1, 1, 1],
    );
    assert.deepEqual(
      [row(report, 'IN').nightPages, row(report, 'IN').outOfHoursPages, row(report, 'IN').nightsInterrupted],
      [0, 0, 0],
    );
    assert.equal(row(report, 'NY').timeZone, NEW_YORK);
    assert.equal(row(report, 'IN').timeZone, KOLKATA);
  });

  test('a responder without a valid zone is classified in the team zone', () => {
    const instant = at('2026-06-02T04:00:00Z'); // 05:00 BST: night in London
    const report = computeLoad(
      input({
        teamTimeZone: LONDON,
        people: [person('NONE', null), person('BAD', 'Mars/Olympus_Mons'), person('EMPTY', ''), person('IN', KOLKATA)],
        pages: ['NONE', 'BAD', 'EMPTY', 'IN'].map((id) => page(id, instant)),
      }),
    );
    for (const id of ['NONE', 'BAD', 'EMPTY']) {
      assert.equal(row(report, id).timeZone, LONDON);
      assert.equal(row(report, id).nightPages, 1, id);
    }
    assert.equal(row(report, 'IN').nightPages, 0);
  });
});

describe('local time across DST and in half-hour zones (pinned)', () => {
  test('Europe/London spring forward 2026-03-29 01:00 UTC (01:00 GMT → 02:00 BST)', () => {
    assert.deepEqual(
      classify(LONDON, [at('2026-03-28T06:30:00Z'), at('2026-03-29T06:30:00Z')]).map((c) => c.night),
      [true, false], // 06:30 GMT is night; the same UTC time the next day is 07:30 BST
    );
    const report = computeLoad(
      input({
        people: [person('A')],
        pages: [at('2026-03-29T00:59:00Z'), at('2026-03-29T01:00:00Z'), at('2026-03-29T01:59:59Z')].map((t) =>
          page('A', t),
        ),
      }),
    );
    // Sunday (6): 00:59 GMT, then 02:00 and 02:59:59 BST: no page at local 01:xx.
    assert.deepEqual(heatCells(report.heatmap), ['6:0=1', '6:2=2']);
  });

  test('Europe/London fall back 2026-10-25 01:00 UTC (02:00 BST → 01:00 GMT)', () => {
    assert.deepEqual(
      classify(LONDON, [at('2026-10-24T06:30:00Z'), at('2026-10-25T06:30:00Z')]).map((c) => c.night),
      [false, true], // 07:30 BST, then 06:30 GMT
    );
    const report = computeLoad(
      input({
        people: [person('A')],
        // 01:30 BST, then 01:30 GMT: the local hour 01 happens twice.
        pages: [
          at('2026-10-25T00:30:00Z'),
          at('2026-10-25T01:30:00Z'),
          at('2026-10-25T00:59:59.999Z'),
          at('2026-10-25T01:00:00Z'),
        ].map((t) => page('A', t)),
      }),
    );
    assert.deepEqual(heatCells(report.heatmap), ['6:1=4']);
  });

  test('America/New_York 2026-03-08 (07:00 UTC) and 2026-11-01 (06:00 UTC)', () => {
    assert.deepEqual(
      classify(NEW_YORK, [
        at('2026-03-07T11:30:00Z'), // 06:30 EST Sat: night
        at('2026-03-08T11:30:00Z'), // 07:30 EDT Sun: not
        at('2026-10-31T11:30:00Z'), // 07:30 EDT Sat: not
        at('2026-11-01T11:30:00Z'), // 06:30 EST Sun: night
      ]).map((c) => c.night),
      [true, false, false, true],
    );
    const report = computeLoad(
      input({
        teamTimeZone: NEW_YORK,
        people: [person('A', NEW_YORK)],
        pages: [
          at('2026-03-08T06:59:00Z'), // 01:59 EST
          at('2026-03-08T07:00:00Z'), // 03:00 EDT
          at('2026-11-01T05:30:00Z'), // 01:30 EDT
          at('2026-11-01T06:30:00Z'), // 01:30 EST
          at('2026-11-01T07:00:00Z'), // 02:00 EST
        ].map((t) => page('A', t)),
      }),
    );
    assert.deepEqual(heatCells(report.heatmap), ['6:1=3', '6:2=1', '6:3=1']);
  });

  test('Asia/Kolkata is +05:30 all year', () => {
    assert.deepEqual(
      classify(KOLKATA, [
        at('2026-06-01T16:29:00Z'), // 21:59
        at('2026-06-01T16:30:00Z'), // 22:00
        at('2026-06-02T01:29:00Z'), // 06:59
        at('2026-06-02T01:30:00Z'), // 07:00
        at('2026-06-02T03:29:00Z'), // 08:59 Tue: before work
        at('2026-06-02T03:30:00Z'), // 09:00 Tue: work
      ]),
      [
        { night: false, outOfHours: true },
        { night: true, outOfHours: true },
        { night: true, outOfHours: true },
        { night: false, outOfHours: true },
        { night: false, outOfHours: true },
        { night: false, outOfHours: false },
      ],
    );
  });

  test('Australia/Adelaide +10:30 → +09:30 on 2026-04-05 (16:30 UTC on the 4th) and back on 2026-10-04', () => {
    assert.deepEqual(
      classify(ADELAIDE, [
        at('2026-04-03T20:29:00Z'), // 06:59 ACDT: night
        at('2026-04-03T20:30:00Z'), // 07:00 ACDT: not
        at('2026-04-04T20:30:00Z'), // 06:00 ACST: night
        at('2026-04-04T21:30:00Z'), // 07:00 ACST: not
        at('2026-10-02T21:29:00Z'), // 06:59 ACST: night
        at('2026-10-03T20:30:00Z'), // 07:00 ACDT: not
      ]).map((c) => c.night),
      [true, false, true, false, true, false],
    );
    const heat = (instants: string[]) =>
      heatCells(
        computeLoad(
          input({ teamTimeZone: ADELAIDE, people: [person('A', ADELAIDE)], pages: instants.map((t) => page('A', t)) }),
        ).heatmap,
      );
    // Sunday 5 April: 02:59 ACDT, then 02:00, 02:15 and 03:00 ACST.
    assert.deepEqual(
      heat(['2026-04-04T16:29:00Z', '2026-04-04T16:30:00Z', '2026-04-04T16:45:00Z', '2026-04-04T17:30:00Z']),
      ['6:2=3', '6:3=1'],
    );
    // Sunday 4 October: 01:59 ACST, then 03:00 and 03:15 ACDT.
    assert.deepEqual(heat(['2026-10-03T16:29:00Z', '2026-10-03T16:30:00Z', '2026-10-03T16:45:00Z']), [
      '6:1=1',
      '6:3=2',
    ]);
  });

  test('agrees with TZDate minute by minute around each transition, in several zones', () => {
    const zones: [string, string][] = [
      [LONDON, '2026-03-29T01:00:00Z'],
      [LONDON, '2026-10-25T01:00:00Z'],
      [NEW_YORK, '2026-03-08T07:00:00Z'],
      [NEW_YORK, '2026-11-01T06:00:00Z'],
      [ADELAIDE, '2026-04-04T16:30:00Z'],
      [ADELAIDE, '2026-10-03T16:30:00Z'],
      [KOLKATA, '2026-06-01T00:00:00Z'],
      ['Asia/Kathmandu', '2026-06-01T00:00:00Z'], // +05:45
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'], // +11:00 → +10:30 at 02:00 local
      ['America/St_Johns', '2026-11-01T04:30:00Z'], // -02:30 → -03:30
      ['Pacific/Chatham', '2026-04-04T14:00:00Z'], // +13:45 → +12:45
    ];
    for (const [zone, transition] of zones) {
      const centre = at(transition).getTime();
      const instants: Date[] = [];
      // Every 7 minutes for 30 hours either side, and the minute either side of the transition.
      for (let t = centre - 30 * H; t <= centre + 30 * H; t += 7 * 60_000) instants.push(new Date(t));
      instants.push(new Date(centre - 1), new Date(centre), new Date(centre - 60_000), new Date(centre + 60_000));
      const wh = parseWorkingHours('Mon-Fri 09:00-17:30');
      const got = classify(zone, instants, wh);
      const expectedHeat = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
      instants.forEach((t, i) => {
        const z = new TZDate(t.getTime(), zone);
        const minute = z.getHours() * 60 + z.getMinutes();
        const weekday = (z.getDay() + 6) % 7; // 0 = Monday
        const night = minute >= 22 * 60 || minute < 7 * 60;
        const outOfHours = weekday >= 5 || minute < 540 || minute >= 1050;
        assert.deepEqual(got[i], { night, outOfHours }, `${zone} ${t.toISOString()} (${z.toString()})`);
        expectedHeat[weekday]![z.getHours()]! += 1;
      });
      const report = computeLoad(
        input({ teamTimeZone: zone, people: [person('A', null)], pages: instants.map((t) => page('A', t)) }),
      );
      assert.deepEqual(report.heatmap, expectedHeat, zone);
    }
  });
});

describe('incidents worked', () => {
  test('distinct incidents, roles per incident, hours as a union clipped to the period', () => {
    const report = computeLoad(
      input({
        from: at('2026-06-01T00:00:00Z'),
        to: at('2026-06-08T00:00:00Z'),
        people: [person('A'), person('B')],
        incidentWork: [
          work('A', 'I1', '2026-06-02T10:00:00Z', '2026-06-02T12:00:00Z', ['COMMANDER']),
          work('A', 'I1', '2026-06-02T11:00:00Z', '2026-06-02T13:00:00Z', ['COMMANDER', 'SCRIBE']), // same incident: overlaps
          work('A', 'I2', '2026-06-02T12:30:00Z', '2026-06-02T14:00:00Z', ['COMMANDER']), // other incident, overlapping
          work('A', 'I3', '2026-05-31T23:00:00Z', '2026-06-01T01:00:00Z', []), // clipped: 1 h
          work('A', 'I4', '2026-05-20T10:00:00Z', '2026-05-20T11:00:00Z', ['COMMANDER']), // before: ignored
          work('A', 'I5', '2026-06-08T00:00:00Z', '2026-06-08T01:00:00Z', ['SCRIBE']), // from `to`: ignored
          work('B', 'I1', '2026-06-02T10:30:00Z', '2026-06-02T11:00:00Z', ['COMMS']),
          work('B', 'I6', '2026-06-03T10:00:00Z', '2026-06-03T10:00:00Z', ['COMMANDER']), // an instant, inside
          work('NOT-IN-SCOPE', 'I7', '2026-06-03T10:00:00Z', '2026-06-03T12:00:00Z', ['COMMANDER']),
        ],
      }),
    );
    const a = row(report, 'A');
    assert.equal(a.incidentsWorked, 3);
    assert.deepEqual(a.rolesHeld, { COMMANDER: 2, SCRIBE: 1 });
    assert.equal(a.incidentHours, 4 + 1);
    const b = row(report, 'B');
    assert.equal(b.incidentsWorked, 2);
    assert.deepEqual(b.rolesHeld, { COMMS: 1, COMMANDER: 1 });
    assert.equal(b.incidentHours, 0.5);
    // Totals: incidents distinct across people (I1 once), hours summed per person.
    assert.equal(report.totals.incidentsWorked, 4);
    assert.equal(report.totals.incidentHours, 5.5);
  });
});

describe('the report', () => {
  test('rows sorted by load, then name; totals add up; everyone in scope has a row', () => {
    const report = computeLoad(
      input({
        people: [
          person('P1', LONDON, 'Zoe'),
          person('P2', LONDON, 'Adam'),
          person('P3', LONDON, 'Bea'),
          person('P4', LONDON, 'Cy'),
        ],
        pages: [
          page('P1', local(LONDON, 2026, 6, 1, 12)), // in hours: load 1
          page('P2', local(LONDON, 2026, 6, 1, 12)), // load 1
          page('P3', local(LONDON, 2026, 6, 1, 3)), // night, out of hours: load 4
        ],
      }),
    );
    assert.deepEqual(
      report.responders.map((r) => [r.name, r.load]),
      [
        ['Bea', 4],
        ['Adam', 1],
        ['Zoe', 1],
        ['Cy', 0],
      ],
    );
    assert.deepEqual(report.totals, {
      onCallHours: 0,
      pages: 3,
      outOfHoursPages: 1,
      nightPages: 1,
      nightsInterrupted: 1,
      incidentsWorked: 0,
      incidentHours: 0,
    });
    assert.equal(report.heatmap.length, 7);
    assert.ok(report.heatmap.every((h) => h.length === 24));
    assert.deepEqual(heatCells(report.heatmap), ['0:3=1', '0:12=2']);
  });

  test('an empty period or scope is a report of zeros', () => {
    const report = computeLoad(
      input({ from: at('2026-06-01T00:00:00Z'), to: at('2026-06-01T00:00:00Z'), people: [person('A')] }),
    );
    assert.equal(row(report, 'A').load, 0);
    assert.deepEqual(report.fairness, { gini: null, maxToMedian: null });
    const none = computeLoad(input({}));
    assert.deepEqual(none.responders, []);
  });

  test('refuses a period that ends before it starts, and an unknown team zone', () => {
    assert.throws(() => computeLoad(input({ from: at('2026-06-02T00:00:00Z'), to: at('2026-06-01T00:00:00Z') })));
    assert.throws(() => computeLoad(input({ teamTimeZone: 'Europe/Atlantis' })), AppError);
  });
});

describe('fairness', () => {
  test('gini: equal → 0, one carrying all of n → (n-1)/n, fewer than 2 → null', () => {
    assert.equal(gini([5, 5, 5, 5]), 0);
    assert.equal(gini([0, 0, 0]), 0);
    assert.equal(gini([0, 0, 0, 8]), 3 / 4);
    assert.equal(gini([7, 0]), 1 / 2);
    assert.ok(Math.abs(gini([0, 0, 0, 0, 10])! - 4 / 5) < 1e-12);
    assert.equal(gini([3]), null);
    assert.equal(gini([]), null);
    // Σ|xi - xj| over ordered pairs / (2 n² mean): [1,2,3] → 8 / (2·9·2) = 2/9.
    assert.ok(Math.abs(gini([3, 1, 2])! - 2 / 9) < 1e-12);
  });

  test('over responders on call in the period only, with max ÷ median', () => {
    const day = (id: string) => stretch(id, '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z');
    const inHours = (id: string) => page(id, local(LONDON, 2026, 6, 1, 12));
    const report = computeLoad(
      input({
        people: ['A', 'B', 'C', 'D', 'OFF'].map((id) => person(id)),
        stretches: ['A', 'B', 'C', 'D'].map(day),
        pages: [inHours('A'), inHours('A'), inHours('A'), inHours('A'), inHours('OFF')],
      }),
    );
    // Loads on call: A 4, B 0, C 0, D 0 (OFF was paged but not on call: left out).
    assert.equal(report.fairness.gini, 3 / 4);
    assert.equal(report.fairness.maxToMedian, null); // median 0
    const even = computeLoad(
      input({
        people: ['A', 'B', 'C'].map((id) => person(id)),
        stretches: ['A', 'B', 'C'].map(day),
        pages: [inHours('A'), inHours('A'), inHours('B'), inHours('C'), inHours('C'), inHours('C')],
      }),
    );
    assert.deepEqual(even.fairness.maxToMedian, 3 / 2);
    assert.ok(Math.abs(even.fairness.gini! - 2 / 9) < 1e-12);
    const alone = computeLoad(
      input({ people: [person('A'), person('B')], stretches: [day('A')], pages: [inHours('A')] }),
    );
    assert.deepEqual(alone.fairness, { gini: null, maxToMedian: null });
  });
});

describe('against the previous period', () => {
  test('previousPeriod is the same length, ending at from', () => {
    assert.deepEqual(previousPeriod(at('2026-06-01T00:00:00Z'), at('2026-06-29T00:00:00Z')), {
      from: at('2026-05-04T00:00:00Z'),
      to: at('2026-06-01T00:00:00Z'),
    });
    // Across DST it is elapsed time, not calendar days.
    const p = previousPeriod(at('2026-03-29T00:00:00Z'), at('2026-03-29T23:00:00Z'));
    assert.deepEqual(p, { from: at('2026-03-28T01:00:00Z'), to: at('2026-03-29T00:00:00Z') });
  });

  test('compareLoad: current minus previous, people in one period only against 0', () => {
    const from = at('2026-06-08T00:00:00Z');
    const to = at('2026-06-15T00:00:00Z');
    const prev = previousPeriod(from, to);
    const people = [person('A'), person('B'), person('C')];
    const data = {
      teamTimeZone: LONDON,
      stretches: [
        stretch('A', '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z'), // previous: 24 h
        stretch('A', '2026-06-08T00:00:00Z', '2026-06-08T12:00:00Z'), // current: 12 h
        stretch('B', '2026-06-09T00:00:00Z', '2026-06-09T06:00:00Z'),
        stretch('C', '2026-06-02T00:00:00Z', '2026-06-02T06:00:00Z'),
      ],
      pages: [
        page('A', local(LONDON, 2026, 6, 2, 3)), // previous: night
        page('A', local(LONDON, 2026, 6, 9, 12)), // current: in hours
        page('A', local(LONDON, 2026, 6, 9, 13)),
        page('B', local(LONDON, 2026, 6, 13, 12)), // Saturday
      ],
      incidentWork: [work('A', 'I1', '2026-06-09T12:00:00Z', '2026-06-09T14:00:00Z', ['COMMANDER'])],
    };
    const current = computeLoad(input({ ...data, from, to, people: [people[0]!, people[1]!] }));
    const previous = computeLoad(input({ ...data, ...prev, people: [people[0]!, people[2]!] }));
    const change = compareLoad(current, previous);
    assert.deepEqual(change.responders.get('A'), {
      personId: 'A',
      name: 'A',
      inCurrent: true,
      inPrevious: true,
      delta: { pages: 1, outOfHoursPages: -1, nightPages: -1, onCallHours: -12, incidentHours: 2 },
    });
    assert.deepEqual(change.responders.get('B')?.delta, {
      pages: 1,
      outOfHoursPages: 1,
      nightPages: 0,
      onCallHours: 6,
      incidentHours: 0,
    });
    assert.equal(change.responders.get('B')?.inPrevious, false);
    assert.deepEqual(change.responders.get('C'), {
      personId: 'C',
      name: 'C',
      inCurrent: false,
      inPrevious: true,
      delta: { pages: 0, outOfHoursPages: 0, nightPages: 0, onCallHours: -6, incidentHours: 0 },
    });
    assert.deepEqual(change.totals, {
      pages: 2,
      outOfHoursPages: 0,
      nightPages: -1,
      onCallHours: -12,
      incidentHours: 2,
    });
    assert.deepEqual(change.gini, { current: current.fairness.gini, previous: previous.fairness.gini });
    assert.equal(change.gini.previous, 1 / 2); // A 4, C 0
  });
});
