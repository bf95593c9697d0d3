import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { WebClient, ErrorCode, LogLevel } from '@slack/web-api';
import { startSlackStandIn, type SlackStandIn } from './support/slack-standin.ts';

type SlackErr = Error & { code?: string; data?: { ok: boolean; error: string; [k: string]: unknown }; statusCode?: number; retryAfter?: number };

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

const alice = { id: 'U0ALICE', name: 'alice', real_name: 'Alice Liddell', email: 'alice@example.com', tz: 'Europe/Berlin' };
const bob = { id: 'U0BOB', name: 'bob', real_name: 'Bob Builder', email: 'Bob@Example.com', tz: 'America/New_York', tz_label: 'Eastern Time', tz_offset: -18000 };

describe('Slack stand-in driven by a real @slack/web-api WebClient', () => {
  let slack: SlackStandIn;
  let client: WebClient;

  before(async () => {
    slack = await startSlackStandIn({ users: [alice, bob] });
    client = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
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
    const bad = new WebClient('xoxb-wrong', { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    assert.equal(await platformError(bad.auth.test()), 'invalid_auth');
    const none = new WebClient(undefined, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    assert.equal(await platformError(none.chat.postMessage({ channel: 'C1', text: 'x' })), 'not_authed');
    assert.deepEqual(slack.calls.map((c) => [c.method, c.token]), [
      ['auth.test', 'xoxb-wrong'],
      ['chat.postMessage', undefined],
    ]);
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
      assert.equal(await platformError(client.conversations.create({ name: 'a'.repeat(81) })), 'invalid_name_maxlength');
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

      assert.equal(await platformError(client.conversations.invite({ channel: id, users: 'U0ALICE' })), 'already_in_channel');

      await client.conversations.invite({ channel: id, users: 'U0ALICE,U0BOB' });
      assert.deepEqual([...slack.channels.get(id)!.members].sort(), ['U0ALICE', 'U0BOB', 'UBOT']);
      assert.deepEqual(slack.callsTo('conversations.invite').map((a) => a.users), ['U0ALICE', 'U0ALICE', 'U0ALICE,U0BOB']);
    });

    test('invite errors: channel_not_found, user_not_found, cant_invite_self, not_in_channel', async () => {
      const { channel } = await client.conversations.create({ name: 'inc-errs' });
      const id = channel!.id!;
      assert.equal(await platformError(client.conversations.invite({ channel: 'C_NOPE', users: 'U0ALICE' })), 'channel_not_found');
      assert.equal(await platformError(client.conversations.invite({ channel: id, users: 'U0ALICE,U_GHOST' })), 'user_not_found');
      assert.equal(slack.channels.get(id)!.members.has('U0ALICE'), false, 'no partial invite without force');
      assert.equal(await platformError(client.conversations.invite({ channel: id, users: 'UBOT' })), 'cant_invite_self');
      await client.conversations.invite({ channel: id, users: 'U0ALICE,U_GHOST', force: true });
      assert.equal(slack.channels.get(id)!.members.has('U0ALICE'), true, 'force skips invalid IDs');

      const broadcast = slack.addChannel({ name: 'incidents', members: ['U0BOB'] });
      assert.equal(await platformError(client.conversations.invite({ channel: broadcast.id, users: 'U0ALICE' })), 'not_in_channel');
      const hidden = slack.addChannel({ name: 'secret', is_private: true, members: ['U0BOB'] });
      assert.equal(await platformError(client.conversations.invite({ channel: hidden.id, users: 'U0ALICE' })), 'channel_not_found');
    });

    test('join public channels only; info and members reflect state', async () => {
      const pub = slack.addChannel({ name: 'incidents', members: ['U0ALICE'] });
      const priv = slack.addChannel({ name: 'sec-ops', is_private: true, members: ['U0ALICE'] });
      assert.equal((await client.conversations.info({ channel: pub.id })).channel?.is_member, false);
      await client.conversations.join({ channel: pub.id });
      assert.equal(pub.members.has('UBOT'), true);
      const again = await client.conversations.join({ channel: pub.id });
      assert.equal(again.warning, 'already_in_channel');
      assert.equal(await platformError(client.conversations.join({ channel: priv.id })), 'method_not_supported_for_channel_type');
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
      const page2 = await client.conversations.members({ channel: c.id, limit: 2, cursor: page1.response_metadata.next_cursor });
      assert.deepEqual([...page1.members!, ...page2.members!], ['UBOT', 'U0ALICE', 'U0BOB']);
      assert.equal(page2.response_metadata?.next_cursor, '');
    });

    test('rename and archive', async () => {
      const { channel } = await client.conversations.create({ name: 'inc-old' });
      const id = channel!.id!;
      await client.conversations.create({ name: 'inc-other' });
      assert.equal(await platformError(client.conversations.rename({ channel: id, name: 'inc-other' })), 'name_taken');
      assert.equal(await platformError(client.conversations.rename({ channel: id, name: 'Bad Name' })), 'invalid_name_specials');
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
      assert.deepEqual(slack.messages.map((m) => m.text), ['broadcast without joining', 'now a member']);
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
      assert.equal(await platformError(client.chat.update({ channel: id, ts: '1.000001', text: 'x' })), 'message_not_found');

      const link = await client.chat.getPermalink({ channel: id, message_ts: ts });
      assert.equal(link.permalink, `https://example.slack.com/archives/${id}/p${ts.replace('.', '')}`);

      await client.pins.add({ channel: id, timestamp: ts });
      assert.deepEqual(slack.pins, [{ channel: id, ts, pinnedBy: 'UBOT' }]);
      assert.equal(await platformError(client.pins.add({ channel: id, timestamp: ts })), 'already_pinned');
      assert.equal(await platformError(client.pins.add({ channel: id, timestamp: '1700000000.000001' })), 'message_not_found');
      assert.equal(await platformError(client.pins.add({ channel: 'C_NOPE', timestamp: ts })), 'channel_not_found');
      const list = await client.pins.list({ channel: id });
      assert.equal(list.items?.length, 1);
      assert.equal(list.items?.[0]?.message?.ts, ts);
      await client.pins.remove({ channel: id, timestamp: ts });
      assert.equal(slack.pins.length, 0);

      await client.reactions.add({ channel: id, timestamp: ts, name: 'white_check_mark' });
      assert.deepEqual(slack.reactions, [{ channel: id, ts, name: 'white_check_mark', user: 'UBOT' }]);
      assert.equal(await platformError(client.reactions.add({ channel: id, timestamp: ts, name: 'white_check_mark' })), 'already_reacted');
    });

    test('human messages can be seeded and pinned, but not updated by the bot', async () => {
      const c = slack.addChannel({ name: 'incidents', members: ['UBOT', 'U0ALICE'] });
      const m = slack.addMessage({ channel: c.id, user: 'U0ALICE', text: 'prod is on fire' });
      await client.pins.add({ channel: c.id, timestamp: m.ts });
      assert.equal(slack.pins[0]?.ts, m.ts);
      assert.equal(await platformError(client.chat.update({ channel: c.id, ts: m.ts, text: 'x' })), 'cant_update_message');
    });

    test('postEphemeral is recorded with ephemeralTo and is not pinnable', async () => {
      const c = slack.addChannel({ name: 'incidents', members: ['U0ALICE'] });
      const res = await client.chat.postEphemeral({ channel: c.id, user: 'U0ALICE', text: 'only you can see this' });
      assert.match(res.message_ts!, /^\d{10}\.\d{6}$/);
      assert.deepEqual(slack.messages, [
        { channel: c.id, ts: res.message_ts, user: 'UBOT', text: 'only you can see this', ephemeralTo: 'U0ALICE' },
      ]);
      assert.equal(await platformError(client.chat.postEphemeral({ channel: c.id, user: 'U0BOB', text: 'x' })), 'user_not_in_channel');
      assert.equal(await platformError(client.pins.add({ channel: c.id, timestamp: res.message_ts! })), 'message_not_found');
    });
  });

  describe('views', () => {
    const modal = {
      type: 'modal' as const,
      callback_id: 'declare_incident',
      title: { type: 'plain_text' as const, text: 'Declare incident' },
      submit: { type: 'plain_text' as const, text: 'Declare' },
      blocks: [
        { type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 'v' } },
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
      assert.deepEqual((slack.callsTo('views.open')[0]?.view as { blocks: unknown })?.blocks, modal.blocks, 'view parsed from the form');

      assert.equal(await platformError(client.views.open({ trigger_id: trigger, view: modal })), 'expired_trigger_id');
      assert.equal(slack.views.length, 1);
    });

    test('views.open validation: missing trigger_id, title too long', async () => {
      const missing = await rejection(client.views.open({ trigger_id: '', view: modal }));
      assert.equal(missing.data?.error, 'invalid_arguments');
      assert.deepEqual((missing.data?.response_metadata as { messages?: string[] } | undefined)?.messages, ['[ERROR] missing required field: trigger_id']);
      const longTitle = { ...modal, title: { type: 'plain_text' as const, text: 'This title is far too long for Slack' } };
      assert.equal(await platformError(client.views.open({ trigger_id: slack.triggerId(), view: longTitle })), 'invalid_arguments');
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
      assert.equal(await platformError(client.views.update({ view_id: viewId, hash: opened.view!.hash!, view: modal })), 'hash_conflict');
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
        slackApiUrl: slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR,
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
      assert.deepEqual(slack.responses, [{ id: 'cmd-1', body: { response_type: 'ephemeral', text: 'Incident declared' } }]);
      assert.notEqual(slack.responseUrl(), slack.responseUrl(), 'generated ids are unique');
      const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'not json' });
      assert.equal(bad.status, 400);
      assert.equal(slack.responses.length, 1);
    });

    test('waitFor resolves with the value, and rejects clearly on timeout', async () => {
      const c = slack.addChannel({ name: 'incidents' });
      setTimeout(() => void client.chat.postMessage({ channel: c.id, text: 'late' }), 30);
      const m = await slack.waitFor(() => slack.messages.find((x) => x.text === 'late'));
      assert.equal(m.channel, c.id);
      await assert.rejects(slack.waitFor(() => false, 50), /waitFor: condition not met within 50ms/);
    });

    test('reset clears everything except users; ids and ts keep increasing', async () => {
      const pre = slack.addChannel({ name: 'incidents', members: ['U0ALICE'] });
      const { channel } = await client.conversations.create({ name: 'inc-tmp' });
      const first = await client.chat.postMessage({ channel: channel!.id!, text: 'x' });
      await client.views.open({ trigger_id: 'trigger-1', view: { type: 'modal', title: { type: 'plain_text', text: 't' }, blocks: [] } });
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
      assert.equal((await client.views.open({ trigger_id: 'trigger-1', view: { type: 'modal', title: { type: 'plain_text', text: 't' }, blocks: [] } })).ok, true, 'used trigger ids forgotten');
    });
  });
});
