// The real PagerDutyOnCall adapter against Prism serving PagerDuty's official OpenAPI spec (patched): every
// request it makes must satisfy the spec, and the spec's example answers must parse.
// Prism answers fixed examples: /services → "My Application Service" (escalation policy PT20YPA), /schedules →
// "Daily Engineering Rotation" (PI7DH85), /oncalls → Tim Wright, level 2, 2015-03-06T15:28:51-05:00 for a day.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PagerDutyOnCall } from '../../src/pagerduty/on-call.ts';
import { patchedPagerDutySpec, startPrism, type PrismHandle } from '../support/prism.ts';

let prism: PrismHandle;
let provider: PagerDutyOnCall;
// Inside the example shift.
const now = new Date('2015-03-07T00:00:00Z');

before(async () => {
  prism = await startPrism(await patchedPagerDutySpec());
  provider = PagerDutyOnCall.create({ token: 'y_NbAkKc66ryYTWUXYEu', baseUrl: prism.url, retries: 0 });
});

after(async () => {
  await prism?.close();
});

const tim = {
  level: 2,
  userId: 'PT23IWX',
  name: 'Tim Wright',
  email: null,
  scheduleName: 'Daily Engineering Rotation',
  escalationPolicyId: 'PT20YPA',
  escalationPolicyName: 'Engineering Escalation Policy',
  start: new Date('2015-03-06T15:28:51-05:00'),
  end: new Date('2015-03-07T15:28:51-05:00'),
};

test('onCall(service name) against the PagerDuty spec', async () => {
  const from = prism.log.length;
  const answer = await provider.onCall('My Application Service', now);
  assert.deepEqual(answer, {
    target: { kind: 'service', id: 'PIJ90N7', name: 'My Application Service' },
    now: [tim],
    next: [],
  });
  assert.deepEqual(prism.requests().slice(-2), ['GET /services', 'GET /oncalls']);
  assert.deepEqual(prism.violations('request'), [], JSON.stringify(prism.log.slice(from).map((l) => l.msg)));
});

test('onCall(serviceId): GET /services/{id} with its escalation policy, against the spec', async () => {
  const from = prism.log.length;
  // The catalog's pagerduty.com/service-id: the id decides, whatever the name says.
  const answer = await provider.onCall('EHR API', now, { exactService: true, serviceId: 'PIJ90N7' });
  assert.deepEqual(answer, {
    target: { kind: 'service', id: 'PIJ90N7', name: 'My Application Service' },
    now: [tim],
    next: [],
  });
  assert.deepEqual(prism.requests().slice(-2), ['GET /services/PIJ90N7', 'GET /oncalls']);
  assert.deepEqual(prism.violations('request'), [], JSON.stringify(prism.log.slice(from).map((l) => l.msg)));
});

test('onCall(schedule name) falls through to /schedules against the spec', async () => {
  const answer = await provider.onCall('daily engineering rotation', now);
  assert.deepEqual(answer?.target, { kind: 'schedule', id: 'PI7DH85', name: 'Daily Engineering Rotation' });
  assert.deepEqual(answer.now, [tim]);
  assert.deepEqual(prism.requests().slice(-3), ['GET /services', 'GET /schedules', 'GET /oncalls']);
  assert.deepEqual(prism.violations('request'), []);
});

test('onCall(null) against the spec', async () => {
  const answer = await provider.onCall(null, now);
  assert.deepEqual(answer, { target: { kind: 'all', id: null, name: 'all' }, now: [tim], next: [] });
  // Before the example shift, it is the next one.
  const earlier = await provider.onCall(null, new Date('2015-03-01T00:00:00Z'));
  assert.deepEqual(earlier?.now, []);
  assert.deepEqual(earlier?.next, [tim]);
  assert.deepEqual(prism.requests().slice(-2), ['GET /oncalls', 'GET /oncalls']);
  assert.deepEqual(prism.violations('request'), []);
});

// Paging. The spec types incident.body.details as an object while PagerDuty takes a string (the spec's own example
// sends one), so these pages leave details empty: the adapter then sends no `body` at all.
const page = { title: 'INC-12 payments-api 500s', details: '', fromEmail: 'oncall@example.com', dedupKey: 'inc-12' };

test('page(service) and resolvePaged against the spec', async () => {
  const from = prism.log.length;
  const paged = await provider.page({ kind: 'service', query: 'My Application Service' }, page);
  assert.deepEqual(paged, {
    id: 'PT4KHLK',
    number: 1234,
    title: 'The server is on fire.',
    htmlUrl: 'https://subdomain.pagerduty.com/incidents/PT4KHLK',
    status: 'triggered',
  });
  await provider.resolvePaged(paged.id, page.fromEmail);
  assert.deepEqual(prism.requests().slice(-3), ['GET /services', 'POST /incidents', 'PUT /incidents/PT4KHLK']);
  assert.deepEqual(prism.violations('request'), [], JSON.stringify(prism.log.slice(from).map((l) => l.msg)));
});

test('page(user) with a default service against the spec', async () => {
  const withDefault = PagerDutyOnCall.create({
    token: 'y_NbAkKc66ryYTWUXYEu',
    baseUrl: prism.url,
    retries: 0,
    defaultServiceId: 'PIJ90N7',
  });
  const paged = await withDefault.page({ kind: 'user', email: '125.greenholt.earline@graham.name' }, page);
  assert.equal(paged?.id, 'PT4KHLK');
  assert.deepEqual(prism.requests().slice(-2), ['GET /users', 'POST /incidents']);
  assert.deepEqual(prism.violations('request'), []);
});
