import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  guardrailReport,
  medianOf,
  type GuardrailAction,
  type GuardrailIncident,
} from '../../src/domain/guardrail-report.ts';
import { ACTION_CATEGORIES, type ActionCategory, type ContributingFactor } from '../../src/domain/review.ts';

const DAY = 24 * 3600_000;
const NOW = new Date('2026-11-24T12:00:00Z');
const TZ = 'Europe/London';
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

let n = 0;
function incident(over: Partial<GuardrailIncident> = {}): GuardrailIncident {
  n += 1;
  return {
    number: n,
    affectedService: null,
    nearMiss: false,
    createdAt: ago(1),
    factors: [],
    reviewed: false,
    ...over,
  };
}
function action(over: Partial<GuardrailAction> = {}): GuardrailAction {
  return { category: 'guardrail', status: 'open', createdAt: ago(1), completedAt: null, due: null, ...over };
}
const report = (
  incidents: GuardrailIncident[],
  actions: GuardrailAction[] = [],
  periodDays = 90,
  now = NOW,
  timeZone = TZ,
) => guardrailReport({ now, periodDays, timeZone, incidents, actions });

describe('guardrailReport: period and incidents', () => {
  test('from and to', () => {
    const r = report([], [], 30);
    assert.equal(r.periodDays, 30);
    assert.equal(r.to.toISOString(), NOW.toISOString());
    assert.equal(r.from.toISOString(), '2026-10-25T12:00:00.000Z');
  });

  test('an empty report', () => {
    const r = report([]);
    assert.equal(r.incidents, 0);
    assert.equal(r.nearMisses, 0);
    assert.equal(r.reviewed, 0);
    assert.deepEqual(r.factors, []);
    assert.deepEqual(r.recurringServices, []);
    assert.deepEqual(
      r.actionsByCategory.map((c) => [c.category, c.open, c.done]),
      ACTION_CATEGORIES.map((c) => [c, 0, 0]),
    );
    assert.equal(r.openActions, 0);
    assert.equal(r.doneActions, 0);
    assert.equal(r.medianOpenAgeDays, null);
    assert.equal(r.overdueOpen, 0);
  });

  test('period boundaries are inclusive at both ends', () => {
    const r = report(
      [
        incident({ createdAt: ago(90) }), // exactly at `from`
        incident({ createdAt: new Date(ago(90).getTime() - 1) }), // 1 ms before
        incident({ createdAt: NOW }), // exactly at `to`
        incident({ createdAt: new Date(NOW.getTime() + 1) }), // 1 ms after
        incident({ createdAt: ago(45) }),
      ],
      [],
      90,
    );
    assert.equal(r.incidents, 3);
  });

  test('near misses are counted and included in incidents', () => {
    const r = report([
      incident({ nearMiss: true }),
      incident({ nearMiss: true }),
      incident(),
      incident({ nearMiss: true, createdAt: ago(100) }),
    ]);
    assert.equal(r.incidents, 3);
    assert.equal(r.nearMisses, 2);
  });

  test('reviewed counts incidents in the period with a review that has contributing factors', () => {
    const r = report([
      incident({ reviewed: true, factors: ['capacity'] }),
      incident({ reviewed: true, factors: [] }), // a review without factors
      incident({ reviewed: false }),
      incident({ reviewed: true, factors: ['process'], createdAt: ago(91) }), // outside
    ]);
    assert.equal(r.incidents, 3);
    assert.equal(r.reviewed, 1);
  });
});

describe('guardrailReport: contributing factors', () => {
  test('sorted by count, then taxonomy order, with labels; zero counts left out', () => {
    const f = (...factors: ContributingFactor[]) => incident({ reviewed: true, factors });
    const r = report([
      f('process', 'capacity'),
      f('process', 'missing-guardrail'),
      f('capacity'),
      f('observability-gap'),
      f('dependency', 'process'),
    ]);
    assert.deepEqual(r.factors, [
      { factor: 'process', label: 'Process', count: 3 },
      { factor: 'capacity', label: 'Capacity', count: 2 },
      { factor: 'missing-guardrail', label: 'Missing guardrail', count: 1 },
      { factor: 'observability-gap', label: 'Observability gap', count: 1 },
      { factor: 'dependency', label: 'Dependency', count: 1 },
    ]);
  });

  test('a factor counts once per incident even if listed twice', () => {
    const r = report([
      incident({ reviewed: true, factors: ['capacity', 'capacity', 'capacity'] }),
      incident({ reviewed: true, factors: ['dependency', 'capacity', 'dependency'] }),
    ]);
    assert.deepEqual(
      r.factors.map((f) => [f.factor, f.count]),
      [
        ['capacity', 2],
        ['dependency', 1],
      ],
    );
  });

  test('factors of incidents outside the period are not counted', () => {
    const r = report([incident({ reviewed: true, factors: ['runbook-gap'], createdAt: ago(200) })]);
    assert.deepEqual(r.factors, []);
  });
});

describe('guardrailReport: recurring services', () => {
  test('≥ 2 incidents, compared trimmed and case-insensitively, named as first seen', () => {
    const r = report([
      incident({ affectedService: 'ehr', createdAt: ago(3) }),
      incident({ affectedService: '  EHR ', createdAt: ago(10) }), // earliest: gives the name
      incident({ affectedService: 'Ehr', createdAt: ago(1) }),
      incident({ affectedService: 'Payments', createdAt: ago(5) }),
      incident({ affectedService: 'payments', createdAt: ago(2) }),
      incident({ affectedService: 'Lab results', createdAt: ago(2) }), // only one
      incident({ affectedService: null }),
      incident({ affectedService: '   ' }),
      incident({ affectedService: '' }),
    ]);
    assert.deepEqual(r.recurringServices, [
      { service: 'EHR', incidents: 3 },
      { service: 'Payments', incidents: 2 },
    ]);
  });

  test('equal counts are sorted by name (case-insensitively)', () => {
    const pair = (name: string) => [incident({ affectedService: name }), incident({ affectedService: name })];
    const r = report([...pair('zeta'), ...pair('Alpha'), ...pair('beta')]);
    assert.deepEqual(
      r.recurringServices.map((s) => s.service),
      ['Alpha', 'beta', 'zeta'],
    );
  });

  test('only incidents in the period count', () => {
    const r = report([incident({ affectedService: 'ehr' }), incident({ affectedService: 'ehr', createdAt: ago(120) })]);
    assert.deepEqual(r.recurringServices, []);
  });

  test('the name is that of the earliest incident whatever the input order', () => {
    const a = incident({ affectedService: 'pacs', createdAt: ago(2) });
    const b = incident({ affectedService: 'PACS', createdAt: ago(8) });
    assert.deepEqual(report([a, b]).recurringServices, [{ service: 'PACS', incidents: 2 }]);
    assert.deepEqual(report([b, a]).recurringServices, [{ service: 'PACS', incidents: 2 }]);
  });

  test('declared at the same moment: the lower incident number gives the name, whatever the input order', () => {
    const a = incident({ number: 41, affectedService: 'Portal', createdAt: ago(2) });
    const b = incident({ number: 40, affectedService: 'portal', createdAt: ago(2) });
    assert.deepEqual(report([a, b]).recurringServices, [{ service: 'portal', incidents: 2 }]);
    assert.deepEqual(report([b, a]).recurringServices, [{ service: 'portal', incidents: 2 }]);
  });
});

describe('guardrailReport: actions', () => {
  test('by category in taxonomy order, created in the period only', () => {
    const a = (category: ActionCategory, status: 'open' | 'done', daysAgo = 1) =>
      action({ category, status, createdAt: ago(daysAgo), completedAt: status === 'done' ? ago(0) : null });
    const r = report(
      [],
      [
        a('runbook', 'open'),
        a('runbook', 'open'),
        a('runbook', 'done'),
        a('process', 'done'),
        a('guardrail', 'open', 90), // at `from`: in
        a('guardrail', 'open', 91), // before: out
        a('observability', 'done', 200), // out
      ],
    );
    assert.deepEqual(r.actionsByCategory, [
      { category: 'guardrail', label: 'Guardrail', open: 1, done: 0 },
      { category: 'observability', label: 'Observability', open: 0, done: 0 },
      { category: 'ownership', label: 'Ownership', open: 0, done: 0 },
      { category: 'runbook', label: 'Runbook', open: 2, done: 1 },
      { category: 'process', label: 'Process', open: 0, done: 1 },
    ]);
    assert.equal(r.openActions, 3);
    assert.equal(r.doneActions, 2);
  });

  test('median open age, odd count: the middle one, whole backlog, done items ignored', () => {
    const r = report(
      [],
      [
        action({ createdAt: ago(2) }),
        action({ createdAt: ago(400) }), // outside the period but still open: counts
        action({ createdAt: ago(10.5) }), // 10.5 days → 10
        action({ status: 'done', createdAt: ago(1000), completedAt: ago(1) }),
      ],
    );
    assert.equal(r.medianOpenAgeDays, 10);
  });

  test('median open age, even count: mean of the two middle ages, floored', () => {
    const r = report(
      [],
      [
        action({ createdAt: ago(20) }),
        action({ createdAt: ago(1) }),
        action({ createdAt: ago(15) }),
        action({ createdAt: ago(300) }),
      ],
    );
    assert.equal(r.medianOpenAgeDays, 17); // (15 + 20) / 2 = 17.5
    assert.equal(report([], [action({ createdAt: ago(4) }), action({ createdAt: ago(6) })]).medianOpenAgeDays, 5);
  });

  test('median of a single open action; null when none is open', () => {
    assert.equal(report([], [action({ createdAt: ago(0.5) })]).medianOpenAgeDays, 0);
    assert.equal(report([], [action({ status: 'done', completedAt: ago(0) })]).medianOpenAgeDays, null);
  });

  test('overdue open: whole backlog, due before today in the team zone', () => {
    // 23:30 UTC on 2026-03-29 is already 2026-03-30 in London.
    const now = new Date('2026-03-29T23:30:00Z');
    const actions = [
      action({ due: '2026-03-29' }), // overdue in London, due today in UTC
      action({ due: '2026-03-28', createdAt: new Date('2025-01-01T00:00:00Z') }), // old: outside the period, still counts
      action({ due: '2026-03-30' }),
      action({ due: null }),
      action({ due: '2026-01-01', status: 'done', completedAt: now }),
    ];
    assert.equal(report([], actions, 90, now, 'Europe/London').overdueOpen, 2);
    assert.equal(report([], actions, 90, now, 'UTC').overdueOpen, 1);
  });
});

describe('guardrailReport: where action items live', () => {
  test('the period’s items by tracker (Slack only without one): open, done, the median whole days the done ones stayed open', () => {
    const done = (tracker: GuardrailAction['tracker'], createdDaysAgo: number, openDays: number) =>
      action({
        tracker,
        status: 'done',
        createdAt: ago(createdDaysAgo),
        completedAt: new Date(ago(createdDaysAgo).getTime() + openDays * DAY),
      });
    const r = report(
      [],
      [
        action({ tracker: 'github' }),
        action({ tracker: 'github' }),
        done('github', 30, 4),
        done('github', 40, 10.5),
        action({ tracker: null }),
        action({}),
        done(undefined, 20, 3),
        done(null, 50, 7.9),
        done(null, 60, 1),
        action({ tracker: 'jira', createdAt: ago(91) }), // before the period: out
        done('jira', 120, 2), // out
      ],
    );
    assert.deepEqual(r.byTracker, [
      // Even count: halfway between the middle two (4 and 10.5 days: 7.25), floored.
      { where: 'github', label: 'GitHub', open: 2, done: 2, medianDaysOpen: 7 },
      { where: 'jira', label: 'Jira', open: 0, done: 0, medianDaysOpen: null },
      // Odd count: the middle one (1, 3, 7.9 days).
      { where: 'slack', label: 'Slack only', open: 2, done: 3, medianDaysOpen: 3 },
    ]);
    // The places add up to the period's items.
    assert.equal(
      r.byTracker!.reduce((n, t) => n + t.open, 0),
      r.openActions,
    );
    assert.equal(
      r.byTracker!.reduce((n, t) => n + t.done, 0),
      r.doneActions,
    );
  });

  test('completed before it was created (clock skew) counts as no time open; nothing at all: zeros', () => {
    const skewed = action({ tracker: 'jira', status: 'done', createdAt: ago(1), completedAt: ago(2) });
    assert.equal(report([], [skewed]).byTracker![1]!.medianDaysOpen, 0);
    assert.deepEqual(
      report([], []).byTracker!.map((t) => [t.open, t.done, t.medianDaysOpen]),
      [
        [0, 0, null],
        [0, 0, null],
        [0, 0, null],
      ],
    );
  });

  test('medianOf is PostgreSQL’s percentile_cont(0.5)', () => {
    assert.equal(medianOf([]), null);
    assert.equal(medianOf([5]), 5);
    assert.equal(medianOf([9, 1, 4]), 4);
    assert.equal(medianOf([1, 4, 9, 2]), 3);
  });
});

describe('guardrailReport: determinism and scale', () => {
  function big() {
    const services = ['ehr', 'EHR ', 'payments', 'Lab', 'pacs', 'portal'];
    const factors: ContributingFactor[] = ['capacity', 'process', 'dependency', 'missing-guardrail'];
    const incidents: GuardrailIncident[] = [];
    for (let i = 0; i < 10_000; i++) {
      incidents.push({
        number: i + 1,
        affectedService: services[i % services.length]!,
        nearMiss: i % 7 === 0,
        createdAt: ago((i * 37) % 200),
        factors: i % 3 === 0 ? [factors[i % 4]!, factors[(i + 1) % 4]!, factors[i % 4]!] : [],
        reviewed: i % 3 === 0,
      });
    }
    const actions: GuardrailAction[] = [];
    for (let i = 0; i < 50_000; i++) {
      const done = i % 4 === 0;
      actions.push({
        category: ACTION_CATEGORIES[i % ACTION_CATEGORIES.length]!,
        status: done ? 'done' : 'open',
        createdAt: ago((i * 13) % 365),
        completedAt: done ? ago(0) : null,
        due: i % 5 === 0 ? null : `2026-${String((i % 12) + 1).padStart(2, '0')}-15`,
      });
    }
    return { incidents, actions };
  }

  test('10k incidents and 50k actions are fast, and input order does not change the result', () => {
    const { incidents, actions } = big();
    const started = performance.now();
    const r = report(incidents, actions);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
    assert.ok(r.incidents > 0 && r.incidents < 10_000);
    assert.equal(
      r.openActions + r.doneActions,
      r.actionsByCategory.reduce((s, c) => s + c.open + c.done, 0),
    );
    assert.ok(r.medianOpenAgeDays !== null);
    // 'ehr' and 'EHR ' are one service.
    assert.equal(r.recurringServices.filter((s) => s.service.trim().toLowerCase() === 'ehr').length, 1);
    const reversed = report([...incidents].reverse(), [...actions].reverse());
    assert.deepEqual(reversed, r);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), JSON.parse(JSON.stringify(report(incidents, actions))));
  });
});
