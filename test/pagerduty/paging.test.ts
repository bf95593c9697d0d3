// PagerDutyOnCall.page / resolvePaged against the stateful PagerDuty fake: POST /incidents on a service or assigned
// to a person, the From header, incident_key dedup, retries (429 only, never 400), PUT /incidents/{id} to resolve.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';

import { PagerDutyOnCall } from '../../src/pagerduty/on-call.ts';
import { OnCallUnavailable } from '../../src/ports/on-call-provider.ts';
import { startPagerDutyFake, type FakeState } from '../support/pagerduty-fake.ts';

const seed = (): FakeState => ({
  users: [
    { id: 'PU1', name: 'Ann Lee', email: 'ann@example.com' },
    { id: 'PU2', name: 'Bob Roy', email: 'bob@example.com' },
    // Contains bob@example.com but is not it: the email must match exactly.
    { id: 'PU3', name: 'Bob Roy Jr', email: 'jr.bob@example.com.au' },
  ],
  escalationPolicies: [{ id: 'PEP1', name: 'Payments EP' }],
  services: [
    { id: 'PSVC2', name: 'payments-api-legacy', escalationPolicyId: 'PEP1' },
    { id: 'PSVC1', name: 'payments-api', escalationPolicyId: 'PEP1' },
    { id: 'PDEF', name: 'incident-bot', escalationPolicyId: 'PEP1' },
  ],
  schedules: [],
  oncalls: [],
  incidents: [],
});

async function setup(t: TestContext, opts: { defaultServiceId?: string } = {}) {
  const fake = await startPagerDutyFake({ state: seed(), maxLimit: 1 });
  t.after(() => fake.close());
  const waits: number[] = [];
  const provider = PagerDutyOnCall.create({
    token: fake.token,
    baseUrl: fake.url,
    backoffMs: 100,
    timeoutMs: 2_000,
    retries: 3,
    defaultServiceId: opts.defaultServiceId,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { fake, provider, waits };
}

const input = {
  title: 'INC-7 payments 500s',
  details: 'Declared in #inc-7',
  fromEmail: 'ann@example.com',
  dedupKey: 'inc-7',
};
const writes = (fake: { requests: Array<{ method: string; path: string }> }) =>
  fake.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

test('page a service by name → POST /incidents with From, service, incident_key, urgency high', async (t) => {
  const { fake, provider } = await setup(t);
  const paged = await provider.page({ kind: 'service', query: 'Payments-API' }, input);
  assert.deepEqual(paged, {
    id: 'PINC1',
    number: 1,
    title: 'INC-7 payments 500s',
    htmlUrl: 'https://fake.pagerduty.com/incidents/PINC1',
    status: 'triggered',
  });
  const post = fake.requests.find((r) => r.method === 'POST')!;
  assert.equal(post.path, '/incidents');
  assert.equal(post.headers.from, 'ann@example.com');
  assert.deepEqual(post.body, {
    incident: {
      type: 'incident',
      title: 'INC-7 payments 500s',
      service: { id: 'PSVC1', type: 'service_reference' },
      urgency: 'high',
      incident_key: 'inc-7',
      body: { type: 'incident_body', details: 'Declared in #inc-7' },
    },
  });
  assert.deepEqual(
    fake.state.incidents.map((i) => [i.serviceId, i.incidentKey, i.urgency, i.assigneeIds]),
    [['PSVC1', 'inc-7', 'high', []]],
  );
});

test('empty details: no incident body', async (t) => {
  const { fake, provider } = await setup(t);
  await provider.page({ kind: 'service', query: 'payments-api' }, { ...input, details: '  ' });
  const post = fake.requests.find((r) => r.method === 'POST')!;
  assert.equal((post.body as { incident: Record<string, unknown> }).incident.body, undefined);
});

test('unknown service → null, nothing posted', async (t) => {
  const { fake, provider } = await setup(t);
  assert.equal(await provider.page({ kind: 'service', query: 'nope' }, input), null);
  assert.deepEqual(writes(fake), []);
});

test('page a user by exact email with defaultServiceId → assignments on the default service', async (t) => {
  const { fake, provider } = await setup(t, { defaultServiceId: 'PDEF' });
  const paged = await provider.page({ kind: 'user', email: 'Bob@Example.com' }, input);
  assert.equal(paged?.id, 'PINC1');
  const lookup = fake.requests.find((r) => r.path === '/users')!;
  assert.deepEqual(lookup.query.query, ['bob@example.com']);
  const post = fake.requests.find((r) => r.method === 'POST')!;
  const incident = (post.body as { incident: Record<string, unknown> }).incident;
  assert.deepEqual(incident.service, { id: 'PDEF', type: 'service_reference' });
  assert.deepEqual(incident.assignments, [{ assignee: { id: 'PU2', type: 'user_reference' } }]);
  assert.deepEqual(fake.state.incidents[0]!.assigneeIds, ['PU2']);
});

test('page an unknown user → null; without defaultServiceId → OnCallUnavailable before any request', async (t) => {
  const withDefault = await setup(t, { defaultServiceId: 'PDEF' });
  assert.equal(await withDefault.provider.page({ kind: 'user', email: 'bob@example.co' }, input), null);
  assert.deepEqual(writes(withDefault.fake), []);

  const { fake, provider } = await setup(t);
  await assert.rejects(
    provider.page({ kind: 'user', email: 'bob@example.com' }, input),
    (err: unknown) => err instanceof OnCallUnavailable && /PAGERDUTY_DEFAULT_SERVICE/.test(err.message),
  );
  assert.deepEqual(fake.requests, []);
});

test('429 on POST then success: retried once, one incident', async (t) => {
  const { fake, provider, waits } = await setup(t);
  fake.failNext('/incidents', { status: 429, retryAfter: 2 });
  const paged = await provider.page({ kind: 'service', query: 'payments-api' }, input);
  assert.equal(paged?.id, 'PINC1');
  assert.deepEqual(writes(fake), ['POST /incidents', 'POST /incidents']);
  assert.deepEqual(waits, [2000]);
  assert.equal(fake.state.incidents.length, 1);
});

test('400 on POST is not retried → OnCallUnavailable (e.g. From is not a PagerDuty user)', async (t) => {
  const { fake, provider, waits } = await setup(t);
  await assert.rejects(
    provider.page({ kind: 'service', query: 'payments-api' }, { ...input, fromEmail: 'stranger@example.com' }),
    (err: unknown) => err instanceof OnCallUnavailable && /HTTP 400.*Requester User Not Found/.test(err.message),
  );
  assert.deepEqual(writes(fake), ['POST /incidents']);
  assert.deepEqual(waits, []);
});

test('the same dedupKey again (a retried page) → the open incident, nothing new', async (t) => {
  const { fake, provider } = await setup(t);
  const first = await provider.page({ kind: 'service', query: 'payments-api' }, input);
  const again = await provider.page({ kind: 'service', query: 'payments-api' }, input);
  assert.deepEqual(again, first);
  assert.equal(fake.state.incidents.length, 1);
  const search = fake.requests.filter((r) => r.path === '/incidents' && r.method === 'GET').at(-1)!;
  assert.deepEqual(search.query.incident_key, ['inc-7']);
  assert.deepEqual(search.query['service_ids[]'], ['PSVC1']);
});

test('resolvePaged → PUT /incidents/{id} with From and status resolved; already resolved is fine', async (t) => {
  const { fake, provider } = await setup(t);
  const paged = await provider.page({ kind: 'service', query: 'payments-api' }, input);
  await provider.resolvePaged(paged!.id, 'bob@example.com');
  const put = fake.requests.find((r) => r.method === 'PUT')!;
  assert.equal(put.path, '/incidents/PINC1');
  assert.equal(put.headers.from, 'bob@example.com');
  assert.deepEqual(put.body, { incident: { type: 'incident_reference', status: 'resolved' } });
  assert.equal(fake.state.incidents[0]!.status, 'resolved');

  await provider.resolvePaged(paged!.id, 'bob@example.com');
  fake.failNext('/incidents/PINC1', {
    status: 400,
    body: JSON.stringify({ error: { message: 'Incident Already Resolved', code: 2001 } }),
  });
  await provider.resolvePaged(paged!.id, 'bob@example.com');
});

test('resolvePaged errors: unknown id (404) and a missing From → OnCallUnavailable', async (t) => {
  const { provider } = await setup(t);
  await assert.rejects(
    provider.resolvePaged('PNOPE', 'ann@example.com'),
    (err: unknown) => err instanceof OnCallUnavailable && /HTTP 404/.test(err.message),
  );
  await assert.rejects(
    provider.resolvePaged('PNOPE', ''),
    (err: unknown) => err instanceof OnCallUnavailable && /HTTP 400/.test(err.message),
  );
});
