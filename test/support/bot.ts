// Starts the real bot (Bolt HTTP receiver, real WebClient, real database) for a test, pointed at
// a Slack stand-in or Prism by SLACK_API_URL.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { startBot, type RunningBot, type StartOptions } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { OnCallProvider } from '../../src/ports/on-call-provider.ts';
import type { OnCallHistory } from '../../src/ports/on-call-history.ts';
import type { CodeHost } from '../../src/ports/code-host.ts';
import type { TestDatabase } from './databases.ts';
import { embeddedTemplate } from './templates.ts';
import { startSlackStandIn, type SlackStandIn, type StandInUser } from './slack-standin.ts';
import {
  blockActionsBody,
  postSigned,
  SIGNING_SECRET,
  slashCommandBody,
  viewSubmissionBody,
  type SignedResponse,
} from './slack-requests.ts';

export const BROADCAST_CHANNEL = 'CBROADCAST';

export interface TestBot {
  bot: RunningBot;
  url: string;
  command(
    text: string,
    opts: { responseUrl: string; userId?: string; channelId?: string; triggerId?: string },
  ): Promise<SignedResponse>;
  submitView(opts: Parameters<typeof viewSubmissionBody>[0]): Promise<SignedResponse>;
  clickAction(opts: Parameters<typeof blockActionsBody>[0]): Promise<SignedResponse>;
  stop(): Promise<void>;
}

export async function startTestBot(opts: {
  slackApiUrl: string;
  token: string;
  databaseUrl: string | null;
  /**
   * With databaseUrl null, the tarball the embedded database starts from: by default the run's
   * migrated template (test/support/templates.ts); null for an empty one (initdb and migrations).
   */
  embeddedTemplate?: string | null;
  broadcastChannel?: string;
  logger?: Logger;
  clock?: Clock;
  /** More settings, e.g. CLINICAL_SAFETY_CHANNEL. */
  env?: Record<string, string>;
  onCall?: OnCallProvider;
  history?: OnCallHistory;
  codeHost?: CodeHost;
  catalog?: StartOptions['catalog'];
  trackers?: StartOptions['trackers'];
  auditCheckpoints?: StartOptions['auditCheckpoints'];
  /** Where response URLs are served when not by the Slack API's own server (a stand-in beside Prism). */
  responseUrlOrigins?: string[];
}): Promise<TestBot> {
  const config = loadConfig({
    SLACK_BOT_TOKEN: opts.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: opts.slackApiUrl,
    INCIDENT_BROADCAST_CHANNEL: opts.broadcastChannel ?? BROADCAST_CHANNEL,
    DATABASE_URL: opts.databaseUrl ?? undefined,
    DATA_DIR: ':memory:',
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const template = opts.databaseUrl
    ? null
    : opts.embeddedTemplate === undefined
      ? await embeddedTemplate()
      : opts.embeddedTemplate;
  const bot = await startBot(config, {
    logger: opts.logger ?? silentLogger,
    ...(template ? { embeddedTemplate: template } : {}),
    resumeEveryMs: 0,
    trackerSyncEveryMs: 0,
    // Tests run the wellbeing sweep themselves (bot.wellbeingNow()) at the times they set.
    wellbeingEveryMs: 0,
    slackRetries: { retries: 0 },
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.onCall ? { onCall: opts.onCall } : {}),
    ...(opts.history ? { history: opts.history } : {}),
    ...(opts.codeHost ? { codeHost: opts.codeHost } : {}),
    ...(opts.catalog ? { catalog: opts.catalog } : {}),
    ...(opts.trackers ? { trackers: opts.trackers } : {}),
    ...(opts.auditCheckpoints ? { auditCheckpoints: opts.auditCheckpoints } : {}),
    ...(opts.responseUrlOrigins ? { responseUrlOrigins: opts.responseUrlOrigins } : {}),
  });
  const url = `http://127.0.0.1:${bot.port}`;
  return {
    bot,
    url,
    command: (text, o) => postSigned(url, slashCommandBody({ text, ...o })),
    submitView: (o) => postSigned(url, viewSubmissionBody(o)),
    clickAction: (o) => postSigned(url, blockActionsBody(o)),
    stop: () => bot.stop(),
  };
}

/**
 * Inside a describe: a Slack stand-in with `users`, a database from `database`, and the bot on
 * both, started before the tests and stopped after. The returned object is filled in by then.
 */
export function useTestBot(
  database: TestDatabase,
  opts: {
    users: StandInUser[];
    clock?: Clock;
    env?: Record<string, string>;
    onCall?: OnCallProvider;
    history?: OnCallHistory;
    codeHost?: CodeHost;
    catalog?: StartOptions['catalog'];
    trackers?: StartOptions['trackers'];
    auditCheckpoints?: StartOptions['auditCheckpoints'];
  },
): { slack: SlackStandIn; app: TestBot } {
  const env = {} as { slack: SlackStandIn; app: TestBot };
  let teardownDb: (() => Promise<void>) | undefined;
  before(async () => {
    env.slack = await startSlackStandIn({ users: opts.users });
    const db = await database.setup();
    teardownDb = db.teardown;
    env.app = await startTestBot({
      slackApiUrl: env.slack.url,
      token: env.slack.token,
      databaseUrl: db.url,
      embeddedTemplate: db.embeddedTemplate ?? null,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.onCall ? { onCall: opts.onCall } : {}),
      ...(opts.history ? { history: opts.history } : {}),
      ...(opts.codeHost ? { codeHost: opts.codeHost } : {}),
      ...(opts.catalog ? { catalog: opts.catalog } : {}),
      ...(opts.trackers ? { trackers: opts.trackers } : {}),
      ...(opts.auditCheckpoints ? { auditCheckpoints: opts.auditCheckpoints } : {}),
    });
  });
  after(async () => {
    await env.app?.stop();
    await env.slack?.close();
    await teardownDb?.();
  });
  return env;
}

/** `/incident …` as `userId` in a channel, through the running bot: the ack and the private answers. */
export function commandsTo(env: ReturnType<typeof useTestBot>, prefix: string) {
  let seq = 0;
  return async (text: string, userId: string, channelId = 'CGENERAL') => {
    const { slack, app } = env;
    const id = `${prefix}${++seq}`;
    const res = await app.command(text, { responseUrl: slack.responseUrl(id), userId, channelId });
    assert.equal(res.status, 200);
    await app.bot.idle();
    const ack = (res.json() as { text?: string } | undefined)?.text ?? '';
    const told = slack.responses
      .filter((r) => r.id === id)
      .map((r) => `${String(r.body.text)} ${JSON.stringify(r.body.blocks ?? [])}`);
    return [ack, ...told].join(' ');
  };
}
