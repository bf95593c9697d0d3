// Proves that the PagerDuty REST calls the bot makes through @pagerduty/pdjs match PagerDuty's published
// OpenAPI spec (PagerDuty/api-schema in test/fixtures/specs, patched by patchPagerDutySpec) as checked by Prism.
// pdjs has no base-URL option: each call passes a full `url` built from the Prism base.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api } from '@pagerduty/pdjs';

import { patchedPagerDutySpec, startPrism, type PrismHandle } from '../support/prism.ts';

let prism: PrismHandle;

before(async () => {
  prism = await startPrism(await patchedPagerDutySpec());
});

after(async () => {
  await prism?.close();
});

test('pdjs calls the bot makes satisfy the PagerDuty REST spec', async (t) => {
  const pd = api({ token: 'y_NbAkKc66ryYTWUXYEu' });
  const url = (p: string) => `${prism.url}${p}`;

  const calls = [
    {
      name: 'GET /oncalls',
      status: 200,
      // The spec types `include[]` on /oncalls as a single string: one value passes, ['users','schedules'] is a
      // violation (spec defect; the real API accepts several).
      run: () =>
        pd.get('/oncalls', {
          url: url('/oncalls'),
          data: {
            'schedule_ids[]': ['PSCHED1', 'PSCHED2'],
            'escalation_policy_ids[]': ['PEP1'],
            time_zone: 'Europe/Paris',
            'include[]': ['users'],
          },
        }),
    },
    {
      name: 'GET /services',
      status: 200,
      run: () => pd.get('/services', { url: url('/services'), data: { query: 'x' } }),
    },
    {
      name: 'GET /escalation_policies/PEP1',
      status: 200,
      run: () => pd.get('/escalation_policies/PEP1', { url: url('/escalation_policies/PEP1') }),
    },
    {
      name: 'POST /incidents',
      status: 201,
      // No `body.details`: the spec types it as an object while PagerDuty (and the spec's own example) send a
      // string, so a string there is a violation (spec defect).
      run: () =>
        pd.post('/incidents', {
          url: url('/incidents'),
          headers: { From: 'oncall@example.com' },
          data: {
            incident: {
              type: 'incident',
              title: 'INC-12 payments-api 500s',
              service: { id: 'PSVC123', type: 'service_reference' },
              urgency: 'high',
              incident_key: 'inc-12',
            },
          },
        }),
    },
  ];

  for (const c of calls) {
    const before = prism.log.length;
    const res = await c.run();
    const logged = prism.log.slice(before).map((l) => l.msg);
    t.diagnostic(`${c.name} -> ${res.status} ${JSON.stringify(res.data).slice(0, 400)}`);
    for (const v of logged.filter((m) => m.startsWith('Violation: '))) t.diagnostic(`${c.name} ${v}`);
    assert.equal(res.status, c.status, c.name);
  }

  assert.deepEqual(prism.requests(), [
    'GET /oncalls',
    'GET /services',
    'GET /escalation_policies/PEP1',
    'POST /incidents',
  ]);
  assert.deepEqual(prism.violations('request'), []);
});
