// Slack's rate limits, end to end: the stand-in answers one Web API call with HTTP 429 and
// `Retry-After: 1`; the bot, with the production Web API settings (not the tests' no-retries), waits
// the time Slack asked for, sends the call again and finishes declaring.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBot, type RunningBot } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';

describe('Slack 429 with Retry-After', () => {
  let slack: SlackStandIn;
  let bot: RunningBot;
  before(async () => {
    slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }] });
    const config = loadConfig({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      INCIDENT_BROADCAST_CHANNEL: BROADCAST_CHANNEL,
      DATA_DIR: ':memory:',
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    // No slackRetries: the Web API client as production configures it (createSlackApp's defaults).
    bot = await startBot(config, { logger: silentLogger, resumeEveryMs: 0, actionRemindersEveryMs: 0 });
  });
  after(async () => {
    await bot?.stop();
    await slack?.close();
  });

  for (const method of ['pins.add', 'chat.postMessage']) {
    test(`a rate-limited ${method} is sent again after Retry-After and declaring completes`, async () => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.failNext(method, { status: 429, retryAfter: 1 });
      const res = await postSigned(
        `http://127.0.0.1:${bot.port}`,
        slashCommandBody({ text: `declare sev2 Rate limited ${method}`, responseUrl: slack.responseUrl('rl') }),
      );
      assert.equal(res.status, 200);
      await bot.idle();

      const attempts = slack.calls.filter((c) => c.method === method);
      assert.ok(attempts.length >= 2, `${method} sent again (${attempts.length} calls)`);
      const waited = attempts[1]!.at - attempts[0]!.at;
      assert.ok(waited >= 1000, `waited ${waited} ms, at least the second Slack asked for`);

      const told = slack.responses.filter((r) => r.id === 'rl').map((r) => String(r.body.text));
      assert.ok(
        told.some((t) => /Declared INC-\d+/.test(t)),
        `the declarer is told: ${told.join(' | ')}`,
      );
      const incident = (await bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(told.join(' '))![1])))!;
      assert.ok(incident.provisionedAt, 'fully set up');
      assert.equal(incident.provisionError, null);
      assert.deepEqual(
        slack.pins.map((p) => [p.channel, p.ts]),
        [[incident.channelId, incident.summaryTs]],
        'summary pinned once',
      );
      assert.equal(slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL).length, 1, 'announced once');
      assert.equal(
        slack.messages.filter((m) => m.channel === incident.channelId && m.ts === incident.summaryTs).length,
        1,
        'one summary',
      );
    });
  }
});
