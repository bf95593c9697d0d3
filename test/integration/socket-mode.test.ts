// Socket Mode, for a bot without a public URL: with SLACK_APP_TOKEN (and no signing secret) the bot
// asks SLACK_API_URL's apps.connections.open for its WebSocket, connects to a local stand-in of
// Slack's Socket Mode server, and declares an incident from a slash command envelope sent over it:
// the envelope is acknowledged on the socket (its envelope_id echoed, with the declaring answer),
// the channel is made in the Slack stand-in. Deliveries over the socket are screened and
// deduplicated as over HTTP; /healthz answers on PORT.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBot, type RunningBot } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { slashCommandBody, triggerId } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';
import { startSocketModeStandIn, type SocketModeStandIn } from '../support/socket-mode-standin.ts';

function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    void lines.push({ level, obj: obj as Record<string, unknown>, msg: String(msg) });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

/** A slash command as Socket Mode delivers it: the same fields as the HTTP form, as a JSON payload. */
function slashCommandEnvelope(envelopeId: string, fields: Parameters<typeof slashCommandBody>[0]) {
  return {
    envelope_id: envelopeId,
    type: 'slash_commands',
    accepts_response_payload: true,
    payload: Object.fromEntries(new URLSearchParams(slashCommandBody(fields))),
  };
}

interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
}
const ackOf = (id: string) => (m: unknown) => typeof m === 'object' && m !== null && (m as Ack).envelope_id === id;

describe('Socket Mode (SLACK_APP_TOKEN) against a local WebSocket stand-in', () => {
  let slack: SlackStandIn;
  let socket: SocketModeStandIn;
  let bot: RunningBot;
  const log = recordingLogger();

  before(async () => {
    slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }] });
    slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
    socket = await startSocketModeStandIn();
    slack.openSocketModeAt(socket.url);
    const config = loadConfig({
      SLACK_BOT_TOKEN: slack.token,
      // No SLACK_SIGNING_SECRET: Socket Mode does not need one.
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.url,
      INCIDENT_BROADCAST_CHANNEL: BROADCAST_CHANNEL,
      DATA_DIR: ':memory:',
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    assert.equal(config.SLACK_SIGNING_SECRET, undefined);
    bot = await startBot(config, {
      logger: log.logger,
      resumeEveryMs: 0,
      slackRetries: { retries: 0 },
      actionRemindersEveryMs: 0,
    });
  });
  after(async () => {
    await bot?.stop();
    await socket?.close();
    await slack?.close();
  });

  test('connects through SLACK_API_URL with the app token, and serves /healthz on PORT', async () => {
    const opens = slack.calls.filter((c) => c.method === 'apps.connections.open');
    assert.equal(opens.length, 1, 'apps.connections.open asked once, of the stand-in');
    assert.equal(opens[0]!.token, slack.appToken, 'with the app-level token');
    assert.equal(socket.connections(), 1);
    const listening = log.lines.find((l) => l.msg === 'incident bot listening');
    assert.deepEqual(listening?.obj, { port: bot.port, mode: 'socket' });
    assert.notEqual(bot.port, 0, 'the port the OS gave is reported');
    const health = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal(
      (await fetch(`http://127.0.0.1:${bot.port}/slack/events`, { method: 'POST' })).status,
      404,
      'no HTTP endpoint for Slack in Socket Mode',
    );
  });

  test('a slash command over the socket is acknowledged on it and declares the incident', async () => {
    const trigger = triggerId();
    socket.send(
      slashCommandEnvelope('env-declare-1', {
        text: 'declare sev2 Over the socket',
        responseUrl: slack.responseUrl('sock'),
        triggerId: trigger,
      }),
    );
    const ack = await socket.waitForMessage<Ack>(ackOf('env-declare-1'));
    assert.match(
      String(ack.payload?.text),
      /Declaring a SEV2 \(High\) incident: Over the socket/,
      'the answer goes back with the ack',
    );

    const channel = await slack.waitFor(() => slack.channelByName('inc-1-over-the-socket'), 30_000);
    await slack.waitFor(
      () => slack.messages.find((m) => m.channel === BROADCAST_CHANNEL && /Over the socket/.test(JSON.stringify(m))),
      30_000,
    );
    await slack.waitFor(
      () => slack.responses.find((r) => r.id === 'sock' && /INC-1/.test(String(r.body.text))),
      30_000,
    );
    await bot.idle();
    assert.ok(channel.members.has('UALICE'), 'the declarer is invited');

    // Slack redelivers an envelope it thinks was not acknowledged (a new envelope, the same trigger).
    socket.send(
      slashCommandEnvelope('env-declare-2', {
        text: 'declare sev2 Over the socket',
        responseUrl: slack.responseUrl('sock-again'),
        triggerId: trigger,
      }),
    );
    await socket.waitForMessage(ackOf('env-declare-2'));
    await bot.idle();
    assert.equal(slack.callsTo('conversations.create').length, 1, 'one channel');
    assert.equal((await bot.deps.store.listActive()).length, 1, 'one incident');
  });

  test('a delivery that is not a Slack payload the bot accepts is acknowledged and dropped, as over HTTP', async () => {
    const before = slack.calls.length;
    socket.send({
      envelope_id: 'env-bad',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: { command: '/incident', text: 'declare sev1 No trigger, no user' },
    });
    await socket.waitForMessage(ackOf('env-bad'));
    await bot.idle();
    assert.ok(
      log.lines.some((l) => l.level === 'warn' && /Slack delivery dropped: not a Slack payload/.test(l.msg)),
      'logged',
    );
    assert.equal(slack.calls.length, before, 'no Slack call made for it');
    assert.equal((await bot.deps.store.listActive()).length, 1, 'nothing declared');
  });
});
