// The bot under test for bench/declare.ts, in its own process (as in production, where Slack and
// the people typing are elsewhere): the real bot on embedded PGlite in memory and the baseline
// app, both pointed at the parent's Slack stand-in. Answers the parent over IPC.
import { loadConfig } from '../src/config.ts';
import { startTestBot } from '../test/support/bot.ts';
import { SIGNING_SECRET } from '../test/support/slack-requests.ts';
import { startBaselineApp } from './baseline-app.ts';

export type BotRequest = { id: number; op: 'idle' | 'rss' | 'start-baseline' | 'stop' };
export type BotReply = { id: number; port?: number; rssMb?: number; gc?: boolean; error?: string };

const slackApiUrl = process.env.BENCH_SLACK_URL!;
const token = process.env.BENCH_SLACK_TOKEN!;
const bot = await startTestBot({
  slackApiUrl,
  token,
  databaseUrl: null,
  ...(process.env.WORK_CONCURRENCY ? { env: { WORK_CONCURRENCY: process.env.WORK_CONCURRENCY } } : {}),
});
let baseline: Awaited<ReturnType<typeof startBaselineApp>> | undefined;

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', async (msg: BotRequest) => {
  const reply = (r: Omit<BotReply, 'id'>) => process.send!({ id: msg.id, ...r } satisfies BotReply);
  try {
    switch (msg.op) {
      case 'idle':
        await bot.bot.idle();
        return reply({});
      case 'rss':
        await bot.bot.idle();
        // Twice: the first pass runs finalizers that free more on the second.
        gc?.();
        gc?.();
        return reply({ rssMb: process.memoryUsage().rss / 1024 / 1024, gc: Boolean(gc) });
      case 'start-baseline': {
        const config = loadConfig({
          SLACK_BOT_TOKEN: token,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: slackApiUrl,
          INCIDENT_BROADCAST_CHANNEL: 'CBROADCAST',
          DATA_DIR: ':memory:',
          PORT: '0',
          LOG_LEVEL: 'silent',
        });
        baseline = await startBaselineApp(config, bot.bot);
        return reply({ port: baseline.port });
      }
      case 'stop':
        await baseline?.stop();
        await bot.stop();
        reply({});
        process.disconnect();
        return;
    }
  } catch (err) {
    reply({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
process.send!({ id: 0, port: bot.bot.port } satisfies BotReply);
