// Slack's retries (x-slack-retry-num) of a delivery already handled never repeat its work: signed
// requests sent twice to the running bot, the second as Slack's retry; one effect in the stand-in
// and on the timeline. PGlite and, when TEST_DATABASE_URL is set, PostgreSQL.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { SUMMARY_ACTIONS } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { blockActionsBody, postEvent, postSigned, slashCommandBody, triggerId } from '../support/slack-requests.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const RETRY = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };

for (const database of testDatabases()) {
  describe(`Slack retries are not handled twice (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', tz: 'Europe/London' },
        { id: 'UBOB', name: 'bob', tz: 'Europe/London' },
      ],
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE', 'UBOB'] });
    });

    async function declare(title: string): Promise<Incident> {
      const id = `d${++seq}`;
      await app.command(`declare sev3 ${title}`, { responseUrl: slack.responseUrl(id) });
      await app.bot.idle();
      const text = String(slack.responses.filter((r) => r.id === id).at(-1)?.body.text);
      const incident = await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(text)?.[1]));
      assert.ok(incident?.provisionedAt, `declared: ${text}`);
      slack.channels.get(incident.channelId!)!.members.add('UBOB');
      return incident;
    }
    const deliveryRecorded = async (key: string) =>
      !!(await app.bot.db.prisma.slackDelivery.findUnique({ where: { key } }));

    test('a retried /incident note adds one note and one channel message', async () => {
      const incident = await declare('Retried note');
      const postsBefore = slack.callsTo('chat.postMessage').length;
      const trigger = triggerId();
      const body = slashCommandBody({
        text: 'note Restarted the consumer',
        responseUrl: slack.responseUrl('note'),
        userId: 'UBOB',
        channelId: incident.channelId!,
        triggerId: trigger,
      });
      const first = await postSigned(app.url, body);
      assert.equal(first.status, 200);
      await app.bot.idle();
      const retry = await postSigned(app.url, body, { headers: RETRY });
      assert.equal(retry.status, 200, 'the retry is acknowledged');
      assert.equal(retry.body, '', 'with nothing to show');
      await app.bot.idle();

      const notes = (await app.bot.deps.store.timeline(incident.id)).filter((e) => e.kind === 'note');
      assert.equal(notes.length, 1, 'one note');
      assert.equal(notes[0]!.text, 'Restarted the consumer');
      const posted = slack.callsTo('chat.postMessage').slice(postsBefore);
      assert.equal(posted.length, 1, 'one note notice in the channel');
      assert.equal(posted[0]!.channel, incident.channelId);
      assert.match(JSON.stringify(posted[0]), /Restarted the consumer/);
      assert.ok(await deliveryRecorded(`command:${trigger}`));
    });

    test('a retry arriving while the first copy is still at work (a slow Slack) does nothing', async () => {
      const incident = await declare('Retried button');
      const body = blockActionsBody({
        userId: 'UBOB',
        channelId: incident.channelId!,
        messageTs: incident.summaryTs!,
        responseUrl: slack.responseUrl('button'),
        blockId: SUMMARY_ACTIONS.blockId,
        actionId: `${SUMMARY_ACTIONS.statusPrefix}investigating`,
        value: 'INVESTIGATING',
      });
      const updatesBefore = slack.callsTo('chat.update').length;
      // The first copy's summary update takes 1.5 s; Slack's retry comes meanwhile.
      slack.failNext('chat.update', { delayMs: 1500 });
      const first = await postSigned(app.url, body);
      assert.equal(first.status, 200);
      await slack.waitFor(() => slack.callsTo('chat.update').length > updatesBefore);
      const retry = await postSigned(app.url, body, { headers: RETRY });
      assert.equal(retry.status, 200);
      await app.bot.idle();

      assert.equal((await app.bot.deps.store.findById(incident.id))!.status, 'INVESTIGATING');
      const changes = (await app.bot.deps.store.timeline(incident.id)).filter((e) => /Investigating/.test(e.text));
      assert.equal(changes.length, 1, 'one status change on the timeline');
      const notices = slack.messages.filter(
        (m) =>
          m.channel === incident.channelId && /moved \*INC-\d+\* from Declared to \*Investigating\*/.test(m.text ?? ''),
      );
      assert.equal(notices.length, 1, 'one notice in the channel');
      assert.deepEqual(
        slack.responses.filter((r) => r.id === 'button').map((r) => r.body.text),
        [],
        'no refusal ("already investigating") for the retry either',
      );
    });

    test('a retried app_home_opened publishes the Home tab once', async () => {
      const event = {
        type: 'app_home_opened',
        user: 'UALICE',
        channel: 'DALICE',
        tab: 'home',
        event_ts: `${Date.now() / 1000}`,
      };
      const first = await postEvent(app.url, event, { eventId: 'EvHOME1' });
      assert.equal(first.status, 200);
      await app.bot.idle();
      assert.equal(slack.callsTo('views.publish').length, 1);
      const retry = await postEvent(app.url, event, { eventId: 'EvHOME1', retry: 1 });
      assert.equal(retry.status, 200);
      await app.bot.idle();
      assert.equal(slack.callsTo('views.publish').length, 1, 'not published again');
      assert.ok(await deliveryRecorded('event:EvHOME1'));

      // Another opening of the tab is another event: it is handled.
      await postEvent(app.url, event, { eventId: 'EvHOME2' });
      await app.bot.idle();
      assert.equal(slack.callsTo('views.publish').length, 2);
    });

    test('a retried pin_added adds one timeline entry', async () => {
      const incident = await declare('Retried pin');
      const m = slack.addMessage({ channel: incident.channelId!, user: 'UBOB', text: 'Rolled back the deploy' });
      slack.pins.push({ channel: incident.channelId!, ts: m.ts, pinnedBy: 'UALICE' });
      const event = {
        type: 'pin_added',
        user: 'UALICE',
        channel_id: m.channel,
        item: {
          type: 'message',
          channel: m.channel,
          created: Math.floor(Date.now() / 1000),
          created_by: 'UALICE',
          message: { type: 'message', user: 'UBOB', text: m.text, ts: m.ts },
        },
        event_ts: `${Date.now() / 1000}`,
      };
      // The first copy is slow to get the message's permalink; the retry comes while it works.
      slack.failNext('chat.getPermalink', { delayMs: 1000 });
      await postEvent(app.url, event, { eventId: 'EvPINR' });
      await postEvent(app.url, event, { eventId: 'EvPINR', retry: 1 });
      await app.bot.idle();
      const entries = (await app.bot.deps.store.timeline(incident.id)).filter((e) => e.sourceTs === m.ts);
      assert.equal(entries.length, 1);
      assert.equal(entries[0]!.text, 'Rolled back the deploy');
    });
  });
}
