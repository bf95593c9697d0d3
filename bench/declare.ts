// npm run bench: how fast the bot acknowledges /incident declare and finishes declaring, against
// the local Slack stand-in, on embedded PGlite (in memory). Prints a table; no targets are asserted
// here (issue targets are read off this output).
import { performance } from 'node:perf_hooks';
import { startTestBot } from '../test/support/bot.ts';
import { slashCommandBody, postSigned } from '../test/support/slack-requests.ts';
import { startSlackStandIn } from '../test/support/slack-standin.ts';

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const ms = (n: number) => `${n.toFixed(1)} ms`;

const slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice' }] });
slack.addChannel({ id: 'CBROADCAST', name: 'incidents' });
const app = await startTestBot({ slackApiUrl: slack.url, token: slack.token, databaseUrl: null });
const rows: [string, string, string, string][] = [];

// Warm up (first Prisma queries, JIT).
for (let i = 0; i < 5; i++) {
  await app.command(`declare sev4 Warm up ${i}`, { responseUrl: slack.responseUrl('warm') });
  await app.bot.idle();
}

// Sequential: ack latency and declare-to-pinned-summary (channel, invite, summary, pin, announce).
const SEQ = Number(process.env.BENCH_SEQ ?? 40);
const ack: number[] = [];
const done: number[] = [];
for (let i = 0; i < SEQ; i++) {
  const t0 = performance.now();
  const res = await app.command(`declare sev3 Sequential incident ${i}`, { responseUrl: slack.responseUrl('seq') });
  ack.push(performance.now() - t0);
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  await app.bot.idle();
  done.push(performance.now() - t0);
}
rows.push([`ack, sequential (n=${SEQ})`, ms(pct(ack, 50)), ms(pct(ack, 99)), ms(Math.max(...ack))]);
rows.push([`declare to pinned + announced (n=${SEQ})`, ms(pct(done, 50)), ms(pct(done, 99)), ms(Math.max(...done))]);

// Concurrent: 50 declares at once.
const CONC = Number(process.env.BENCH_CONC ?? 50);
const concAck: number[] = [];
const tAll = performance.now();
await Promise.all(
  Array.from({ length: CONC }, async (_, i) => {
    const body = slashCommandBody({ text: `declare sev2 Concurrent incident ${i}`, responseUrl: slack.responseUrl('conc') });
    const t0 = performance.now();
    const res = await postSigned(app.url, body);
    concAck.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  }),
);
await app.bot.idle();
const allDone = performance.now() - tAll;
rows.push([`ack, ${CONC} concurrent`, ms(pct(concAck, 50)), ms(pct(concAck, 99)), ms(Math.max(...concAck))]);
rows.push([`${CONC} concurrent declares, all provisioned`, '', '', ms(allDone)]);
const pinned = slack.pins.length;
const expected = 5 + SEQ + CONC;
if (pinned !== expected) throw new Error(`expected ${expected} pinned summaries, saw ${pinned}`);

const rss = process.memoryUsage().rss / 1024 / 1024;
console.log('| measure | p50 | p99 | max |\n| --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`| RSS after the run (bot + stand-in + PGlite in one process) | | | ${rss.toFixed(0)} MB |`);
await app.stop();
await slack.close();
