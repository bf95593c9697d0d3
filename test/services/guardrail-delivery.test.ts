// The guardrail report's change failure rate and time to restore, counted by the database (PGlite,
// and PostgreSQL when TEST_DATABASE_URL is set): the same figures as the rows give in JavaScript,
// grouped by owner then service, service names redacted, and rendered within Slack's limits; and the
// open action items per team.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deliveryFiguresOf, type DeliveryChange, type DeliveryIncident } from '../../src/domain/delivery-metrics.ts';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { showGuardrailReport } from '../../src/services/review/show-guardrail-report.ts';
import { guardrailReportMessage } from '../../src/slack/views/guardrail-report.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { catalogGroup, catalogOf } from '../support/catalog.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const now = new Date('2026-12-05T12:00:00Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function declare(
  deps: ServiceDeps,
  o: {
    service: string | null;
    at: Date;
    owner?: string | null;
    isPrivate?: boolean;
    nearMiss?: boolean;
    resolvedAfter?: number | null;
  },
) {
  const { incident } = await deps.store.createIfAbsent(
    declaring({
      declaration: aDeclaration({ affectedService: o.service, isPrivate: !!o.isPrivate, nearMiss: !!o.nearMiss }),
      declaredAt: o.at,
    }),
  );
  return incident;
}

let keys = 0;
const recordChange = (
  deps: ServiceDeps,
  o: { service: string; serviceName: string | null; owner: string | null; at: Date },
) =>
  deps.changes.record(
    {
      sourceKey: `api:t-${keys++}`,
      source: 'api',
      kind: 'deploy',
      service: o.service,
      serviceName: o.serviceName,
      system: null,
      owner: o.owner,
      environment: null,
      version: null,
      summary: 'x',
      author: null,
      approvers: [],
      url: null,
      occurredAt: o.at,
    },
    o.at,
  );

for (const database of testDatabases()) {
  describe(`change failure rate and time to restore in SQL (${database.name})`, () => {
    const env = useTestStore(database);

    test('the database’s figures are the rows’ figures, for every period', async () => {
      const deps = testDeps({ db: env.db(), clock: new TestClock(now) });
      const prisma = env.db().prisma;
      const services = ['ehr-api', 'EHR-API ', 'pharmacy', 'pacs', 'lab results', 'Lab Results'];
      const owners = ['group:default/platform', 'group:default/pharmacy', null];
      for (let k = 0; k < 45; k++) {
        const at = new Date(now.getTime() - ((k * 53) % 400) * HOUR * 3 - (k % 7) * 60_000);
        const service = k % 11 === 4 ? null : services[k % services.length]!;
        const i = await declare(deps, {
          service,
          at,
          isPrivate: k % 9 === 2,
          nearMiss: k % 8 === 3,
        });
        await prisma.incident.update({
          where: { id: i.id },
          data: {
            serviceOwner: owners[k % 3],
            ...(k % 4 !== 1
              ? { resolvedAt: new Date(at.getTime() + ((k * 17) % 50) * 7 * 60_000 + 1000), status: 'RESOLVED' }
              : {}),
          },
        });
      }
      for (let k = 0; k < 120; k++) {
        const at = new Date(now.getTime() - ((k * 29) % 700) * HOUR * 2 - (k % 13) * 60_000);
        const named = services[(k * 7) % services.length]!;
        await recordChange(deps, {
          service: k % 10 === 3 ? `repo/${named}` : named,
          serviceName: k % 10 === 3 ? null : named.trim().toLowerCase(),
          owner: k % 6 === 0 ? null : owners[k % 2]!,
          at,
        });
      }
      const incidents = (await prisma.incident.findMany()).map(
        (i): DeliveryIncident => ({
          affectedService: i.affectedService,
          owner: i.serviceOwner,
          isPrivate: i.isPrivate,
          nearMiss: i.nearMiss,
          createdAt: i.createdAt,
          resolvedAt: i.resolvedAt,
        }),
      );
      const changes = (await prisma.changeEvent.findMany()).map(
        (c): DeliveryChange => ({ service: c.serviceName ?? c.service, owner: c.owner, occurredAt: c.occurredAt }),
      );
      let exercised = 0;
      for (const days of [1, 7, 30, 90, 365]) {
        const since = new Date(now.getTime() - days * DAY);
        for (const limit of [3, 20]) {
          const sql = await deps.reviews.deliveryFigures(since, now, limit);
          const rows = deliveryFiguresOf({ since, until: now, incidents, changes, limit });
          const round = (f: typeof sql) =>
            f.map((s) => ({
              ...s,
              restoreMedianMs: s.restoreMedianMs === null ? null : Math.round(s.restoreMedianMs),
              restoreP90Ms: s.restoreP90Ms === null ? null : Math.round(s.restoreP90Ms),
            }));
          assert.deepEqual(round(sql), round(rows), `${days}d, top ${limit}`);
          exercised += rows.filter((r) => r.failedChanges > 0 && r.restored > 1).length;
        }
      }
      assert.ok(exercised > 3, 'the data has failed changes and restore times');
    });
  });

  describe(`the guardrail report's delivery section (${database.name})`, () => {
    const env = useTestStore(database);

    test('the report groups by owner then service, names owners by the catalog, and redacts service names', async () => {
      const catalog = staticCatalog({
        ...catalogOf(),
        groups: [catalogGroup('platform', { title: 'Platform team' })],
      });
      const deps = testDeps({ db: env.db(), clock: new TestClock(now), catalog });
      const at = (h: number) => new Date(now.getTime() - h * HOUR);
      await recordChange(deps, {
        service: 'ehr-api',
        serviceName: 'ehr-api',
        owner: 'group:default/platform',
        at: at(40),
      });
      await recordChange(deps, {
        service: 'ehr-api',
        serviceName: 'ehr-api',
        owner: 'group:default/platform',
        at: at(10),
      });
      await recordChange(deps, { service: 'ward 943 476 5919', serviceName: null, owner: null, at: at(5) });
      const i = await declare(deps, { service: 'ehr-api', at: at(9) });
      await env.db().prisma.incident.update({ where: { id: i.id }, data: { resolvedAt: at(8), status: 'RESOLVED' } });
      const secret = await declare(deps, { service: 'ward 943 476 5919', at: at(4), isPrivate: true });
      assert.ok(secret);

      const report = await showGuardrailReport(deps, { periodDays: 7 });
      const owners = report.delivery!.owners;
      assert.deepEqual(
        owners.map((o) => [o.label, o.changes, o.failedChanges, o.services.map((s) => s.service)]),
        [
          ['Platform team', 2, 1, ['ehr-api']],
          ['No owner', 1, 0, ['ward [redacted NHS number]']],
        ],
      );
      const ehr = owners[0]!.services[0]!;
      assert.equal(ehr.changeFailureRate, 0.5);
      assert.equal(ehr.incidents, 1);
      assert.equal(ehr.restoreMedianMs, HOUR);
      assert.equal(owners[1]!.services[0]!.incidents, 0, 'the private incident is not counted');

      const msg = guardrailReportMessage(report);
      const text = JSON.stringify(msg.blocks);
      assert.ok(text.includes('*Platform team*: 1 incident · 2 changes · CFR 50%'), text);
      assert.match(text, /ehr-api +1 +2 +1 +50% +1h 00m \/ 1h 00m/);
      assert.ok(!text.includes('943 476 5919'));
      assert.ok(msg.blocks.length <= 50);
      for (const b of msg.blocks) {
        const t = (b as { text?: { text?: string } }).text?.text;
        if (t) assert.ok(t.length <= 3000);
      }
    });

    describe(`the guardrail report's open action items per team (${database.name})`, () => {
      const env = useTestStore(database);

      test('counted in SQL per team: open and overdue, named by the catalog, items without a team left out, at most 20 teams', async () => {
        const catalog = staticCatalog({
          ...catalogOf(),
          groups: [catalogGroup('platform', { title: 'Platform team' })],
        });
        const deps = testDeps({ db: env.db(), clock: new TestClock(now), catalog });
        const open = await declare(deps, { service: 'ehr-api', at: new Date(now.getTime() - DAY) });
        const secret = await declare(deps, { service: 'ward', at: new Date(now.getTime() - DAY), isPrivate: true });
        const add = (incidentId: string, team: string | null, due: string | null) =>
          deps.reviews.addActionItem(
            incidentId,
            { text: 'Fix it', ownerId: null, team, due, category: 'guardrail', priority: 'medium' },
            { by: 'UALICE', at: now },
          );
        await add(open!.id, 'group:default/platform', '2026-12-01'); // overdue
        await add(open!.id, 'group:default/platform', '2026-12-05'); // due today: not overdue
        await add(open!.id, 'group:default/platform', null);
        const done = await add(open!.id, 'group:default/platform', '2026-11-01');
        await deps.reviews.completeActionItem(done.id, { by: 'UALICE', at: now });
        await add(open!.id, 'group:default/pharmacy', '2026-11-30');
        await add(open!.id, null, '2026-11-30');
        await add(secret!.id, 'group:default/secret-team', '2026-11-30');

        const report = await showGuardrailReport(deps, { periodDays: 30 });
        assert.deepEqual(report.teams, {
          rows: [
            { team: 'group:default/platform', label: 'Platform team', open: 3, overdue: 1 },
            { team: 'group:default/pharmacy', label: 'pharmacy', open: 1, overdue: 1 },
            // A private incident's item counts (a count naming no incident), as in the backlog's figures.
            { team: 'group:default/secret-team', label: 'secret-team', open: 1, overdue: 1 },
          ],
          teamsMax: 20,
          truncated: false,
        });
        const text = JSON.stringify(guardrailReportMessage(report).blocks);
        assert.match(text, /Open action items by team/);
        assert.match(text, /Platform team +3 +1/);
        assert.ok(!text.includes('ward'), 'no incident is named');

        for (let t = 0; t < 21; t++) await add(open!.id, `group:default/team-${String(t).padStart(2, '0')}`, null);
        const many = await showGuardrailReport(deps, { periodDays: 30 });
        assert.equal(many.teams!.rows.length, 20);
        assert.equal(many.teams!.truncated, true);
        assert.deepEqual(
          many.teams!.rows.slice(0, 3).map((r) => r.team),
          ['group:default/platform', 'group:default/pharmacy', 'group:default/secret-team'],
        );
        assert.match(JSON.stringify(guardrailReportMessage(many).blocks), /Only the 20 teams with the most open items/);
      });
    });
  });
}
