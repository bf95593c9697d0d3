// Reviews and the action item backlog with the bot's WebClient pointed at Prism serving Slack's
// official Web API spec: every request must match Slack's published contract. The external file
// upload methods are newer than that spec (2021); their contract is added from Slack's method
// documentation (see slackSpecWithFileUploads). Behaviour is tested against the stand-in in
// test/integration/review-backlog.test.ts.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { ACTION_ITEM_ACTIONS, REVIEW_MODAL, reviewInputId } from '../../src/slack/ids.ts';
import { startTestBot, type TestBot } from '../support/bot.ts';
import { slackSpecWithFileUploads, startPrism, type PrismHandle } from '../support/prism.ts';
import { postEvent, triggerId } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';

let prism: PrismHandle;
let responses: SlackStandIn; // only its response_url endpoint is used
let app: TestBot;
let sink: http.Server;
/** What reached the upload URL: content type and body of each POST. */
const uploads: { contentType: string; body: string }[] = [];
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

before(async () => {
  sink = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      uploads.push({ contentType: String(req.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const uploadUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/upload/v1/contract`;
  prism = await startPrism(await slackSpecWithFileUploads(uploadUrl));
  responses = await startSlackStandIn();
});
after(async () => {
  await responses?.close();
  await prism?.close();
  await new Promise((resolve) => sink?.close(resolve));
});
beforeEach(async () => {
  offsetMs = 0;
  uploads.length = 0;
  app = await startTestBot({
    slackApiUrl: `${prism.url}/`,
    token: 'xoxb-contract-test',
    databaseUrl: null,
    responseUrlOrigins: [responses.url],
    clock,
  });
});
afterEach(async () => {
  await app?.stop();
});

const newRequests = (from: number) =>
  prism
    .requests()
    .slice(from)
    .filter((r) => r !== 'POST /auth.test');
const wentWrong = (id: string) =>
  responses.responses.filter((r) => r.id === id && /went wrong/.test(String(r.body.text)));

async function declared(text = 'declare sev2 Contract review') {
  await app.command(text, { responseUrl: responses.responseUrl('declare') });
  await app.bot.idle();
  const incident = (await app.bot.deps.store.findByNumber(1))!;
  assert.ok(incident.provisionedAt, 'provisioned through Prism');
  return incident;
}

test('resolving posts the review and uploads its Markdown: every Slack call matches the contract', async () => {
  const incident = await declared();
  const from = prism.requests().length;
  await app.command('resolve fixed', {
    responseUrl: responses.responseUrl('resolve'),
    channelId: incident.channelId!,
    userId: 'UALICE',
  });
  await app.bot.idle();
  assert.deepEqual(prism.violations('request'), []);
  const sent = newRequests(from);
  assert.ok(sent.includes('POST /chat.postMessage'));
  assert.deepEqual(sent.slice(-2), ['POST /files.getUploadURLExternal', 'POST /files.completeUploadExternal']);
  assert.equal(uploads.length, 1, 'the bytes went to the upload URL');
  assert.match(uploads[0]!.contentType, /^multipart\/form-data/);
  assert.match(uploads[0]!.body, /# INC-1: Contract review/);
  assert.ok((await app.bot.deps.reviews.findReview(incident.id))?.postedTs, 'the posted review is remembered');
  assert.deepEqual(wentWrong('resolve'), []);
});

test('the review form, action items and their controls: every Slack call matches the contract', async () => {
  const incident = await declared();
  const channelId = incident.channelId!;
  let from = prism.requests().length;
  await app.command('review', {
    responseUrl: responses.responseUrl('review'),
    channelId,
    userId: 'UALICE',
    triggerId: triggerId(),
  });
  await app.bot.idle();
  assert.deepEqual(newRequests(from), [
    'POST /views.open',
    'POST /chat.postMessage',
    'POST /files.getUploadURLExternal',
    'POST /files.completeUploadExternal',
  ]);

  from = prism.requests().length;
  const text = (value: string | null) => ({ type: 'plain_text_input', value });
  const select = (value: string) => ({
    type: 'static_select',
    selected_option: { text: { type: 'plain_text', text: value }, value },
  });
  const B = REVIEW_MODAL.blocks;
  await app.submitView({
    viewId: 'VREVIEW1',
    callbackId: REVIEW_MODAL.callbackId,
    userId: 'UALICE',
    privateMetadata: JSON.stringify({ incidentId: incident.id, channelId }),
    values: {
      [B.clinicalImpact]: { [reviewInputId(B.clinicalImpact)]: text('None') },
      [B.dataImpact]: { [reviewInputId(B.dataImpact)]: text('None') },
      [B.detection]: { [reviewInputId(B.detection)]: select('alert') },
      [B.factors]: {
        [reviewInputId(B.factors)]: {
          type: 'checkboxes',
          selected_options: [{ text: { type: 'plain_text', text: 'x' }, value: 'capacity' }],
        },
      },
      [B.actionText]: { [reviewInputId(B.actionText)]: text('Add headroom alerts') },
      [B.actionOwner]: { [reviewInputId(B.actionOwner)]: { type: 'users_select', selected_user: 'UBOB' } },
      [B.actionDue]: { [reviewInputId(B.actionDue)]: { type: 'datepicker', selected_date: '2099-01-10' } },
      [B.actionCategory]: { [reviewInputId(B.actionCategory)]: select('observability') },
      [B.actionPriority]: { [reviewInputId(B.actionPriority)]: select('high') },
    },
  });
  await app.bot.idle();
  const [item] = await app.bot.deps.reviews.actionItemsOf(incident.id);
  assert.equal(item?.text, 'Add headroom alerts');
  const afterForm = newRequests(from);
  for (const m of ['POST /chat.postMessage', 'POST /chat.update', 'POST /files.completeUploadExternal'])
    assert.ok(afterForm.includes(m), `${m} sent`);

  await app.command('action add Write the capacity runbook due:2099-02-01 runbook', {
    responseUrl: responses.responseUrl('add'),
    channelId,
    userId: 'UALICE',
  });
  await app.bot.idle();
  await app.command('actions team', {
    responseUrl: responses.responseUrl('list'),
    channelId: 'CGENERAL',
    userId: 'UALICE',
  });
  await app.bot.idle();
  assert.match(
    JSON.stringify(responses.responses.find((r) => r.id === 'list')?.body.blocks),
    /Write the capacity runbook/,
  );

  // The App Home tab, a control pressed there, and a reminder.
  from = prism.requests().length;
  await postEvent(app.url, {
    type: 'app_home_opened',
    user: 'UBOB',
    channel: 'D0000000002',
    tab: 'home',
    event_ts: '1.1',
  });
  await app.clickAction({
    userId: 'UBOB',
    channelId: '',
    messageTs: '',
    responseUrl: '',
    blockId: `${ACTION_ITEM_ACTIONS.blockPrefix}${item!.id}`,
    actionId: ACTION_ITEM_ACTIONS.snooze,
    selectedValue: '7',
    inHome: true,
  });
  await app.bot.idle();
  offsetMs = new Date('2099-01-10T10:00:00Z').getTime() - Date.now();
  await app.bot.remindActionOwnersNow();
  assert.deepEqual(
    newRequests(from).filter((r) => r === 'POST /views.publish').length,
    2,
    'drawn, then redrawn after the snooze',
  );
  assert.ok(newRequests(from).includes('POST /chat.postMessage'), 'the due reminder');
  assert.deepEqual(prism.violations('request'), []);
  for (const id of ['review', 'add', 'list']) assert.deepEqual(wentWrong(id), [], id);
});

test('a near miss: its channel, announcement and review match the contract, and nothing is paged', async () => {
  const from = prism.requests().length;
  await app.command('declare near-miss Wrong list nearly sent', { responseUrl: responses.responseUrl('nm') });
  await app.bot.idle();
  assert.deepEqual(prism.violations('request'), []);
  assert.deepEqual(newRequests(from), [
    'POST /conversations.create',
    'POST /conversations.invite',
    'POST /chat.postMessage',
    'POST /pins.add',
    'POST /chat.postMessage',
    'POST /chat.postMessage',
    'POST /files.getUploadURLExternal',
    'POST /files.completeUploadExternal',
  ]);
  assert.match(String(responses.responses.find((r) => r.id === 'nm')?.body.text), /INC-1/);
});

test('/incident load: the direct message with the charts and the CSV matches the contract', async () => {
  await app.stop();
  const now = Date.now();
  const day = 24 * 3600_000;
  app = await startTestBot({
    slackApiUrl: `${prism.url}/`,
    token: 'xoxb-contract-test',
    databaseUrl: null,
    responseUrlOrigins: [responses.url],
    history: {
      findScope: async () => null,
      fetchWindow: async (_scope, since, until) => ({
        people: [{ id: 'PALICE', name: 'Alice', email: 'alice@example.org', timeZone: 'Europe/London' }],
        stretches: [
          { userId: 'PALICE', scheduleId: 'PS1', escalationPolicyId: 'PE1', level: 1, start: since, end: until },
        ],
        pages:
          since.getTime() <= now - day && now - day < until.getTime()
            ? [
                {
                  id: 'LE1',
                  incidentId: 'PI1',
                  userId: 'PALICE',
                  at: new Date(now - day),
                  kind: 'assigned' as const,
                  serviceId: null,
                },
              ]
            : [],
      }),
    },
  });
  const from = prism.requests().length;
  await app.command('load 7d', { responseUrl: responses.responseUrl('load'), userId: 'ULEAD' });
  await app.bot.idle();
  assert.deepEqual(prism.violations('request'), []);
  const sent = newRequests(from);
  assert.equal(sent.filter((r) => r === 'POST /conversations.open').length, 1, 'the DM is opened');
  assert.equal(sent.filter((r) => r === 'POST /files.completeUploadExternal').length, 3, 'two charts and the CSV');
  assert.equal(uploads.length, 3);
  assert.match(
    JSON.stringify(responses.responses.find((r) => r.id === 'load')?.body),
    /Charts and the CSV are in your direct messages/,
  );
  assert.deepEqual(wentWrong('load'), []);
});
