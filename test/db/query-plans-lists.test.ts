// The listings' and reports' queries use indexes: on a PostgreSQL server (skipped on PGlite: its
// planner statistics are not the question) seeded with a large trust's numbers and analysed, every
// statement that /incident actions (each filter, the first page and a next one), the App Home tab,
// /incident guardrails and /metrics send is captured from Prisma and explained: no sequential
// scan of incident, action_item, timeline_entry or change_event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { PrismaReviewStore } from '../../src/db/prisma-review-store.ts';
import { PrismaTrackerLinkStore } from '../../src/db/prisma-tracker-links.ts';
import { ACTION_FILTERS, TRACKER_FILTERS } from '../../src/domain/action-items.ts';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { showActionItems, showHome } from '../../src/services/review/show-action-items.ts';
import { showGuardrailReport } from '../../src/services/review/show-guardrail-report.ts';
import { testDatabases, type TestSetup } from '../support/databases.ts';
import { PrismaChangeLog } from '../../src/db/prisma-change-log.ts';
import { EMPTY_CATALOG } from '../../src/domain/catalog.ts';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { showService } from '../../src/services/catalog/show-service.ts';
import { TestClock, testDeps } from '../support/deps.ts';
import { catalogService } from '../support/catalog.ts';

const WATCHED = new Set(['incident', 'action_item', 'timeline_entry', 'change_event']);
/**
 * The tracker sync's claim and the guardrail report must not read every link either. (The place
 * filters of a listing may hash-join all the links: a narrow table the size of the backlog, which
 * the planner rightly scans when most items match, as `in:slack` does.)
 */
const WITH_LINKS = new Set([...WATCHED, 'tracker_link']);
const now = new Date('2026-11-24T14:00:00Z');

interface Statement {
  text: string;
  values: unknown[];
}

/** A pool that remembers every statement Prisma sends through it (the adapter queries the pool outside transactions). */
class RecordingPool extends pg.Pool {
  readonly statements: Statement[] = [];
  override query(...args: any[]): any {
    const c = args[0];
    if (c && typeof c === 'object' && typeof c.text === 'string')
      this.statements.push({ text: c.text, values: c.values ?? [] });
    return (super.query as any)(...args);
  }
}

/** Sequential scans of the watched tables anywhere in an EXPLAIN (FORMAT JSON) plan. */
function seqScans(node: any, found: string[] = [], watched: Set<string> = WITH_LINKS): string[] {
  if (node['Node Type'] === 'Seq Scan' && watched.has(node['Relation Name'])) found.push(node['Relation Name']);
  for (const child of node.Plans ?? []) seqScans(child, found, watched);
  return found;
}

const server = testDatabases().find((d) => d.name === 'postgres');

describe('the listings’ and reports’ query plans on PostgreSQL', {
  skip: server ? false : 'needs TEST_DATABASE_URL',
}, () => {
  let setup: TestSetup;
  let pool: RecordingPool;
  let prisma: PrismaClient;

  before(async () => {
    setup = await server!.setup();
    const admin = new pg.Client({ connectionString: setup.url! });
    await admin.connect();
    // A large trust's numbers, written straight (no triggers: the audit trail is not the question here).
    await admin.query(`SET session_replication_role = replica`);
    await admin.query(
      `
      INSERT INTO incident (id, number, declare_key, title, severity, status, declared_by, affected_service,
        is_private, near_miss, created_at, updated_at, last_update_at, resolved_at)
      SELECT gen_random_uuid(), n, 'seed-' || n, 'Incident ' || n,
        (ARRAY['SEV1','SEV2','SEV3','SEV4'])[1 + n % 4]::"Severity",
        (CASE WHEN n % 500 = 0 THEN 'INVESTIGATING' WHEN n % 5 = 0 THEN 'RESOLVED' ELSE 'CLOSED' END)::"IncidentStatus",
        'U' || (n % 300), 'service-' || (n % 40), n % 17 = 0, n % 9 = 0,
        $1::timestamptz - (n * interval '262 minutes'), $1, $1,
        CASE WHEN n % 500 = 0 THEN NULL ELSE $1::timestamptz - (n * interval '262 minutes') + (n % 300) * interval '1 minute' END
      FROM generate_series(1, 10000) AS n`,
      [now],
    );
    await admin.query(`
      INSERT INTO incident_review (incident_id, input, updated_at)
      SELECT id, jsonb_build_object('contributingFactors', jsonb_build_array(
        jsonb_build_object('factor', (ARRAY['change-deploy','capacity','dependency','observability-gap'])[1 + number % 4]))), created_at
      FROM incident WHERE number % 3 = 0`);
    await admin.query(
      `
      INSERT INTO action_item (id, number, incident_id, text, owner_id, due, category, priority, status, created_by, created_at)
      SELECT gen_random_uuid(), n, i.id, 'Action ' || n, 'U' || (n % 200),
        CASE WHEN n % 7 = 0 THEN NULL ELSE ($1::timestamptz)::date + (n % 730 - 365) END,
        (ARRAY['guardrail','observability','ownership','runbook','process'])[1 + n % 5]::"ActionCategory",
        (ARRAY['high','medium','low'])[1 + n % 3]::"ActionPriority",
        (CASE WHEN n % 4 = 0 THEN 'open' ELSE 'done' END)::"ActionStatus",
        'U1', i.created_at + interval '1 day'
      FROM generate_series(1, 20000) AS n JOIN incident i ON i.number = 1 + (n - 1) / 2`,
      [now],
    );
    await admin.query(`
      INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, text)
      SELECT gen_random_uuid(), i.id, i.created_at + s * interval '1 minute', 'note', 'Entry ' || s
      FROM incident i CROSS JOIN generate_series(1, 10) AS s`);
    // Where the items live: most in Slack only, the rest with an issue in GitHub or Jira, a few being created.
    await admin.query(`
      INSERT INTO tracker_link (action_item_id, incident_id, state, tracker, target, issue_id, issue_key, issue_url,
        created_at, updated_at)
      SELECT id, incident_id, s.state, s.tracker, s.target,
        CASE WHEN s.state = 'linked' THEN number::text END,
        CASE WHEN s.state = 'linked' THEN 'K-' || number END,
        CASE WHEN s.state = 'linked' THEN 'https://example.org/K-' || number END,
        created_at, created_at
      FROM action_item
      CROSS JOIN LATERAL (SELECT
        (ARRAY['none','new','linked','linked','pending','none'])[1 + number % 6] AS state,
        (ARRAY[NULL,NULL,'github','jira','jira',NULL])[1 + number % 6] AS tracker,
        (ARRAY[NULL,NULL,'acme/ops','OPS','OPS',NULL])[1 + number % 6] AS target) AS s`);
    // Some items belong to a team (the owner of their incident's service).
    await admin.query(`UPDATE action_item SET team = 'group:default/team-' || (number % 20) WHERE number % 3 = 0`);
    // Changes: eight a day over the incidents' five years, on the same services (some unknown to the catalog).
    await admin.query(
      `
      INSERT INTO change_event (id, source_key, source, kind, service, service_key, service_name, service_name_key,
        system, system_key, owner, summary, occurred_at, received_at)
      SELECT gen_random_uuid(), 'api:seed-' || n, 'api', 'deploy', 'Service-' || (n % 40), 'service-' || (n % 40),
        CASE WHEN n % 10 = 0 THEN NULL ELSE 'service-' || (n % 40) END,
        CASE WHEN n % 10 = 0 THEN NULL ELSE 'service-' || (n % 40) END,
        'System-' || (n % 10), 'system-' || (n % 10),
        'group:default/team-' || (n % 8), 'Deploy ' || n,
        $1::timestamptz - (n * interval '180 minutes'), $1::timestamptz - (n * interval '180 minutes')
      FROM generate_series(1, 14600) AS n`,
      [now],
    );
    await admin.query('VACUUM ANALYZE');
    await admin.end();
    pool = new RecordingPool({ connectionString: setup.url!, max: 4 });
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  });

  after(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await setup?.teardown();
  });

  /** The statements `run` sends, each explained with its own values. */
  async function plans(run: () => Promise<unknown>) {
    pool.statements.length = 0;
    await run();
    const sent = [...pool.statements];
    const explained: { text: string; scans: string[]; scansButLinks: string[] }[] = [];
    for (const s of sent) {
      const { rows } = await pool.query(`EXPLAIN (FORMAT JSON) ${s.text}`, s.values);
      const plan = rows[0]['QUERY PLAN'][0].Plan;
      explained.push({ text: s.text, scans: seqScans(plan), scansButLinks: seqScans(plan, [], WATCHED) });
    }
    pool.statements.length = 0;
    return explained;
  }

  const deps = () =>
    testDeps({
      store: new PrismaIncidentStore(prisma),
      reviews: new PrismaReviewStore(prisma),
      clock: new TestClock(now),
    });

  const noSeqScans = (explained: { text: string; scans: string[] }[], what: string) => {
    assert.ok(explained.length > 0, `${what}: statements were sent`);
    for (const e of explained) assert.deepEqual(e.scans, [], `${what}: a sequential scan in\n${e.text}`);
  };

  test('/incident actions, every filter, the first page and the next', async () => {
    for (const filter of ACTION_FILTERS) {
      const d = deps();
      let next = null as Awaited<ReturnType<typeof showActionItems>>['next'];
      const first = await plans(async () => {
        const page = await showActionItems(d, { userId: 'U8', filter });
        assert.equal(page.items.length, 20, `${filter}: a full page`);
        next = page.next;
      });
      noSeqScans(first, `${filter}, first page`);
      assert.ok(next, `${filter}: there is a next page`);
      const second = await plans(() => showActionItems(d, { userId: 'U8', filter, after: next }));
      noSeqScans(second, `${filter}, next page`);
    }
  });

  test('/incident actions by where the items live, every filter, the first page and the next', async () => {
    const bad: string[] = [];
    for (const filter of ACTION_FILTERS) {
      for (const tracker of TRACKER_FILTERS) {
        const d = deps();
        let next = null as Awaited<ReturnType<typeof showActionItems>>['next'];
        const first = await plans(async () => {
          const page = await showActionItems(d, { userId: 'U8', filter, tracker, limit: 3 });
          next = page.next;
        });
        const second = next
          ? await plans(() => showActionItems(d, { userId: 'U8', filter, tracker, after: next }))
          : [];
        for (const e of [...first, ...second])
          if (e.scansButLinks.length) bad.push(`${filter} ${tracker}: ${e.text.slice(0, 50)}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test('the App Home tab', async () => {
    noSeqScans(await plans(() => showHome(deps(), { userId: 'U8' })), 'App Home');
  });

  test('/incident guardrails over 30, 90 and 365 days', async () => {
    for (const periodDays of [30, 90, 365]) {
      const explained = await plans(async () => {
        const report = await showGuardrailReport(deps(), { periodDays });
        assert.ok(report.incidents > 0 && report.openActions + report.doneActions > 0);
        const owners = report.delivery?.owners ?? [];
        assert.ok(owners.some((o) => o.failedChanges > 0 && o.services.some((x) => x.restoreMedianMs !== null)));
      });
      noSeqScans(explained, `guardrails ${periodDays}d`);
    }
  });

  test('/incident service: its incidents, counted, and the open items of its incidents or its team', async () => {
    const service = catalogService('service-8', {
      title: 'Service Eight',
      owner: 'group:default/team-8',
      ownerName: 'Team 8',
    });
    const d = testDeps({
      store: new PrismaIncidentStore(prisma),
      reviews: new PrismaReviewStore(prisma),
      changes: new PrismaChangeLog(prisma),
      clock: new TestClock(now),
      catalog: staticCatalog({
        ...EMPTY_CATALOG,
        source: 'file',
        services: [service],
        loadedAt: new Date('2026-12-01T00:00:00Z'),
      }),
      onCall: null,
    });
    const explained = await plans(async () => {
      const v = await showService(d, { userId: 'U8', name: 'service-8' });
      assert.ok(v.recentCount > 0 && v.actionItemsTotal > 0, 'it found incidents and items');
    });
    noSeqScans(explained, '/incident service');
  });

  test('changesTo: services and systems in any case, through the indexes', async () => {
    const log = new PrismaChangeLog(prisma);
    let found = 0;
    const explained = await plans(async () => {
      const changes = await log.changesTo({
        services: ['SERVICE-8', ' Service-9 '],
        systems: ['system-3'],
        from: new Date(now.getTime() - 30 * 86_400_000),
        to: now,
        limit: 50,
      });
      found = changes.length;
      assert.ok(changes.some((c) => c.service === 'Service-8'));
      assert.ok(
        changes.some((c) => c.service === 'Service-13'),
        'by its system (13 % 10 = 3)',
      );
    });
    assert.ok(found > 0);
    noSeqScans(explained, 'changesTo');
  });

  test('the tracker sync: claiming the links with work due reads only those, through the index', async () => {
    // A few links have work due (new items, retries, changes to push); the rest are in step (null).
    await pool.query(
      `UPDATE tracker_link SET next_attempt_at = $1::timestamptz - interval '1 minute'
        WHERE action_item_id IN (SELECT action_item_id FROM tracker_link WHERE state = 'pending' LIMIT 40)`,
      [now],
    );
    await pool.query('ANALYZE tracker_link');
    const links = new PrismaTrackerLinkStore(prisma);
    let claimed = 0;
    const explained = await plans(async () => {
      claimed = (await links.claimDue(now, 25, 60_000)).length;
    });
    assert.equal(claimed, 25);
    noSeqScans(explained, 'claimDue');
  });

  test('/metrics: open incidents by severity in one statement', async () => {
    const explained = await plans(async () => {
      const counts = await new PrismaIncidentStore(prisma).countActiveBySeverity();
      assert.equal(
        Object.values(counts).reduce((a, b) => a + b, 0),
        20,
      );
    });
    assert.equal(explained.length, 1, 'one aggregate query');
    noSeqScans(explained, '/metrics');
  });
});
