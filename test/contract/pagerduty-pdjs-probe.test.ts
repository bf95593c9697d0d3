// Proves that the PagerDuty REST calls the bot makes match PagerDuty's published OpenAPI spec (PagerDuty/api-schema
// in test/fixtures/specs, patched by patchPagerDutySpec) as checked by Prism: the real adapter (PagerDutyOnCall, on
// the real client of src/pagerduty/client.ts, which sends through @pagerduty/pdjs) runs the methods that make
// them, so a change in what it sends is what is checked. Prism answers with the spec's examples (see
// pagerduty-on-call.test.ts for what they are).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PagerDutyOnCall } from '../../src/pagerduty/on-call.ts';
import { patchedPagerDutySpec, startPrism, type PrismHandle } from '../support/prism.ts';

let prism: PrismHandle;

before(async () => {
  prism = await startPrism(await patchedPagerDutySpec());
});

after(async () => {
  await prism?.close();
});

test('the PagerDuty calls the bot makes, through its adapter, satisfy the PagerDuty REST spec', async (t) => {
  const provider = PagerDutyOnCall.create({ token: 'y_NbAkKc66ryYTWUXYEu', baseUrl: prism.url, retries: 0 });
  const now = new Date('2015-03-07T00:00:00Z'); // inside the example shift

  const calls = [
    // GET /services (query, include[]=escalation_policies), then GET /oncalls (include[]=users, the service's
    // escalation_policy_ids[], since/until). The spec types `include[]` on /oncalls as a single string: one value
    // passes, several would be a violation (spec defect; the real API accepts several).
    { name: 'onCall(service)', run: () => provider.onCall('My Application Service', now) },
    // GET /oncalls with the schedule's schedule_ids[] after GET /services and GET /schedules.
    { name: 'onCall(schedule)', run: () => provider.onCall('daily engineering rotation', now) },
    // GET /services, then POST /incidents with the From header. No `body.details`: the spec types it as an
    // object while PagerDuty (and the spec's own example) send a string (spec defect), so details stay empty.
    {
      name: 'page(service)',
      run: () =>
        provider.page(
          { kind: 'service', query: 'My Application Service' },
          { title: 'INC-12 payments-api 500s', details: '', fromEmail: 'oncall@example.com', dedupKey: 'inc-12' },
        ),
    },
  ];

  const sent: [string, string[]][] = [];
  for (const c of calls) {
    const before = prism.log.length;
    const requestsBefore = prism.requests().length;
    const answer = await c.run();
    sent.push([c.name, prism.requests().slice(requestsBefore)]);
    const logged = prism.log.slice(before).map((l) => l.msg);
    t.diagnostic(`${c.name} -> ${JSON.stringify(answer).slice(0, 400)}`);
    for (const v of logged.filter((m) => m.startsWith('Violation: '))) t.diagnostic(`${c.name} ${v}`);
    assert.ok(answer, `${c.name} read the spec's example answer`);
  }

  assert.deepEqual(sent, [
    ['onCall(service)', ['GET /services', 'GET /oncalls']],
    ['onCall(schedule)', ['GET /services', 'GET /schedules', 'GET /oncalls']],
    ['page(service)', ['GET /services', 'POST /incidents']],
  ]);
  assert.deepEqual(prism.violations('request'), []);
});
