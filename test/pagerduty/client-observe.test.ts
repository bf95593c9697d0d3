// The PagerDuty client reports every attempt (method, route, duration, error kind) to `observe`,
// which the bot's metrics use; against the PagerDuty fake, with retries and its failure injection.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPagerDutyClient, routeOf, type PagerDutyCallSample } from '../../src/pagerduty/client.ts';
import { OnCallUnavailable } from '../../src/ports/on-call-provider.ts';
import { startPagerDutyFake, type PagerDutyFake } from '../support/pagerduty-fake.ts';

describe('PagerDuty client observe', () => {
  let pd: PagerDutyFake;
  before(async () => {
    pd = await startPagerDutyFake({
      state: {
        users: [{ id: 'PU1', name: 'Ann', email: 'ann@example.org' }],
        services: [{ id: 'PSVC1', name: 'EHR API', escalationPolicyId: 'PEP1' }],
        escalationPolicies: [{ id: 'PEP1', name: 'EHR' }],
      },
    });
  });
  after(() => pd?.close());

  function client(opts: { retries?: number; timeoutMs?: number } = {}) {
    const samples: PagerDutyCallSample[] = [];
    const c = createPagerDutyClient({
      token: pd.token,
      baseUrl: pd.url,
      sleep: async () => {},
      observe: (s) => samples.push(s),
      ...opts,
    });
    const kinds = () => samples.map((s) => [s.method, s.route, s.error]);
    return { c, samples, kinds };
  }

  test('a 2xx answer is one sample with no error and its duration', async () => {
    const { c, samples, kinds } = client();
    await c.get('/users/PU1');
    assert.deepEqual(kinds(), [['GET', '/users/{id}', null]]);
    assert.ok(samples[0]!.seconds > 0 && samples[0]!.seconds < 60);
  });

  test('each retried attempt is reported with its error kind, then the answer', async () => {
    const { c, kinds } = client({ retries: 3 });
    pd.failNext('/services', { status: 500, times: 1 });
    pd.failNext('/services', { status: 429, retryAfter: 0, times: 1 });
    await c.getAll('/services', 'services');
    assert.deepEqual(kinds(), [
      ['GET', '/services', 'http_5xx'],
      ['GET', '/services', 'http_429'],
      ['GET', '/services', null],
    ]);
  });

  test('a 4xx is reported once and not retried; a timeout is reported as such', async () => {
    // The 4xx on a client with time to wait for it (a 100 ms timeout can fire first on a busy machine).
    const { c, kinds } = client({ retries: 1 });
    pd.failNext('/users/PNOPE', { status: 404 });
    await assert.rejects(c.get('/users/PNOPE'), OnCallUnavailable);
    assert.deepEqual(kinds(), [['GET', '/users/{id}', 'http_4xx']]);
    const quick = client({ retries: 1, timeoutMs: 100 });
    pd.failNext('/services', { delayMs: 400, times: 2 });
    await assert.rejects(quick.c.get('/services'), /timed out/);
    assert.deepEqual(quick.kinds(), [
      ['GET', '/services', 'timeout'],
      ['GET', '/services', 'timeout'],
    ]);
  });

  test('routes keep collection names and replace ids', () => {
    assert.equal(routeOf('/incidents/PABC123/log_entries'), '/incidents/{id}/log_entries');
    assert.equal(routeOf('/oncalls'), '/oncalls');
    assert.equal(routeOf('/users/P1X2Y3Z?include[]=contact_methods'), '/users/{id}');
    assert.equal(routeOf('/schedules/PSCH1/users'), '/schedules/{id}/users');
  });
});
