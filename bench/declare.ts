// npm run bench (first part): how fast the bot acknowledges /incident declare, against the same
// Bolt app with a no-op /incident handler (bench/baseline-app.ts), how long declaring takes until
// the summary is pinned and announced, review generation for a 5,000-entry timeline
// (bench/review.ts), and the bot's resident memory at idle. The bot (real and baseline app, on
// embedded PGlite in memory) runs in a child process (bench/bot-process.ts), the requests come
// from another (bench/load-generator.ts, node:http, a fresh connection each), and the Slack Web
// API stand-in runs here. Prints a table; no targets are asserted (the targets
// are read off this output). BENCH_SEQ, BENCH_CONC, BENCH_ROUNDS, BENCH_REVIEW_* make it smaller.
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { slashCommandBody } from '../test/support/slack-requests.ts';
import { startSlackStandIn } from '../test/support/slack-standin.ts';
import type { BotReply, BotRequest } from './bot-process.ts';
import { ipcClient } from './ipc.ts';
import type { LoadReply, LoadRequest } from './load-generator.ts';
import { benchReview } from './review.ts';

const SEQ = Number(process.env.BENCH_SEQ ?? 40);
const CONC = Number(process.env.BENCH_CONC ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARM = 5;

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

const slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice' }] });
slack.addChannel({ id: 'CBROADCAST', name: 'incidents' });

// The bot's process, with --expose-gc so that idle memory is read after a collection (BENCH_PROF=<dir>
// writes its CPU profile there).
const child = fork(new URL('./bot-process.ts', import.meta.url), [], {
  execArgv: [
    ...process.execArgv,
    '--expose-gc',
    ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
  ],
  env: { ...process.env, BENCH_SLACK_URL: slack.url, BENCH_SLACK_TOKEN: slack.token },
});
const bot = ipcClient<BotRequest, BotReply>(child, "the bot's process");
const ask = (op: BotRequest['op']) => bot.call({ op });
const real = `http://127.0.0.1:${(await bot.ready).port}`;
let declared = 0;

// The load generator's process.
const generator = fork(new URL('./load-generator.ts', import.meta.url), [], { execArgv: process.execArgv });
const load = ipcClient<LoadRequest, LoadReply>(generator, 'the load generator');
await load.ready;
/** Sends the commands all at once from the load generator; the time to each one's ack (ms). */
async function send(url: string, texts: string[]): Promise<number[]> {
  const bodies = texts.map((text) => slashCommandBody({ text, responseUrl: slack.responseUrl('bench') }));
  return (await load.call({ url, bodies })).acks!;
}
const command = async (url: string, text: string) => (await send(url, [text]))[0]!;
/** CONC signed declares at once; the ack time of each. */
const burst = (url: string, label: string) =>
  send(
    url,
    Array.from({ length: CONC }, (_, i) => `declare sev2 ${label} incident ${i}`),
  );

// Warm-up of the real bot (first Prisma queries, JIT), then its memory with nothing in flight.
for (let i = 0; i < WARM; i++) {
  await command(real, `declare sev4 Warm up ${i}`);
  await ask('idle');
}
await burst(real, 'Warm-up');
await ask('idle');
declared += WARM + CONC;
const idle = await ask('rss');

// The baseline in the same process, warmed up the same way.
const baseline = `http://127.0.0.1:${(await ask('start-baseline')).port}`;
for (let i = 0; i < WARM; i++) await command(baseline, `declare sev4 Warm up ${i}`);
await burst(baseline, 'Warm-up');

const rows: [string, string, string, string][] = [];

// Sequential: ack latency and declare-to-pinned (channel, invite, summary pinned, announcement, declarer told).
const ack: number[] = [];
const done: number[] = [];
for (let i = 0; i < SEQ; i++) {
  const t0 = performance.now();
  ack.push(await command(real, `declare sev3 Sequential incident ${i}`));
  await ask('idle');
  done.push(performance.now() - t0);
}
declared += SEQ;
if (SEQ) {
  rows.push([`ack, sequential (n=${SEQ})`, ms(pct(ack, 50)), ms(pct(ack, 99)), ms(Math.max(...ack))]);
  rows.push([
    `declare to pinned + announced, sequential (n=${SEQ})`,
    ms(pct(done, 50)),
    ms(pct(done, 99)),
    ms(Math.max(...done)),
  ]);
}

// Concurrent: rounds of CONC at once against each app, the order alternating, each burst starting
// with nothing in flight. Each round gives a p50 and p99 per app; the table has their medians.
const perRound = {
  baseline: { p50: [] as number[], p99: [] as number[] },
  real: { p50: [] as number[], p99: [] as number[] },
};
const provisioned: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 ? (['real', 'baseline'] as const) : (['baseline', 'real'] as const);
  for (const which of order) {
    const t0 = performance.now();
    const acks = await burst(which === 'real' ? real : baseline, `Round ${round}`);
    if (which === 'real') {
      await ask('idle');
      provisioned.push(performance.now() - t0);
      declared += CONC;
    }
    perRound[which].p50.push(pct(acks, 50));
    perRound[which].p99.push(pct(acks, 99));
  }
}
const med = {
  baseline: { p50: median(perRound.baseline.p50), p99: median(perRound.baseline.p99) },
  real: { p50: median(perRound.real.p50), p99: median(perRound.real.p99) },
};
rows.push([
  `ack, ${CONC} concurrent, no-op handler (median of ${ROUNDS} rounds)`,
  ms(med.baseline.p50),
  ms(med.baseline.p99),
  '',
]);
rows.push([
  `ack, ${CONC} concurrent, /incident declare (median of ${ROUNDS} rounds)`,
  ms(med.real.p50),
  ms(med.real.p99),
  '',
]);
rows.push([
  `ack ratio, declare / no-op`,
  (med.real.p50 / med.baseline.p50).toFixed(2),
  (med.real.p99 / med.baseline.p99).toFixed(2),
  '',
]);
rows.push([
  `${CONC} concurrent declares, all pinned + announced (${ROUNDS} rounds)`,
  ms(median(provisioned)),
  '',
  ms(Math.max(...provisioned)),
]);
if (slack.pins.length !== declared) throw new Error(`expected ${declared} pinned summaries, saw ${slack.pins.length}`);

await ask('stop');
generator.disconnect();
await slack.close();

if (Number(process.env.BENCH_REVIEW_RUNS ?? 15) > 0)
  for (const r of benchReview()) rows.push([r.measure, ms(r.p50), '', ms(r.max)]);

console.log('| measure | p50 | p99 | max |\n| --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(
  `| RSS of the bot at idle, after start and warm-up${idle.gc ? ' (after a GC)' : ''} | | | ${idle.rssMb!.toFixed(0)} MB |`,
);
const list = (v: number[]) => v.map((n) => n.toFixed(0)).join(', ');
console.log(`\nack p99 per round (ms): no-op ${list(perRound.baseline.p99)}; declare ${list(perRound.real.p99)}`);
