// The insights' figures counted by the database (PgInsightFigures: PGlite, and the PostgreSQL
// server when TEST_DATABASE_URL is set) agree with the pure computation (insightFiguresOf) on the
// same rows: incidents across the end of summer time, status changes with a reopen, near misses,
// private incidents, reviews saved before and after their 7 days, and action items done on time,
// late and not at all. And showInsights lays them out, private services unnamed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addDays } from '../../src/domain/action-items.ts';
import { statusChangesFrom, declaredAtFrom } from '../../src/domain/timeline.ts';
import {
  insightFiguresOf,
  insightPeriod,
  type InsightAction,
  type InsightFigureSet,
  type InsightIncident,
} from '../../src/domain/insights.ts';
import type { IncidentStatus } from '../../src/domain/incident.ts';
import { SEVERITIES } from '../../src/domain/severity.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { showInsights } from '../../src/services/insights/show-insights.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const ALICE = 'UALICE';
const now = new Date('2026-11-24T14:00:00Z');
const TODAY = '2026-11-24';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ZONE = 'Europe/London';

/** Rounded to a microsecond: the database's percentiles are float8 like ours, but summed in another order. */
function rounded(f: InsightFigureSet) {
  return JSON.parse(
    JSON.stringify(f, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v)),
  );
}
const sortedBy = <T>(list: T[], key: (t: T) => string) => [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1));
const canonical = (f: InsightFigureSet) =>
  rounded({
    ...f,
    weeks: sortedBy(f.weeks, (w) => `${w.week} ${w.severity} ${w.nearMiss}`),
    bySeverity: sortedBy(f.bySeverity, (s) => s.severity),
    byMonth: sortedBy(f.byMonth, (m) => m.month),
  });

async function seed(deps: ServiceDeps) {
  const { store, reviews } = deps;
  // 40 incidents, one every ~2 days back from now: the weeks either side of 25 October (summer time ends).
  for (let k = 0; k < 40; k++) {
    const declaredAt = new Date(now.getTime() - k * 2 * DAY - (k % 5) * 7 * HOUR - 23 * 60_000);
    const { incident } = await store.createIfAbsent(
      declaring({
        declaration: aDeclaration({
          title: `Incident ${k}`,
          severity: SEVERITIES[k % 4]!,
          nearMiss: k % 9 === 4,
          isPrivate: k % 7 === 3,
          affectedService: k % 7 === 3 ? 'Secret Ward' : [null, 'EHR', 'ehr ', 'Pharmacy', 'Labs'][k % 5]!,
        }),
        declaredBy: ALICE,
        declaredAt,
      }),
    );
    // The private ones have a channel of their own (a reader counts them only when in it).
    if (k % 7 === 3) await store.recordProvisioning(incident.id, { channelId: `CPRIV${k}` });
    const at = (minutes: number) => new Date(declaredAt.getTime() + minutes * 60_000);
    const move = async (to: IncidentStatus, minutes: number, from: IncidentStatus) => {
      const resolving = to === 'RESOLVED';
      await store.applyChange(
        incident.id,
        { status: to, ...(resolving ? { resolvedAt: at(minutes) } : {}) },
        {
          occurredAt: at(minutes),
          kind: resolving ? 'resolved' : 'status_changed',
          actorId: ALICE,
          text: `to ${to}`,
          data: { from, to },
        },
      );
    };
    if (k % 6 === 5) continue; // never acknowledged
    await move('INVESTIGATING', 3 + k * 4, 'DECLARED');
    if (k % 4 !== 3) await move('MONITORING', 30 + k * 11, 'INVESTIGATING');
    if (k % 3 === 1) continue; // still open
    await move('RESOLVED', 90 + k * 37, k % 4 !== 3 ? 'MONITORING' : 'INVESTIGATING');
    if (k % 8 === 2) await move('INVESTIGATING', 200 + k * 37, 'RESOLVED'); // reopened, not resolved again
    if (k % 16 === 0) await move('RESOLVED', 400 + k * 37, 'INVESTIGATING'); // reopened and resolved again
    // Reviews: with factors at 2, 7 (exactly), 7 days and a minute, 20 days after the resolve; some without.
    const reviewAfter = [2 * DAY, 7 * DAY, 7 * DAY + 60_000, 20 * DAY, null][k % 5]!;
    const resolvedAt = at(k % 16 === 0 ? 400 + k * 37 : 90 + k * 37);
    if (reviewAfter !== null) {
      await reviews.saveReviewInput(
        incident.id,
        { wentWell: 'Paging worked' },
        { by: ALICE, at: new Date(resolvedAt.getTime() + DAY) },
      );
      await reviews.saveReviewInput(
        incident.id,
        { contributingFactors: [{ factor: k % 2 ? 'missing-guardrail' : 'capacity', detail: '' }] },
        { by: ALICE, at: new Date(resolvedAt.getTime() + reviewAfter) },
      );
    }
    // Action items due around the period's edges, done before, on and after the due date, or open.
    for (let j = 0; j < 3; j++) {
      const due = addDays(TODAY, [-90, -40, -10, -1, 0, 3][(k + j) % 6]!);
      const item = await reviews.addActionItem(
        incident.id,
        { text: `Fix ${k}.${j}`, ownerId: ALICE, due, category: 'guardrail', priority: 'medium' },
        { by: ALICE, at: declaredAt },
      );
      const doneAt = [null, -2, 0, 1][(k * 3 + j) % 4];
      // Done at 23:30 London time on the day: the calendar date in the zone decides, not UTC's.
      if (doneAt !== null && doneAt !== undefined)
        await reviews.completeActionItem(item.id, {
          by: ALICE,
          at: new Date(`${addDays(due, doneAt)}T23:30:00Z`),
        });
    }
  }
}

/** The rows as the pure computation reads them, straight from the stores. */
async function rowsOf(deps: ServiceDeps): Promise<{ incidents: InsightIncident[]; actions: InsightAction[] }> {
  const db = (deps.store as unknown as { prisma: import('../../src/generated/prisma/client.ts').PrismaClient }).prisma;
  const incidents: InsightIncident[] = [];
  for (const i of await db.incident.findMany()) {
    const timeline = await deps.store.timeline(i.id);
    const entries = timeline.map((e) => ({
      kind: e.kind,
      occurredAt: e.occurredAt,
      data: (e.data ?? undefined) as Record<string, unknown> | undefined,
    }));
    const reviewed = timeline
      .filter((e) => {
        const input = (e.data as { input?: { contributingFactors?: unknown[] } } | null)?.input;
        return (
          e.kind === 'review_updated' &&
          Array.isArray(input?.contributingFactors) &&
          input.contributingFactors.length > 0
        );
      })
      .map((e) => e.occurredAt.getTime());
    incidents.push({
      number: i.number,
      severity: i.severity,
      nearMiss: i.nearMiss,
      isPrivate: i.isPrivate,
      affectedService: i.affectedService,
      createdAt: i.createdAt,
      declaredAt: declaredAtFrom(entries, i.createdAt),
      changes: statusChangesFrom(entries),
      resolvedAt: i.resolvedAt,
      reviewCompletedAt: reviewed.length ? new Date(Math.min(...reviewed)) : null,
      channelId: i.channelId,
    });
  }
  const incidentOf = new Map((await db.incident.findMany()).map((i) => [i.id, i]));
  const actions = (await db.actionItem.findMany()).map((a) => ({
    due: a.due ? a.due.toISOString().slice(0, 10) : null,
    status: a.status,
    completedAt: a.completedAt,
    incidentPrivate: incidentOf.get(a.incidentId)!.isPrivate,
    incidentChannelId: incidentOf.get(a.incidentId)!.channelId,
  }));
  return { incidents, actions };
}

for (const database of testDatabases()) {
  describe(`the insights' figures (${database.name})`, () => {
    const testStore = useTestStore(database);
    let deps: ServiceDeps;

    test('the database counts what the rows say, for several periods and zones', async () => {
      deps = testDeps({ db: testStore.db(), clock: new TestClock(now) });
      await seed(deps);
      const rows = await rowsOf(deps);
      assert.ok(rows.incidents.length === 40);
      for (const [from, to, zone] of [
        ['2026-09-01', TODAY, ZONE],
        ['2026-10-19', '2026-11-01', ZONE], // the weeks either side of the end of summer time
        ['2026-08-01', '2026-10-31', 'America/New_York'],
        ['2026-11-20', '2026-11-20', 'Asia/Kolkata'],
        ['2025-01-01', '2025-02-01', ZONE], // nothing in it
      ] as const) {
        const period = insightPeriod(from, to, zone);
        // A reader in none of the private incidents' channels, in two of them, and in all six.
        for (const privateChannels of [[], ['CPRIV3', 'CPRIV17'], [3, 10, 17, 24, 31, 38].map((k) => `CPRIV${k}`)]) {
          const fromRows = insightFiguresOf({ period, now, ...rows, privateChannels });
          const fromSql = await deps.insights.figures(period, now, privateChannels);
          assert.deepEqual(canonical(fromSql), canonical(fromRows), `${from} to ${to} in ${zone}, ${privateChannels}`);
        }
        const fromRows = insightFiguresOf({ period, now, ...rows, privateChannels: [] });
        if (from === '2026-09-01') {
          // Not vacuous: every part has something in it.
          assert.ok(fromRows.weeks.length > 10);
          assert.ok(fromRows.byService.length >= 3);
          assert.ok(fromRows.reviews.onTime > 0 && fromRows.reviews.late > 0);
          assert.ok(fromRows.actions.onTime > 0 && fromRows.actions.due > fromRows.actions.onTime);
          assert.ok(fromRows.overall.metrics.resolve.count > 0);
        }
      }
    });

    test('showInsights: every week and severity listed, factors counted, the private service never named', async () => {
      const insights = await showInsights(deps, {
        reader: { userId: 'UREADER', privateChannels: async () => new Set<string>() },
        period: insightPeriod('2026-09-01', TODAY, ZONE),
      });
      assert.equal(insights.weeks[0]!.week, '2026-08-31');
      assert.equal(insights.weeks.at(-1)!.week, '2026-11-23');
      assert.equal(insights.weeks.length, 13);
      assert.deepEqual(
        insights.bySeverity.map((s) => s.severity),
        ['SEV1', 'SEV2', 'SEV3', 'SEV4'],
      );
      assert.equal(
        insights.incidents + insights.nearMisses,
        insights.weeks.reduce((n, w) => n + w.incidents + w.nearMisses, 0),
      );
      assert.ok(insights.factors.some((f) => f.factor === 'capacity'));
      // "EHR" and "ehr " are one service.
      assert.equal(insights.byService.filter((s) => s.service.toLowerCase() === 'ehr').length, 1);
      assert.ok(!JSON.stringify(insights).includes('Secret Ward'));
    });

    test('a private incident counts only for the members of its channel: incidents, durations, reviews, items, factors', async () => {
      const period = insightPeriod('2026-09-01', TODAY, ZONE);
      const all = [3, 10, 17, 24, 31, 38].map((k) => `CPRIV${k}`);
      const reader = (channels: string[]) => ({ userId: 'UREADER', privateChannels: async () => new Set(channels) });
      const outside = await showInsights(deps, { reader: reader([]), period });
      const inside = await showInsights(deps, { reader: reader(all), period });
      const rows = await rowsOf(deps);
      const since = period.since.getTime();
      const until = period.until.getTime();
      const privateInPeriod = rows.incidents.filter(
        (i) => i.isPrivate && i.createdAt.getTime() >= since && i.createdAt.getTime() < until,
      );
      assert.ok(privateInPeriod.length >= 3, 'not vacuous');
      const total = (x: typeof outside) => x.incidents + x.nearMisses;
      assert.equal(total(inside) - total(outside), privateInPeriod.length);
      assert.notDeepEqual(inside.overall, outside.overall, 'durations');
      assert.ok(inside.reviewed > outside.reviewed, 'factors listed: the reviewed count');
      const factors = (x: typeof outside) => x.factors.reduce((n, f) => n + f.count, 0);
      assert.ok(factors(inside) > factors(outside), 'factors counted');
      // The guardrail report (Slack, counts across the team) still counts every incident.
      const last = new Date(until - 1);
      const everyone = await deps.reviews.guardrailFigures(period.since, last, TODAY);
      assert.equal(everyone.reviewed, inside.reviewed);
      assert.ok(!JSON.stringify(inside).includes('Secret Ward'), 'its service is still never named');
    });
  });
}
