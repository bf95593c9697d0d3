// PagerDutyOnCall (and its pdjs client) against a stateful PagerDuty fake: matching, now/next per level,
// pagination, retries with backoff, timeouts and bad answers.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';

import { PagerDutyOnCall } from '../../src/pagerduty/on-call.ts';
import { OnCallUnavailable, type OnCallShift } from '../../src/ports/on-call-provider.ts';
import { startPagerDutyFake, type FakeState, type PagerDutyFake } from '../support/pagerduty-fake.ts';

const now = new Date('2025-01-06T12:00:00.000Z');
const at = (day: number, hour = 12) => new Date(Date.UTC(2025, 0, day, hour)).toISOString();

function seed(): FakeState {
  return {
    users: [
      { id: 'PU1', name: 'Ann Lee', email: 'ann@example.com' },
      { id: 'PU2', name: 'Bob Roy', email: 'bob@example.com' },
      { id: 'PU3', name: 'Cid Moe', email: null },
      { id: 'PU4', name: 'Dee Fox', email: 'dee@example.com' },
    ],
    escalationPolicies: [
      { id: 'PEP1', name: 'Payments EP' },
      { id: 'PEP2', name: 'Search EP' },
    ],
    services: [
      { id: 'PSVC2', name: 'payments-api-legacy', escalationPolicyId: 'PEP2' },
      { id: 'PSVC1', name: 'payments-api', escalationPolicyId: 'PEP1' },
      { id: 'PSVC3', name: 'search', escalationPolicyId: 'PEP2' },
    ],
    schedules: [
      { id: 'PSCH1', name: 'Payments Primary' },
      { id: 'PSCH2', name: 'Payments Secondary' },
    ],
    oncalls: [
      { userId: 'PU1', escalationPolicyId: 'PEP1', level: 1, scheduleId: 'PSCH1', start: at(5), end: at(7) },
      { userId: 'PU2', escalationPolicyId: 'PEP1', level: 1, scheduleId: 'PSCH1', start: at(7), end: at(8) },
      { userId: 'PU1', escalationPolicyId: 'PEP1', level: 1, scheduleId: 'PSCH1', start: at(8), end: at(9) },
      { userId: 'PU3', escalationPolicyId: 'PEP1', level: 2, scheduleId: 'PSCH2', start: at(1), end: at(12) },
      { userId: 'PU4', escalationPolicyId: 'PEP1', level: 2, scheduleId: 'PSCH2', start: at(12), end: at(19) },
      { userId: 'PU4', escalationPolicyId: 'PEP1', level: 3, scheduleId: null, start: null, end: null },
      { userId: 'PU2', escalationPolicyId: 'PEP2', level: 1, scheduleId: null, start: null, end: null },
      // Over before `now`, outside the window: never listed.
      { userId: 'PU4', escalationPolicyId: 'PEP2', level: 2, scheduleId: null, start: at(1), end: at(2) },
    ],
    incidents: [],
  };
}

async function setup(
  t: TestContext,
  opts: { maxLimit?: number; token?: string; timeoutMs?: number; retries?: number } = {},
) {
  const fake = await startPagerDutyFake({ state: seed(), maxLimit: opts.maxLimit });
  t.after(() => fake.close());
  const waits: number[] = [];
  const provider = PagerDutyOnCall.create({
    token: opts.token ?? fake.token,
    baseUrl: `${fake.url}/`,
    backoffMs: 100,
    timeoutMs: opts.timeoutMs ?? 2_000,
    retries: opts.retries ?? 3,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { fake, provider, waits };
}

const brief = (s: OnCallShift) => [s.level, s.name, s.email, s.start?.toISOString() ?? null];
const paths = (fake: PagerDutyFake) => fake.requests.map((r) => r.path);

test('service match (exact preferred) → its escalation policy → now and next per level, with emails', async (t) => {
  const { fake, provider } = await setup(t);
  const answer = await provider.onCall('Payments-API', now);
  assert.ok(answer);
  assert.deepEqual(answer.target, { kind: 'service', id: 'PSVC1', name: 'payments-api' });
  assert.deepEqual(answer.now.map(brief), [
    [1, 'Ann Lee', 'ann@example.com', at(5)],
    [2, 'Cid Moe', null, at(1)],
    [3, 'Dee Fox', 'dee@example.com', null],
  ]);
  assert.deepEqual(answer.next.map(brief), [
    [1, 'Bob Roy', 'bob@example.com', at(7)],
    [2, 'Dee Fox', 'dee@example.com', at(12)],
  ]);
  const first = answer.now[0]!;
  assert.equal(first.scheduleName, 'Payments Primary');
  assert.equal(first.escalationPolicyId, 'PEP1');
  assert.equal(first.escalationPolicyName, 'Payments EP');
  assert.equal(first.userId, 'PU1');
  assert.deepEqual(first.end, new Date(at(7)));
  assert.equal(answer.now[2]!.scheduleName, null);

  // An exact service match needs no schedule lookup.
  assert.deepEqual(paths(fake), ['/services', '/oncalls']);
  const [services, oncalls] = fake.requests;
  assert.deepEqual(services!.query.query, ['Payments-API']);
  assert.deepEqual(services!.query['include[]'], ['escalation_policies']);
  assert.deepEqual(oncalls!.query['escalation_policy_ids[]'], ['PEP1']);
  assert.deepEqual(oncalls!.query['include[]'], ['users']);
  assert.deepEqual(oncalls!.query.since, [now.toISOString()]);
  assert.deepEqual(oncalls!.query.until, ['2025-01-13T12:00:00.000Z']);
  assert.deepEqual(oncalls!.query.limit, ['100']);
  assert.deepEqual(oncalls!.query.offset, ['0']);
  for (const r of fake.requests) {
    assert.equal(r.method, 'GET');
    assert.equal(r.headers.authorization, `Token token=${fake.token}`);
    assert.equal(r.headers.accept, 'application/vnd.pagerduty+json;version=2');
  }
});

test('a service name merely containing the query still matches when nothing is exact', async (t) => {
  const { provider } = await setup(t);
  const answer = await provider.onCall('legacy', now);
  assert.deepEqual(answer?.target, { kind: 'service', id: 'PSVC2', name: 'payments-api-legacy' });
  assert.deepEqual(answer.now.map(brief), [[1, 'Bob Roy', 'bob@example.com', null]]);
  assert.deepEqual(answer.next, []);
});

test('exactService (inviting for an affected service): only a service of exactly that name, never a schedule or a partial match', async (t) => {
  const { provider } = await setup(t);
  assert.equal(await provider.onCall('legacy', now, { exactService: true }), null, 'partial service name');
  assert.equal(
    await provider.onCall('payments primary', now, { exactService: true }),
    null,
    'a schedule is not a service',
  );
  const exact = await provider.onCall('PAYMENTS-API-LEGACY', now, { exactService: true });
  assert.deepEqual(exact?.target, { kind: 'service', id: 'PSVC2', name: 'payments-api-legacy' });
});

test('schedule match → on-calls of that schedule', async (t) => {
  const { fake, provider } = await setup(t);
  const answer = await provider.onCall('payments primary', now);
  assert.ok(answer);
  assert.deepEqual(answer.target, { kind: 'schedule', id: 'PSCH1', name: 'Payments Primary' });
  assert.deepEqual(answer.now.map(brief), [[1, 'Ann Lee', 'ann@example.com', at(5)]]);
  assert.deepEqual(answer.next.map(brief), [[1, 'Bob Roy', 'bob@example.com', at(7)]]);
  assert.deepEqual(paths(fake), ['/services', '/schedules', '/oncalls']);
  assert.deepEqual(fake.requests[2]!.query['schedule_ids[]'], ['PSCH1']);
  assert.equal(fake.requests[2]!.query['escalation_policy_ids[]'], undefined);
});

test('no service or schedule matches → null, and no on-call lookup', async (t) => {
  const { fake, provider } = await setup(t);
  assert.equal(await provider.onCall('billing', now), null);
  assert.deepEqual(paths(fake), ['/services', '/schedules']);
});

test('without a query: every current on-call, across policies', async (t) => {
  const { fake, provider } = await setup(t);
  const answer = await provider.onCall(null, now);
  assert.ok(answer);
  assert.deepEqual(answer.target, { kind: 'all', id: null, name: 'all' });
  assert.deepEqual(
    answer.now.map((s) => [s.escalationPolicyId, s.level, s.name]),
    [
      ['PEP1', 1, 'Ann Lee'],
      ['PEP2', 1, 'Bob Roy'],
      ['PEP1', 2, 'Cid Moe'],
      ['PEP1', 3, 'Dee Fox'],
    ],
  );
  assert.deepEqual(paths(fake), ['/oncalls']);
  assert.equal(fake.requests[0]!.query['escalation_policy_ids[]'], undefined);
});

test('pagination: follows limit/offset while `more`, across several pages', async (t) => {
  const { fake, provider } = await setup(t, { maxLimit: 2 });
  const answer = await provider.onCall(null, now);
  assert.equal(answer?.now.length, 4);
  assert.equal(answer.next.length, 2);
  const oncalls = fake.requests.filter((r) => r.path === '/oncalls');
  // 7 entries overlap the window: pages at offsets 0, 2, 4, 6.
  assert.deepEqual(
    oncalls.map((r) => r.query.offset?.[0]),
    ['0', '2', '4', '6'],
  );
  // Services are paginated too.
  fake.requests.length = 0;
  const svc = await provider.onCall('search', now);
  assert.deepEqual(svc?.target, { kind: 'service', id: 'PSVC3', name: 'search' });
});

test('429 with Retry-After: waits the announced seconds, then succeeds', async (t) => {
  const { fake, provider, waits } = await setup(t);
  fake.failNext('/oncalls', { status: 429, retryAfter: 3 });
  const answer = await provider.onCall('payments-api', now);
  assert.equal(answer?.now.length, 3);
  assert.deepEqual(waits, [3000]);
  // pdjs did not retry on its own: exactly one 429 and one success.
  assert.deepEqual(paths(fake), ['/services', '/oncalls', '/oncalls']);
});

test('429 without Retry-After, and a huge Retry-After, fall back to / are capped by our backoff', async (t) => {
  const { fake, provider, waits } = await setup(t);
  fake.failNext('/oncalls', { status: 429 });
  fake.failNext('/oncalls', { status: 429, retryAfter: 3600 });
  assert.equal((await provider.onCall(null, now))?.now.length, 4);
  assert.deepEqual(waits, [100, 30_000]);
});

test('500 twice then success: exponential backoff', async (t) => {
  const { fake, provider, waits } = await setup(t);
  fake.failNext('/services', { status: 500, times: 2 });
  const answer = await provider.onCall('payments-api', now);
  assert.equal(answer?.target.id, 'PSVC1');
  assert.deepEqual(waits, [100, 200]);
  assert.deepEqual(paths(fake), ['/services', '/services', '/services', '/oncalls']);
});

test('timeouts are retried, then OnCallUnavailable after the last retry', async (t) => {
  const { fake, provider, waits } = await setup(t, { timeoutMs: 100, retries: 2 });
  fake.failNext('/oncalls', { delayMs: 2_000, times: 10 });
  await assert.rejects(provider.onCall(null, now), (err: unknown) => {
    assert.ok(err instanceof OnCallUnavailable);
    assert.match(err.message, /GET \/oncalls failed after 3 attempts: timed out after 100 ms/);
    return true;
  });
  assert.deepEqual(waits, [100, 200]);
  assert.equal(paths(fake).filter((p) => p === '/oncalls').length, 3);
});

test('a slow answer within the timeout is fine', async (t) => {
  const { fake, provider, waits } = await setup(t, { timeoutMs: 1_000 });
  fake.failNext('/oncalls', { delayMs: 50 });
  assert.equal((await provider.onCall(null, now))?.now.length, 4);
  assert.deepEqual(waits, []);
});

test('persistent 500 → OnCallUnavailable after retries', async (t) => {
  const { fake, provider } = await setup(t, { retries: 1 });
  fake.failNext('/oncalls', { status: 503, times: 5 });
  await assert.rejects(provider.onCall(null, now), /failed after 2 attempts: HTTP 503/);
});

test('malformed bodies → OnCallUnavailable, without retrying', async (t) => {
  const { fake, provider, waits } = await setup(t);
  fake.failNext('/oncalls', { body: '{"oncalls": [' });
  await assert.rejects(
    provider.onCall(null, now),
    (err: unknown) => err instanceof OnCallUnavailable && /not JSON/.test(err.message),
  );

  fake.failNext('/oncalls', {
    body: JSON.stringify({ oncalls: [{ user: { id: 7 }, escalation_level: 'one' }], more: false }),
  });
  await assert.rejects(
    provider.onCall(null, now),
    (err: unknown) => err instanceof OnCallUnavailable && /unexpected on-calls/.test(err.message),
  );

  fake.failNext('/services', { body: JSON.stringify({ something: [] }) });
  await assert.rejects(
    provider.onCall('payments', now),
    (err: unknown) => err instanceof OnCallUnavailable && /unexpected page/.test(err.message),
  );

  fake.failNext('/oncalls', { body: JSON.stringify({ oncalls: [{ ...okEntry, start: 'yesterday' }], more: false }) });
  await assert.rejects(provider.onCall(null, now), OnCallUnavailable);
  assert.deepEqual(waits, []);
});

const okEntry = {
  user: { id: 'PU1', summary: 'Ann' },
  escalation_policy: { id: 'PEP1', summary: 'EP' },
  escalation_level: 1,
  start: null,
  end: null,
};

test('404 and 401 are not retried → OnCallUnavailable', async (t) => {
  const { fake, provider, waits } = await setup(t);
  fake.failNext('/services', { status: 404 });
  await assert.rejects(
    provider.onCall('payments', now),
    (err: unknown) => err instanceof OnCallUnavailable && /HTTP 404/.test(err.message),
  );
  assert.deepEqual(paths(fake), ['/services']);

  const bad = await setup(t, { token: 'wrong-token-000' });
  await assert.rejects(
    bad.provider.onCall(null, now),
    (err: unknown) => err instanceof OnCallUnavailable && /HTTP 401/.test(err.message),
  );
  assert.equal(bad.fake.requests.length, 1);
  assert.equal(bad.fake.requests[0]!.headers.authorization, 'Token token=wrong-token-000');
  assert.deepEqual([...waits, ...bad.waits], []);
});

test('network errors are retried → OnCallUnavailable', async (t) => {
  const { fake, provider, waits } = await setup(t, { retries: 1 });
  await fake.close();
  await assert.rejects(provider.onCall(null, now), /failed after 2 attempts/);
  assert.deepEqual(waits, [100]);
});

test('serviceId: the service with that id (GET /services/{id}) through its escalation policy, whatever the name', async (t) => {
  const { fake, provider } = await setup(t);
  // The name would match payments-api; the catalog's PagerDuty service id says search.
  const answer = await provider.onCall('payments-api', now, { exactService: true, serviceId: 'PSVC3' });
  assert.deepEqual(answer?.target, { kind: 'service', id: 'PSVC3', name: 'search' });
  assert.deepEqual(
    answer?.now.map((s) => s.userId),
    ['PU2'],
  );
  assert.deepEqual(fake.requestsTo('/services/PSVC3').length, 1);
  assert.equal(fake.requestsTo('/services').length, 0, 'no search by name');
  assert.deepEqual(fake.requestsTo('/oncalls')[0]?.query['escalation_policy_ids[]'], ['PEP2']);
});

test('serviceId unknown to PagerDuty (404): null, like a name that matches nothing', async (t) => {
  const { provider } = await setup(t);
  assert.equal(await provider.onCall('search', now, { exactService: true, serviceId: 'PNOPE' }), null);
});
