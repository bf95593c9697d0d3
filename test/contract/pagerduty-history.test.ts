// The real PagerDutyHistory adapter against Prism serving PagerDuty's official OpenAPI spec (patched): every request
// it makes must satisfy the spec, and the spec's example answers must parse.
// Prism answers fixed examples whatever is asked: /schedules → "Daily Engineering Rotation" (PI7DH85), /teams →
// "Engineering" (PQ9K7I8), /oncalls → Tim Wright (PT23IWX, a bare user_reference), level 2 of PT20YPA, from
// 2015-03-06T15:28:51-05:00 for a day, /log_entries → one trigger_log_entry (no page), /users/{id} → Earline
// Greenholt (America/Lima) whichever id is asked. The /log_entries example says `more: true` (limit 1): the adapter
// reads the next page (offset 1), finds the same entry again and stops there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PagerDutyHistory } from '../../src/pagerduty/history.ts';
import { patchedPagerDutySpec, startPrism, type PrismHandle } from '../support/prism.ts';

let prism: PrismHandle;
let history: PagerDutyHistory;

before(async () => {
  prism = await startPrism(await patchedPagerDutySpec());
  history = PagerDutyHistory.create({ token: 'y_NbAkKc66ryYTWUXYEu', baseUrl: prism.url, retries: 0 });
});

after(async () => {
  await prism?.close();
});

/** The requests since log position `from`, with their query strings. */
const queries = (from: number) =>
  prism.log
    .slice(from)
    .filter((l) => l.msg === 'Request received' && l.input)
    .map((l) => ({ path: l.input!.url.path, query: l.input!.url.query ?? {} }));
const logSince = (from: number) => JSON.stringify(prism.log.slice(from).map((l) => l.msg));

// Tim Wright's example shift, as a stretch.
const tim = {
  userId: 'PT23IWX',
  scheduleId: 'PI7DH85',
  escalationPolicyId: 'PT20YPA',
  level: 2,
  start: new Date('2015-03-06T15:28:51-05:00'),
  end: new Date('2015-03-07T15:28:51-05:00'),
};
// Tim comes as a bare reference, so the adapter reads him with GET /users/PT23IWX; Prism answers its one example
// user, whose details the adapter files under the id it asked for.
const timAsPerson = {
  id: 'PT23IWX',
  name: 'Earline Greenholt',
  email: '125.greenholt.earline@graham.name',
  timeZone: 'America/Lima',
};

test('findScope: an exact schedule name, with GET /schedules only', async () => {
  const from = prism.log.length;
  assert.deepEqual(await history.findScope('daily engineering rotation'), {
    kind: 'schedule',
    id: 'PI7DH85',
    name: 'Daily Engineering Rotation',
  });
  assert.deepEqual(prism.requests().slice(-1), ['GET /schedules']);
  assert.deepEqual(prism.violations('request'), [], logSince(from));
});

test('findScope: a team by exact name after a partial schedule match (GET /schedules, GET /teams)', async () => {
  const from = prism.log.length;
  assert.deepEqual(await history.findScope('Engineering'), { kind: 'team', id: 'PQ9K7I8', name: 'Engineering' });
  assert.deepEqual(prism.requests().slice(-2), ['GET /schedules', 'GET /teams']);
  assert.deepEqual(
    queries(from).map((q) => q.query.query),
    ['Engineering', 'Engineering'],
  );
  assert.deepEqual(prism.violations('request'), [], logSince(from));
});

test('fetchWindow(schedule): GET /oncalls, GET /log_entries and GET /users/{id} within the spec', async () => {
  const from = prism.log.length;
  const window = await history.fetchWindow(
    { kind: 'schedule', id: 'PI7DH85', name: 'Daily Engineering Rotation' },
    new Date('2015-03-06T00:00:00Z'),
    new Date('2015-03-08T00:00:00Z'),
  );
  assert.deepEqual(window, { stretches: [tim], pages: [], people: [timAsPerson] });
  assert.deepEqual(prism.requests().slice(-4), [
    'GET /oncalls',
    'GET /log_entries',
    'GET /log_entries',
    'GET /users/PT23IWX',
  ]);
  const [oncalls, logs, nextLogs] = queries(from);
  assert.deepEqual(oncalls?.query, {
    since: '2015-03-06T00:00:00.000Z',
    until: '2015-03-08T00:00:00.000Z',
    earliest: 'false',
    'include[]': 'users',
    'schedule_ids[]': 'PI7DH85',
    limit: '100',
    offset: '0',
  });
  assert.deepEqual(logs?.query, {
    since: '2015-03-06T00:00:00.000Z',
    until: '2015-03-08T00:00:00.000Z',
    is_overview: 'false',
    time_zone: 'UTC',
    limit: '100',
    offset: '0',
  });
  assert.equal(nextLogs?.query.offset, '1');
  assert.deepEqual(prism.violations('request'), [], logSince(from));
});

test('fetchWindow(team): the team’s schedules (team_ids[]) then their on-calls, within the spec', async () => {
  const from = prism.log.length;
  const window = await history.fetchWindow(
    { kind: 'team', id: 'PQ9K7I8', name: 'Engineering' },
    new Date('2015-03-07T00:00:00Z'),
    new Date('2015-03-07T12:00:00Z'),
  );
  // Clipped to the half day asked for.
  assert.deepEqual(window.stretches, [
    { ...tim, start: new Date('2015-03-07T00:00:00Z'), end: new Date('2015-03-07T12:00:00Z') },
  ]);
  assert.deepEqual(window.people, [timAsPerson]);
  assert.deepEqual(prism.requests().slice(-5), [
    'GET /schedules',
    'GET /oncalls',
    'GET /log_entries',
    'GET /log_entries',
    'GET /users/PT23IWX',
  ]);
  const [schedules, oncalls] = queries(from);
  assert.equal(schedules?.query['team_ids[]'], 'PQ9K7I8');
  assert.equal(oncalls?.query['schedule_ids[]'], 'PI7DH85');
  assert.deepEqual(prism.violations('request'), [], logSince(from));
});

test('fetchWindow(all) over 100 days: 90-day /oncalls ranges and 7-day /log_entries windows, all within the spec', async () => {
  const from = prism.log.length;
  const since = new Date('2015-01-01T00:00:00Z');
  const until = new Date(since.getTime() + 100 * 24 * 3600_000);
  const window = await history.fetchWindow({ kind: 'all', id: null, name: 'all' }, since, until);
  // Every range answers the same example on-call: kept once.
  assert.deepEqual(window.stretches, [tim]);
  assert.deepEqual(window.pages, []);
  const sent = queries(from);
  const oncalls = sent.filter((q) => q.path === '/oncalls');
  const logs = sent.filter((q) => q.path === '/log_entries');
  assert.equal(oncalls.length, 2);
  // 15 windows of at most 7 days, back to back, two pages each.
  const windows = [...new Set(logs.map((q) => `${String(q.query.since)}|${String(q.query.until)}`))]
    .map((w) => w.split('|').map(Date.parse))
    .sort((x, y) => x[0]! - y[0]!);
  assert.equal(windows.length, 15);
  assert.equal(logs.length, 30);
  assert.equal(windows[0]![0], since.getTime());
  assert.equal(windows.at(-1)![1], until.getTime());
  windows.forEach(([a, b], i) => {
    assert.ok(b! - a! <= 7 * 24 * 3600_000);
    if (i > 0) assert.equal(a, windows[i - 1]![1], 'back to back');
  });
  for (const q of oncalls)
    assert.ok(Date.parse(String(q.query.until)) - Date.parse(String(q.query.since)) <= 90 * 24 * 3600_000);
  assert.ok(oncalls.every((q) => q.query['schedule_ids[]'] === undefined));
  assert.deepEqual(prism.violations('request'), [], logSince(from));
});
