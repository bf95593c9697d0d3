// Drills (exercises) on both databases: every report's figures are the same with a copy of each
// real incident declared as a drill beside it (the insights, the guardrail report and its
// contributing factors, delivery metrics, on-call load's incident work and pages), while the
// register and the evidence pack's records list the drills, marked. And not vacuous: the same copies
// declared for real do change every figure.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { insightPeriod } from '../../src/domain/insights.ts';
import { registerWhere } from '../../src/domain/register.ts';
import { trackerIssueDraft } from '../../src/domain/trackers.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const ALICE = 'UALICE';
const TRACKER_OPTS = { incidentLink: null, service: null, assignee: null, ownerName: null };
const now = new Date('2026-11-24T14:00:00Z');
const TODAY = '2026-11-24';
const ZONE = 'Europe/London';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const since = new Date(now.getTime() - 30 * DAY);

let keys = 0;

/**
 * One incident on ehr-api, `k` days ago, a change to ehr-api an hour before a real one (a failed change),
 * Alice its commander, moved through investigating and monitoring to resolved (k even), a review
 * listing a contributing factor, and a PagerDuty page to Alice linked to it.
 */
async function declareOne(deps: ServiceDeps, k: number, kind: 'real' | 'drill' | 'copy') {
  const declaredAt = new Date(now.getTime() - (k + 1) * DAY - k * HOUR);
  const at = (minutes: number) => new Date(declaredAt.getTime() + minutes * 60_000);
  const { incident } = await deps.store.createIfAbsent(
    declaring({
      declaration: aDeclaration({
        title: `${kind} ${k}`,
        severity: (['SEV1', 'SEV2', 'SEV3'] as const)[k % 3],
        affectedService: 'ehr-api',
        drill: kind === 'drill',
      }),
      declaredBy: ALICE,
      declaredAt,
    }),
  );
  // A change an hour before a real incident (a failed change); a drill has none of its own.
  if (kind !== 'drill')
    await deps.changes.record(
      {
        sourceKey: `api:drills-${keys++}`,
        source: 'api',
        kind: 'deploy',
        service: 'ehr-api',
        serviceName: 'ehr-api',
        system: null,
        owner: 'group:default/platform',
        environment: null,
        version: null,
        summary: 'deploy',
        author: null,
        approvers: [],
        url: null,
        occurredAt: at(-60),
      },
      at(-60),
    );
  await deps.store.applyChange(
    incident.id,
    { role: { role: 'COMMANDER', userId: ALICE, assignedBy: ALICE } },
    {
      occurredAt: at(2),
      kind: 'role_assigned',
      actorId: ALICE,
      text: 'Commander: Alice',
      data: { role: 'COMMANDER', userId: ALICE, previous: null },
    },
  );
  const move = (to: 'INVESTIGATING' | 'MONITORING' | 'RESOLVED', minutes: number, from: string) =>
    deps.store.applyChange(
      incident.id,
      { status: to, ...(to === 'RESOLVED' ? { resolvedAt: at(minutes) } : {}) },
      {
        occurredAt: at(minutes),
        kind: to === 'RESOLVED' ? 'resolved' : 'status_changed',
        actorId: ALICE,
        text: `to ${to}`,
        data: { from, to },
      },
    );
  await move('INVESTIGATING', 4 + k, 'DECLARED');
  await move('MONITORING', 30 + k * 3, 'INVESTIGATING');
  if (k % 2 === 0) {
    await move('RESOLVED', 90 + k * 7, 'MONITORING');
    await deps.reviews.saveReviewInput(
      incident.id,
      { contributingFactors: [{ factor: 'missing-guardrail', detail: '' }] },
      { by: ALICE, at: at(90 + k * 7 + 2 * 60) },
    );
  }
  const pd = `PI-${kind}-${k}`;
  await deps.store.linkPagerDuty(incident.id, {
    pagerDutyIncidentId: pd,
    htmlUrl: null,
    title: `${kind === 'drill' ? '[DRILL] ' : ''}INC-${incident.number}`,
    origin: 'page',
    status: 'triggered',
  });
  return { incident, page: { id: `LE-${pd}`, incidentId: pd, userId: 'PALICE', at: at(1) } };
}

/** Every figure the reports are made of, over the last 30 days. */
async function figures(deps: ServiceDeps) {
  const period = insightPeriod('2026-10-26', TODAY, ZONE);
  const read = await deps.loadCache.read('all', since, now);
  return {
    insights: await deps.insights.figures(period, now, []),
    guardrail: await deps.reviews.guardrailFigures(since, now, TODAY),
    factors: await deps.reviews.factorFigures(since, now),
    delivery: await deps.reviews.deliveryFigures(since, now, 20),
    work: (await deps.loadCache.incidentWork([ALICE], since, now, now))
      .map((w) => `${w.slackUserId} ${w.roles.join()} ${w.start.toISOString()} ${w.end.toISOString()}`)
      .sort(),
    pages: read.pages.map((p) => p.id).sort(),
    // The /metrics gauge of open incidents by severity.
    open: await deps.store.countActiveBySeverity(),
  };
}

/** Saves the week's pages for Alice (on call all month) as a sync would. */
async function savePages(deps: ServiceDeps, pages: { id: string; incidentId: string; userId: string; at: Date }[]) {
  await deps.loadCache.saveWindow(
    'all',
    { start: since, end: now },
    {
      people: [{ id: 'PALICE', name: 'Alice', email: 'alice@example.org', timeZone: ZONE }],
      stretches: [{ userId: 'PALICE', scheduleId: 'PS1', escalationPolicyId: 'PE1', level: 1, start: since, end: now }],
      pages: pages.map((p) => ({ ...p, kind: 'assigned' as const, serviceId: null })),
    },
    now,
  );
}

for (const database of testDatabases()) {
  describe(`drills are left out of every report (${database.name})`, () => {
    const env = useTestStore(database);

    test('the figures with drills beside the incidents are the figures without them; the register and evidence list the drills, marked', async () => {
      const deps = testDeps({ db: env.db(), clock: new TestClock(now) });
      const pages = [];
      for (let k = 0; k < 4; k++) pages.push((await declareOne(deps, k, 'real')).page);
      await savePages(deps, pages);
      const before = await figures(deps);
      // Not vacuous: every part counts the real incidents.
      assert.equal(before.guardrail.incidents, 4);
      assert.ok(before.insights.overall.incidents === 4 && before.insights.overall.metrics.resolve.count === 2);
      assert.ok(before.insights.reviews.onTime + before.insights.reviews.late > 0, 'reviews counted');
      assert.equal(before.factors.reviewed, 2, 'contributing factors counted');
      assert.equal(before.delivery[0]?.failedChanges, 4);
      assert.equal(before.work.length, 4);
      assert.equal(before.pages.length, 4);
      assert.deepEqual(before.open, { SEV2: 1, SEV1: 1 }, 'the two unresolved ones are open');

      const drills = [];
      for (let k = 0; k < 4; k++) {
        const d = await declareOne(deps, k, 'drill');
        drills.push(d.incident);
        pages.push(d.page);
      }
      await savePages(deps, pages);
      assert.ok(drills.every((d) => d.drill));
      const withDrills = await figures(deps);
      assert.deepEqual(withDrills, before);

      // Listed, and marked, where records are kept.
      const where = registerWhere(
        {
          from: '2026-10-26',
          to: TODAY,
          timeZone: ZONE,
          severities: [],
          status: null,
          service: null,
          owner: null,
          nearMiss: null,
          drill: null,
          q: null,
        },
        { privateChannels: [] },
      );
      const { rows, total } = await deps.register.list(where, { offset: 0, limit: 50 });
      assert.equal(total, 8);
      assert.deepEqual(
        rows
          .filter((r) => r.drill)
          .map((r) => r.number)
          .sort(),
        drills.map((d) => d.number).sort(),
      );
      const evidence = await deps.evidence.incidentsDeclared(since, now);
      assert.equal(evidence.length, 8, 'the evidence pack includes the drills');
      assert.deepEqual(
        evidence.filter((i) => i.drill).map((i) => i.number),
        drills.map((d) => d.number).sort((a, b) => a - b),
      );

      // A drill's action item says it is an exercise's (its tracker issue is marked [DRILL]).
      const item = (incidentId: string) =>
        deps.reviews.addActionItem(
          incidentId,
          { text: 'Rehearse the failover', ownerId: null, due: null, category: 'process', priority: 'medium' },
          { by: ALICE, at: now },
        );
      const fromDrill = await deps.reviews.findActionItem((await item(drills[0]!.id)).id);
      assert.equal(fromDrill?.incidentDrill, true);
      assert.match(trackerIssueDraft(fromDrill!, TRACKER_OPTS).title, /^\[DRILL\] ACT-\d+: Rehearse the failover$/);
      const real = (await deps.store.findByNumber(1))!;
      assert.equal(real.drill, false);
      const fromReal = await deps.reviews.findActionItem((await item(real.id)).id);
      assert.equal(fromReal?.incidentDrill, false);
      assert.doesNotMatch(trackerIssueDraft(fromReal!, TRACKER_OPTS).title, /DRILL/);

      // The same incidents declared for real do count: the exclusion is the drill flag's doing.
      for (let k = 0; k < 4; k++) pages.push((await declareOne(deps, k, 'copy')).page);
      await savePages(deps, pages);
      const withCopies = await figures(deps);
      assert.equal(withCopies.guardrail.incidents, 8);
      assert.equal(withCopies.insights.overall.incidents, 8);
      assert.equal(withCopies.work.length, 8);
      assert.equal(withCopies.pages.length, 8);
      assert.deepEqual(withCopies.open, { SEV2: 2, SEV1: 2 });
      assert.equal(withCopies.factors.reviewed, 4);
      assert.equal(withCopies.delivery[0]?.incidents, 8);
      assert.equal(withCopies.delivery[0]?.failedChanges, 8);
    });
  });
}
