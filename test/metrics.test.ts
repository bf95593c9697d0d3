// The metrics module on its own: Web API answers classified, acks counted once, the open-incidents
// gauge when the database does not answer, registries of two bots kept apart.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearerMatches, createMetrics, slackRequestKind } from '../src/metrics.ts';
import { silentLogger, type Logger } from '../src/logger.ts';

const API = 'http://slack.test/api/';

function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (_o, msg) => void warnings.push(String(msg)), error() {} };
  return { logger, warnings };
}

function metrics(
  openIncidents: () => Promise<Partial<Record<'SEV1' | 'SEV2' | 'SEV3' | 'SEV4', number>>> = async () => ({}),
) {
  const { logger, warnings } = recordingLogger();
  const m = createMetrics({ openIncidents, logger, processMetrics: false });
  const series = async (name: string) => {
    const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
    return (metric?.values ?? []).map((v) => ({
      labels: v.labels as Record<string, string>,
      value: v.value,
      metricName: (v as { metricName?: string }).metricName,
    }));
  };
  return { m, warnings, series };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });

describe('metrics', () => {
  test('Web API answers are classified by method: ok, Slack error codes, HTTP statuses, timeouts, network errors', async () => {
    const { m, series } = metrics();
    const answers: (() => Promise<Response>)[] = [
      async () => json({ ok: true }),
      async () => json({ ok: false, error: 'channel_not_found' }),
      async () => json({ ok: false, error: 'ratelimited' }, 429),
      async () => new Response('bad gateway', { status: 502 }),
      async () => {
        throw Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
      },
      async () => {
        throw new TypeError('fetch failed');
      },
      async () => json({ ok: false, error: 'Something With Spaces' }),
    ];
    const fetchFn = (async () => answers.shift()!()) as typeof fetch;
    const f = m.slackFetch(API, fetchFn);
    const body = (await (await f(`${API}chat.postMessage`, { method: 'POST' })).json()) as { ok: boolean };
    assert.equal(body.ok, true, 'the WebClient still reads the body');
    await f(`${API}conversations.info`);
    await f(`${API}chat.postMessage`);
    await f(`${API}pins.add`);
    await assert.rejects(f(`${API}pins.add`), /timeout/);
    await assert.rejects(f(`${API}views.open`), /fetch failed/);
    await f(`${API}users.info?x=1`);
    const counts = await series('incident_bot_slack_api_request_duration_seconds');
    const count = (method: string) =>
      counts.find((s) => s.metricName?.endsWith('_count') && s.labels.method === method)?.value;
    assert.equal(count('chat.postMessage'), 2);
    assert.equal(count('pins.add'), 2);
    assert.equal(count('users.info'), 1, 'the query string is not part of the method');
    const errors = (await series('incident_bot_slack_api_errors_total')).map((s) => [
      s.labels.method,
      s.labels.error,
      s.value,
    ]);
    assert.deepEqual(errors.sort(), [
      ['chat.postMessage', 'ratelimited', 1],
      ['conversations.info', 'channel_not_found', 1],
      ['pins.add', 'http_502', 1],
      ['pins.add', 'timeout', 1],
      ['users.info', 'unknown', 1],
      ['views.open', 'network', 1],
    ]);
  });

  test('URLs outside the Web API (response URLs) pass through uncounted', async () => {
    const { m, series } = metrics();
    let called = 0;
    const f = m.slackFetch(API, (async () => {
      called++;
      return new Response('ok');
    }) as typeof fetch);
    await f('http://slack.test/respond/T1/abc');
    assert.equal(called, 1);
    assert.deepEqual(await series('incident_bot_slack_api_request_duration_seconds'), []);
  });

  test('a request is counted once, and its ack once however often ack is called', async () => {
    const { m, series } = metrics();
    let acked = 0;
    const app = {
      async processEvent(event: { body: unknown; ack: () => Promise<void> }) {
        await event.ack();
        await event.ack().catch(() => {});
      },
    };
    m.instrumentSlackApp(app);
    await app.processEvent({ body: { command: '/incident', text: 'help' }, ack: async () => void acked++ });
    await app.processEvent({ body: { type: 'view_submission' }, ack: async () => void acked++ });
    assert.equal(acked, 4, 'the real ack is still called every time');
    const requests = (await series('incident_bot_slack_requests_total')).map((s) => [s.labels.kind, s.value]);
    assert.deepEqual(requests.sort(), [
      ['command', 1],
      ['view', 1],
    ]);
    const acks = (await series('incident_bot_slack_acks_total')).map((s) => [s.labels.kind, s.value]);
    assert.deepEqual(acks.sort(), [
      ['command', 1],
      ['view', 1],
    ]);
  });

  test('request kinds follow Bolt', () => {
    assert.equal(slackRequestKind({ command: '/incident' }), 'command');
    assert.equal(slackRequestKind({ type: 'block_actions' }), 'action');
    assert.equal(slackRequestKind({ type: 'view_closed' }), 'view');
    assert.equal(slackRequestKind({ type: 'event_callback' }), 'event');
    assert.equal(slackRequestKind({ type: 'shortcut' }), 'shortcut');
    assert.equal(slackRequestKind({ type: 'message_action' }), 'shortcut');
    assert.equal(slackRequestKind({ type: 'block_suggestion' }), 'options');
    assert.equal(slackRequestKind({ type: 'mystery' }), 'other');
    assert.equal(slackRequestKind(null), 'other');
  });

  test('open incidents: every severity, zero when none; absent (and a warning) when the database fails', async () => {
    let fail = false;
    const { m, warnings, series } = metrics(async () => {
      if (fail) throw new Error('connection refused');
      return { SEV1: 1, SEV3: 2 };
    });
    const open = async () =>
      Object.fromEntries((await series('incident_bot_open_incidents')).map((s) => [s.labels.severity, s.value]));
    assert.deepEqual(await open(), { SEV1: 1, SEV2: 0, SEV3: 2, SEV4: 0 });
    fail = true;
    assert.deepEqual(await open(), {});
    assert.deepEqual(warnings, ['metrics: open incidents could not be read']);
    const text = await m.registry.metrics();
    assert.match(text, /# TYPE incident_bot_open_incidents gauge/, 'the rest of the scrape still works');
  });

  test('work after acks: running and waiting, as the work limit has them at the scrape', async () => {
    let stats = { running: 4, waiting: 11 };
    const m = createMetrics({
      openIncidents: async () => ({}),
      logger: silentLogger,
      processMetrics: false,
      work: () => stats,
    });
    const read = async () => {
      const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === 'incident_bot_work_after_ack');
      return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.state), v.value]));
    };
    assert.deepEqual(await read(), { running: 4, waiting: 11 });
    stats = { running: 0, waiting: 0 };
    assert.deepEqual(await read(), { running: 0, waiting: 0 });
  });

  test('two bots in one process have separate registries', async () => {
    const a = metrics();
    const b = metrics();
    a.m.observePagerDuty({ method: 'GET', route: '/oncalls', seconds: 0.2, error: 'http_5xx' });
    assert.equal((await a.series('incident_bot_pagerduty_request_errors_total'))[0]?.value, 1);
    assert.deepEqual(await b.series('incident_bot_pagerduty_request_errors_total'), []);
  });
});

describe('the /metrics bearer token', () => {
  test('bearerMatches: exactly `Bearer <token>`, compared whole', () => {
    const token = 'abcdefghijklmnop';
    assert.equal(bearerMatches(`Bearer ${token}`, token), true);
    assert.equal(bearerMatches(`bearer ${token}`, token), true);
    for (const header of [
      undefined,
      '',
      token,
      `Bearer ${token}q`,
      `Bearer ${token.slice(1)}`,
      `Basic ${token}`,
      `Bearer ${token} x`,
      ['Bearer', token],
    ]) {
      assert.equal(bearerMatches(header as never, token), false, String(header));
    }
  });

  test('the route answers 401 without it and serves the metrics with it; without a token configured it is open', async () => {
    const call = (m: ReturnType<typeof createMetrics>, authorization?: string) =>
      new Promise<{ status: number; body: string }>((resolve) => {
        let status = 0;
        const res = {
          writeHead: (s: number) => {
            status = s;
          },
          end: (body: string) => resolve({ status, body }),
        };
        m.route.handler({ headers: authorization ? { authorization } : {} } as never, res as never);
      });
    const guarded = createMetrics({
      openIncidents: async () => ({}),
      logger: silentLogger,
      processMetrics: false,
      token: 'abcdefghijklmnop',
    });
    assert.equal((await call(guarded)).status, 401);
    assert.equal((await call(guarded, 'Bearer wrong-token-000000')).status, 401);
    const ok = await call(guarded, 'Bearer abcdefghijklmnop');
    assert.equal(ok.status, 200);
    assert.match(ok.body, /incident_bot_slack_requests_total/);
    const open = createMetrics({ openIncidents: async () => ({}), logger: silentLogger, processMetrics: false });
    assert.equal((await call(open)).status, 200);
  });
});
