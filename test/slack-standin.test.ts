import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { WebClient, ErrorCode, LogLevel } from '@slack/web-api';
import { startSlackStandIn, type SlackStandIn } from './support/slack-standin.ts';

type SlackErr = Error & {
  code?: string;
  data?: { ok: boolean; error: string; [k: string]: unknown };
  statusCode?: number;
  retryAfter?: number;
};

/** Await a call that must fail, returning the thrown WebClient error. */
async function rejection(p: Promise<unknown>): Promise<SlackErr> {
  try {
    await p;
  } catch (e) {
    return e as SlackErr;
  }
  assert.fail('expected the call to reject');
}

async function platformError(p: Promise<unknown>): Promise<string> {
  const err = await rejection(p);
  assert.equal(err.code, ErrorCode.PlatformError, `expected a platform error, got ${err.code}: ${err.message}`);
  assert.equal(err.data?.ok, false);
  return err.data!.error;
}

const alice = {
  id: 'U0ALICE',
  name: 'alice',
  real_name: 'Alice Liddell',
  email: 'alice@example.com',
  tz: 'Europe/Berlin',
};
const bob = {
  id: 'U0BOB',
  name: 'bob',
  real_name: 'Bob Builder',
  email: 'Bob@Example.com',
  tz: 'America/New_York',
  tz_label: 'Eastern Time',
  tz_offset: -18000,
};

describe('Slack stand-in driven by a real @slack/web-api WebClient', () => {
  let slack: SlackStandIn;
  let client: WebClient;

  before(async () => {
    slack = await startSlackStandIn({ users: [alice, bob] });
    client = new WebClient(slack.token, {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
  });
  after(async () => {
    await slack.close();
  });
  beforeEach(() => slack.reset());

  test('defaults: url, token, bot user', () => {
    assert.match(slack.url, /^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    assert.equal(slack.token, 'xoxb-test-token');
    assert.equal(slack.botUserId, 'UBOT');
    assert.equal(slack.teamId, 'T0001');
    assert.equal(slack.users.get('UBOT')?.is_bot, true);
  });

  test('auth.test answers with the bot identity and records the Bearer token', async () => {
    const res = await client.auth.test();
    assert.equal(res.ok, true);
    assert.equal(res.user_id, 'UBOT');
    assert.equal(res.team_id, 'T0001');
    assert.equal(typeof res.bot_id, 'string');
    assert.match(String(res.url), /^https:\/\/.+\.slack\.com\/$/);
    assert.equal(slack.calls.length, 1);
    assert.equal(slack.calls[0]?.method, 'auth.test');
    assert.equal(slack.calls[0]?.token, 'xoxb-test-token');
  });

  test('wrong token → invalid_auth, missing token → not_authed (both recorded)', async () => {
    const bad = new WebClient('xoxb-wrong', {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
    assert.equal(await platformError(bad.auth.test()), 'invalid_auth');
    const none = new WebClient(undefined, {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
    assert.equal(await platformError(none.chat.postMessage({ channel: 'C1', text: 'x' })), 'not_authed');
    assert.deepEqual(
      slack.calls.map((c) => [c.method, c.token]),
      [
        ['auth.test', 'xoxb-wrong'],
        ['chat.postMessage', undefined],
      ],
    );
    assert.equal(slack.messages.length, 0);
  });

  test('token may be passed as a form field instead of the header', async () => {
    const body = new URLSearchParams({ token: slack.token });
    const res = await fetch(`${slack.url}auth.test`, { method: 'POST', body });
    assert.equal(res.status, 200);
    const json = (await res.json()) as Record<string, unknown>;
    assert.equal(json.ok, true);
    assert.equal(json.user_id, 'UBOT');
    assert.equal(slack.calls[0]?.token, slack.token);
    assert.equal('token' in (slack.calls[0]?.args ?? {}), false, 'token is not kept in args');
  });

  test('application/json bodies are accepted', async () => {
    const res = await fetch(`${slack.url}conversations.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ name: 'inc-json', is_private: true }),
    });
    const json = (await res.json()) as { ok: boolean; channel: { is_private: boolean; name: string } };
    assert.equal(json.ok, true);
    assert.equal(json.channel.name, 'inc-json');
    assert.equal(json.channel.is_private, true);
    assert.equal(slack.channelByName('inc-json')?.is_private, true);
  });

  test('unknown method → HTTP 404 unknown_method', async () => {
    const err = await rejection(client.apiCall('nope.nothing'));
    assert.equal(err.code, ErrorCode.HTTPError);
    assert.equal(err.statusCode, 404);
    assert.equal(slack.calls[0]?.method, 'nope.nothing');
  });

  describe('conversations.create', () => {
    test('creates a public channel with the bot as creator and member', async () => {
      const res = await client.conversations.create({ name: 'inc-42-db-down' });
      const ch = res.channel!;
      assert.match(ch.id!, /^C/);
      assert.equal(ch.name, 'inc-42-db-down');
      assert.equal(ch.is_channel, true);
      assert.equal(ch.is_private, false);
      assert.equal(ch.is_member, true);
      assert.equal(ch.creator, 'UBOT');
      assert.equal(typeof ch.created, 'number');
      const stored = slack.channels.get(ch.id!);
      assert.ok(stored);
      assert.deepEqual([...stored.members], ['UBOT']);
      assert.equal(slack.channelByName('inc-42-db-down'), stored);
      assert.deepEqual(slack.callsTo('conversations.create'), [{ name: 'inc-42-db-down' }]);
    });

    test('private channel: is_private arrives as the form string "true"', async () => {
      const res = await client.conversations.create({ name: 'inc-secret', is_private: true });
      assert.equal(res.channel?.is_private, true);
      assert.equal(slack.callsTo('conversations.create')[0]?.is_private, 'true');
    });

    test('name_taken for an existing name (also pre-added channels)', async () => {
      await client.conversations.create({ name: 'inc-dup' });
      assert.equal(await platformError(client.conversations.create({ name: 'inc-dup' })), 'name_taken');
      slack.addChannel({ name: 'incidents' });
      assert.equal(await platformError(client.conversations.create({ name: 'incidents' })), 'name_taken');
      assert.equal([...slack.channels.values()].filter((c) => c.name === 'inc-dup').length, 1);
    });

    test('invalid names are rejected like Slack does', async () => {
      assert.equal(await platformError(client.conversations.create({ name: '' })), 'invalid_name_required');
      assert.equal(
        await platformError(client.conversations.create({ name: 'a'.repeat(81) })),
        'invalid_name_maxlength',
      );
      assert.equal(await platformError(client.conversations.create({ name: 'Inc-Upper' })), 'invalid_name_specials');
      assert.equal(await platformError(client.conversations.create({ name: 'inc 42' })), 'invalid_name_specials');
      assert.equal(await platformError(client.conversations.create({ name: 'inc.42' })), 'invalid_name_specials');
      assert.equal(await platformError(client.conversations.create({ name: '---' })), 'invalid_name_punctuation');
      const ok = await client.conversations.create({ name: 'a'.repeat(80) });
      assert.equal(ok.channel?.name?.length, 80);
      assert.equal(slack.channels.size, 1);
      assert.equal(slack.calls.length, 7);
    });
  });

  describe('conversations.invite / join / info / members / rename / archive', () => {
    test('invite adds members; already_in_channel when all are members; partial adds the rest', async () => {
      const { channel } = await client.conversations.create({ name: 'inc-invite' });
      const id = channel!.id!;
      const res = await client.conversations.invite({ channel: id, users: 'U0ALICE' });
      assert.equal(res.channel?.id, id);
      assert.deepEqual([...slack.channels.get(id)!.members].sort(), ['U0ALICE', 'UBOT']);

      assert.equal(
        await platformError(client.conversations.invite({ channel: id, users: 'U0ALICE' })),
        'already_in_channel',
      );

      await client.conversations.invite({ channel: id, users: 'U0ALICE,U0BOB' });
      assert.deepEqual([...slack.channels.get(id)!.members].sort(), ['U0ALICE', 'U0BOB', 'UBOT']);
      assert.deepEqual(
        slack.callsTo('conversations.invite').map((a) => a.users),
        ['U0ALICE', 'U0ALICE', 'U0ALICE,U0BOB'],
      );
    });

    test('invite errors: channel_not_found, user_not_found, cant_invite_self, not_in_channel', async () => {
      const { channel } = await client.conversations.create({ name: 'inc-errs' });
      const id = channel!.id!;
      assert.equal(
        await platformError(client.conversations.invite({ channel: 'C_NOPE', users: 'U0ALICE' })),
        'channel_not_found',
      );
      assert.equal(
        await platformError(client.conversations.invite({ channel: id, users: 'U0ALICE,U_GHOST' })),
        'user_not_found',
      );
      assert.equal(slack.channels.get(id)!.members.has('U0ALICE'), false, 'no partial invite without force');
      assert.equal(
        await platformError(client.conversations.invite({ channel: id, users: 'UBOT' })),
        'cant_invite_self',
      );
      await client.conversations.invite({ channel: id, users: 'U0ALICE,U_GHOST', force: true });
      assert.equal(slack.channels.get(id)!.members.has('U0ALICE'), true, 'force skips invalid IDs');

      const broadcast = slack.addChannel({ name: 'incidents', members: ['U0BOB'] });
      assert.equal(
        await platformError(client.conversations.invite({ channel: broadcast.id, users: 'U0ALICE' })),
        'not_in_channel',
      );
      const hidden = slack.addChannel({ name: 'secret', is_private: true, members: ['U0BOB'] });
      assert.equal(
        await platformError(client.conversations.invite({ channel: hidden.id, users: 'U0ALICE' })),
        'channel_not_found',
      );
    });

    test('join public channels only; info and members reflect state', async () => {
      const pub = slack.addChannel({ name: 'incidents', members: ['U0ALICE'] });
      const priv = slack.addChannel({ name: 'sec-ops', is_private: true, members: ['U0ALICE'] });
      assert.equal((await client.conversations.info({ channel: pub.id })).channel?.is_member, false);
      await client.conversations.join({ channel: pub.id });
      assert.equal(pub.members.has('UBOT'), true);
      const again = await client.conversations.join({ channel: pub.id });
      assert.equal(again.warning, 'already_in_channel');
      assert.equal(
        await platformError(client.conversations.join({ channel: priv.id })),
        'method_not_supported_for_channel_type',
      );
      assert.equal(await platformError(client.conversations.info({ channel: priv.id })), 'channel_not_found');

      const info = await client.conversations.info({ channel: pub.id, include_num_members: true });
      assert.equal(info.channel?.name, 'incidents');
      assert.equal(info.channel?.is_member, true);
      assert.equal(info.channel?.num_members, 2);
      const members = await client.conversations.members({ channel: pub.id });
      assert.deepEqual([...members.members!].sort(), ['U0ALICE', 'UBOT']);
      assert.equal(members.response_metadata?.next_cursor, '');
    });

    test('members paginates with cursors', async () => {
      const c = slack.addChannel({ name: 'big', members: ['UBOT', 'U0ALICE', 'U0BOB'] });
      const page1 = await client.conversations.members({ channel: c.id, limit: 2 });
      assert.equal(page1.members?.length, 2);
      assert.ok(page1.response_metadata?.next_cursor);
      const page2 = await client.conversations.members({
        channel: c.id,
        limit: 2,
        cursor: page1.response_metadata.next_cursor,
      });
      assert.deepEqual([...page1.members!, ...page2.members!], ['UBOT', 'U0ALICE', 'U0BOB']);
      assert.equal(page2.response_metadata?.next_cursor, '');
    });

    test('rename and archive', async () => {
      const { channel } = await client.conversations.create({ name: 'inc-old' });
      const id = channel!.id!;
      await client.conversations.create({ name: 'inc-other' });
      assert.equal(await platformError(client.conversations.rename({ channel: id, name: 'inc-other' })), 'name_taken');
      assert.equal(
        await platformError(client.conversations.rename({ channel: id, name: 'Bad Name' })),
        'invalid_name_specials',
      );
      const renamed = await client.conversations.rename({ channel: id, name: 'inc-new' });
      assert.equal(renamed.channel?.name, 'inc-new');
      assert.equal(slack.channelByName('inc-new')?.id, id);
      assert.equal(slack.channelByName('inc-old'), undefined);

      await client.conversations.archive({ channel: id });
      assert.equal(slack.channels.get(id)?.archived, true);
      assert.equal(await platformError(client.conversations.archive({ channel: id })), 'already_archived');
      assert.equal(await platformError(client.chat.postMessage({ channel: id, text: 'hi' })), 'is_archived');
    });
  });

  describe('messages', () => {
    test('postMessage: Slack-shaped ts, blocks parsed from the form, recorded in messages', async () => {
      const { channel } = await client.conversations.create({ name: 'inc-post' });
      const id = channel!.id!;
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*SEV1* db down' } }];
      const a = await client.chat.postMessage({ channel: id, text: 'SEV1 db down', blocks });
      const b = await client.chat.postMessage({ channel: id, text: 'update', thread_ts: a.ts! });
      assert.match(a.ts!, /^\d{10}\.\d{6}$/);
      assert.ok(Number(b.ts) > Number(a.ts), 'ts values increase');
      assert.equal(a.channel, id);
      assert.equal(a.message?.type, 'message');
      assert.equal(a.message?.user, 'UBOT');
      assert.equal(a.message?.text, 'SEV1 db down');
      assert.equal(typeof a.message?.bot_id, 'string');
      assert.deepEqual(a.message?.blocks, blocks);
      assert.deepEqual(slack.callsTo('chat.postMessage')[0]?.blocks, blocks, 'recorded args have blocks parsed');
      assert.deepEqual(slack.messages, [
        { channel: id, ts: a.ts, user: 'UBOT', text: 'SEV1 db down', blocks },
        { channel: id, ts: b.ts, user: 'UBOT', text: 'update', thread_ts: a.ts },
      ]);
    });

    test('postMessage errors and channel visibility rules', async () => {
      const pub = slack.addChannel({ name: 'incidents', members: ['U0ALICE'] });
      const priv = slack.addChannel({ name: 'sec-ops', is_private: true, members: ['U0ALICE'] });
      assert.equal(await platformError(client.chat.postMessage({ channel: pub.id, text: '' })), 'no_text');
      assert.equal(await platformError(client.chat.postMessage({ channel: 'C_NOPE', text: 'x' })), 'channel_not_found');
      assert.equal(await platformError(client.chat.postMessage({ channel: priv.id, text: 'x' })), 'channel_not_found');
      const ok = await client.chat.postMessage({ channel: pub.id, text: 'broadcast without joining' });
      assert.equal(ok.channel, pub.id);
      assert.equal(pub.members.has('UBOT'), false, 'chat:write.public does not join the channel');
      priv.members.add('UBOT');
      await client.chat.postMessage({ channel: priv.id, text: 'now a member' });
      assert.deepEqual(
        slack.messages.map((m) => m.text),
        ['broadcast without joining', 'now a member'],
      );
    });

    test('postMessage to a user ID opens a DM', async () => {
      const res = await client.chat.postMessage({ channel: 'U0ALICE', text: 'you are on call' });
      assert.match(res.channel!, /^D/);
      assert.equal(slack.channels.get(res.channel!)?.is_im, true);
      assert.equal(slack.messages[0]?.channel, res.channel);
    });

    test('update, permalink, pin, reactions', async () => {
      const { channel } = await client.conversations.create({ name: 'inc-upd' });
      const id = channel!.id!;
      const posted = await client.chat.postMessage({ channel: id, text: 'status: investigating' });
      const ts = posted.ts!;

      const upd = await client.chat.update({ channel: id, ts, text: 'status: resolved' });
      assert.equal(upd.ts, ts);
      assert.equal(upd.text, 'status: resolved');
      assert.deepEqual(slack.messages[0], { channel: id, ts, user: 'UBOT', text: 'status: resolved', edited: true });
      assert.equal(
        await platformError(client.chat.update({ channel: id, ts: '1.000001', text: 'x' })),
        'message_not_found',
      );

      const link = await client.chat.getPermalink({ channel: id, message_ts: ts });
      assert.equal(link.permalink, `https://example.slack.com/archives/${id}/p${ts.replace('.', '')}`);

      await client.pins.add({ channel: id, timestamp: ts });
      assert.deepEqual(slack.pins, [{ channel: id, ts, pinnedBy: 'UBOT' }]);
      assert.equal(await platformError(client.pins.add({ channel: id, timestamp: ts })), 'already_pinned');
      assert.equal(
        await platformError(client.pins.add({ channel: id, timestamp: '1700000000.000001' })),
        'message_not_found',
      );
      assert.equal(await platformError(client.pins.add({ channel: 'C_NOPE', timestamp: ts })), 'channel_not_found');
      const list = await client.pins.list({ channel: id });
      assert.equal(list.items?.length, 1);
      assert.equal(list.items?.[0]?.message?.ts, ts);
      await client.pins.remove({ channel: id, timestamp: ts });
      assert.equal(slack.pins.length, 0);

      await client.reactions.add({ channel: id, timestamp: ts, name: 'white_check_mark' });
      assert.deepEqual(slack.reactions, [{ channel: id, ts, name: 'white_check_mark', user: 'UBOT' }]);
      assert.equal(
        await platformError(client.reactions.add({ channel: id, timestamp: ts, name: 'white_check_mark' })),
        'already_reacted',
      );
    });

    test('human messages can be seeded and pinned, but not updated by the bot', async () => {
      const c = slack.addChannel({ name: 'incidents', members: ['UBOT', 'U0ALICE'] });
      const m = slack.addMessage({ channel: c.id, user: 'U0ALICE', text: 'prod is on fire' });
      await client.pins.add({ channel: c.id, timestamp: m.ts });
      assert.equal(slack.pins[0]?.ts, m.ts);
      assert.equal(
        await platformError(client.chat.update({ channel: c.id, ts: m.ts, text: 'x' })),
        'cant_update_message',
      );
    });

    test('postEphemeral is recorded with ephemeralTo and is not pinnable', async () => {
      const c = slack.addChannel({ name: 'incidents', members: ['U0ALICE'] });
      const res = await client.chat.postEphemeral({ channel: c.id, user: 'U0ALICE', text: 'only you can see this' });
      assert.match(res.message_ts!, /^\d{10}\.\d{6}$/);
      assert.deepEqual(slack.messages, [
        { channel: c.id, ts: res.message_ts, user: 'UBOT', text: 'only you can see this', ephemeralTo: 'U0ALICE' },
      ]);
      assert.equal(
        await platformError(client.chat.postEphemeral({ channel: c.id, user: 'U0BOB', text: 'x' })),
        'user_not_in_channel',
      );
      assert.equal(
        await platformError(client.pins.add({ channel: c.id, timestamp: res.message_ts! })),
        'message_not_found',
      );
    });
  });

  describe('views', () => {
    const modal = {
      type: 'modal' as const,
      callback_id: 'declare_incident',
      title: { type: 'plain_text' as const, text: 'Declare incident' },
      submit: { type: 'plain_text' as const, text: 'Declare' },
      blocks: [
        {
          type: 'input',
          block_id: 'title',
          label: { type: 'plain_text', text: 'Title' },
          element: { type: 'plain_text_input', action_id: 'v' },
        },
      ],
    };

    test('views.open returns a V… view; a trigger_id may be used once', async () => {
      const trigger = slack.triggerId('U0ALICE');
      const res = await client.views.open({ trigger_id: trigger, view: modal });
      assert.match(res.view!.id!, /^V/);
      assert.equal(res.view?.callback_id, 'declare_incident');
      assert.equal(typeof res.view?.hash, 'string');
      assert.equal(slack.views.length, 1);
      assert.equal(slack.views[0]?.trigger_id, trigger);
      assert.equal(slack.views[0]?.user, 'U0ALICE');
      assert.equal(slack.views[0]?.view.callback_id, 'declare_incident');
      assert.deepEqual(
        (slack.callsTo('views.open')[0]?.view as { blocks: unknown })?.blocks,
        modal.blocks,
        'view parsed from the form',
      );

      assert.equal(await platformError(client.views.open({ trigger_id: trigger, view: modal })), 'expired_trigger_id');
      assert.equal(slack.views.length, 1);
    });

    test('views.open validation: missing trigger_id, title too long', async () => {
      const missing = await rejection(client.views.open({ trigger_id: '', view: modal }));
      assert.equal(missing.data?.error, 'invalid_arguments');
      assert.deepEqual((missing.data?.response_metadata as { messages?: string[] } | undefined)?.messages, [
        '[ERROR] missing required field: trigger_id',
      ]);
      const longTitle = {
        ...modal,
        title: { type: 'plain_text' as const, text: 'This title is far too long for Slack' },
      };
      assert.equal(
        await platformError(client.views.open({ trigger_id: slack.triggerId(), view: longTitle })),
        'invalid_arguments',
      );
      assert.equal(slack.views.length, 0);
    });

    test('views.update replaces the view (hash checked); views.publish stores a home tab', async () => {
      const opened = await client.views.open({ trigger_id: slack.triggerId(), view: modal });
      const viewId = opened.view!.id!;
      const updated = await client.views.update({
        view_id: viewId,
        hash: opened.view!.hash!,
        view: { ...modal, title: { type: 'plain_text', text: 'Declared' }, blocks: [] },
      });
      assert.equal(updated.view?.id, viewId);
      assert.deepEqual(slack.views[0]?.view.title, { type: 'plain_text', text: 'Declared' });
      assert.equal(
        await platformError(client.views.update({ view_id: viewId, hash: opened.view!.hash!, view: modal })),
        'hash_conflict',
      );
      assert.equal(await platformError(client.views.update({ view_id: 'V_NOPE', view: modal })), 'not_found');

      await client.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [] } });
      assert.equal(slack.views.find((v) => v.user === 'U0ALICE')?.view.type, 'home');
    });
  });

  describe('users', () => {
    test('users.info returns the Slack user shape', async () => {
      const res = await client.users.info({ user: 'U0BOB' });
      const u = res.user!;
      assert.equal(u.id, 'U0BOB');
      assert.equal(u.name, 'bob');
      assert.equal(u.real_name, 'Bob Builder');
      assert.equal(u.tz, 'America/New_York');
      assert.equal(u.tz_label, 'Eastern Time');
      assert.equal(u.tz_offset, -18000);
      assert.equal(u.is_bot, false);
      assert.equal(u.profile?.email, 'Bob@Example.com');
      assert.equal(u.profile?.real_name, 'Bob Builder');
      assert.equal(u.profile?.display_name, 'bob');

      const a = (await client.users.info({ user: 'U0ALICE' })).user!;
      assert.equal(a.tz, 'Europe/Berlin');
      assert.ok(a.tz_offset === 3600 || a.tz_offset === 7200, `tz_offset derived from the zone, got ${a.tz_offset}`);

      assert.equal((await client.users.info({ user: 'UBOT' })).user?.is_bot, true);
      assert.equal(await platformError(client.users.info({ user: 'U_GHOST' })), 'user_not_found');
    });

    test('users.lookupByEmail (case-insensitive) and users_not_found', async () => {
      const res = await client.users.lookupByEmail({ email: 'bob@example.com' });
      assert.equal(res.user?.id, 'U0BOB');
      assert.equal(await platformError(client.users.lookupByEmail({ email: 'nobody@example.com' })), 'users_not_found');
      slack.addUser({ id: 'U0CAROL', name: 'carol', email: 'carol@example.com' });
      assert.equal((await client.users.lookupByEmail({ email: 'carol@example.com' })).user?.name, 'carol');
    });
  });

  describe('failure injection', () => {
    test('failNext with an error: platform error once, then normal service', async () => {
      slack.failNext('chat.postMessage', { error: 'ratelimited' });
      const c = slack.addChannel({ name: 'incidents' });
      const err = await rejection(client.chat.postMessage({ channel: c.id, text: 'x' }));
      assert.equal(err.code, 'slack_webapi_platform_error');
      assert.equal(err.data?.error, 'ratelimited');
      const ok = await client.chat.postMessage({ channel: c.id, text: 'x' });
      assert.equal(ok.ok, true);
      assert.equal(slack.callsTo('chat.postMessage').length, 2, 'failed call is recorded too');
      assert.equal(slack.messages.length, 1);
    });

    test('failNext with times: N', async () => {
      slack.failNext('auth.test', { error: 'internal_error', times: 2 });
      assert.equal(await platformError(client.auth.test()), 'internal_error');
      assert.equal(await platformError(client.auth.test()), 'internal_error');
      assert.equal((await client.auth.test()).ok, true);
    });

    test('failNext with HTTP 500 surfaces as an HTTP error', async () => {
      slack.failNext('conversations.create', { status: 500 });
      const err = await rejection(client.conversations.create({ name: 'inc-500' }));
      assert.equal(err.code, ErrorCode.HTTPError);
      assert.equal(err.statusCode, 500);
      assert.equal(slack.channelByName('inc-500'), undefined, 'a failed call has no effect');
      assert.equal((await client.conversations.create({ name: 'inc-500' })).ok, true);
    });

    test('failNext with 429 + Retry-After surfaces as a rate-limited error', async () => {
      const strict = new WebClient(slack.token, {
        slackApiUrl: slack.url,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        logLevel: LogLevel.ERROR,
      });
      slack.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
      const err = await rejection(strict.chat.postMessage({ channel: 'C1', text: 'x' }));
      assert.equal(err.code, 'slack_webapi_rate_limited_error');
      assert.equal(err.retryAfter, 7);
    });

    test('delayMs delays the answer', async () => {
      slack.failNext('auth.test', { delayMs: 150 });
      const started = Date.now();
      const res = await client.auth.test();
      assert.equal(res.ok, true);
      assert.ok(Date.now() - started >= 140, 'answer was delayed');
    });
  });

  describe('files: the external upload flow (files.getUploadURLExternal → POST bytes → files.completeUploadExternal)', () => {
    type FileObject = Record<string, unknown> & { id: string };
    /** filesUploadV2 answers with one files.completeUploadExternal result per completion job. */
    function uploaded(res: unknown): FileObject[] {
      const jobs = (res as { files: { files: FileObject[] }[] }).files;
      return jobs.flatMap((j) => j.files);
    }
    const origin = (): string => slack.url.replace(/\/api\/$/, '');

    /** Reserve a file (step 1) without uploading it. */
    async function reserve(filename: string, length: number): Promise<{ upload_url: string; file_id: string }> {
      const res = await client.files.getUploadURLExternal({ filename, length });
      return { upload_url: res.upload_url!, file_id: res.file_id! };
    }

    test('filesUploadV2 shares the file in the channel: bytes stored, file share message posted, Slack file object returned', async () => {
      const c = slack.addChannel({ name: 'inc-files', members: ['UBOT', 'U0ALICE'] });
      const res = await client.filesUploadV2({
        channel_id: c.id,
        filename: 'review.md',
        title: 'Review',
        content: '# hi',
        initial_comment: 'x',
      });
      assert.equal(res.ok, true);

      assert.deepEqual(
        slack.calls.map((call) => call.method),
        ['files.getUploadURLExternal', 'files.completeUploadExternal'],
      );
      assert.deepEqual(
        slack.callsTo('files.getUploadURLExternal'),
        [{ filename: 'review.md', length: '4' }],
        'length arrives as a form string',
      );
      const stored = slack.files[0]!;
      assert.equal(slack.files.length, 1);
      assert.match(stored.id, /^F[A-Z0-9]{8,}$/);
      assert.deepEqual(
        slack.callsTo('files.completeUploadExternal'),
        [{ files: [{ id: stored.id, title: 'Review' }], channel_id: c.id, initial_comment: 'x' }],
        '`files` is JSON-parsed from the form',
      );

      assert.deepEqual(
        { ...stored, content: stored.content.toString('utf8') },
        {
          id: stored.id,
          filename: 'review.md',
          title: 'Review',
          length: 4,
          content: '# hi',
          uploaded: true,
          completed: true,
          channels: [c.id],
          initialComment: 'x',
          user: 'UBOT',
        },
      );
      assert.ok(Buffer.isBuffer(stored.content));

      const [file] = uploaded(res);
      assert.equal(uploaded(res).length, 1);
      assert.equal(file?.id, stored.id);
      assert.equal(file?.name, 'review.md');
      assert.equal(file?.title, 'Review');
      assert.equal(file?.size, 4);
      assert.equal(file?.mimetype, 'text/markdown');
      assert.equal(file?.filetype, 'markdown');
      assert.equal(file?.user, 'UBOT');
      assert.deepEqual(file?.channels, [c.id]);
      assert.deepEqual(file?.groups, []);
      assert.equal(typeof file?.created, 'number');
      assert.equal(file?.timestamp, file?.created);
      assert.match(
        String(file?.url_private),
        new RegExp(`^https://files\\.slack\\.com/files-pri/T0001-${stored.id}/review\\.md$`),
      );
      assert.equal(file?.permalink, `https://example.slack.com/files/UBOT/${stored.id}/review.md`);

      assert.equal(slack.messages.length, 1);
      const m = slack.messages[0]!;
      assert.deepEqual(m, { channel: c.id, ts: m.ts, user: 'UBOT', text: 'x', files: [stored.id] });
      assert.match(m.ts, /^\d{10}\.\d{6}$/);
      const shares = file?.shares as { public: Record<string, { ts: string }[]> };
      assert.equal(shares.public[c.id]?.[0]?.ts, m.ts, 'the file object points at the share message');

      const history = await client.conversations.history({ channel: c.id });
      const seen = history.messages?.[0] as
        | { text?: string; files?: { id: string; name: string }[]; upload?: boolean }
        | undefined;
      assert.equal(seen?.text, 'x');
      assert.deepEqual(
        seen?.files?.map((f) => [f.id, f.name]),
        [[stored.id, 'review.md']],
      );
      assert.equal(seen?.upload, true);
    });

    test('what filesUploadV2 POSTs to the upload URL: multipart/form-data, the bytes as a file part named "body"; binary survives exactly', async () => {
      const seen: { url: string; contentType: string | null; auth: string | null; fields: [string, string][] }[] = [];
      const spying = new WebClient(slack.token, {
        slackApiUrl: slack.url,
        retryConfig: { retries: 0 },
        logLevel: LogLevel.ERROR,
        fetch: async (input, init) => {
          const url = String(input instanceof Request ? input.url : input);
          if (url.includes('/upload/v1/')) {
            const req = new Request(url, init);
            const form = await req.clone().formData();
            seen.push({
              url,
              contentType: req.headers.get('content-type'),
              auth: req.headers.get('authorization'),
              fields: [...form].map(([k, v]) => [k, typeof v === 'string' ? 'string' : `file:${v.name}`]),
            });
          }
          return fetch(input, init);
        },
      });
      const c = slack.addChannel({ name: 'inc-bin', members: ['UBOT'] });
      const bytes = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x80, 0xfe, 0x0a, 0x7f]);
      const res = await spying.filesUploadV2({ channel_id: c.id, filename: 'dump.bin', file: bytes });

      assert.equal(seen.length, 1);
      assert.match(seen[0]!.url, new RegExp(`^${origin()}/upload/v1/[^/]+$`), 'the upload URL is on the stand-in');
      assert.match(seen[0]!.contentType ?? '', /^multipart\/form-data; boundary=/);
      assert.deepEqual(seen[0]!.fields, [['body', 'file:Untitled']]);
      assert.equal(seen[0]!.auth, `Bearer ${slack.token}`, 'the client sends its token along (Slack does not need it)');

      assert.deepEqual(slack.files[0]?.content, bytes);
      assert.equal(uploaded(res)[0]?.size, bytes.length);
      assert.equal(uploaded(res)[0]?.mimetype, 'application/octet-stream');
      assert.deepEqual(slack.callsTo('files.getUploadURLExternal')[0], {
        filename: 'dump.bin',
        length: String(bytes.length),
      });
    });

    test('the upload URL takes raw bytes or any multipart file part, answers "OK - <bytes>", and 404s for unknown ids', async () => {
      const raw = await reserve('raw.txt', 3);
      assert.match(raw.file_id, /^F/);
      assert.equal(slack.files.find((f) => f.id === raw.file_id)?.uploaded, false, 'reserved, not yet uploaded');
      const r1 = await fetch(raw.upload_url, { method: 'POST', body: new Uint8Array([1, 2, 3]) });
      assert.equal(r1.status, 200);
      assert.equal(await r1.text(), 'OK - 3');
      const f1 = slack.files.find((f) => f.id === raw.file_id)!;
      assert.equal(f1.uploaded, true);
      assert.deepEqual(f1.content, Buffer.from([1, 2, 3]));

      // The docs' curl example: -F filename="@text.txt"
      const multi = await reserve('text.txt', 5);
      const form = new FormData();
      form.append('filename', new Blob(['hello']), 'text.txt');
      const r2 = await fetch(multi.upload_url, { method: 'POST', body: form });
      assert.equal(r2.status, 200);
      assert.equal(await r2.text(), 'OK - 5');
      assert.equal(slack.files.find((f) => f.id === multi.file_id)?.content.toString('utf8'), 'hello');

      const unknown = await fetch(`${origin()}/upload/v1/not-a-ticket`, { method: 'POST', body: 'x' });
      assert.equal(unknown.status, 404);
      assert.equal(slack.files.length, 2);
      assert.equal(slack.calls.length, 2, 'uploads are not Web API calls');
    });

    test('files.getUploadURLExternal validates filename and length', async () => {
      const noName = await rejection(client.apiCall('files.getUploadURLExternal', { length: 4 }));
      assert.equal(noName.data?.error, 'invalid_arguments');
      assert.deepEqual((noName.data?.response_metadata as { messages?: string[] } | undefined)?.messages, [
        '[ERROR] missing required field: filename',
      ]);
      assert.equal(
        await platformError(client.files.getUploadURLExternal({ filename: '', length: 4 })),
        'invalid_arguments',
      );

      const noLength = await rejection(client.apiCall('files.getUploadURLExternal', { filename: 'a.txt' }));
      assert.equal(noLength.data?.error, 'invalid_arguments');
      assert.deepEqual((noLength.data?.response_metadata as { messages?: string[] } | undefined)?.messages, [
        '[ERROR] missing required field: length',
      ]);
      for (const length of ['abc', '-5', '1.5', '']) {
        assert.equal(
          await platformError(client.apiCall('files.getUploadURLExternal', { filename: 'a.txt', length })),
          'invalid_arguments',
          `length ${JSON.stringify(length)}`,
        );
      }
      // Documented: missing_argument "typically only occurs when the `length` provided is 0".
      assert.equal(
        await platformError(client.files.getUploadURLExternal({ filename: 'a.txt', length: 0 })),
        'missing_argument',
      );
      assert.equal(
        await platformError(
          client.files.getUploadURLExternal({ filename: 'a.txt', length: 4, alt_text: 'a'.repeat(1001) }),
        ),
        'alt_txt_too_large',
      );
      assert.equal(slack.files.length, 0, 'nothing reserved by failed calls');

      const ok = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 4, snippet_type: 'text' });
      assert.match(ok.upload_url!, new RegExp(`^${origin()}/upload/v1/`));
      assert.equal(slack.files.length, 1);
    });

    test('files.completeUploadExternal: unknown, not uploaded, already completed → file_not_found; bad `files` → invalid_arguments', async () => {
      const c = slack.addChannel({ name: 'inc-complete', members: ['UBOT'] });
      assert.equal(
        await platformError(client.files.completeUploadExternal({ files: [{ id: 'F0000NOPE00' }], channel_id: c.id })),
        'file_not_found',
      );

      const pending = await reserve('late.txt', 2);
      assert.equal(
        await platformError(
          client.files.completeUploadExternal({ files: [{ id: pending.file_id }], channel_id: c.id }),
        ),
        'file_not_found',
        'not uploaded yet',
      );
      await fetch(pending.upload_url, { method: 'POST', body: 'ok' });
      const done = await client.files.completeUploadExternal({
        files: [{ id: pending.file_id, title: 'Late' }],
        channel_id: c.id,
      });
      assert.equal(done.files?.[0]?.title, 'Late');
      assert.equal(
        await platformError(
          client.files.completeUploadExternal({ files: [{ id: pending.file_id }], channel_id: c.id }),
        ),
        'file_not_found',
        'can only be completed once',
      );
      assert.equal(slack.messages.length, 1, 'the second completion posted nothing');
      const after = await fetch(pending.upload_url, { method: 'POST', body: 'ok' });
      assert.equal(after.status, 404, 'a completed upload URL is spent');

      assert.equal(
        await platformError(client.apiCall('files.completeUploadExternal', { channel_id: c.id })),
        'invalid_arguments',
        'files missing',
      );
      assert.equal(
        await platformError(client.apiCall('files.completeUploadExternal', { files: 'F123' })),
        'invalid_arguments',
        'files not a JSON array',
      );
      assert.equal(
        await platformError(client.apiCall('files.completeUploadExternal', { files: [] })),
        'invalid_arguments',
        'files empty',
      );
      assert.equal(
        await platformError(client.apiCall('files.completeUploadExternal', { files: [{ title: 'no id' }] })),
        'invalid_arguments',
        'entry without id',
      );
    });

    test('a length mismatch between declared and uploaded bytes makes completion fail, and the file stays incomplete', async () => {
      const c = slack.addChannel({ name: 'inc-mismatch', members: ['UBOT'] });
      const r = await reserve('short.txt', 10);
      const up = await fetch(r.upload_url, { method: 'POST', body: 'only7by' });
      assert.equal(await up.text(), 'OK - 7');
      const err = await rejection(
        client.files.completeUploadExternal({ files: [{ id: r.file_id }], channel_id: c.id }),
      );
      assert.equal(err.data?.error, 'invalid_arguments');
      assert.match(
        String((err.data?.response_metadata as { messages?: string[] } | undefined)?.messages?.[0]),
        /7 bytes.*length 10/,
      );
      const f = slack.files.find((x) => x.id === r.file_id)!;
      assert.equal(f.completed, false);
      assert.deepEqual(f.channels, []);
      assert.equal(slack.messages.length, 0);
    });

    test('channel rules: hidden private channel → channel_not_found, public non-member → not_in_channel, archived → is_archived, user ID as channel_id → invalid_arguments', async () => {
      const priv = slack.addChannel({ name: 'sec-ops', is_private: true, members: ['U0ALICE'] });
      const pub = slack.addChannel({ name: 'incidents', members: ['U0ALICE'] });
      const gone = slack.addChannel({ name: 'inc-old', members: ['UBOT'] });
      gone.archived = true;
      const upload = (channel_id: string) => client.filesUploadV2({ channel_id, filename: 'r.txt', content: 'r' });

      assert.equal(await platformError(upload(priv.id)), 'channel_not_found');
      assert.equal(
        await platformError(upload(pub.id)),
        'not_in_channel',
        'unlike chat.postMessage, sharing a file needs membership',
      );
      assert.equal(await platformError(upload(gone.id)), 'is_archived');
      assert.equal(await platformError(upload('C0NOPE0000')), 'channel_not_found');
      const userAsChannel = await rejection(upload('U0ALICE'));
      assert.equal(userAsChannel.data?.error, 'invalid_arguments');
      assert.match(
        String((userAsChannel.data?.response_metadata as { messages?: string[] } | undefined)?.messages?.[0]),
        /json-pointer:\/channel_id/,
      );
      assert.equal(slack.messages.length, 0);
      assert.equal(slack.files.filter((f) => f.completed).length, 0);
      assert.equal(
        slack.files.filter((f) => f.uploaded).length,
        5,
        'each attempt uploaded its bytes before completion failed',
      );

      // A failed completion leaves the file completable elsewhere.
      const stranded = slack.files[0]!;
      priv.members.add('UBOT');
      const ok = await client.files.completeUploadExternal({ files: [{ id: stranded.id }], channel_id: priv.id });
      assert.deepEqual(ok.files?.[0]?.groups, [priv.id], 'private channels are listed under groups');
      assert.deepEqual(stranded.channels, [priv.id]);
      assert.equal(slack.messages[0]?.channel, priv.id);
    });

    test('`channels` may name users (DM), thread_ts threads the share, no channel keeps the file private', async () => {
      const c = slack.addChannel({ name: 'inc-thread', members: ['UBOT'] });
      const parent = await client.chat.postMessage({ channel: c.id, text: 'timeline' });
      const res = await client.filesUploadV2({
        channel_id: c.id,
        thread_ts: parent.ts!,
        filename: 'timeline.csv',
        content: 'a,b\n',
      });
      const threaded = slack.files.at(-1)!;
      assert.equal(threaded.threadTs, parent.ts);
      assert.equal(uploaded(res)[0]?.mimetype, 'text/csv');
      const reply = slack.messages.find((m) => m.files?.includes(threaded.id));
      assert.equal(reply?.thread_ts, parent.ts);
      assert.equal(reply?.text, undefined, 'no initial_comment → no text');
      const replies = await client.conversations.replies({ channel: c.id, ts: parent.ts! });
      assert.equal(replies.messages?.length, 2);

      const dm = await reserve('note.txt', 2);
      await fetch(dm.upload_url, { method: 'POST', body: 'hi' });
      // `channels` (IDs or user IDs) is documented but not in @slack/web-api's typed arguments.
      const shared = (await client.apiCall('files.completeUploadExternal', {
        files: [{ id: dm.file_id }],
        channels: 'U0ALICE',
        initial_comment: 'for you',
      })) as { files?: { ims?: string[] }[] };
      const im = [...slack.channels.values()].find((x) => x.is_im && x.members.has('U0ALICE'));
      assert.ok(im, 'a DM was opened');
      assert.deepEqual(shared.files?.[0]?.ims, [im.id]);
      assert.deepEqual(slack.messages.at(-1), {
        channel: im.id,
        ts: slack.messages.at(-1)!.ts,
        user: 'UBOT',
        text: 'for you',
        files: [dm.file_id],
      });

      const before = slack.messages.length;
      const priv = await client.filesUploadV2({
        filename: 'private.txt',
        content: 'p',
        initial_comment: 'nobody sees this',
      });
      const pf = slack.files.at(-1)!;
      assert.equal(pf.completed, true);
      assert.deepEqual(pf.channels, []);
      assert.equal(pf.initialComment, undefined, 'the comment has nowhere to go');
      assert.deepEqual(uploaded(priv)[0]?.channels, []);
      assert.equal(slack.messages.length, before, 'nothing posted');
    });

    test('completeUploadExternal accepts a JSON body with `files` as an array', async () => {
      const c = slack.addChannel({ name: 'inc-json-files', members: ['UBOT'] });
      const r = await reserve('j.txt', 1);
      await fetch(r.upload_url, { method: 'POST', body: 'j' });
      const res = await fetch(`${slack.url}files.completeUploadExternal`, {
        method: 'POST',
        headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ files: [{ id: r.file_id, title: 'J' }], channel_id: c.id }),
      });
      const json = (await res.json()) as { ok: boolean; files: { id: string; title: string }[] };
      assert.equal(json.ok, true);
      assert.deepEqual(
        json.files.map((f) => [f.id, f.title]),
        [[r.file_id, 'J']],
      );
      assert.equal(slack.files[0]?.completed, true);
    });

    test('failNext(files.completeUploadExternal) fails filesUploadV2 after the bytes went up; nothing is shared', async () => {
      const c = slack.addChannel({ name: 'inc-fail', members: ['UBOT'] });
      slack.failNext('files.completeUploadExternal', { error: 'file_update_failed' });
      assert.equal(
        await platformError(client.filesUploadV2({ channel_id: c.id, filename: 'f.txt', content: 'abc' })),
        'file_update_failed',
      );
      assert.equal(slack.files[0]?.uploaded, true);
      assert.equal(slack.files[0]?.completed, false);
      assert.equal(slack.messages.length, 0);
      const retry = await client.files.completeUploadExternal({
        files: [{ id: slack.files[0]!.id }],
        channel_id: c.id,
      });
      assert.equal(retry.ok, true, 'the next completion goes through');
      assert.equal(slack.messages.length, 1);
    });

    test('reset clears files and spends their upload URLs; file ids are not reused', async () => {
      const c = slack.addChannel({ name: 'inc-reset', members: ['UBOT'] });
      await client.filesUploadV2({ channel_id: c.id, filename: 'a.txt', content: 'a' });
      const pending = await reserve('b.txt', 1);
      const firstId = slack.files[0]!.id;
      assert.equal(slack.files.length, 2);
      slack.reset();
      assert.equal(slack.files.length, 0);
      const spent = await fetch(pending.upload_url, { method: 'POST', body: 'b' });
      assert.equal(spent.status, 404);
      const again = await reserve('a.txt', 1);
      assert.notEqual(again.file_id, firstId);
      assert.notEqual(again.file_id, pending.file_id);
      assert.deepEqual(
        slack.files.map((f) => f.id),
        [again.file_id],
      );
    });
  });

  describe('response_url and helpers', () => {
    test('POSTs to a response_url are recorded', async () => {
      const url = slack.responseUrl('cmd-1');
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', text: 'Incident declared' }),
      });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'ok');
      assert.deepEqual(slack.responses, [
        { id: 'cmd-1', body: { response_type: 'ephemeral', text: 'Incident declared' } },
      ]);
      assert.notEqual(slack.responseUrl(), slack.responseUrl(), 'generated ids are unique');
      const bad = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: 'not json',
      });
      assert.equal(bad.status, 400);
      assert.equal(slack.responses.length, 1);
    });

    test('waitFor resolves with the value, and rejects clearly on timeout', async () => {
      const c = slack.addChannel({ name: 'incidents' });
      setTimeout(() => void client.chat.postMessage({ channel: c.id, text: 'late' }), 30);
      const m = await slack.waitFor(() => slack.messages.find((x) => x.text === 'late'));
      assert.equal(m.channel, c.id);
      await assert.rejects(
        slack.waitFor(() => false, 50),
        /waitFor: condition not met within 50ms/,
      );
    });

    test('reset clears everything except users; ids and ts keep increasing', async () => {
      const pre = slack.addChannel({ name: 'incidents', members: ['U0ALICE'] });
      const { channel } = await client.conversations.create({ name: 'inc-tmp' });
      const first = await client.chat.postMessage({ channel: channel!.id!, text: 'x' });
      await client.views.open({
        trigger_id: 'trigger-1',
        view: { type: 'modal', title: { type: 'plain_text', text: 't' }, blocks: [] },
      });
      slack.failNext('auth.test', { error: 'fatal_error' });
      slack.reset();
      assert.equal(slack.calls.length, 0);
      assert.equal(slack.messages.length, 0);
      assert.equal(slack.views.length, 0);
      assert.equal(slack.channels.size, 0);
      assert.equal(slack.channelByName('incidents'), undefined);
      assert.equal(slack.users.has('U0ALICE'), true);
      assert.equal(slack.users.has('UBOT'), true);
      assert.equal((await client.auth.test()).ok, true, 'pending failures cleared');
      const again = slack.addChannel({ name: 'incidents' });
      assert.notEqual(again.id, pre.id, 'channel ids are not reused');
      const { channel: c2 } = await client.conversations.create({ name: 'inc-tmp' });
      const second = await client.chat.postMessage({ channel: c2!.id!, text: 'y' });
      assert.ok(Number(second.ts) > Number(first.ts));
      assert.equal(
        (
          await client.views.open({
            trigger_id: 'trigger-1',
            view: { type: 'modal', title: { type: 'plain_text', text: 't' }, blocks: [] },
          })
        ).ok,
        true,
        'used trigger ids forgotten',
      );
    });
  });
});
