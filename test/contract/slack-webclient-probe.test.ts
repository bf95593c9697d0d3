// Proves that the Slack Web API calls the bot makes, sent by a real @slack/web-api WebClient, match Slack's
// published contract (slackapi/slack-api-specs in test/fixtures/specs, patched by patchSlackSpec) as checked by Prism.
// Prism answers each method with the spec's static example; behaviour belongs to the project's own Slack fake.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { WebClient } from '@slack/web-api';

import { patchedSlackSpec, startPrism, type PrismHandle } from '../support/prism.ts';

let prism: PrismHandle;
let client: WebClient;

before(async () => {
  prism = await startPrism(await patchedSlackSpec());
  // The spec's basePath "/api" is not part of Prism's routes: methods live at <prism>/chat.postMessage.
  client = new WebClient('xoxb-test-token', { slackApiUrl: `${prism.url}/`, retryConfig: { retries: 0 } });
});

after(async () => {
  await prism?.close();
});

const CHANNEL = 'C0123INC12';
const TS = '1700000000.000100';

/** Runs one call and returns its body plus the violations Prism logged for it. */
async function probe(name: string, call: () => Promise<{ ok?: boolean }>) {
  const before = prism.log.length;
  const body = await call();
  const logged = prism.log.slice(before).map((l) => l.msg);
  return {
    name,
    body,
    violations: logged.filter((m) => m.startsWith('Violation: request')),
    // The 2021 spec's own examples break its response schemas in places: informative only.
    responseViolations: logged.filter((m) => m.startsWith('Violation: response')),
  };
}

test('WebClient calls the bot makes satisfy the Slack Web API spec', async (t) => {
  const incidentBlocks = [
    { type: 'header', text: { type: 'plain_text', text: ':rotating_light: INC-12 payments-api 500s' } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Severity*\nSEV2' },
        { type: 'mrkdwn', text: '*Status*\nInvestigating' },
        { type: 'mrkdwn', text: '*Commander*\n<@U123>' },
        { type: 'mrkdwn', text: '*Service*\npayments-api' },
      ],
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Declared by <@U456> at 12:00 UTC' }] },
    {
      type: 'actions',
      block_id: 'incident_actions',
      elements: [
        {
          type: 'button',
          action_id: 'incident_resolve',
          text: { type: 'plain_text', text: 'Resolve' },
          style: 'primary',
          value: 'inc-12',
        },
      ],
    },
  ];

  const results = [
    await probe('auth.test', () => client.auth.test()),
    await probe('conversations.create', () =>
      client.conversations.create({ name: 'inc-12-payments-api-500s', is_private: false }),
    ),
    await probe('conversations.invite', () => client.conversations.invite({ channel: CHANNEL, users: 'U123,U456' })),
    await probe('chat.postMessage', () =>
      client.chat.postMessage({ channel: CHANNEL, text: 'INC-12 payments-api 500s (SEV2)', blocks: incidentBlocks }),
    ),
    await probe('chat.update', () =>
      client.chat.update({
        channel: CHANNEL,
        ts: TS,
        text: 'INC-12 payments-api 500s (SEV2, resolved)',
        blocks: incidentBlocks,
      }),
    ),
    await probe('pins.add', () => client.pins.add({ channel: CHANNEL, timestamp: TS })),
    await probe('chat.postEphemeral', () =>
      client.chat.postEphemeral({ channel: CHANNEL, user: 'U123', text: 'Only you can see this: incident updated.' }),
    ),
    await probe('views.open', () =>
      client.views.open({
        trigger_id: '12345.98765.abcd2358fdea',
        view: {
          type: 'modal',
          callback_id: 'declare_incident',
          title: { type: 'plain_text', text: 'Declare incident' },
          submit: { type: 'plain_text', text: 'Declare' },
          close: { type: 'plain_text', text: 'Cancel' },
          private_metadata: JSON.stringify({ channel: CHANNEL }),
          blocks: [
            {
              type: 'input',
              block_id: 'title',
              label: { type: 'plain_text', text: 'Title' },
              element: {
                type: 'plain_text_input',
                action_id: 'title_input',
                placeholder: { type: 'plain_text', text: 'What is broken?' },
              },
            },
            {
              type: 'input',
              block_id: 'severity',
              label: { type: 'plain_text', text: 'Severity' },
              element: {
                type: 'static_select',
                action_id: 'severity_select',
                options: ['SEV1', 'SEV2', 'SEV3'].map((s) => ({
                  text: { type: 'plain_text' as const, text: s },
                  value: s,
                })),
              },
            },
            {
              type: 'input',
              block_id: 'options',
              optional: true,
              label: { type: 'plain_text', text: 'Options' },
              element: {
                type: 'checkboxes',
                action_id: 'options_checkboxes',
                options: [{ text: { type: 'plain_text', text: 'Page on-call' }, value: 'page' }],
              },
            },
          ],
        },
      }),
    ),
    await probe('users.info', () => client.users.info({ user: 'U123' })),
    await probe('users.lookupByEmail', () => client.users.lookupByEmail({ email: 'oncall@example.com' })),
    await probe('conversations.join', () => client.conversations.join({ channel: CHANNEL })),
    await probe('chat.getPermalink', () => client.chat.getPermalink({ channel: CHANNEL, message_ts: TS })),
    await probe('reactions.add', () => client.reactions.add({ channel: CHANNEL, timestamp: TS, name: 'eyes' })),
  ];

  for (const r of results) {
    const { response_metadata: _meta, ...body } = r.body as Record<string, unknown>;
    t.diagnostic(`${r.name} -> ${JSON.stringify(body)}`);
    for (const v of [...r.violations, ...r.responseViolations]) t.diagnostic(`${r.name} ${v}`);
  }
  assert.deepEqual(
    prism.requests(),
    results.map((r) => `POST /${r.name}`),
  );
  for (const r of results) assert.equal(r.body.ok, true, `${r.name} answered ok`);
  assert.deepEqual(prism.violations('request'), []);
});
