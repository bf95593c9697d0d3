// Proves that the Slack Web API calls the bot makes match Slack's published contract (slackapi/slack-api-specs
// in test/fixtures/specs, patched by patchSlackSpec) as checked by Prism: the real adapter (SlackChatPlatform,
// on a real @slack/web-api WebClient) runs each of its methods, so a change in what it sends is what is checked;
// the declare modal is the listeners' own view (declareModal) sent with views.open as they send it.
// Prism answers each method with the spec's static example; behaviour belongs to the project's own Slack fake.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { WebClient } from '@slack/web-api';

import { SlackChatPlatform } from '../../src/slack/chat-platform.ts';
import { declareModal } from '../../src/slack/views/declare-modal.ts';
import { anIncident } from '../support/fixtures.ts';
import { patchedSlackSpec, startPrism, type PrismHandle } from '../support/prism.ts';

let prism: PrismHandle;
let client: WebClient;
let platform: SlackChatPlatform;

before(async () => {
  prism = await startPrism(await patchedSlackSpec());
  // The spec's basePath "/api" is not part of Prism's routes: methods live at <prism>/chat.postMessage.
  client = new WebClient('xoxb-test-token', { slackApiUrl: `${prism.url}/`, retryConfig: { retries: 0 } });
  platform = new SlackChatPlatform(client, 'Europe/London');
});

after(async () => {
  await prism?.close();
});

const CHANNEL = 'C0123INC12';
const TS = '1700000000.000100';
const incident = anIncident({ channelId: CHANNEL, title: 'payments-api 500s', affectedService: 'payments-api' });

/** Runs one adapter method; the Slack methods it called, its answer, and the violations Prism logged. */
async function probe<T>(name: string, call: () => Promise<T>) {
  const before = prism.log.length;
  const sentBefore = prism.requests().length;
  const answer = await call();
  const logged = prism.log.slice(before).map((l) => l.msg);
  return {
    name,
    answer,
    sent: prism.requests().slice(sentBefore),
    violations: logged.filter((m) => m.startsWith('Violation: request')),
    // The 2021 spec's own examples break its response schemas in places: informative only.
    responseViolations: logged.filter((m) => m.startsWith('Violation: response')),
  };
}

test('the Slack calls the bot makes, through its adapter, satisfy the Slack Web API spec', async (t) => {
  const results = [
    // The name of the example answer's second channel: found on the first page, then who created it (auth.test).
    await probe('findChannelByName', () => platform.findChannelByName('random')),
    await probe('createChannel', () => platform.createChannel('inc-12-payments-api-500s', false)),
    await probe('inviteUsers', () => platform.inviteUsers(CHANNEL, ['U123', 'U456'])),
    await probe('postSummary', () => platform.postSummary(CHANNEL, incident, { service: null, changes: [] })),
    await probe('updateSummary', () =>
      platform.updateSummary(
        CHANNEL,
        TS,
        { ...incident, status: 'RESOLVED', resolvedAt: new Date() },
        { service: null, changes: [] },
      ),
    ),
    await probe('pinMessage', () => platform.pinMessage(CHANNEL, TS)),
    await probe('announce', () => platform.announce('C0BROADCAST', incident)),
    await probe('notify', () =>
      platform.notify(CHANNEL, { kind: 'status-update', incident, by: 'U123', message: 'Rolling back the deploy' }),
    ),
    await probe('directMessage', () => platform.directMessage('U123', 'Only you can see this: incident updated.')),
    await probe('permalink', () => platform.permalink(CHANNEL, TS)),
    await probe('fetchMessage', () => platform.fetchMessage(CHANNEL, TS)),
    await probe('userEmail', () => platform.userEmail('U123')),
    await probe('userTimeZone', () => platform.userTimeZone('U123')),
    await probe('userIdByEmail', () => platform.userIdByEmail('oncall@example.com')),
    // The listeners open the declare modal with their own client: the real view, sent as they send it.
    await probe('views.open (declare modal)', () =>
      client.views.open({
        trigger_id: '12345.98765.abcd2358fdea',
        view: declareModal({ responseUrl: 'https://hooks.slack.com/commands/T1/1/x', channelId: CHANNEL }),
      }),
    ),
  ];

  for (const r of results) {
    t.diagnostic(`${r.name} -> ${r.sent.join(', ')} -> ${JSON.stringify(r.answer)?.slice(0, 300)}`);
    for (const v of [...r.violations, ...r.responseViolations]) t.diagnostic(`${r.name} ${v}`);
  }
  assert.deepEqual(
    results.map((r) => [r.name, r.sent]),
    [
      ['findChannelByName', ['POST /conversations.list', 'POST /auth.test']],
      ['createChannel', ['POST /conversations.create']],
      ['inviteUsers', ['POST /conversations.invite']],
      ['postSummary', ['POST /chat.postMessage']],
      ['updateSummary', ['POST /chat.update']],
      ['pinMessage', ['POST /pins.add']],
      ['announce', ['POST /chat.postMessage']],
      ['notify', ['POST /chat.postMessage']],
      ['directMessage', ['POST /chat.postMessage']],
      ['permalink', ['POST /chat.getPermalink']],
      ['fetchMessage', ['POST /conversations.history']],
      ['userEmail', ['POST /users.info']],
      ['userTimeZone', ['POST /users.info']],
      ['userIdByEmail', ['POST /users.lookupByEmail']],
      ['views.open (declare modal)', ['POST /views.open']],
    ],
  );
  for (const r of results) assert.deepEqual(r.violations, [], `${r.name}: no request violations`);
  assert.deepEqual(prism.violations('request'), []);
  // The adapter reads the spec's example answers.
  const answer = (name: string) => results.find((r) => r.name === name)!.answer;
  assert.deepEqual(answer('findChannelByName'), { id: 'C061EG9T2', name: 'random', createdByBot: false });
  assert.deepEqual(answer('createChannel'), { ok: true, id: 'C0EAQDV4Z', name: 'endeavor' });
  assert.equal(answer('postSummary'), '1503435956.000247');
  assert.equal(answer('permalink'), 'https://ghostbusters.slack.com/archives/C1H9RESGA/p135854651500008');
  assert.equal(answer('userEmail'), 'spengler@ghostbusters.example.com');
  assert.equal(answer('userTimeZone'), 'America/Los_Angeles');
  assert.equal(answer('userIdByEmail'), 'W012A3CDE');
  assert.equal((answer('views.open (declare modal)') as { ok?: boolean }).ok, true);
});

test('looking up a channel name that is not there ends when Slack hands back the cursor it was given', async () => {
  // The spec's example answer of conversations.list has no channel of this name and the same
  // next_cursor every time: the adapter asks for the first page, then that cursor once, and stops.
  const r = await probe('findChannelByName (absent)', () => platform.findChannelByName('no-such-channel'));
  assert.equal(r.answer, null);
  assert.deepEqual(r.sent, ['POST /conversations.list', 'POST /conversations.list']);
  assert.deepEqual(r.violations, []);
});
