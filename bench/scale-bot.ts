// The bot under test for bench/scale.ts, in its own process: the real bot on the seeded database
// (DATABASE_URL on a server, or embedded PGlite in memory started from the seeded tarball), pointed
// at the parent's Slack stand-in. Bench-only instruments, read by the parent over IPC: the event
// loop's delay (perf_hooks.monitorEventLoopDelay at 1 ms resolution: its values are the intervals between its ticks, so an idle loop reads about 1 ms) and the SQL statements the
// process sent (every query through `pg`, Prisma's adapter and pg-boss alike, counted at
// pg.Client.prototype.query; BEGIN counted apart as transactions).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { startTestBot } from '../test/support/bot.ts';

export type ScaleBotRequest = { id: number; op: 'idle' | 'loop-reset' | 'loop' | 'statements' | 'stop' };
export type ScaleBotReply = {
  id: number;
  port?: number;
  loop?: { p50: number; p99: number; max: number };
  statements?: number;
  transactions?: number;
  error?: string;
};

let statements = 0;
let transactions = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
  if (text && /^\s*BEGIN/i.test(text)) transactions++;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

const target = JSON.parse(process.env.BENCH_TARGET!) as { url: string | null; template: string | null };
const bot = await startTestBot({
  slackApiUrl: process.env.BENCH_SLACK_URL!,
  token: process.env.BENCH_SLACK_TOKEN!,
  databaseUrl: target.url,
  embeddedTemplate: target.template,
});
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();

const ms = (ns: number) => ns / 1e6;
process.on('message', async (msg: ScaleBotRequest) => {
  const reply = (r: Omit<ScaleBotReply, 'id'>) => process.send!({ id: msg.id, ...r } satisfies ScaleBotReply);
  try {
    switch (msg.op) {
      case 'idle':
        await bot.bot.idle();
        return reply({});
      case 'loop-reset':
        loop.reset();
        return reply({});
      case 'loop':
        return reply({ loop: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } });
      case 'statements':
        return reply({ statements, transactions });
      case 'stop':
        loop.disable();
        await bot.stop();
        reply({});
        process.disconnect();
        return;
    }
  } catch (err) {
    reply({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
process.send!({ id: 0, port: bot.bot.port } satisfies ScaleBotReply);
