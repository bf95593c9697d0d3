// PagerDutyHistory (and its pdjs client) against the stateful PagerDuty fake: scope lookup, on-call stretches
// clipped to the window, pages from assign/escalate log entries, people, windowing within PagerDuty's limits,
// splitting at the pagination cap, pagination, retries and bad answers.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';

import { PagerDutyHistory, type PagerDutyHistoryOptions } from '../../src/pagerduty/history.ts';
import type { LoadScope } from '../../src/ports/on-call-history.ts';
import type { OnCallStretch, PageEvent } from '../../src/domain/on-call-load.ts';
import { OnCallUnavailable } from '../../src/ports/on-call-provider.ts';
import {
  startPagerDutyFake,
  type FakeState,
  type PagerDutyFakeOptions,
  type RecordedRequest,
} from '../support/pagerduty-fake.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const at = (day: number, hour = 0, minute = 0) => new Date(Date.UTC(2025, 0, day, hour, minute)).toISOString();
const since = new Date(at(6));
const until = new Date(at(13));

function seed(): FakeState {
  return {
    users: [
      { id: 'PU1', name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/London' },
      { id: 'PU2', name: 'Bob Roy', email: 'bob@example.com', timeZone: 'Mars/Olympus_Mons' },
      // Neither email nor time zone: include[]=users shows nothing more than a reference would.
      { id: 'PU3', name: 'Cid Moe', email: null },
      { id: 'PU4', name: 'Dee Fox', email: 'dee@example.com', timeZone: 'America/New_York' },
      { id: 'PU5', name: 'Eve Kim', email: 'eve@example.com', timeZone: 'Eastern Time (US & Canada)' },
    ],
    escalationPolicies: [
      { id: 'PEP1', name: 'Payments EP' },
      { id: 'PEP2', name: 'Search EP' },
    ],
    services: [{ id: 'PSVC1', name: 'payments-api', escalationPolicyId: 'PEP1' }],
    teams: [
      { id: 'PT1', name: 'Payments' },
      { id: 'PT2', name: 'Search' },
      { id: 'PT3', name: 'Platform' },
    ],
    schedules: [
      { id: 'PSCH1', name: 'Payments Primary', teamIds: ['PT1'] },
      { id: 'PSCH2', name: 'Payments Secondary', teamIds: ['PT1'] },
      { id: 'PSCH3', name: 'Search Rota', teamIds: ['PT2'] },
      { id: 'PSCH4', name: 'Payments', teamIds: [] },
    ],
    oncalls: [
      { userId: 'PU1', escalationPolicyId: 'PEP1', level: 1, scheduleId: 'PSCH1', start: at(5, 12), end: at(7, 12) },
      { userId: 'PU2', escalationPolicyId: 'PEP1', level: 1, scheduleId: 'PSCH1', start: at(7, 12), end: at(14, 12) },
      { userId: 'PU3', escalationPolicyId: 'PEP1', level: 2, scheduleId: 'PSCH2', start: at(6), end: at(8) },
      // A direct escalation target: on call for ever.
      { userId: 'PU1', escalationPolicyId: 'PEP1', level: 3, scheduleId: null, start: null, end: null },
      // Before the window.
      { userId: 'PU4', escalationPolicyId: 'PEP2', level: 1, scheduleId: 'PSCH3', start: at(1), end: at(2) },
      // Starts as the window ends: listed by PagerDuty (it overlaps `until`), empty once clipped.
      { userId: 'PU5', escalationPolicyId: 'PEP2', level: 1, scheduleId: 'PSCH3', start: at(13), end: at(14) },
    ],
    logEntries: [
      {
        id: 'L1',
        type: 'assign_log_entry',
        createdAt: at(6, 10),
        incidentId: 'PI1',
        serviceId: 'PSVC1',
        assigneeIds: ['PU1', 'PU2'],
      },
      {
        id: 'L2',
        type: 'escalate_log_entry',
        createdAt: at(6, 10, 30),
        incidentId: 'PI1',
        serviceId: 'PSVC1',
        assigneeIds: ['PU3'],
      },
      { id: 'L3', type: 'notify_log_entry', createdAt: at(6, 10, 1), incidentId: 'PI1', serviceId: 'PSVC1' },
      { id: 'L4', type: 'trigger_log_entry', createdAt: at(6, 9, 59), incidentId: 'PI1', serviceId: 'PSVC1' },
      { id: 'L5', type: 'acknowledge_log_entry', createdAt: at(6, 10, 5), incidentId: 'PI1', serviceId: 'PSVC1' },
      { id: 'L6', type: 'assign_log_entry', createdAt: at(8, 3), incidentId: 'PI2', assigneeIds: ['PU4'] },
      { id: 'L7', type: 'assign_log_entry', createdAt: at(13), incidentId: 'PI3', assigneeIds: ['PU1'] },
      { id: 'L8', type: 'assign_log_entry', createdAt: at(5, 23, 59), incidentId: 'PI3', assigneeIds: ['PU1'] },
      {
        id: 'L9',
        type: 'escalate_log_entry',
        createdAt: at(9, 2),
        incidentId: 'PI2',
        serviceId: 'PSVC1',
        assigneeIds: ['PU5', 'PU4'],
      },
    ],
    incidents: [],
  };
}

type Opts = {
  fake?: PagerDutyFakeOptions;
  history?: PagerDutyHistoryOptions;
  retries?: number;
  state?: Partial<FakeState>;
};

async function setup(t: TestContext, opts: Opts = {}) {
  const fake = await startPagerDutyFake({ state: opts.state ?? seed(), ...opts.fake });
  t.after(() => fake.close());
  const waits: number[] = [];
  const history = PagerDutyHistory.create({
    token: fake.token,
    baseUrl: fake.url,
    backoffMs: 100,
    timeoutMs: 2_000,
    retries: opts.retries ?? 3,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...opts.history,
  });
  return { fake, history, waits };
}

const one = (r: RecordedRequest, key: string) => r.query[key]?.[0];
const windowOf = (r: RecordedRequest): [number, number] => [Date.parse(one(r, 'since')!), Date.parse(one(r, 'until')!)];
const brief = (s: OnCallStretch) => [
  s.userId,
  s.scheduleId,
  s.escalationPolicyId,
  s.level,
  s.start.toISOString(),
  s.end.toISOString(),
];
const briefPage = (p: PageEvent) => [p.id, p.userId, p.kind, p.incidentId, p.serviceId, p.at.toISOString()];
/** The distinct windows asked for, in order, as [since, until) ISO pairs. */
const windows = (reqs: RecordedRequest[]) => [...new Set(reqs.map((r) => `${one(r, 'since')}|${one(r, 'until')}`))];

test('findScope: exact name first (schedules before teams, any case), else the one partial match, else null', async (t) => {
  const { fake, history } = await setup(t);
  assert.deepEqual(await history.findScope('PAYMENTS'), { kind: 'schedule', id: 'PSCH4', name: 'Payments' });
  // An exact schedule needs no team look-up.
  assert.deepEqual(
    fake.requests.map((r) => [r.path, one(r, 'query')]),
    [['/schedules', 'PAYMENTS']],
  );
  assert.deepEqual(await history.findScope(' search '), { kind: 'team', id: 'PT2', name: 'Search' });
  assert.deepEqual(
    fake.requestsTo('/teams').map((r) => one(r, 'query')),
    ['search'],
  );
  assert.deepEqual(await history.findScope('rota'), { kind: 'schedule', id: 'PSCH3', name: 'Search Rota' });
  assert.deepEqual(await history.findScope('primary'), { kind: 'schedule', id: 'PSCH1', name: 'Payments Primary' });
  assert.deepEqual(await history.findScope('plat'), { kind: 'team', id: 'PT3', name: 'Platform' });
  // "pay" is in three schedules and a team: ambiguous.
  assert.equal(await history.findScope('pay'), null);
  assert.equal(await history.findScope('nothing like it'), null);
  const before = fake.requests.length;
  assert.equal(await history.findScope('   '), null);
  assert.equal(fake.requests.length, before, 'a blank query asks PagerDuty nothing');
});

test('fetchWindow(schedule): its on-calls clipped to the window, asked with include[]=users and earliest=false', async (t) => {
  const { fake, history } = await setup(t);
  const scope: LoadScope = { kind: 'schedule', id: 'PSCH1', name: 'Payments Primary' };
  const window = await history.fetchWindow(scope, since, until);
  assert.deepEqual(window.stretches.map(brief), [
    ['PU1', 'PSCH1', 'PEP1', 1, at(6), at(7, 12)],
    ['PU2', 'PSCH1', 'PEP1', 1, at(7, 12), at(13)],
  ]);
  const [oncalls] = fake.requestsTo('/oncalls');
  assert.ok(oncalls);
  assert.deepEqual(oncalls.query['schedule_ids[]'], ['PSCH1']);
  assert.deepEqual(oncalls.query['include[]'], ['users']);
  assert.equal(one(oncalls, 'earliest'), 'false');
  assert.deepEqual(windowOf(oncalls), [since.getTime(), until.getTime()]);
});

test('fetchWindow(all): every on-call, permanent ones (null start/end) clipped to the window, empty ones dropped', async (t) => {
  const { fake, history } = await setup(t);
  const window = await history.fetchWindow({ kind: 'all', id: null, name: 'all' }, since, until);
  assert.deepEqual(window.stretches.map(brief), [
    ['PU1', 'PSCH1', 'PEP1', 1, at(6), at(7, 12)],
    ['PU1', null, 'PEP1', 3, at(6), at(13)],
    ['PU3', 'PSCH2', 'PEP1', 2, at(6), at(8)],
    ['PU2', 'PSCH1', 'PEP1', 1, at(7, 12), at(13)],
  ]);
  const [oncalls] = fake.requestsTo('/oncalls');
  assert.equal(oncalls?.query['schedule_ids[]'], undefined, 'no schedule filter for everyone');
});

test('fetchWindow(team): the team’s schedules first, then their on-calls; a team without schedules has none', async (t) => {
  const { fake, history } = await setup(t);
  const window = await history.fetchWindow({ kind: 'team', id: 'PT1', name: 'Payments' }, since, until);
  assert.deepEqual(
    window.stretches.map((s) => [s.userId, s.scheduleId, s.level]),
    [
      ['PU1', 'PSCH1', 1],
      ['PU3', 'PSCH2', 2],
      ['PU2', 'PSCH1', 1],
    ],
  );
  const [schedules] = fake.requestsTo('/schedules');
  assert.deepEqual(schedules?.query['team_ids[]'], ['PT1']);
  assert.deepEqual(fake.requestsTo('/oncalls')[0]?.query['schedule_ids[]'], ['PSCH1', 'PSCH2']);

  const before = fake.requestsTo('/oncalls').length;
  const empty = await history.fetchWindow({ kind: 'team', id: 'PT3', name: 'Platform' }, since, until);
  assert.deepEqual(empty.stretches, []);
  assert.equal(fake.requestsTo('/oncalls').length, before, 'no /oncalls request for a team without schedules');
  // Pages are everyone's, whatever the scope.
  assert.equal(empty.pages.length, 6);
});

test('pages: one per assignee of assign and escalate entries in [since, until); other entry types ignored', async (t) => {
  const { fake, history } = await setup(t);
  const window = await history.fetchWindow({ kind: 'schedule', id: 'PSCH1', name: 'Payments Primary' }, since, until);
  assert.deepEqual(window.pages.map(briefPage), [
    ['L1', 'PU1', 'assigned', 'PI1', 'PSVC1', at(6, 10)],
    ['L1', 'PU2', 'assigned', 'PI1', 'PSVC1', at(6, 10)],
    ['L2', 'PU3', 'escalated', 'PI1', 'PSVC1', at(6, 10, 30)],
    ['L6', 'PU4', 'assigned', 'PI2', null, at(8, 3)],
    ['L9', 'PU4', 'escalated', 'PI2', 'PSVC1', at(9, 2)],
    ['L9', 'PU5', 'escalated', 'PI2', 'PSVC1', at(9, 2)],
  ]);
  const [logs] = fake.requestsTo('/log_entries');
  assert.ok(logs);
  // Assignments are not "overview" entries: the adapter must ask for all of them, in UTC.
  assert.equal(one(logs, 'is_overview'), 'false');
  assert.equal(one(logs, 'time_zone'), 'UTC');
  assert.deepEqual(windowOf(logs), [since.getTime(), until.getTime()]);
});

test('people: on-call users from include[]=users, assignees read once each with GET /users/{id}; bad zones are null', async (t) => {
  const { fake, history } = await setup(t);
  const window = await history.fetchWindow({ kind: 'all', id: null, name: 'all' }, since, until);
  assert.deepEqual(window.people, [
    { id: 'PU1', name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/London' },
    // Not an IANA zone.
    { id: 'PU2', name: 'Bob Roy', email: 'bob@example.com', timeZone: null },
    { id: 'PU3', name: 'Cid Moe', email: null, timeZone: null },
    { id: 'PU4', name: 'Dee Fox', email: 'dee@example.com', timeZone: 'America/New_York' },
    // PagerDuty's own zone name, not IANA.
    { id: 'PU5', name: 'Eve Kim', email: 'eve@example.com', timeZone: null },
  ]);
  // PU1 and PU2 came in full with their on-calls; PU3 came as little as a reference; PU4 is paged twice, PU5 once.
  const userReads = fake.requests
    .filter((r) => r.path.startsWith('/users'))
    .map((r) => r.path)
    .sort();
  assert.deepEqual(userReads, ['/users/PU3', '/users/PU4', '/users/PU5']);
});

test('a deleted assignee (GET /users/{id} is 404) is still a person, named as the log entry names them', async (t) => {
  const { fake, history } = await setup(t);
  fake.addLogEntry({
    id: 'L10',
    type: 'assign_log_entry',
    createdAt: at(10),
    incidentId: 'PI4',
    assigneeIds: ['PGONE'],
  });
  const window = await history.fetchWindow({ kind: 'schedule', id: 'PSCH1', name: 'Payments Primary' }, since, until);
  // The fake names an unknown user by their id, as a reference summary.
  assert.deepEqual(
    window.people.find((p) => p.id === 'PGONE'),
    { id: 'PGONE', name: 'PGONE', email: null, timeZone: null },
  );
  assert.ok(window.pages.some((p) => p.id === 'L10' && p.userId === 'PGONE'));
});

test('a year is read in log entry windows of at most 7 days and on-call ranges of at most 90, back to back', async (t) => {
  const { fake, history } = await setup(t, {
    state: {
      ...seed(),
      oncalls: [
        // Across the first 90-day boundary (2024-03-31): listed by two /oncalls ranges, kept once.
        {
          userId: 'PU1',
          escalationPolicyId: 'PEP1',
          level: 1,
          scheduleId: 'PSCH1',
          start: '2024-03-25T00:00:00.000Z',
          end: '2024-04-05T00:00:00.000Z',
        },
        { userId: 'PU1', escalationPolicyId: 'PEP1', level: 3, scheduleId: null, start: null, end: null },
      ],
      logEntries: [
        // On the boundary of the first two 7-day windows.
        {
          id: 'Y1',
          type: 'assign_log_entry',
          createdAt: '2024-01-08T00:00:00.000Z',
          incidentId: 'PI9',
          assigneeIds: ['PU1'],
        },
        {
          id: 'Y2',
          type: 'escalate_log_entry',
          createdAt: '2024-12-31T23:59:59.000Z',
          incidentId: 'PI9',
          assigneeIds: ['PU2'],
        },
      ],
    },
  });
  const from = new Date('2024-01-01T00:00:00Z');
  const to = new Date('2025-01-01T00:00:00Z');
  const window = await history.fetchWindow({ kind: 'all', id: null, name: 'all' }, from, to);

  const covers = (reqs: RecordedRequest[], max: number) => {
    const spans = windows(reqs).map((w) => w.split('|').map(Date.parse) as [number, number]);
    for (const [a, b] of spans)
      assert.ok(b - a > 0 && b - a <= max, `${new Date(a).toISOString()}..${new Date(b).toISOString()}`);
    const sorted = [...spans].sort((x, y) => x[0] - y[0]);
    assert.equal(sorted[0]![0], from.getTime());
    assert.equal(sorted.at(-1)![1], to.getTime());
    for (let i = 1; i < sorted.length; i++) assert.equal(sorted[i]![0], sorted[i - 1]![1], 'windows are back to back');
    return spans.length;
  };
  assert.equal(covers(fake.requestsTo('/log_entries'), 7 * DAY), 53); // 366 days
  assert.equal(covers(fake.requestsTo('/oncalls'), 90 * DAY), 5);

  assert.deepEqual(window.stretches.map(brief), [
    ['PU1', null, 'PEP1', 3, from.toISOString(), to.toISOString()],
    ['PU1', 'PSCH1', 'PEP1', 1, '2024-03-25T00:00:00.000Z', '2024-04-05T00:00:00.000Z'],
  ]);
  assert.deepEqual(
    window.pages.map((p) => [p.id, p.userId]),
    [
      ['Y1', 'PU1'],
      ['Y2', 'PU2'],
    ],
  );
});

test('a log entry window past the pagination cap (PagerDuty’s 400) is split in halves and read again', async (t) => {
  // PagerDuty refuses offset+limit beyond 10,000; here beyond 10, with pages of 2.
  const { fake, history } = await setup(t, { fake: { maxLimit: 2, maxOffset: 10 }, state: { users: seed().users } });
  for (let h = 0; h < 24; h += 2) {
    fake.addLogEntry({
      id: `B${String(h).padStart(2, '0')}`,
      type: 'assign_log_entry',
      createdAt: at(6, h),
      incidentId: 'PI1',
      assigneeIds: ['PU1'],
    });
  }
  const window = await history.fetchWindow({ kind: 'all', id: null, name: 'all' }, new Date(at(6)), new Date(at(7)));
  assert.deepEqual(
    window.pages.map((p) => p.id),
    Array.from({ length: 12 }, (_, i) => `B${String(i * 2).padStart(2, '0')}`),
  );
  // The day hit the cap; its halves (6 entries each) did not.
  assert.deepEqual(windows(fake.requestsTo('/log_entries')), [
    `${at(6)}|${at(7)}`,
    `${at(6)}|${at(6, 12)}`,
    `${at(6, 12)}|${at(7)}`,
  ]);
  const offsets = fake.requestsTo('/log_entries').map((r) => Number(one(r, 'offset')));
  assert.deepEqual(offsets, [0, 2, 4, 6, 8, 10, 0, 2, 4, 0, 2, 4]);
});

test('knowing the cap, the adapter splits before PagerDuty has to refuse', async (t) => {
  const { fake, history } = await setup(t, {
    fake: { maxLimit: 2, maxOffset: 10 },
    history: { paginationCap: 10, pageLimit: 2 },
    state: { users: seed().users },
  });
  for (let h = 0; h < 24; h += 2) {
    fake.addLogEntry({
      id: `B${h}`,
      type: 'escalate_log_entry',
      createdAt: at(6, h),
      incidentId: 'PI1',
      assigneeIds: ['PU2'],
    });
  }
  const window = await history.fetchWindow({ kind: 'all', id: null, name: 'all' }, new Date(at(6)), new Date(at(7)));
  assert.equal(window.pages.length, 12);
  for (const r of fake.requestsTo('/log_entries')) {
    assert.ok(Number(one(r, 'offset')) + Number(one(r, 'limit')) <= 10, 'never past the cap');
  }
  assert.equal(windows(fake.requestsTo('/log_entries')).length, 3);
});

test('a window still past the cap at an hour is too busy: OnCallUnavailable', async (t) => {
  const { fake, history } = await setup(t, { fake: { maxLimit: 2, maxOffset: 10 }, state: { users: seed().users } });
  for (let i = 0; i < 12; i++) {
    fake.addLogEntry({
      id: `S${i}`,
      type: 'assign_log_entry',
      createdAt: at(6, 5, i),
      incidentId: 'PI1',
      assigneeIds: ['PU1'],
    });
  }
  await assert.rejects(
    history.fetchWindow({ kind: 'all', id: null, name: 'all' }, new Date(at(6)), new Date(at(7))),
    (err: unknown) => err instanceof OnCallUnavailable && /too busy/.test(err.message),
  );
  const spans = windows(fake.requestsTo('/log_entries')).map((w) => {
    const [a, b] = w.split('|').map(Date.parse) as [number, number];
    return b - a;
  });
  // 24 h → 12 → 6 → 3 → 1.5 h; halving 1.5 h would go below an hour.
  assert.equal(Math.min(...spans), 1.5 * HOUR);
  assert.ok(spans.every((s) => s >= HOUR));
});

test('pagination to the end: on-calls and log entries over many small pages', async (t) => {
  const { fake, history } = await setup(t, { fake: { maxLimit: 2 } });
  const window = await history.fetchWindow({ kind: 'all', id: null, name: 'all' }, since, until);
  assert.equal(window.stretches.length, 4);
  assert.equal(window.pages.length, 6);
  // 7 log entries in [since, until): pages at offsets 0, 2, 4, 6.
  assert.deepEqual(
    fake.requestsTo('/log_entries').map((r) => one(r, 'offset')),
    ['0', '2', '4', '6'],
  );
  // 5 on-calls overlap the window (the one starting at `until` included): offsets 0, 2, 4.
  assert.deepEqual(
    fake.requestsTo('/oncalls').map((r) => one(r, 'offset')),
    ['0', '2', '4'],
  );
});

test('a server repeating the same page with more=true ends the read at the first page with nothing new', async (t) => {
  const { fake, history } = await setup(t);
  const entry = {
    id: 'R1',
    type: 'assign_log_entry',
    created_at: at(7),
    incident: { id: 'PI7', type: 'incident_reference' },
    assignees: [{ id: 'PU1', type: 'user_reference', summary: 'Ann Lee' }],
  };
  fake.failNext('/log_entries', {
    status: 200,
    body: JSON.stringify({ log_entries: [entry], limit: 1, offset: 0, more: true }),
    times: 50,
  });
  const window = await history.fetchWindow({ kind: 'schedule', id: 'PSCH1', name: 'Payments Primary' }, since, until);
  assert.deepEqual(window.pages.map(briefPage), [['R1', 'PU1', 'assigned', 'PI7', null, at(7)]]);
  assert.deepEqual(
    fake.requestsTo('/log_entries').map((r) => one(r, 'offset')),
    ['0', '1'],
  );
});

test('429 and 500 are retried by the client (Retry-After honoured); a persistent 500 is OnCallUnavailable', async (t) => {
  const { fake, history, waits } = await setup(t);
  fake.failNext('/oncalls', { status: 500 });
  fake.failNext('/log_entries', { status: 429, retryAfter: 2 });
  const window = await history.fetchWindow({ kind: 'schedule', id: 'PSCH1', name: 'Payments Primary' }, since, until);
  assert.equal(window.stretches.length, 2);
  assert.equal(window.pages.length, 6);
  assert.deepEqual(waits, [100, 2000]);
  assert.equal(fake.requestsTo('/oncalls').length, 2);
  assert.equal(fake.requestsTo('/log_entries').length, 2);

  fake.failNext('/log_entries', { status: 500, times: 4 });
  await assert.rejects(
    history.fetchWindow({ kind: 'schedule', id: 'PSCH1', name: 'Payments Primary' }, since, until),
    (err: unknown) => err instanceof OnCallUnavailable && /failed after 4 attempts/.test(err.message),
  );
});

test('malformed answers are OnCallUnavailable', async (t) => {
  const { fake, history } = await setup(t, { retries: 0 });
  const scope: LoadScope = { kind: 'schedule', id: 'PSCH1', name: 'Payments Primary' };
  const isUnavailable = (pattern: RegExp) => (err: unknown) =>
    err instanceof OnCallUnavailable && pattern.test(err.message);

  fake.failNext('/oncalls', {
    status: 200,
    body: JSON.stringify({ oncalls: [{ user: { id: 'PU1' }, escalation_level: 'one' }], more: false }),
  });
  await assert.rejects(history.fetchWindow(scope, since, until), isUnavailable(/on-calls/));

  fake.failNext('/log_entries', {
    status: 200,
    body: JSON.stringify({
      log_entries: [{ id: 'X', type: 'assign_log_entry', created_at: 'yesterday', incident: { id: 'PI1' } }],
      more: false,
    }),
  });
  await assert.rejects(history.fetchWindow(scope, since, until), isUnavailable(/log entries/));

  // An assignment without its incident cannot be a page.
  fake.failNext('/log_entries', {
    status: 200,
    body: JSON.stringify({
      log_entries: [{ id: 'X', type: 'escalate_log_entry', created_at: at(7), assignees: [{ id: 'PU1' }] }],
      more: false,
    }),
  });
  await assert.rejects(history.fetchWindow(scope, since, until), isUnavailable(/log entries[\s\S]*incident/));

  fake.failNext('/log_entries', { status: 200, body: JSON.stringify({ entries: [] }) });
  await assert.rejects(history.fetchWindow(scope, since, until), isUnavailable(/page of log entries/));

  fake.failNext('/users/PU4', { status: 200, body: JSON.stringify({ id: 'PU4' }) });
  await assert.rejects(history.fetchWindow(scope, since, until), isUnavailable(/unexpected user/));

  fake.failNext('/teams', { status: 200, body: '{not json' });
  await assert.rejects(history.findScope('nothing'), OnCallUnavailable);

  // Other entry types are not checked beyond id and type.
  fake.failNext('/log_entries', {
    status: 200,
    body: JSON.stringify({ log_entries: [{ id: 'N', type: 'notify_log_entry', created_at: 'whenever' }], more: false }),
  });
  assert.deepEqual((await history.fetchWindow(scope, since, until)).pages, []);
});

test('an empty or inverted window asks nothing', async (t) => {
  const { fake, history } = await setup(t);
  assert.deepEqual(await history.fetchWindow({ kind: 'all', id: null, name: 'all' }, until, since), {
    people: [],
    stretches: [],
    pages: [],
  });
  assert.deepEqual(await history.fetchWindow({ kind: 'all', id: null, name: 'all' }, since, since), {
    people: [],
    stretches: [],
    pages: [],
  });
  assert.equal(fake.requests.length, 0);
});

test('the fake refuses /oncalls ranges over 90 days, as the adapter never asks', async (t) => {
  const { fake } = await setup(t);
  const res = await fetch(
    `${fake.url}/oncalls?since=${at(1)}&until=${new Date(Date.parse(at(1)) + 91 * DAY).toISOString()}`,
    {
      headers: { Authorization: `Token token=${fake.token}` },
    },
  );
  assert.equal(res.status, 400);
});

test('a reassignment (delegate_log_entry) pages its assignees too', async (t) => {
  const state = seed();
  state.logEntries = [
    {
      id: 'D1',
      type: 'delegate_log_entry',
      createdAt: at(6, 12),
      incidentId: 'PI7',
      serviceId: 'PSVC1',
      assigneeIds: ['PU4'],
    },
  ];
  const { history } = await setup(t, { state });
  const w = await history.fetchWindow({ kind: 'all', id: null, name: 'all' }, new Date(at(5)), new Date(at(12)));
  assert.deepEqual(w.pages.map(briefPage), [['D1', 'PU4', 'assigned', 'PI7', 'PSVC1', at(6, 12)]]);
});
