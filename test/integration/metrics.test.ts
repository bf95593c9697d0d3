// GET /metrics on the running bot: signed Slack requests, its WebClient talking to the Slack
// stand-in and its PagerDuty client to the PagerDuty fake, then the Prometheus text parsed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SUMMARY_ACTIONS } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { startPagerDutyFake, type PagerDutyFake } from '../support/pagerduty-fake.ts';
import { postEvent } from '../support/slack-requests.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition format: `# TYPE` lines and `name{label="value",…} number` samples. */
function parsePrometheus(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    assert.ok(m, `a valid sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    // Prometheus reads values with Go's ParseFloat: NaN in any case (prom-client writes `Nan` for an empty event loop sample).
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : /^nan$/i.test(m[3]!) ? NaN : Number(m[3]);
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(m[3]!), `a number: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { types, samples };
}

const P = 'incident_bot_';

for (const database of testDatabases().slice(0, 1)) {
  describe(`GET /metrics (${database.name})`, () => {
    let pd: PagerDutyFake;
    before(async () => {
      pd = await startPagerDutyFake({
        state: {
          users: [{ id: 'PU1', name: 'Alice Example', email: 'alice@example.org' }],
          escalationPolicies: [{ id: 'PEP1', name: 'EHR escalation' }],
          services: [{ id: 'PSVC1', name: 'EHR API', escalationPolicyId: 'PEP1' }],
          schedules: [{ id: 'PSCH1', name: 'EHR primary' }],
          oncalls: [
            { userId: 'PU1', escalationPolicyId: 'PEP1', level: 1, scheduleId: 'PSCH1', start: null, end: null },
          ],
        },
      });
    });
    after(() => pd?.close());
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.org' },
        { id: 'UBOB', name: 'bob', email: 'bob@example.org' },
      ],
      get env() {
        return { PAGERDUTY_TOKEN: pd.token, PAGERDUTY_API_URL: pd.url };
      },
    });
    before(() => {
      env.slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents', members: [] });
      env.slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE', 'UBOB'] });
    });

    async function scrape() {
      const res = await fetch(`${env.app.url}/metrics`);
      assert.equal(res.status, 200);
      const text = await res.text();
      const parsed = parsePrometheus(text);
      const find = (name: string, labels: Record<string, string> = {}) =>
        parsed.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      /** The one sample with exactly these labels (0 when the series does not exist yet). */
      const value = (name: string, labels: Record<string, string> = {}) => {
        const found = find(name, labels);
        assert.ok(found.length <= 1, `one ${name} series for ${JSON.stringify(labels)}`);
        return found[0]?.value ?? 0;
      };
      return { res, text, ...parsed, find, value };
    }
    const openBySeverity = async () => {
      const m = await scrape();
      return Object.fromEntries(
        ['SEV1', 'SEV2', 'SEV3', 'SEV4'].map((s) => [s, m.value(`${P}open_incidents`, { severity: s })]),
      );
    };
    let channelId = '';
    let summaryTs = '';

    test('is Prometheus text on the same HTTP server as /slack/events, with process metrics and no incidents open', async () => {
      const m = await scrape();
      assert.match(m.res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.equal(m.types.get(`${P}slack_requests_total`), 'counter');
      assert.equal(m.types.get(`${P}slack_acks_total`), 'counter');
      assert.equal(m.types.get(`${P}slack_ack_duration_seconds`), 'histogram');
      assert.equal(m.types.get(`${P}slack_api_request_duration_seconds`), 'histogram');
      assert.equal(m.types.get(`${P}slack_api_errors_total`), 'counter');
      assert.equal(m.types.get(`${P}pagerduty_request_duration_seconds`), 'histogram');
      assert.equal(m.types.get(`${P}pagerduty_request_errors_total`), 'counter');
      assert.equal(m.types.get(`${P}open_incidents`), 'gauge');
      assert.ok(m.value('process_resident_memory_bytes') > 0, 'process metrics on the bot registry');
      assert.deepEqual(await openBySeverity(), { SEV1: 0, SEV2: 0, SEV3: 0, SEV4: 0 });
      const health = await fetch(`${env.app.url}/healthz`);
      assert.equal(health.status, 200, '/healthz still answers beside it');
    });

    test('counts requests and acks by kind, with ack latency, and every Web API call the declare flow made, by method', async () => {
      const { slack, app } = env;
      const declared = await app.command('declare sev2 Payments API returning 500s', {
        responseUrl: slack.responseUrl('declare'),
      });
      assert.equal(declared.status, 200);
      await app.bot.idle();
      const incident = (await app.bot.deps.store.listActive())[0]!;
      assert.equal(incident.severity, 'SEV2');
      channelId = incident.channelId!;
      summaryTs = incident.summaryTs!;

      const clicked = await app.clickAction({
        userId: 'UALICE',
        channelId,
        messageTs: summaryTs,
        responseUrl: slack.responseUrl('click'),
        blockId: SUMMARY_ACTIONS.blockId,
        actionId: `${SUMMARY_ACTIONS.statusPrefix}investigating`,
        value: 'INVESTIGATING',
      });
      assert.equal(clicked.status, 200);
      await app.bot.idle();
      assert.equal((await app.bot.deps.store.findByNumber(incident.number))?.status, 'INVESTIGATING');

      slack.failNext('views.publish', { error: 'not_enabled' });
      const opened = await postEvent(app.url, {
        type: 'app_home_opened',
        user: 'UBOB',
        channel: 'D0BOB',
        tab: 'home',
        event_ts: '1764612345.000100',
      });
      assert.equal(opened.status, 200);
      await app.bot.idle();
      assert.equal(slack.callsTo('views.publish').length, 1);

      const m = await scrape();
      for (const [kind, n] of [
        ['command', 1],
        ['action', 1],
        ['event', 1],
      ] as const) {
        assert.equal(m.value(`${P}slack_requests_total`, { kind }), n, `${kind} requests`);
        assert.equal(m.value(`${P}slack_acks_total`, { kind }), n, `${kind} acks`);
        assert.equal(m.value(`${P}slack_ack_duration_seconds_count`, { kind }), n, `${kind} ack latencies`);
        assert.ok(m.value(`${P}slack_ack_duration_seconds_sum`, { kind }) > 0);
        const buckets = m.find(`${P}slack_ack_duration_seconds_bucket`, { kind });
        assert.ok(buckets.length >= 5, 'histogram buckets');
        const counts = buckets.map((b) => b.value);
        assert.deepEqual(
          counts,
          [...counts].sort((a, b) => a - b),
          'buckets are cumulative',
        );
        assert.equal(buckets.find((b) => b.labels.le === '+Inf')?.value, n);
      }
      assert.equal(m.value(`${P}slack_requests_total`, { kind: 'view' }), 0);

      // Every Web API call the stand-in answered is counted once under its method (no retries in tests).
      const byMethod = new Map<string, number>();
      for (const call of slack.calls) byMethod.set(call.method, (byMethod.get(call.method) ?? 0) + 1);
      for (const method of [
        'conversations.create',
        'conversations.invite',
        'chat.postMessage',
        'pins.add',
        'views.publish',
      ]) {
        assert.ok(byMethod.has(method), `the declare flow called ${method}`);
      }
      for (const [method, n] of byMethod) {
        assert.equal(m.value(`${P}slack_api_request_duration_seconds_count`, { method }), n, `${method} calls`);
        assert.ok(m.value(`${P}slack_api_request_duration_seconds_sum`, { method }) > 0);
      }
      const errors = m.find(`${P}slack_api_errors_total`);
      assert.deepEqual(
        errors.map((e) => [e.labels.method, e.labels.error, e.value]),
        [['views.publish', 'not_enabled', 1]],
        'only the refused call is an error, with Slack’s error code',
      );

      assert.deepEqual(await openBySeverity(), { SEV1: 0, SEV2: 1, SEV3: 0, SEV4: 0 });
      assert.ok(!m.text.includes('Payments'), 'no incident text in the metrics');
    });

    test('open incidents by severity are read from the store on each scrape', async () => {
      const { slack, app } = env;
      await app.command('declare sev3 Pharmacy queue slow', { responseUrl: slack.responseUrl('sev3') });
      await app.bot.idle();
      assert.deepEqual(await openBySeverity(), { SEV1: 0, SEV2: 1, SEV3: 1, SEV4: 0 });
      const resolved = await app.command('resolve Rolled back', {
        responseUrl: slack.responseUrl('resolve'),
        channelId,
      });
      assert.equal(resolved.status, 200);
      await app.bot.idle();
      assert.deepEqual(await openBySeverity(), { SEV1: 0, SEV2: 0, SEV3: 1, SEV4: 0 });
      const m = await scrape();
      assert.equal(m.value(`${P}slack_requests_total`, { kind: 'command' }), 3);
    });

    test('PagerDuty API calls are timed by method and route, and failures counted by kind', async () => {
      const { slack, app } = env;
      await app.command('oncall EHR API', { responseUrl: slack.responseUrl('oncall') });
      await app.bot.idle();
      assert.match(JSON.stringify(slack.responses.find((r) => r.id === 'oncall')?.body), /On call for EHR API/);
      let m = await scrape();
      const asked = (path: string) => pd.requests.filter((r) => r.method === 'GET' && r.path === path).length;
      for (const route of ['/services', '/oncalls']) {
        assert.ok(asked(route) >= 1, `asked PagerDuty GET ${route}`);
        assert.equal(
          m.value(`${P}pagerduty_request_duration_seconds_count`, { method: 'GET', route }),
          asked(route),
          `GET ${route} timed`,
        );
      }
      assert.deepEqual(m.find(`${P}pagerduty_request_errors_total`), []);

      pd.failNext('/services', { status: 401, body: JSON.stringify({ error: { message: 'Unauthorized' } }) });
      await app.command('oncall EHR API', { responseUrl: slack.responseUrl('oncall-fails') });
      await app.bot.idle();
      assert.match(String(slack.responses.find((r) => r.id === 'oncall-fails')?.body.text), /PagerDuty did not answer/);
      m = await scrape();
      assert.deepEqual(
        m
          .find(`${P}pagerduty_request_errors_total`)
          .map((e) => [e.labels.method, e.labels.route, e.labels.error, e.value]),
        [['GET', '/services', 'http_4xx', 1]],
      );
      assert.equal(
        m.value(`${P}pagerduty_request_duration_seconds_count`, { method: 'GET', route: '/services' }),
        asked('/services'),
      );
    });
  });
}

describe('GET /metrics with METRICS_TOKEN (pglite)', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';
  const env = useTestBot(testDatabases()[0]!, { users: [], env: { METRICS_TOKEN: TOKEN } });
  const get = (headers: Record<string, string> = {}) => fetch(`${env.app.url}/metrics`, { headers });

  test('without the bearer token, or with a wrong one, the scrape is refused with 401', async () => {
    for (const headers of [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      { authorization: TOKEN },
      { authorization: `Bearer` },
      { authorization: `Bearer ${TOKEN} ${TOKEN}` },
    ] as Record<string, string>[]) {
      const res = await get(headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      assert.doesNotMatch(await res.text(), /incident_bot_/, 'no metrics in the answer');
    }
  });

  test('with it, the metrics are served; /healthz needs no token', async () => {
    const res = await get({ authorization: `Bearer ${TOKEN}` });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /incident_bot_slack_requests_total|# TYPE incident_bot_/);
    assert.equal((await get({ authorization: `bearer  ${TOKEN}` })).status, 200, 'the scheme is case-insensitive');
    assert.equal((await fetch(`${env.app.url}/healthz`)).status, 200);
  });
});
