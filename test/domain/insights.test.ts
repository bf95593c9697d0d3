// The insights' figures from rows: weeks in the viewer's zone (Monday to Sunday, across the change
// of clocks), the durations' median and p90, near misses counted apart, a review on time at exactly
// 7 days and late a minute after, action items on time by the calendar date in the zone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  defaultInsightPeriod,
  insightFiguresOf,
  insightPeriod,
  insightsReport,
  monthsOf,
  periodProblem,
  weekOf,
  weeksOf,
  type InsightIncident,
} from '../../src/domain/insights.ts';
import type { Severity } from '../../src/domain/severity.ts';
import { startOfDayIn } from '../../src/domain/time.ts';

const HOUR = 3600_000;
const MIN = 60_000;
const DAY = 24 * HOUR;
const now = new Date('2026-11-24T14:00:00Z');

let n = 0;
function incident(
  at: string,
  over: Partial<InsightIncident> = {},
  minutes: { ack?: number; mit?: number; res?: number } = {},
): InsightIncident {
  const createdAt = new Date(at);
  const after = (m: number) => new Date(createdAt.getTime() + m * MIN);
  const changes = [
    ...(minutes.ack !== undefined ? [{ at: after(minutes.ack), to: 'INVESTIGATING' as const }] : []),
    ...(minutes.mit !== undefined ? [{ at: after(minutes.mit), to: 'MONITORING' as const }] : []),
    ...(minutes.res !== undefined ? [{ at: after(minutes.res), to: 'RESOLVED' as const }] : []),
  ];
  n += 1;
  return {
    number: n,
    severity: 'SEV2',
    nearMiss: false,
    isPrivate: false,
    affectedService: null,
    createdAt,
    declaredAt: createdAt,
    changes,
    resolvedAt: minutes.res !== undefined ? after(minutes.res) : null,
    reviewCompletedAt: null,
    ...over,
  };
}

describe('insights from rows', () => {
  test('weeks start on Monday in the zone, across the end of summer time', () => {
    // Sunday 25 October 2026, 23:30 in London (GMT by then) is still that week; 00:30 Monday is the next.
    assert.equal(weekOf(new Date('2026-10-25T23:30:00Z'), 'Europe/London'), '2026-10-19');
    assert.equal(weekOf(new Date('2026-10-26T00:30:00Z'), 'Europe/London'), '2026-10-26');
    // Sunday 18 October 23:30 London is 22:30 UTC (summer time); 23:30 UTC is already Monday there.
    assert.equal(weekOf(new Date('2026-10-18T22:30:00Z'), 'Europe/London'), '2026-10-12');
    assert.equal(weekOf(new Date('2026-10-18T23:30:00Z'), 'Europe/London'), '2026-10-19', 'Monday 00:30 BST');
    // The same instant is another week in another zone.
    assert.equal(weekOf(new Date('2026-10-18T23:30:00Z'), 'America/New_York'), '2026-10-12');
    // The week of the spring change (29 March 2026).
    assert.equal(weekOf(new Date('2026-03-29T23:30:00Z'), 'Europe/London'), '2026-03-30');
  });

  test('a period is whole days in the zone; the default is the last 12 weeks', () => {
    const p = insightPeriod('2026-10-25', '2026-10-25', 'Europe/London');
    assert.equal(p.since.toISOString(), '2026-10-24T23:00:00.000Z');
    assert.equal(p.until.toISOString(), '2026-10-26T00:00:00.000Z', 'the day of the change has 25 hours');
    assert.equal(startOfDayIn('2026-03-29', 'Europe/London').toISOString(), '2026-03-29T00:00:00.000Z');
    const d = defaultInsightPeriod(now, 'Europe/London');
    assert.equal(d.toDate, '2026-11-24');
    assert.equal(d.fromDate, '2026-09-07');
    assert.equal(weeksOf(d).length, 12);
    assert.deepEqual(monthsOf(insightPeriod('2026-11-30', '2027-02-01', 'UTC')), [
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
    assert.equal(periodProblem('2026-11-02', '2026-11-01'), '"from" (2026-11-02) must not be after "to" (2026-11-01).');
    assert.equal(periodProblem('2026-11-01', '2026-11-01'), null);
    assert.match(periodProblem('2020-01-01', '2026-11-01') ?? '', /at most/);
  });

  test('incidents per week by severity; near misses counted apart and left out of the durations', () => {
    const period = insightPeriod('2026-10-19', '2026-11-01', 'Europe/London');
    const rows = [
      incident('2026-10-20T10:00:00Z', { severity: 'SEV1' }, { ack: 5, mit: 20, res: 60 }),
      incident('2026-10-25T23:30:00Z', { severity: 'SEV3' }, { ack: 15 }), // Sunday night, GMT: week of the 19th
      incident('2026-10-26T00:30:00Z', { severity: 'SEV3' }),
      incident('2026-10-27T09:00:00Z', { nearMiss: true }, { ack: 1, res: 2 }),
      incident('2026-11-02T00:30:00Z'), // after the period
    ];
    const figures = insightFiguresOf({ period, now, incidents: rows, actions: [] });
    const report = insightsReport(period, figures);
    assert.deepEqual(
      report.weeks.map((w) => [w.week, w.bySeverity.SEV1, w.bySeverity.SEV3, w.incidents, w.nearMisses]),
      [
        ['2026-10-19', 1, 1, 2, 0],
        ['2026-10-26', 0, 1, 1, 1],
      ],
    );
    assert.equal(report.incidents, 3);
    assert.equal(report.nearMisses, 1);
    assert.equal(report.nearMissRatio, 1 / 3);
    assert.equal(figures.overall.incidents, 3, 'the near miss is not in the durations');
    assert.equal(figures.overall.metrics.acknowledge.count, 2);
    const none = insightFiguresOf({ period, now, incidents: [], actions: [] });
    assert.equal(insightsReport(period, none).nearMissRatio, null);
  });

  test('median and p90 interpolate as percentile_cont; a reopen not resolved again has no time to resolve', () => {
    const period = insightPeriod('2026-11-01', '2026-11-30', 'UTC');
    const resolveMinutes = [10, 20, 30, 40, 100];
    const rows = resolveMinutes.map((m, i) =>
      incident(`2026-11-0${i + 2}T10:00:00Z`, { severity: 'SEV2' as Severity }, { ack: 1, res: m }),
    );
    const reopened = incident('2026-11-10T10:00:00Z', {}, { ack: 1, res: 5 });
    reopened.changes.push({ at: new Date('2026-11-10T11:00:00Z'), to: 'INVESTIGATING' });
    const f = insightFiguresOf({ period, now, incidents: [...rows, reopened], actions: [] });
    const sev2 = f.bySeverity.find((s) => s.severity === 'SEV2')!.stats;
    assert.equal(sev2.incidents, 6);
    assert.equal(sev2.metrics.resolve.count, 5);
    assert.equal(sev2.metrics.resolve.medianMs, 30 * MIN);
    // p90 of 10, 20, 30, 40, 100: at 0.9 × 4 = 3.6, 40 + 0.6 × 60 = 76 minutes.
    assert.equal(sev2.metrics.resolve.p90Ms, 76 * MIN);
    assert.equal(sev2.metrics.mitigate.count, 6, 'resolved without monitoring counts as mitigated then');
    assert.equal(f.byMonth[0]!.month, '2026-11');
  });

  test('a SEV1–2 review is on time at exactly 7 days, late a minute after, pending while the days run', () => {
    const period = insightPeriod('2026-11-01', '2026-11-30', 'UTC');
    const resolvedAt = new Date('2026-11-02T11:00:00Z');
    const review = (severity: Severity, doneAfter: number | null, resolved = resolvedAt) =>
      incident('2026-11-02T10:00:00Z', {
        severity,
        resolvedAt: resolved,
        reviewCompletedAt: doneAfter === null ? null : new Date(resolved.getTime() + doneAfter),
      });
    const f = insightFiguresOf({
      period,
      now,
      incidents: [
        review('SEV1', 7 * DAY), // exactly 7 days: on time
        review('SEV2', 7 * DAY + MIN), // late
        review('SEV2', null), // never, past 7 days: late
        review('SEV1', null, new Date(now.getTime() - 2 * DAY)), // not done, 5 days left: pending
        review('SEV3', 30 * DAY), // SEV3: not counted
        { ...review('SEV1', null), resolvedAt: null }, // not resolved: not counted
        { ...review('SEV1', DAY), nearMiss: true }, // a near miss: not counted
      ],
      actions: [],
    });
    assert.deepEqual(f.reviews, { onTime: 1, late: 2, pending: 1 });
    assert.equal(insightsReport(period, f).reviews.share, 1 / 3);
  });

  test('action items due in the period: on time by the calendar date in the zone; open and not yet due left out', () => {
    const period = insightPeriod('2026-11-01', '2026-11-30', 'Europe/London');
    const f = insightFiguresOf({
      period,
      now,
      incidents: [],
      actions: [
        { due: '2026-11-10', status: 'done', completedAt: new Date('2026-11-10T23:30:00Z') }, // on the day in London
        { due: '2026-11-10', status: 'done', completedAt: new Date('2026-11-11T00:30:00Z') }, // a day late
        { due: '2026-11-10', status: 'open', completedAt: null }, // overdue
        { due: '2026-11-24', status: 'open', completedAt: null }, // due today: may still be on time
        { due: '2026-11-28', status: 'done', completedAt: new Date('2026-11-20T10:00:00Z') }, // early
        { due: '2026-10-31', status: 'done', completedAt: new Date('2026-10-30T10:00:00Z') }, // before the period
        { due: null, status: 'open', completedAt: null },
      ],
    });
    assert.deepEqual(f.actions, { due: 4, onTime: 2 });
  });

  test('services: private incidents left out, names trimmed and compared without case, busiest first', () => {
    const period = insightPeriod('2026-11-01', '2026-11-30', 'UTC');
    const f = insightFiguresOf({
      period,
      now,
      incidents: [
        incident('2026-11-02T10:00:00Z', { affectedService: 'ehr ' }, { ack: 1 }),
        incident('2026-11-03T10:00:00Z', { affectedService: 'EHR' }, { ack: 3 }),
        incident('2026-11-03T10:00:00Z', { affectedService: 'Labs' }),
        incident('2026-11-04T10:00:00Z', { affectedService: 'Secret', isPrivate: true }),
        incident('2026-11-04T10:00:00Z', { affectedService: '  ' }),
      ],
      actions: [],
    });
    assert.deepEqual(
      f.byService.map((s) => [s.service, s.stats.incidents, s.stats.metrics.acknowledge.medianMs]),
      [
        ['EHR', 2, 2 * MIN],
        ['Labs', 1, null],
      ],
    );
  });
});
