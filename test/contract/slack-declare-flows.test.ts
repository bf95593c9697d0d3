// The key declare flows of the running bot, with its WebClient pointed at Prism serving Slack's
// official Web API spec: every request the bot sends must match Slack's published contract.
// (Prism answers fixed examples, so behaviour is tested against the stand-in in test/integration.)
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { DECLARE_MODAL, SUMMARY_ACTIONS } from '../../src/slack/ids.ts';
import { startTestBot, type TestBot } from '../support/bot.ts';
import { patchedSlackSpec, startPrism, type PrismHandle } from '../support/prism.ts';
import { declareModalValues, triggerId } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';

let prism: PrismHandle;
let responses: SlackStandIn; // only its response_url endpoint is used: response URLs are not Web API methods
let app: TestBot;

before(async () => {
  prism = await startPrism(await patchedSlackSpec());
  responses = await startSlackStandIn();
});
after(async () => {
  await responses?.close();
  await prism?.close();
});
// A fresh bot and database per test: Prism answers every conversations.create with the same
// example channel id, which a second incident in the same database may not reuse.
beforeEach(async () => {
  app = await startTestBot({
    slackApiUrl: `${prism.url}/`,
    token: 'xoxb-contract-test',
    databaseUrl: null,
    responseUrlOrigins: [responses.url],
  });
});
afterEach(async () => {
  await app?.stop();
});

/** Web API calls since `from`, leaving out the auth.test Bolt makes at start. */
function newRequests(from: number) {
  return prism
    .requests()
    .slice(from)
    .filter((r) => r !== 'POST /auth.test');
}

test('fast-path declare: every Slack call matches the spec', async () => {
  const from = prism.requests().length;
  await app.command('declare sev2 Payments API returning 500s', { responseUrl: responses.responseUrl('fast') });
  await app.bot.idle();
  assert.deepEqual(prism.violations('request'), []);
  assert.deepEqual(newRequests(from), [
    'POST /conversations.create',
    'POST /conversations.invite',
    'POST /chat.postMessage',
    'POST /pins.add',
    'POST /chat.postMessage',
  ]);
  const reply = String(responses.responses.find((r) => r.id === 'fast')?.body.text);
  assert.match(reply, /Declared INC-\d+ \(SEV2\)/);
});

test('modal declare of a private clinical incident: every Slack call matches the spec', async () => {
  const from = prism.requests().length;
  await app.command('', { responseUrl: responses.responseUrl('modal'), triggerId: triggerId() });
  await app.bot.idle();
  assert.deepEqual(newRequests(from), ['POST /views.open']);
  await app.submitView({
    viewId: 'VCONTRACT1',
    callbackId: DECLARE_MODAL.callbackId,
    privateMetadata: JSON.stringify({ responseUrl: responses.responseUrl('modal'), channelId: 'CGENERAL' }),
    values: declareModalValues({
      title: 'EHR login failing',
      severity: 'SEV1',
      description: 'Wards cannot log in.',
      service: 'ehr',
      flags: ['private', 'clinical'],
    }),
  });
  await app.bot.idle();
  assert.deepEqual(prism.violations('request'), []);
  assert.deepEqual(newRequests(from).slice(1), [
    'POST /conversations.create',
    'POST /conversations.invite',
    'POST /chat.postMessage',
    'POST /pins.add',
    'POST /chat.postMessage', // the SEV1 change freeze, without detail
    'POST /chat.update', // the summary shows the freeze
  ]);
  assert.match(
    String(responses.responses.find((r) => r.id === 'modal')?.body.text),
    /Declared INC-\d+ \(SEV1\).*private/,
  );
});

test('running an incident from its channel: every Slack call matches the spec', async () => {
  await app.command('declare sev2 Contract run', { responseUrl: responses.responseUrl('run') });
  await app.bot.idle();
  const incident = (await app.bot.deps.store.findByNumber(1))!;
  const channelId = incident.channelId!; // Prism's example channel
  const from = prism.requests().length;
  for (const text of [
    'status investigating looking',
    'update Rolling back',
    'sev 1 wards affected',
    'role commander <@UALICE|alice>',
    'note first clue',
    'clinical on',
    'role clinical-safety <@UBOB|bob>',
    'timeline',
    'resolve fixed',
    'close',
    'reopen not fixed',
  ]) {
    await app.command(text, { responseUrl: responses.responseUrl('run'), channelId, userId: 'UALICE' });
    await app.bot.idle();
  }
  for (const actionId of [
    SUMMARY_ACTIONS.update,
    SUMMARY_ACTIONS.note,
    SUMMARY_ACTIONS.role,
    SUMMARY_ACTIONS.timeline,
  ]) {
    await app.clickAction({
      userId: 'UALICE',
      channelId,
      messageTs: incident.summaryTs!,
      responseUrl: responses.responseUrl('run'),
      blockId: SUMMARY_ACTIONS.blockId,
      actionId,
    });
    await app.bot.idle();
  }
  assert.deepEqual(prism.violations('request'), []);
  const used = new Set(newRequests(from));
  assert.equal(newRequests(from).filter((r) => r === 'POST /views.open').length, 3, 'the three forms opened');
  for (const m of ['POST /chat.update', 'POST /chat.postMessage', 'POST /users.info'])
    assert.ok(used.has(m), `${m} was exercised`);
  assert.equal((await app.bot.deps.store.findById(incident.id))!.status, 'INVESTIGATING');
  const errors = responses.responses.filter((r) => r.id === 'run' && /went wrong/.test(String(r.body.text)));
  assert.deepEqual(errors, []);
});

test('/incident oncall: the users.lookupByEmail calls match the spec', async () => {
  await app.stop();
  const shift = {
    level: 1,
    userId: 'P1',
    name: 'Alice',
    email: 'alice@example.org',
    scheduleName: null,
    escalationPolicyId: 'E',
    escalationPolicyName: 'E',
    start: null,
    end: null,
  };
  app = await startTestBot({
    slackApiUrl: `${prism.url}/`,
    token: 'xoxb-contract-test',
    databaseUrl: null,
    responseUrlOrigins: [responses.url],
    onCall: {
      onCall: async () => ({ target: { kind: 'all', id: null, name: 'all' }, now: [shift], next: [] }),
      page: async () => null,
      resolvePaged: async () => {},
    },
  });
  const from = prism.requests().length;
  await app.command('oncall', { responseUrl: responses.responseUrl('oncall') });
  await app.bot.idle();
  assert.deepEqual(newRequests(from), ['POST /users.lookupByEmail']);
  assert.deepEqual(prism.violations('request'), []);
  assert.match(
    JSON.stringify(responses.responses.find((r) => r.id === 'oncall')?.body.blocks),
    /Level 1: <@W012A3CDE>/,
  );
});

test('Prism does reject a request that breaks the contract (the check can fail)', async () => {
  const res = await fetch(`${prism.url}/conversations.create`, {
    method: 'POST',
    headers: { authorization: 'Bearer xoxb-contract-test', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'is_private=maybe',
  });
  assert.notEqual(res.status, 200);
  assert.ok(prism.violations('request').length > 0);
});
