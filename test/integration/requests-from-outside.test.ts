// Requests from outside, against the running bot over HTTP with signed requests: Slack's time
// window both ways, replays of every kind of delivery (without Slack's retry header), text the
// database cannot store from each transport, and response URLs that are not Slack's. PGlite and,
// when TEST_DATABASE_URL is set, PostgreSQL.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { DECLARE_MODAL, INCIDENT_MODALS, SUMMARY_ACTIONS } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import {
  blockActionsBody,
  declareModalValues,
  postEvent,
  postSigned,
  slashCommandBody,
  triggerId,
  viewSubmissionBody,
} from '../support/slack-requests.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const PD_SECRET = 'pd-webhook-secret-outside';
const PD_SERVICE = 'PSVCOUT1';

/** A server that must never be called: it records whatever reaches it. */
async function startTrap(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((r) => server.close(() => r())) };
}

/** A form body's interaction payload changed by `edit`. */
function editPayload(body: string, edit: (p: Record<string, any>) => void): string {
  const p = JSON.parse(new URLSearchParams(body).get('payload')!) as Record<string, any>;
  edit(p);
  return new URLSearchParams({ payload: JSON.stringify(p) }).toString();
}

for (const database of testDatabases()) {
  describe(`requests from outside (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', tz: 'Europe/London' },
        { id: 'UBOB', name: 'bob', tz: 'Europe/London' },
      ],
      env: { PAGERDUTY_WEBHOOK_SECRET: PD_SECRET, PAGERDUTY_AUTO_DECLARE_SERVICES: PD_SERVICE },
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE', 'UBOB'] });
    });

    const lastResponse = (id: string) => slack.responses.filter((r) => r.id === id).at(-1)?.body;
    async function declare(title: string): Promise<Incident> {
      const id = `d${++seq}`;
      await app.command(`declare sev3 ${title}`, { responseUrl: slack.responseUrl(id) });
      await app.bot.idle();
      const text = String(lastResponse(id)?.text);
      const incident = await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(text)?.[1]));
      assert.ok(incident?.provisionedAt, `declared: ${text}`);
      slack.channels.get(incident.channelId!)!.members.add('UBOB');
      return incident;
    }
    const byTitle = async (title: string) => {
      const row = await app.bot.db.prisma.incident.findFirst({ where: { title } });
      assert.ok(row, `an incident titled ${title}`);
      return (await app.bot.deps.store.findById(row.id))!;
    };
    const notes = async (incident: Incident) =>
      (await app.bot.deps.store.timeline(incident.id)).filter((e) => e.kind === 'note');
    const dmsTo = (user: string) =>
      slack.messages.filter((m) => m.channel.startsWith('D') && slack.channels.get(m.channel)?.members.has(user));
    const timelineButton = (incident: Incident, responseUrl: string) =>
      blockActionsBody({
        userId: 'UBOB',
        channelId: incident.channelId!,
        messageTs: incident.summaryTs!,
        responseUrl,
        blockId: SUMMARY_ACTIONS.blockId,
        actionId: SUMMARY_ACTIONS.timeline,
      });

    describe("Slack's time window", () => {
      test('a request signed more than 5 minutes from now, either way, is refused with 401 and does nothing', async () => {
        const incident = await declare('Time window');
        const now = Math.floor(Date.now() / 1000);
        const body = (text: string) =>
          slashCommandBody({
            text,
            responseUrl: slack.responseUrl('tw'),
            userId: 'UBOB',
            channelId: incident.channelId!,
          });
        for (const [timestamp, what] of [
          [now + 360, '6 minutes in the future'],
          [now + 302, 'just over 5 minutes in the future'],
          [now - 360, '6 minutes old'],
          [now + 365 * 86400, 'a year ahead'],
        ] as const) {
          const res = await postSigned(app.url, body(`note signed ${what}`), { timestamp });
          assert.equal(res.status, 401, what);
        }
        await app.bot.idle();
        assert.deepEqual(await notes(incident), [], 'no note added');
        assert.equal(slack.responses.filter((r) => r.id === 'tw').length, 0);

        for (const timestamp of [now + 240, now - 240]) {
          const res = await postSigned(
            app.url,
            slashCommandBody({ text: 'help', responseUrl: slack.responseUrl('tw-ok') }),
            { timestamp },
          );
          assert.equal(res.status, 200, 'within 4 minutes either way is fine');
          assert.match(String(res.json()?.text), /\/incident declare/);
        }
      });
    });

    describe("replays without Slack's retry header", () => {
      test('a plain replay of /incident note adds one note and one channel message', async () => {
        const incident = await declare('Replayed note');
        const postsBefore = slack.callsTo('chat.postMessage').length;
        const body = slashCommandBody({
          text: 'note Restarted the consumer',
          responseUrl: slack.responseUrl('note'),
          userId: 'UBOB',
          channelId: incident.channelId!,
          triggerId: triggerId(),
        });
        const first = await postSigned(app.url, body);
        assert.equal(first.status, 200);
        await app.bot.idle();
        for (const headers of [{}, { 'x-slack-retry-num': '0' }, { 'x-slack-retry-num': 'x' }] as Record<
          string,
          string
        >[]) {
          const replay = await postSigned(app.url, body, { headers });
          assert.equal(replay.status, 200, 'acknowledged');
          assert.equal(replay.body, '', 'with nothing to show');
        }
        // The very same signed request, byte for byte, too.
        const ts = Math.floor(Date.now() / 1000);
        await postSigned(app.url, body, { timestamp: ts });
        await postSigned(app.url, body, { timestamp: ts });
        await app.bot.idle();
        assert.deepEqual(
          (await notes(incident)).map((n) => n.text),
          ['Restarted the consumer'],
        );
        assert.equal(slack.callsTo('chat.postMessage').slice(postsBefore).length, 1, 'one note notice');
      });

      test('replays of a form submission, a button, an event, at once or one after the other, each act once', async () => {
        const incident = await declare('Replayed interactions');
        // The note form, submitted once and replayed (twice at once).
        const form = viewSubmissionBody({
          viewId: 'VREPLAY1',
          callbackId: INCIDENT_MODALS.note.callbackId,
          userId: 'UBOB',
          values: {
            [INCIDENT_MODALS.note.block]: {
              [INCIDENT_MODALS.note.action]: { type: 'plain_text_input', value: 'Form note' },
            },
          },
          privateMetadata: JSON.stringify({ channelId: incident.channelId }),
        });
        await Promise.all([postSigned(app.url, form), postSigned(app.url, form)]);
        await app.bot.idle();
        await postSigned(app.url, form);
        await app.bot.idle();
        assert.deepEqual(
          (await notes(incident)).map((n) => n.text),
          ['Form note'],
        );

        // The timeline button: one private answer.
        const button = timelineButton(incident, slack.responseUrl('tl'));
        await postSigned(app.url, button);
        await app.bot.idle();
        await postSigned(app.url, button);
        await app.bot.idle();
        assert.equal(slack.responses.filter((r) => r.id === 'tl').length, 1, 'one timeline shown');

        // A button press with neither an action time nor a trigger: keyed on its signature.
        const keyless = editPayload(timelineButton(incident, slack.responseUrl('tl-keyless')), (p) => {
          delete p.trigger_id;
          delete p.actions[0].action_ts;
        });
        const ts = Math.floor(Date.now() / 1000);
        await postSigned(app.url, keyless, { timestamp: ts });
        await app.bot.idle();
        await postSigned(app.url, keyless, { timestamp: ts });
        await app.bot.idle();
        assert.equal(slack.responses.filter((r) => r.id === 'tl-keyless').length, 1, 'the exact replay did nothing');

        // An event with the same id, no retry header.
        const home = {
          type: 'app_home_opened',
          user: 'UALICE',
          channel: 'DALICE',
          tab: 'home',
          event_ts: `${Date.now() / 1000}`,
        };
        await postEvent(app.url, home, { eventId: 'EvREPLAY1' });
        await app.bot.idle();
        const published = slack.callsTo('views.publish').length;
        await postEvent(app.url, home, { eventId: 'EvREPLAY1' });
        await app.bot.idle();
        assert.equal(slack.callsTo('views.publish').length, published, 'not published again');
      });
    });

    describe('text the database cannot store', () => {
      test('a declaration whose title has U+0000 is declared, without it (command)', async () => {
        const id = `nul${++seq}`;
        await app.command('declare sev3 Pharmacy\u0000 queue \u0000slow', { responseUrl: slack.responseUrl(id) });
        await app.bot.idle();
        const text = String(lastResponse(id)?.text);
        assert.match(text, /Declared INC-\d+/, text);
        const incident = (await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(text)![1])))!;
        assert.equal(incident.title, 'Pharmacy queue slow');
      });

      test('the declare form with U+0000 and unpaired surrogates in its fields is declared, cleaned', async () => {
        const id = `nulform${++seq}`;
        const res = await app.submitView({
          viewId: `VNUL${seq}`,
          callbackId: DECLARE_MODAL.callbackId,
          values: declareModalValues({
            title: 'Lab \ud800results\u0000 late',
            severity: 'SEV3',
            description: 'Seen \udc00at\u0000 09:00',
            service: 'LIMS\u0000',
          }),
          privateMetadata: JSON.stringify({ responseUrl: slack.responseUrl(id), channelId: 'CGENERAL' }),
        });
        assert.equal(res.status, 200);
        assert.equal(res.body, '', 'the form closes');
        await app.bot.idle();
        const text = String(lastResponse(id)?.text);
        assert.match(text, /Declared INC-\d+/, text);
        const incident = (await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(text)![1])))!;
        assert.equal(incident.title, 'Lab \ufffdresults late');
        assert.equal(incident.description, 'Seen \ufffdat 09:00');
        assert.equal(incident.affectedService, 'LIMS');
      });

      test('notes by command and by form, a pinned message and a PagerDuty title: each stored without U+0000', async () => {
        const incident = await declare('Unstorable text');
        await app.command('note Called\u0000 the ward', {
          responseUrl: slack.responseUrl('n1'),
          userId: 'UBOB',
          channelId: incident.channelId!,
        });
        await app.submitView({
          viewId: `VNOTE${++seq}`,
          callbackId: INCIDENT_MODALS.note.callbackId,
          userId: 'UBOB',
          values: {
            [INCIDENT_MODALS.note.block]: {
              [INCIDENT_MODALS.note.action]: { type: 'plain_text_input', value: 'Form\u0000 note \ud83d' },
            },
          },
          privateMetadata: JSON.stringify({ channelId: incident.channelId }),
        });
        // JSON inside a string (a form's private metadata) carries U+0000 as an escape, seen only once parsed.
        await app.submitView({
          viewId: `VNOTE${++seq}`,
          callbackId: INCIDENT_MODALS.note.callbackId,
          userId: 'UBOB',
          values: {
            [INCIDENT_MODALS.note.block]: {
              [INCIDENT_MODALS.note.action]: { type: 'plain_text_input', value: 'Metadata note' },
            },
          },
          privateMetadata: JSON.stringify({ channelId: `${incident.channelId}\u0000` }),
        });
        await app.bot.idle();
        assert.deepEqual((await notes(incident)).map((n) => n.text).sort(), [
          'Called the ward',
          'Form note \ufffd',
          'Metadata note',
        ]);
        assert.equal(slack.responses.filter((r) => r.id === 'n1').length, 0, 'no "try again" for the note');

        const m = slack.addMessage({ channel: incident.channelId!, user: 'UBOB', text: 'Rolled\u0000 back' });
        slack.pins.push({ channel: m.channel, ts: m.ts, pinnedBy: 'UALICE' });
        const pinned = await postEvent(app.url, {
          type: 'pin_added',
          user: 'UALICE',
          channel_id: m.channel,
          item: {
            type: 'message',
            channel: m.channel,
            created_by: 'UALICE',
            message: { type: 'message', user: 'UBOB', text: 'Rolled\u0000 back', ts: m.ts },
          },
          event_ts: `${Date.now() / 1000}`,
        });
        assert.equal(pinned.status, 200);
        await app.bot.idle();
        const entry = (await app.bot.deps.store.timeline(incident.id)).find((e) => e.sourceTs === m.ts);
        assert.equal(entry?.text, 'Rolled back');

        const body = JSON.stringify({
          event: {
            id: `01NUL${seq}`,
            event_type: 'incident.triggered',
            resource_type: 'incident',
            occurred_at: new Date().toISOString(),
            agent: { id: 'PAGENT', type: 'user_reference', summary: 'Monitor\u0000' },
            data: {
              id: `PNUL${seq}`,
              type: 'incident',
              title: 'EHR\u0000 API \ud800down',
              number: 7,
              urgency: 'high',
              status: 'triggered',
              incident_key: 'k\u0000',
              service: { id: PD_SERVICE, type: 'service_reference', summary: 'EHR\u0000 API' },
            },
          },
        });
        const res = await fetch(`${app.url}/pagerduty/webhook`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-pagerduty-signature': `v1=${createHmac('sha256', PD_SECRET).update(body).digest('hex')}`,
          },
          body,
        });
        assert.equal(res.status, 202);
        await app.bot.idle();
        const paged = await app.bot.deps.store.findByPagerDutyIncident(`PNUL${seq}`);
        assert.ok(paged, 'declared from PagerDuty');
        assert.equal(paged.title, 'EHR API \ufffddown');
        assert.equal(paged.affectedService, 'EHR API');
      });
    });

    describe("response URLs that are not Slack's", () => {
      let trap: Awaited<ReturnType<typeof startTrap>>;
      before(async () => (trap = await startTrap()));
      after(() => trap?.close());

      test('a declare form whose private metadata names another server: nothing is sent there, the declarer gets a direct message', async () => {
        for (const url of [
          `${trap.url}/hook`,
          `${slack.url.replace('/api/', '')}@127.0.0.1:${new URL(trap.url).port}/x`,
          `https://hooks.slack.com.evil.test/x`,
        ]) {
          const res = await app.submitView({
            viewId: `VFORGED${++seq}`,
            callbackId: DECLARE_MODAL.callbackId,
            values: declareModalValues({ title: `Forged metadata ${seq}`, severity: 'SEV4' }),
            privateMetadata: JSON.stringify({ responseUrl: url, channelId: 'CGENERAL' }),
          });
          assert.equal(res.status, 200);
          await app.bot.idle();
          const incident = await byTitle(`Forged metadata ${seq}`);
          assert.ok(
            dmsTo('UALICE').some((m) => (m.text ?? '').includes(`Declared INC-${incident.number} `)),
            `the declarer is told by direct message (${url})`,
          );
          assert.equal(incident.responseUrl, null, 'the foreign URL is not stored');
        }
        assert.deepEqual(trap.hits, []);
      });

      test("a command's and a button's foreign response URL are ignored: answers go by direct message", async () => {
        const res = await app.command('declare sev4 Foreign response url', {
          responseUrl: `${trap.url}/commands/T1/1/x`,
        });
        assert.equal(res.status, 200);
        await app.bot.idle();
        const incident = await byTitle('Foreign response url');
        assert.ok(
          dmsTo('UALICE').some((m) => (m.text ?? '').includes(`Declared INC-${incident.number} `)),
          'the declarer is told by direct message',
        );
        assert.equal(incident.responseUrl, null);
        slack.channels.get(incident.channelId!)!.members.add('UBOB');

        await postSigned(app.url, timelineButton(incident, `${trap.url}/actions/1`));
        await app.command('actions', { responseUrl: `${trap.url}/commands/T1/2/y`, userId: 'UBOB' });
        await app.bot.idle();
        assert.ok(dmsTo('UBOB').length >= 2, 'timeline and action list by direct message');
        assert.deepEqual(trap.hits, []);
      });
    });
  });
}
