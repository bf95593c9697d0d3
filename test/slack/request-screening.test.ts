// The defences in front of the listeners, on their own: which response URLs count as Slack's, the
// request guard's time window and signature, the screening of every delivery (Socket Mode too),
// and the process's last-resort net.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import bolt from '@slack/bolt';
import { loadConfig } from '../../src/config.ts';
import { WorkLimit } from '../../src/work-limit.ts';
import { logUnhandledRejections } from '../../src/process-net.ts';
import { createSlackApp, screenDeliveries } from '../../src/slack/app.ts';
import { screenSlackRequest } from '../../src/slack/request-guard.ts';
import { screenResponseUrls, slackResponseUrlCheck } from '../../src/slack/response-urls.ts';
import type { Logger } from '../../src/logger.ts';

const SECRET = 'unit-test-signing-secret';

function recordingLogger() {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg: String(msg) });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

describe('Slack response URLs', () => {
  const production = slackResponseUrlCheck('https://slack.com/api/');
  const standIn = slackResponseUrlCheck('http://127.0.0.1:4567/api/');

  test("only Slack's hooks host (https, default port, no credentials), or SLACK_API_URL's origin", () => {
    for (const url of [
      'https://hooks.slack.com/commands/T1/2/abc',
      'https://HOOKS.slack.com/actions/T1/2/abc',
      'https://hooks.slack.com:443/x',
      'https://slack.com/x',
    ]) {
      assert.equal(production(url), true, url);
    }
    for (const url of [
      'http://hooks.slack.com/commands/T1/2/abc',
      'https://hooks.slack.com.evil.test/x',
      'https://evil.test/https://hooks.slack.com/x',
      'https://evil.test/?u=https://hooks.slack.com',
      'https://hooks.slack.com@evil.test/x',
      'https://user:pw@hooks.slack.com/x',
      'https://hooks.slack.com:8443/x',
      'https://hooks.slack.com./x',
      'https://xhooks.slack.com/x',
      'https://hooks.slack.co/x',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'http://127.0.0.1:4567/commands/T1/1/x',
      'not a url',
      '',
    ]) {
      assert.equal(production(url), false, url);
    }
    assert.equal(standIn('http://127.0.0.1:4567/commands/T1/1/x'), true, "the stand-in's origin");
    assert.equal(standIn('http://127.0.0.1:4568/commands/T1/1/x'), false, 'another port');
    assert.equal(standIn('http://localhost:4567/commands/T1/1/x'), false, 'another host name');
    assert.equal(
      slackResponseUrlCheck('https://slack-gov.com/api/')('https://hooks.slack-gov.com/x'),
      true,
      'hooks.<SLACK_API_URL host>',
    );
  });

  test("screenResponseUrls removes foreign ones from every place a payload carries them, and keeps Slack's", () => {
    const ok = 'https://hooks.slack.com/commands/T1/1/a';
    const evil = 'https://evil.test/x';
    const body = {
      response_url: evil,
      response_urls: [{ response_url: ok }, { response_url: evil }],
      view: { id: 'V1', private_metadata: JSON.stringify({ responseUrl: evil, channelId: 'C1' }) },
    };
    const { body: out, refused } = screenResponseUrls(body, production) as {
      body: Record<string, any>;
      refused: string[];
    };
    assert.equal(out.response_url, undefined);
    assert.deepEqual(out.response_urls, [{ response_url: ok }]);
    assert.deepEqual(JSON.parse(out.view.private_metadata), { responseUrl: null, channelId: 'C1' });
    assert.deepEqual(refused.sort(), ['response_url', 'response_urls', 'view.private_metadata.responseUrl'].sort());
    assert.equal(body.response_url, evil, 'the input is not changed');
    const clean = { response_url: ok, view: { private_metadata: JSON.stringify({ responseUrl: ok }) } };
    assert.equal(screenResponseUrls(clean, production).body, clean, "Slack's are kept as they are");
    assert.equal(
      (screenResponseUrls({ response_url: 42 }, production).body as Record<string, unknown>).response_url,
      undefined,
      'not a string: removed',
    );
  });
});

function signedRequest(
  body: string,
  opts: { timestamp?: number; secret?: string; contentType?: string; signature?: string } = {},
): IncomingMessage {
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const sig =
    opts.signature ??
    `v0=${createHmac('sha256', opts.secret ?? SECRET)
      .update(`v0:${ts}:${body}`)
      .digest('hex')}`;
  const req = Readable.from([Buffer.from(body)]) as unknown as IncomingMessage;
  req.headers = {
    'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': ts,
    'x-slack-signature': sig,
  };
  return req;
}

describe('the request guard', () => {
  const now = 1_800_000_000_000;
  const opts = { signingSecret: SECRET, logger: recordingLogger().logger, now: () => now };
  const command = 'command=%2Fincident&user_id=U1&channel_id=C1&text=help&trigger_id=1.2.3';
  const status = async (req: IncomingMessage) => {
    const v = await screenSlackRequest(req, opts);
    return v.pass ? 'pass' : v.status;
  };

  test('a timestamp more than 300 s from now, either way, is refused; within it, accepted', async () => {
    const sec = now / 1000;
    assert.equal(await status(signedRequest(command, { timestamp: sec + 300 })), 'pass');
    assert.equal(await status(signedRequest(command, { timestamp: sec - 300 })), 'pass');
    assert.equal(await status(signedRequest(command, { timestamp: sec + 301 })), 401);
    assert.equal(await status(signedRequest(command, { timestamp: sec - 301 })), 401);
    assert.equal(await status(signedRequest(command, { timestamp: sec + 360 })), 401, 'six minutes ahead');
  });

  test('signatures: wrong secret, another body, another version, upper-case or truncated hex are refused', async () => {
    const sec = now / 1000;
    const good = signedRequest(command, { timestamp: sec }).headers['x-slack-signature'] as string;
    assert.equal(await status(signedRequest(command, { timestamp: sec, secret: 'another-secret' })), 401);
    assert.equal(await status(signedRequest(`${command}&x=1`, { timestamp: sec, signature: good })), 401);
    assert.equal(await status(signedRequest(command, { timestamp: sec, signature: good.replace('v0=', 'v1=') })), 401);
    assert.equal(
      await status(signedRequest(command, { timestamp: sec, signature: good.toUpperCase().replace('V0=', 'v0=') })),
      401,
    );
    assert.equal(await status(signedRequest(command, { timestamp: sec, signature: good.slice(0, -2) })), 401);
    assert.equal(
      await status(signedRequest(command, { timestamp: sec, signature: `${good}, ${good}` })),
      401,
      'the header twice',
    );
  });
});

describe('screening every delivery (Socket Mode too)', () => {
  function fakeApp() {
    const seen: unknown[] = [];
    const app = { processEvent: async (event: { body: unknown }) => void seen.push(event.body) };
    const { logger, lines } = recordingLogger();
    screenDeliveries(app as never, { logger, responseUrls: slackResponseUrlCheck('https://slack.com/api/') });
    let acks = 0;
    const deliver = (body: unknown) => app.processEvent({ body, ack: async () => void acks++ } as never);
    return { seen, lines, deliver, acks: () => acks };
  }

  test('a delivery that is not a Slack payload is acknowledged, logged and never handled', async () => {
    const { seen, lines, deliver, acks } = fakeApp();
    for (const body of [
      null,
      [],
      7,
      'x',
      {},
      { type: 'block_actions', user: null, actions: [] },
      { type: 'event_callback', event_id: 'E1', event: null },
    ])
      await deliver(body);
    assert.deepEqual(seen, []);
    assert.equal(acks(), 7);
    assert.equal(lines.filter((l) => /not a Slack payload/.test(l.msg)).length, 7);
  });

  test('text is made storable and foreign response URLs removed before anything handles it', async () => {
    const { seen, lines, deliver } = fakeApp();
    await deliver({
      command: '/incident',
      user_id: 'U1',
      channel_id: 'C1',
      text: 'note a\u0000b',
      trigger_id: '1',
      response_url: 'https://evil.test/x',
    });
    assert.deepEqual(seen, [
      { command: '/incident', user_id: 'U1', channel_id: 'C1', text: 'note ab', trigger_id: '1' },
    ]);
    assert.ok(lines.some((l) => /cannot store/.test(l.msg) && JSON.stringify(l.obj).includes('text')));
    assert.ok(lines.some((l) => /response URL/.test(l.msg)));
    assert.ok(!lines.some((l) => JSON.stringify(l.obj).includes('evil.test')), 'the URL itself is not logged');
  });
});

describe("the process's last-resort net", () => {
  test('an unhandled rejection is logged and does not end the process', () => {
    const proc = new EventEmitter();
    const { logger, lines } = recordingLogger();
    const remove = logUnhandledRejections(logger, proc);
    proc.emit('unhandledRejection', new Error('boom'), Promise.resolve());
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 'error');
    assert.match(lines[0]!.msg, /unhandled promise rejection/);
    remove();
    assert.equal(proc.listenerCount('unhandledRejection'), 0);
  });
});

describe('Socket Mode', () => {
  // Bolt checks the bot token (auth.test) as the app is made: a Web API that says yes.
  let api: http.Server;
  let checked!: () => void;
  const tokenChecked = new Promise<void>((r) => (checked = r));
  before(async () => {
    api = http.createServer((_req, res) => {
      checked();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' }));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  });
  after(() => new Promise<void>((r) => api.close(() => r())));

  test("the app is built on Bolt's Socket Mode receiver, and its deliveries are screened the same way", async () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-socket',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_APP_TOKEN: 'xapp-socket',
      SLACK_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/`,
      INCIDENT_BROADCAST_CHANNEL: 'CBROADCAST',
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    const { logger, lines } = recordingLogger();
    const handled: unknown[] = [];
    const app = createSlackApp({
      config,
      ctx: { deps: { logger, clock: { now: () => new Date() } } as never, work: new WorkLimit(1), intake: {} as never },
      healthCheck: async () => {},
      track: (work) => work,
      deliveries: { record: async () => true, forget: async () => {}, pruneBefore: async () => 0 },
    });
    assert.ok((app as unknown as { receiver: unknown }).receiver instanceof bolt.SocketModeReceiver);
    app.use(async ({ body }) => void handled.push(body));
    let acked = 0;
    await app.processEvent({ body: null as never, ack: async () => void acked++ });
    assert.equal(acked, 1, 'a malformed delivery is acknowledged');
    assert.deepEqual(handled, [], 'and reaches no middleware');
    assert.ok(lines.some((l) => /not a Slack payload/.test(l.msg)));
    await tokenChecked;
  });
});
