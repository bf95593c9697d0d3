import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TZDate } from '@date-fns/tz';
import type { LoadInput, OnCallPerson, OnCallStretch, PageEvent } from '../../src/domain/on-call-load.ts';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours.ts';
import {
  badNightMessage,
  badNights,
  fairnessWorse,
  historyKnownUntil,
  weeklyCheck,
  weeklyCheckDue,
  weeklyMessage,
} from '../../src/domain/wellbeing.ts';

const H = 3_600_000;
const DAY = 24 * H;
const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';

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

let seq = 0;
function page(userId: string, at: Date, incidentId = `PI${++seq}`, id = `LE${++seq}`): PageEvent {
  return { id, incidentId, userId, at, kind: 'assigned', serviceId: null };
}

const stretch = (userId: string, start: Date, end: Date, level = 1): OnCallStretch => ({
  userId,
  scheduleId: 'S1',
  escalationPolicyId: null,
  level,
  start,
  end,
});

describe('bad nights', () => {
  test('a page at 06:59 is in the night before; one at 07:00 is not; reported from 07:00 local', () => {
    const alice = person('PALICE', LONDON, 'Alice');
    const pages = [page('PALICE', local(LONDON, 2027, 2, 3, 6, 59)), page('PALICE', local(LONDON, 2027, 2, 4, 7, 0))];
    const input = { teamTimeZone: LONDON, people: [alice], pages };
    assert.deepEqual(badNights(input, local(LONDON, 2027, 2, 3, 6, 59)), [], 'not while the night runs');
    const nights = badNights(input, local(LONDON, 2027, 2, 3, 7, 0));
    assert.equal(nights.length, 1);
    assert.equal(nights[0]!.night, '2027-02-02', '06:59 on Wednesday is Tuesday’s night');
    assert.equal(nights[0]!.nightLabel, 'Tue 2 Feb');
    assert.deepEqual(
      nights[0]!.pages.map((p) => p.localTime),
      ['06:59'],
    );
    assert.deepEqual(nights[0]!.endedAt, local(LONDON, 2027, 2, 3, 7, 0));
    // The next morning: the 07:00 page made no night of its own.
    assert.deepEqual(badNights(input, local(LONDON, 2027, 2, 4, 12, 0)), []);
  });

  test('22:00 starts the night; 21:59 does not count', () => {
    const pages = [page('P1', local(LONDON, 2027, 2, 2, 21, 59)), page('P1', local(LONDON, 2027, 2, 2, 22, 0))];
    const nights = badNights({ teamTimeZone: LONDON, people: [person('P1')], pages }, local(LONDON, 2027, 2, 3, 8));
    assert.deepEqual(
      nights.map((n) => [n.night, n.pages.map((p) => p.localTime)]),
      [['2027-02-02', ['22:00']]],
    );
  });

  test('each person’s own zone: a New York night ends at 07:00 there; an unknown zone is the team’s', () => {
    const bob = person('PBOB', NEW_YORK, 'Bob');
    const carol = person('PCAROL', 'Not/AZone', 'Carol');
    // 08:00 UTC: 03:00 in New York (night), 08:00 in London (not night for Carol, read in London).
    const at = new Date('2027-02-03T08:00:00Z');
    const input = { teamTimeZone: LONDON, people: [bob, carol], pages: [page('PBOB', at), page('PCAROL', at)] };
    assert.deepEqual(badNights(input, new Date('2027-02-03T11:59:00Z')), [], '06:59 in New York');
    const nights = badNights(input, new Date('2027-02-03T12:00:00Z'));
    assert.deepEqual(
      nights.map((n) => [n.personId, n.night, n.timeZone, n.pages[0]!.localTime]),
      [['PBOB', '2027-02-02', NEW_YORK, '03:00']],
    );
    // Carol at 02:00 London (team zone, as hers is not one).
    const late = { ...input, pages: [page('PCAROL', new Date('2027-02-03T02:00:00Z'))] };
    assert.deepEqual(
      badNights(late, new Date('2027-02-03T09:00:00Z')).map((n) => [n.personId, n.timeZone]),
      [['PCAROL', LONDON]],
    );
  });

  test('a night when the clocks go back: both 01:30s, ending at 07:00 GMT', () => {
    // 25 October 2026: 02:00 BST becomes 01:00 GMT.
    const pages = [page('P1', new Date('2026-10-25T00:30:00Z')), page('P1', new Date('2026-10-25T01:30:00Z'))];
    const input = { teamTimeZone: LONDON, people: [person('P1')], pages };
    assert.deepEqual(badNights(input, new Date('2026-10-25T06:59:00Z')), []);
    const [night] = badNights(input, new Date('2026-10-25T07:00:00Z'));
    assert.equal(night!.night, '2026-10-24');
    assert.deepEqual(
      night!.pages.map((p) => p.localTime),
      ['01:30', '01:30'],
    );
    assert.deepEqual(night!.endedAt, new Date('2026-10-25T07:00:00Z'));
  });

  test('a night when the clocks go forward ends at 07:00 BST (06:00 UTC)', () => {
    // 28 March 2027: 01:00 GMT becomes 02:00 BST.
    const pages = [page('P1', new Date('2027-03-28T00:30:00Z')), page('P1', new Date('2027-03-28T05:30:00Z'))];
    const input = { teamTimeZone: LONDON, people: [person('P1')], pages };
    assert.deepEqual(badNights(input, new Date('2027-03-28T05:59:00Z')), []);
    const [night] = badNights(input, new Date('2027-03-28T06:00:00Z'));
    assert.deepEqual(
      night!.pages.map((p) => p.localTime),
      ['00:30', '06:30'],
    );
  });

  test('a night across the month’s end is named by the day it began', () => {
    const pages = [page('P1', local(LONDON, 2027, 1, 31, 23, 10)), page('P1', local(LONDON, 2027, 2, 1, 2, 5))];
    const [night, ...rest] = badNights(
      { teamTimeZone: LONDON, people: [person('P1')], pages },
      local(LONDON, 2027, 2, 1, 9),
    );
    assert.equal(rest.length, 0, 'one night, two pages');
    assert.equal(night!.night, '2027-01-31');
    assert.equal(night!.nightLabel, 'Sun 31 Jan');
    assert.deepEqual(
      night!.pages.map((p) => p.localTime),
      ['23:10', '02:05'],
    );
  });

  test('not once a day has passed since 07:00, nor before the history reaches the night’s end', () => {
    const pages = [page('P1', local(LONDON, 2027, 2, 3, 3))];
    const input = { teamTimeZone: LONDON, people: [person('P1')], pages };
    const end = local(LONDON, 2027, 2, 3, 7);
    assert.equal(badNights(input, new Date(end.getTime() + DAY - 60_000)).length, 1);
    assert.equal(badNights(input, new Date(end.getTime() + DAY)).length, 0, 'a day old: too late');
    assert.equal(
      badNights(input, local(LONDON, 2027, 2, 3, 9), { knownUntil: local(LONDON, 2027, 2, 3, 6, 59) }).length,
      0,
      'PagerDuty’s copy stops before the night ended',
    );
    assert.equal(badNights(input, local(LONDON, 2027, 2, 3, 9), { knownUntil: end }).length, 1);
  });

  test('the same log entry twice counts once; pages of people not in the data are left out', () => {
    const at = local(LONDON, 2027, 2, 3, 3);
    const pages = [page('P1', at, 'PI1', 'LE1'), page('P1', at, 'PI1', 'LE1'), page('PX', at)];
    const nights = badNights({ teamTimeZone: LONDON, people: [person('P1')], pages }, local(LONDON, 2027, 2, 3, 8));
    assert.deepEqual(
      nights.map((n) => [n.personId, n.pages.length]),
      [['P1', 1]],
    );
  });

  test('the message names the person, the night, the pages’ times and the time off rule, escaped', () => {
    const pages = [page('P1', local(LONDON, 2027, 2, 3, 1, 5)), page('P1', local(LONDON, 2027, 2, 3, 4, 40))];
    const [night] = badNights(
      { teamTimeZone: LONDON, people: [person('P1', LONDON, 'Ann <B&B>')], pages },
      local(LONDON, 2027, 2, 3, 8),
    );
    const text = badNightMessage(night!, { slackUserId: 'UANN', timeOffInLieuHours: 2 });
    assert.match(text, /\*Ann &lt;B&amp;B&gt;\* \(<@UANN>\) was paged 2 times in the night of Tue 2 Feb/);
    assert.match(text, /22:00–07:00 Europe\/London\): 01:05, 04:40\./);
    assert.match(text, /cover for them today, or time off/);
    assert.match(text, /2 hours of time off in lieu/);
    const plain = badNightMessage(night!, {});
    assert.doesNotMatch(plain, /<@|in lieu/);
  });
});

describe('the weekly check', () => {
  test('due from Monday 09:00 in the team’s zone to the end of the week, for the four whole weeks before', () => {
    assert.equal(weeklyCheckDue(local(LONDON, 2027, 2, 8, 8, 59), LONDON), null, 'Monday 08:59');
    const due = weeklyCheckDue(local(LONDON, 2027, 2, 8, 9, 0), LONDON)!;
    assert.equal(due.week, '2027-02-08');
    assert.deepEqual(due.to, local(LONDON, 2027, 2, 8));
    assert.deepEqual(due.from, local(LONDON, 2027, 1, 11));
    assert.deepEqual(due.previousFrom, local(LONDON, 2026, 12, 14));
    assert.equal(due.firstDayLabel, '11 Jan');
    assert.equal(due.lastDayLabel, '7 Feb');
    assert.equal(weeklyCheckDue(local(LONDON, 2027, 2, 14, 23, 59), LONDON)!.week, '2027-02-08', 'Sunday night');
    // Four weeks over the clocks going forward are an hour short of 28 × 24 hours.
    const spring = weeklyCheckDue(local(LONDON, 2027, 4, 12, 10), LONDON)!;
    assert.equal(spring.to.getTime() - spring.from.getTime(), 28 * DAY - H);
  });

  const period = { from: local(LONDON, 2027, 1, 11), to: local(LONDON, 2027, 2, 8) };
  const input = (over: Partial<LoadInput>): LoadInput => ({
    ...period,
    teamTimeZone: LONDON,
    workingHours: DEFAULT_WORKING_HOURS,
    people: [],
    stretches: [],
    pages: [],
    incidentWork: [],
    ...over,
  });
  const none = input({ from: local(LONDON, 2026, 12, 14), to: period.from });
  const thresholds = { maxIncidentsPerShift: 2, maxOnCallShare: 0.25 };
  const onCall = stretch('P1', period.from, period.to);

  test('three incidents within 12 hours alert; the third exactly 12 hours after the first does not', () => {
    const t0 = local(LONDON, 2027, 1, 20, 1, 10);
    const within = [
      page('P1', t0, 'PI1'),
      page('P1', new Date(t0.getTime() + H), 'PI1'), // a re-page of the same incident
      page('P1', new Date(t0.getTime() + 2 * H), 'PI2'),
      page('P1', new Date(t0.getTime() + 12 * H - 60_000), 'PI3'),
    ];
    const over = weeklyCheck(input({ people: [person('P1')], stretches: [onCall], pages: within }), none, thresholds);
    const p = over.people[0]!;
    assert.equal(p.peak!.incidents, 3);
    assert.equal(p.peak!.firstLabel, 'Wed 20 Jan 01:10');
    assert.equal(p.peak!.lastLabel, 'Wed 20 Jan 13:09');
    assert.ok(p.overShift && over.alerts);

    // PI1 at t0, PI2 two hours on, PI3 exactly 12 hours after PI1 (a re-page of PI1 within those 12
    // hours would make a window of three: a re-page is a page of its incident).
    const apart = [within[0]!, within[2]!, page('P1', new Date(t0.getTime() + 12 * H), 'PI3')];
    const ok = weeklyCheck(input({ people: [person('P1')], stretches: [onCall], pages: apart }), none, thresholds);
    assert.equal(ok.people[0]!.peak!.incidents, 2);
    assert.equal(ok.people[0]!.overShift, false);
  });

  test('only pages while on call count toward a shift', () => {
    const t0 = local(LONDON, 2027, 1, 20, 1);
    const shift = stretch('P1', t0, new Date(t0.getTime() + 2 * H));
    const pages = [
      page('P1', t0, 'PI1'),
      page('P1', new Date(t0.getTime() + H), 'PI2'),
      page('P1', new Date(t0.getTime() + 2 * H), 'PI3'), // the stretch ended
    ];
    const check = weeklyCheck(input({ people: [person('P1')], stretches: [shift], pages }), none, thresholds);
    assert.equal(check.people[0]!.peak!.incidents, 2);
  });

  test('exactly 25 % of the four weeks on call does not alert; a minute more does; overlapping stretches count once', () => {
    const start = local(LONDON, 2027, 1, 18);
    const week = (extraMs: number) => [
      stretch('P1', start, new Date(start.getTime() + 7 * DAY + extraMs)),
      stretch('P1', start, new Date(start.getTime() + 3 * DAY), 2),
    ];
    const exact = weeklyCheck(input({ people: [person('P1')], stretches: week(0) }), none, thresholds);
    assert.equal(exact.people[0]!.onCallShare, 0.25);
    assert.equal(exact.people[0]!.overShare, false);
    assert.equal(exact.alerts, false);
    const over = weeklyCheck(input({ people: [person('P1')], stretches: week(60_000) }), none, thresholds);
    assert.equal(over.people[0]!.overShare, true);
    assert.equal(over.alerts, true);
  });

  test('fairness is worse when the Gini rose by 0.05 or more as shown (two decimals)', () => {
    assert.equal(fairnessWorse(0.3, 0.25), true, '0.30 − 0.25 is 0.05 (not 0.0499…)');
    assert.equal(fairnessWorse(0.294, 0.25), false, '0.29 against 0.25');
    assert.equal(fairnessWorse(0.2, 0.4), false, 'better');
    assert.equal(fairnessWorse(0.5, null), false, 'nothing to compare with');

    // Before: two people with one day page each (even); now: one of them takes every page.
    const people = [person('P1'), person('P2')];
    const day = (d: number) => local(LONDON, 2027, 1, d, 11);
    const stretches = [stretch('P1', period.from, period.to), stretch('P2', period.from, period.to)];
    const before = input({
      from: none.from,
      to: none.to,
      people,
      stretches: [stretch('P1', none.from, none.to), stretch('P2', none.from, none.to)],
      pages: [page('P1', local(LONDON, 2026, 12, 16, 11)), page('P2', local(LONDON, 2026, 12, 17, 11))],
    });
    const now = input({ people, stretches, pages: [page('P1', day(12)), page('P1', day(13))] });
    const check = weeklyCheck(now, before, { maxIncidentsPerShift: 5, maxOnCallShare: 1 });
    assert.deepEqual(check.fairness, { current: 0.5, previous: 0, worse: true });
    assert.equal(check.alerts, true);
    const text = weeklyMessage(weeklyCheckDue(local(LONDON, 2027, 2, 8, 9), LONDON)!, check, thresholds, {
      slackUsers: new Map([['P1', 'UP1']]),
      include: { shift: new Set(), share: new Set(), fairness: true },
    });
    assert.match(text, /the four weeks 11 Jan – 7 Feb/);
    assert.match(text, /fairness \(Gini, 0 = even\) 0\.50, was 0\.00/);
  });

  test('the message lists only what is included for that lead', () => {
    const t0 = local(LONDON, 2027, 1, 20, 1);
    const pages = [0, 1, 2].map((i) => page('P1', new Date(t0.getTime() + i * H), `PI${i}`));
    const check = weeklyCheck(
      input({
        people: [person('P1', LONDON, 'Alice'), person('P2', NEW_YORK, 'Bob')],
        stretches: [onCall, stretch('P2', period.from, period.to)],
        pages,
      }),
      none,
      thresholds,
    );
    const due = weeklyCheckDue(local(LONDON, 2027, 2, 8, 9), LONDON)!;
    const all = weeklyMessage(due, check, thresholds, {
      slackUsers: new Map([['P1', 'UALICE']]),
      include: { shift: new Set(['P1']), share: new Set(['P1', 'P2']), fairness: false },
    });
    assert.match(
      all,
      /\*Alice\* \(<@UALICE>\): 3 incidents within 12 hours \(Wed 20 Jan 01:00 – Wed 20 Jan 03:00 Europe\/London\), more than 2 in a shift/,
    );
    assert.match(all, /\*Alice\* \(<@UALICE>\): on call 100 % of the time, more than 25 %/);
    assert.match(all, /\*Bob\*: on call 100 % of the time/);
    const some = weeklyMessage(due, check, thresholds, {
      slackUsers: new Map(),
      include: { shift: new Set(), share: new Set(['P2']), fairness: false },
    });
    assert.doesNotMatch(some, /Alice/);
    assert.match(some, /Bob/);
  });
});

describe('how far the cached history is known', () => {
  const w = (start: string, days = 7) => ({
    start: new Date(start),
    end: new Date(new Date(start).getTime() + days * DAY),
  });
  test('to the first window missing or fetched before its end', () => {
    const expected = [w('2027-01-04T00:00:00Z'), w('2027-01-11T00:00:00Z'), w('2027-01-18T00:00:00Z')];
    const fetched = (i: number, at: string) => ({ ...expected[i]!, fetchedAt: new Date(at) });
    assert.deepEqual(
      historyKnownUntil(
        [fetched(0, '2027-01-12T00:00:00Z'), fetched(1, '2027-01-19T00:00:00Z'), fetched(2, '2027-01-20T10:00:00Z')],
        expected,
      ),
      new Date('2027-01-20T10:00:00Z'),
    );
    assert.deepEqual(
      historyKnownUntil([fetched(0, '2027-01-12T00:00:00Z'), fetched(2, '2027-01-20T10:00:00Z')], expected),
      expected[1]!.start,
      'a window never fetched',
    );
    assert.deepEqual(
      historyKnownUntil([fetched(0, '2027-01-09T00:00:00Z'), fetched(1, '2027-01-19T00:00:00Z')], expected),
      new Date('2027-01-09T00:00:00Z'),
      'a copy made during its week',
    );
  });
});
