// End to end: signed Events API callbacks (pin_added, reaction_added, message_changed,
// message_deleted) to the running app, its WebClient talking to the Slack stand-in, on embedded
// PGlite and (when TEST_DATABASE_URL is set) a real PostgreSQL server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { postEvent } from '../support/slack-requests.ts';
import type { SlackStandIn, StandInMessage } from '../support/slack-standin.ts';

const eventTs = () => `${(Date.now() / 1000).toFixed(6)}`;

for (const database of testDatabases()) {
  describe(`timeline from Slack events (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;

    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', tz: 'Europe/London' },
        { id: 'UBOB', name: 'bob', tz: 'America/New_York' },
      ],
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents', members: [] });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE', 'UBOB', slack.botUserId] });
    });

    async function declare(title: string): Promise<Incident> {
      const id = `decl-${randomBytes(3).toString('hex')}`;
      await app.command(`declare sev2 ${title}`, { responseUrl: slack.responseUrl(id) });
      await app.bot.idle();
      const text = String(slack.responses.filter((r) => r.id === id).at(-1)?.body.text);
      const incident = await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(text)?.[1]));
      assert.ok(incident?.channelId, `declared: ${text}`);
      slack.channels.get(incident.channelId)!.members.add('UBOB');
      return incident;
    }

    const send = async (event: Record<string, unknown>, opts: { retry?: number; eventId?: string } = {}) => {
      const res = await postEvent(app.url, event, opts);
      assert.equal(res.status, 200, res.body);
      await app.bot.idle();
    };
    const pinAdded = (m: StandInMessage, by: string, withMessage = true) => ({
      type: 'pin_added',
      user: by,
      channel_id: m.channel,
      item: {
        type: 'message',
        channel: m.channel,
        created: Math.floor(Date.now() / 1000),
        created_by: by,
        ...(withMessage
          ? {
              message: {
                type: 'message',
                user: m.user,
                text: m.text,
                ts: m.ts,
                permalink: `https://example.slack.com/archives/${m.channel}/p${m.ts.replace('.', '')}`,
                pinned_to: [m.channel],
              },
            }
          : { ts: m.ts }),
      },
      item_user: m.user,
      pin_count: 1,
      event_ts: eventTs(),
    });
    const pushpin = (m: StandInMessage, by: string, reaction = 'pushpin') => ({
      type: 'reaction_added',
      user: by,
      reaction,
      item: { type: 'message', channel: m.channel, ts: m.ts },
      item_user: m.user,
      event_ts: eventTs(),
    });
    const messageEntries = async (incident: Incident) =>
      (await app.bot.deps.store.timeline(incident.id)).filter((e) => e.kind === 'pinned_message');

    test('pin → one entry with the message time, author and permalink; a pushpin and retries add nothing; edit and delete update it', async () => {
      const incident = await declare('Pharmacy orders stuck');
      const channel = incident.channelId!;
      const m = slack.addMessage({ channel, user: 'UBOB', text: 'Restarted the order queue consumer' });
      slack.pins.push({ channel, ts: m.ts, pinnedBy: 'UALICE' });

      const pinEvent = pinAdded(m, 'UALICE');
      await send(pinEvent, { eventId: 'EvPIN1' });
      let entries = await messageEntries(incident);
      assert.equal(entries.length, 1);
      const [entry] = entries;
      assert.equal(entry!.sourceTs, m.ts);
      assert.equal(entry!.occurredAt.getTime(), Math.floor(Number(m.ts) * 1000), "the message's own time");
      assert.equal(entry!.actorId, 'UBOB', "the message's author, not who pinned it");
      assert.equal(entry!.text, 'Restarted the order queue consumer');
      assert.equal(entry!.permalink, `https://example.slack.com/archives/${channel}/p${m.ts.replace('.', '')}`);
      assert.deepEqual(entry!.data, { pinnedBy: 'UALICE', via: 'pin' });

      // Slack retries the same callback; Bob also gives it a :pushpin: (twice delivered).
      await send(pinEvent, { eventId: 'EvPIN1', retry: 1 });
      const reaction = pushpin(m, 'UBOB');
      await send(reaction, { eventId: 'EvREACT1' });
      await send(reaction, { eventId: 'EvREACT1', retry: 2 });
      entries = await messageEntries(incident);
      assert.equal(entries.length, 1, 'still one entry');
      assert.equal(entries[0]!.id, entry!.id);

      // Edit
      const editedTs = eventTs();
      await send({
        type: 'message',
        subtype: 'message_changed',
        hidden: true,
        channel,
        ts: editedTs,
        event_ts: editedTs,
        message: {
          type: 'message',
          user: 'UBOB',
          text: 'Restarted the order queue consumer (twice)',
          ts: m.ts,
          edited: { user: 'UBOB', ts: editedTs },
        },
        previous_message: { type: 'message', user: 'UBOB', text: m.text, ts: m.ts },
      });
      entries = await messageEntries(incident);
      assert.equal(entries[0]!.text, 'Restarted the order queue consumer (twice)');
      assert.equal(entries[0]!.editedAt?.getTime(), Math.floor(Number(editedTs) * 1000));
      assert.equal(entries[0]!.deletedAt, null);
      assert.equal(entries[0]!.occurredAt.getTime(), entry!.occurredAt.getTime(), 'keeps its time');

      // Delete
      const deletedTs = eventTs();
      await send({
        type: 'message',
        subtype: 'message_deleted',
        hidden: true,
        channel,
        ts: deletedTs,
        deleted_ts: m.ts,
        event_ts: deletedTs,
        previous_message: { type: 'message', user: 'UBOB', text: 'x', ts: m.ts },
      });
      const [afterDelete, ...others] = await messageEntries(incident);
      assert.equal(others.length, 0);
      assert.equal(afterDelete!.deletedAt?.getTime(), Math.floor(Number(deletedTs) * 1000));
      assert.equal(afterDelete!.text, 'Restarted the order queue consumer (twice)', 'the text stays on the record');

      assert.equal(slack.callsTo('conversations.history').length, 0, 'the pin carried the message: nothing fetched');
    });

    test('other reactions, bot pins and payloads we do not know are ignored', async () => {
      const incident = await declare('Imaging viewer slow');
      const channel = incident.channelId!;
      const m = slack.addMessage({ channel, user: 'UALICE', text: 'PACS cache full' });

      await send(pushpin(m, 'UBOB', 'eyes'));
      await send(pushpin(m, 'UBOB', 'round_pushpin'));
      await send(pinAdded(m, slack.botUserId), { eventId: 'EvBOTPIN' }); // the bot pinning its own summary, say
      await send({
        type: 'pin_added',
        user: 'UBOB',
        channel_id: channel,
        item: { type: 'file', file: { id: 'F1' } },
        event_ts: eventTs(),
      });
      await send({ type: 'message', subtype: 'message_changed', channel }); // no message: malformed
      await send({ type: 'message', channel, user: 'UBOB', text: 'plain message', ts: eventTs() });
      assert.deepEqual(await messageEntries(incident), []);
      assert.equal(slack.callsTo('conversations.history').length, 0);
    });

    test('a pin event without the message fetches it, with its permalink', async () => {
      const incident = await declare('Imaging archive slow');
      const channel = incident.channelId!;
      const m = slack.addMessage({ channel, user: 'UALICE', text: 'PACS cache full' });
      await send(pinAdded(m, 'UBOB', false));
      assert.ok(slack.callsTo('conversations.history').length > 0, 'fetched with conversations.history');
      const entries = await messageEntries(incident);
      assert.equal(entries.length, 1);
      assert.deepEqual([entries[0]!.actorId, entries[0]!.text], ['UALICE', 'PACS cache full']);
      assert.equal(entries[0]!.permalink, `https://example.slack.com/archives/${channel}/p${m.ts.replace('.', '')}`);
    });

    test('a pushpin on a message that was not pinned fetches it from the channel', async () => {
      const incident = await declare('Bed board not updating');
      const channel = incident.channelId!;
      const m = slack.addMessage({ channel, user: 'UBOB', text: 'Ward 7 confirms beds are stale' });
      await send(pushpin(m, 'UALICE'));
      assert.ok(slack.callsTo('conversations.history').length > 0, 'fetched with conversations.history');
      const entries = await messageEntries(incident);
      assert.equal(entries.length, 1, 'recorded from the fetched message');
      assert.deepEqual(
        [entries[0]!.actorId, entries[0]!.text, entries[0]!.sourceTs],
        ['UBOB', 'Ward 7 confirms beds are stale', m.ts],
      );
      assert.deepEqual(entries[0]!.data, { pinnedBy: 'UALICE', via: 'reaction' });
    });

    test('events in a channel that is not an incident change nothing', async () => {
      const incident = await declare('Lab results delayed');
      const before = (await app.bot.deps.store.timeline(incident.id)).length;
      const m = slack.addMessage({ channel: 'CGENERAL', user: 'UBOB', text: 'lunch?' });
      await send(pinAdded(m, 'UALICE'));
      await send(pushpin(m, 'UALICE'));
      await send({
        type: 'message',
        subtype: 'message_changed',
        channel: 'CGENERAL',
        ts: eventTs(),
        message: { type: 'message', user: 'UBOB', text: 'dinner?', ts: m.ts },
      });
      await send({ type: 'message', subtype: 'message_deleted', channel: 'CGENERAL', ts: eventTs(), deleted_ts: m.ts });
      assert.equal((await app.bot.deps.store.timeline(incident.id)).length, before);
      assert.equal(await app.bot.deps.store.findByChannel('CGENERAL'), null);
      for (const method of ['conversations.history', 'chat.getPermalink', 'users.info']) {
        assert.equal(slack.callsTo(method).length, 0, `no ${method} for a channel that is not an incident`);
      }
    });
  });
}
