// The web view's register queries use indexes: on a PostgreSQL server (skipped on PGlite: its
// planner statistics are not the question) with a large trust's 10,000 incidents over five years,
// analysed, every statement PgIncidentRegister sends for a period of a few months (the default
// 90 days, filtered every way, a later page) is explained: no sequential scan of incident.
import { aRegisterFilter } from '../support/fixtures.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { PgIncidentRegister } from '../../src/db/pg-incident-register.ts';
import { registerWhere, type RegisterFilter } from '../../src/domain/register.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { testDatabases, type TestSetup } from '../support/databases.ts';

const now = new Date('2026-11-24T14:00:00Z');
const server = testDatabases().find((d) => d.name === 'postgres');

/** Sequential scans of incident anywhere in an EXPLAIN (FORMAT JSON) plan. */
function seqScans(node: any, found: string[] = []): string[] {
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'incident') found.push(node['Relation Name']);
  for (const child of node.Plans ?? []) seqScans(child, found);
  return found;
}

describe('the register’s query plans on PostgreSQL', { skip: server ? false : 'needs TEST_DATABASE_URL' }, () => {
  let setup: TestSetup;
  let client: pg.Client;

  before(async () => {
    setup = await server!.setup();
    client = new pg.Client({ connectionString: setup.url! });
    await client.connect();
    // Written straight (no triggers: the audit trail is not the question here): one every 262 minutes.
    await client.query(`SET session_replication_role = replica`);
    await client.query(
      `
      INSERT INTO incident (id, number, declare_key, title, severity, status, declared_by, affected_service,
        service_owner, is_private, near_miss, channel_id, created_at, updated_at, last_update_at, resolved_at)
      SELECT gen_random_uuid(), n, 'seed-' || n, 'Incident ' || n || (ARRAY[' pharmacy', ' lab', ' beds'])[1 + n % 3],
        (ARRAY['SEV1','SEV2','SEV3','SEV4'])[1 + n % 4]::"Severity",
        (CASE WHEN n % 500 = 0 THEN 'INVESTIGATING' WHEN n % 5 = 0 THEN 'RESOLVED' ELSE 'CLOSED' END)::"IncidentStatus",
        'U' || (n % 300), 'service-' || (n % 40), 'group:default/team-' || (n % 20), n % 17 = 0, n % 9 = 0,
        'CSEED' || n, $1::timestamptz - (n * interval '262 minutes'), $1, $1,
        CASE WHEN n % 500 = 0 THEN NULL ELSE $1::timestamptz - (n * interval '262 minutes') + interval '2 hours' END
      FROM generate_series(1, 10000) AS n`,
      [now],
    );
    await client.query(`
      INSERT INTO incident_role (incident_id, role, user_id, assigned_by)
      SELECT id, 'COMMANDER', declared_by, declared_by FROM incident`);
    await client.query('ANALYZE');
  });
  after(async () => {
    await client?.end();
    await setup?.teardown();
  });

  test('a few months’ register, filtered every way and paged, reads incident through an index', async () => {
    const plans: { text: string; scans: string[] }[] = [];
    // The statements PgIncidentRegister sends, each explained on the seeded server.
    const explaining = {
      query: async (text: string, params: unknown[]) => {
        const r = await client.query(`EXPLAIN (FORMAT JSON) ${text}`, params);
        plans.push({ text, scans: seqScans(r.rows[0]['QUERY PLAN'][0].Plan) });
        return { rows: text.includes('count(*)') ? [{ n: 0 }] : [] };
      },
    } as unknown as pg.Pool;
    const register = new PgIncidentRegister(null as unknown as PrismaClient, explaining);
    const period = (over: Partial<RegisterFilter>) =>
      aRegisterFilter({ from: '2026-08-27', to: '2026-11-24', ...over });
    const asks: [RegisterFilter, number][] = [
      [period({}), 0],
      [period({}), 200],
      [period({ severities: ['SEV1', 'SEV2'], service: 'SERVICE-7' }), 0],
      [period({ status: 'active' }), 0],
      [period({ owner: 'group:default/team-3', nearMiss: true }), 0],
      [period({ drill: true }), 0],
      [period({ drill: false, severities: ['SEV1'] }), 50],
      [period({ q: 'pharmacy' }), 0],
      [period({ q: 'INC-9990' }), 0],
    ];
    for (const [filter, offset] of asks)
      await register.list(registerWhere(filter, { privateChannels: ['CSEED17', 'CSEED34'] }), { offset, limit: 50 });
    assert.equal(plans.length, asks.length * 2, 'a page and a count each');
    assert.deepEqual(
      plans.filter((p) => p.scans.length).map((p) => p.text),
      [],
      'no statement scans every incident',
    );
  });
});
