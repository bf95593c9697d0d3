// npm run bench:scale (also part of npm run bench): the bot at a large trust's scale. Seeds 10,000
// incidents, 100,000 timeline entries (20,000 on one incident) and 20,000 action items
// (bench/scale-seed.ts: set-based SQL, the audit trail written by the database's triggers), then
// runs the real bot on them in a child process (bench/scale-bot.ts) against the Slack stand-in
// here, with signed requests sent from the load generator's process (bench/load-generator.ts):
//
// 1. alone: each request kind a few times in a row, nothing else running;
// 2. mixed: 50 `/incident declare` at once while `/incident timeline` (in the big incident's channel),
//    `/incident actions all`, `/incident guardrails 365d`, App Home (app_home_opened) and GET /metrics
//    are each asked again as soon as the previous answer arrived;
// 3. statements per declare: declares one at a time, each until the bot is idle (provisioned),
//    with the SQL statements the bot's process sent counted there;
// 4. sustained declares: 8 senders, each sending again as soon as its ack came (while fewer than
//    50 are unprovisioned), for BENCH_SCALE_SUSTAIN_SECONDS (20): declares provisioned per minute;
// 5. on PostgreSQL, PostgreSQL alone doing a declare's essential writes in one connection (the
//    delivery and the held declaration, the incident with its number, commander and `declared`
//    entry, then the provisioned channel and its entry, the audit triggers firing), for comparison.
//
// For each kind: "ack" is the time until the HTTP answer (Slack's 3 seconds), "reply" the time
// until the answer reached the Slack stand-in (the response_url post, or views.publish for App
// Home); "not acked" counts answers other than 200 (Bolt answers 404 to what no listener acked
// within 3 seconds). Runs on embedded PGlite (the seeded database is made once and cached as a tarball keyed by
// the migrations: bench/scale-seed.ts) and, with BENCH_DATABASE_URL, on a scratch database on that
// server (seeded each time, dropped after). Prints tables; no targets are asserted.
// BENCH_SCALE_RUNS (alone runs per kind, 5), BENCH_SCALE_MIXED_SECONDS (at least, 10),
// BENCH_SCALE_SUSTAIN_SECONDS (20), BENCH_SCALE_STATEMENT_DECLARES (20) and BENCH_SCALE_FACTOR (1:
// 0.1 seeds a tenth) make it smaller.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { applyMigrationsInWorker } from '../src/db/migrate.ts';
import { applyPendingMigrations } from '../src/db/roles.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { slashCommandBody } from '../test/support/slack-requests.ts';
import { startSlackStandIn } from '../test/support/slack-standin.ts';
import { ipcClient } from './ipc.ts';
import type { LoadReply, LoadRequest, PlainRequest } from './load-generator.ts';
import type { ScaleBotReply, ScaleBotRequest } from './scale-bot.ts';
import { BIG_CHANNEL, SCALE_SIZES, type ScaleSizes, seedScale, seededEmbeddedTemplate } from './scale-seed.ts';

const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 5);
const MIXED_MS = Number(process.env.BENCH_SCALE_MIXED_SECONDS ?? 10) * 1000;
const SUSTAIN_MS = Number(process.env.BENCH_SCALE_SUSTAIN_SECONDS ?? 20) * 1000;
const STATEMENT_DECLARES = Number(process.env.BENCH_SCALE_STATEMENT_DECLARES ?? 20);
const FACTOR = Number(process.env.BENCH_SCALE_FACTOR ?? 1);
const CONC = 50;
const SENDERS = 8;
const BACKLOG = 50;
const SIZES: ScaleSizes = {
  incidents: Math.round(SCALE_SIZES.incidents * FACTOR),
  timelineEntries: Math.round(SCALE_SIZES.timelineEntries * FACTOR),
  bigTimeline: Math.round(SCALE_SIZES.bigTimeline * FACTOR),
  actionItems: Math.round(SCALE_SIZES.actionItems * FACTOR),
};

const now = () => performance.timeOrigin + performance.now();
function pct(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const ms = (n: number) => (Number.isNaN(n) ? '' : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

// The Slack stand-in, with the seeded people and the big incident's channel.
const PEOPLE = ['UALICE', ...Array.from({ length: 49 }, (_, i) => `USEED${String(i + 1).padStart(2, '0')}`)];
const slack = await startSlackStandIn({ users: PEOPLE.map((id) => ({ id, name: id.toLowerCase() })) });
slack.addChannel({ id: 'CBROADCAST', name: 'incidents' });
slack.addChannel({ id: BIG_CHANNEL, name: `inc-${SIZES.incidents}-seeded`, members: ['UALICE'] });

// When each reply reached the stand-in: response_url posts by their id, views.publish by user.
const waiting = new Map<string, (at: number) => void>();
const delivered = (key: string) => new Promise<number>((resolve) => waiting.set(key, resolve));
const arrived = (key: string) => {
  const at = now();
  waiting.get(key)?.(at);
  waiting.delete(key);
};
const pushResponse = slack.responses.push.bind(slack.responses);
slack.responses.push = (...items) => {
  for (const r of items) arrived(`response:${r.id}`);
  return pushResponse(...items);
};
const pushCall = slack.calls.push.bind(slack.calls);
slack.calls.push = (...items) => {
  for (const c of items) if (c.method === 'views.publish') arrived(`home:${String(c.args.user_id)}`);
  return pushCall(...items);
};

const generator = fork(new URL('./load-generator.ts', import.meta.url), [], { execArgv: process.execArgv });
const load = ipcClient<LoadRequest, LoadReply>(generator, 'the load generator');
await load.ready;

type Kind = 'timeline' | 'actions all' | 'guardrails 365d' | 'App Home' | 'GET /metrics';
const KINDS: Kind[] = ['timeline', 'actions all', 'guardrails 365d', 'App Home', 'GET /metrics'];
/** failed: answered with another status than 200 (Bolt answers 404 to what no listener acked within 3 s). */
type Samples = { ack: number[]; reply: number[]; failed: number };
const samples = (): Record<Kind | 'declare', Samples> =>
  Object.fromEntries([...KINDS, 'declare'].map((k) => [k, { ack: [], reply: [], failed: 0 }])) as unknown as Record<
    Kind | 'declare',
    Samples
  >;

let seq = 0;
/** One request of `kind` and the key its reply arrives under (none for /metrics). */
function requestOf(kind: Kind): { request: PlainRequest; key: string | null } {
  const id = `scale-${++seq}`;
  const command = (text: string, channelId?: string): { request: PlainRequest; key: string } => ({
    request: {
      method: 'POST',
      path: '/slack/events',
      body: slashCommandBody({ text, responseUrl: slack.responseUrl(id), ...(channelId ? { channelId } : {}) }),
    },
    key: `response:${id}`,
  });
  switch (kind) {
    case 'timeline':
      return command('timeline', BIG_CHANNEL);
    case 'actions all':
      return command('actions all');
    case 'guardrails 365d':
      return command('guardrails 365d');
    case 'App Home': {
      const user = PEOPLE[seq % PEOPLE.length]!;
      const body = JSON.stringify({
        token: 'deprecated-verification-token',
        team_id: 'T0001',
        api_app_id: 'A0001',
        event: { type: 'app_home_opened', user, channel: 'D0001', tab: 'home', event_ts: `${Date.now() / 1000}` },
        type: 'event_callback',
        event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
        event_time: Math.floor(Date.now() / 1000),
      });
      return { request: { method: 'POST', path: '/slack/events', body, json: true }, key: `home:${user}` };
    }
    case 'GET /metrics':
      return { request: { method: 'GET', path: '/metrics' }, key: null };
  }
}

/** Sends one request of `kind`; its ack time and, when it has one, the time until its reply arrived. */
async function once(url: string, kind: Kind, into: Samples): Promise<void> {
  const { request, key } = requestOf(kind);
  const reply = key ? delivered(key) : null;
  const r = await load.call({ url, requests: [request] }).catch((err: Error) => {
    throw new Error(`${kind}: ${err.message}`);
  });
  into.ack.push(r.acks![0]!);
  if (r.statuses![0] !== 200) {
    into.failed++;
    waiting.delete(key ?? '');
    return;
  }
  if (reply) {
    const at = await Promise.race([reply, sleep(60_000).then(() => Number.NaN)]);
    if (Number.isNaN(at)) throw new Error(`no reply to ${kind} within 60 s`);
    into.reply.push(at - r.starts![0]!);
  }
}

const declareBody = (text: string) => slashCommandBody({ text, responseUrl: slack.responseUrl(`declare-${++seq}`) });

interface Result {
  label: string;
  seedMs: number | null;
  alone: Record<Kind | 'declare', Samples>;
  mixed: Record<Kind | 'declare', Samples>;
  mixedLoop: { p50: number; p99: number; max: number };
  mixedPinnedMs: number;
  mixedMs: number;
  perDeclare: { statements: number; transactions: number; serverXacts: number | null };
  sustained: {
    sent: number;
    sendMs: number;
    provisionedInWindow: number;
    ackP99: number;
    loop: { p99: number; max: number };
  };
  pgAlone: number | null;
}

async function benchOn(
  target: { url: string | null; template: string | null },
  label: string,
  seedMs: number | null,
): Promise<Result> {
  const child = fork(new URL('./scale-bot.ts', import.meta.url), [], {
    execArgv: process.execArgv,
    env: {
      ...process.env,
      BENCH_SLACK_URL: slack.url,
      BENCH_SLACK_TOKEN: slack.token,
      BENCH_TARGET: JSON.stringify(target),
    },
  });
  const bot = ipcClient<ScaleBotRequest, ScaleBotReply>(child, "the bot's process");
  try {
    return await runOn(bot, target, label, seedMs);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

async function runOn(
  bot: ReturnType<typeof ipcClient<ScaleBotRequest, ScaleBotReply>>,
  target: { url: string | null; template: string | null },
  label: string,
  seedMs: number | null,
): Promise<Result> {
  const ask = (op: ScaleBotRequest['op']) => bot.call({ op });
  const url = `http://127.0.0.1:${(await bot.ready).port}`;
  const pins = () => slack.pins.length;
  const allPinned = (n: number, timeoutMs = 300_000) => slack.waitFor(() => pins() >= n, timeoutMs);

  // Warm-up: a few declares, each kind once.
  for (let i = 0; i < 3; i++) {
    const p = pins();
    await load.call({ url, bodies: [declareBody(`declare sev4 Warm up ${i}`)] });
    await allPinned(p + 1);
    await ask('idle');
  }
  const warm = samples();
  for (const kind of KINDS) await once(url, kind, warm[kind]);
  await ask('idle');

  // 1. Alone.
  const alone = samples();
  for (const kind of KINDS)
    for (let i = 0; i < RUNS; i++) {
      await once(url, kind, alone[kind]);
      await ask('idle');
    }

  // 2. Mixed: every kind in a loop, 50 declares at once after the loops are going.
  const mixed = samples();
  await ask('loop-reset');
  const t0 = performance.now();
  let stop = false;
  const loops = KINDS.map(async (kind) => {
    while (!stop) await once(url, kind, mixed[kind]);
  });
  await sleep(300);
  const before = pins();
  const tDeclare = performance.now();
  const declares = await load.call({
    url,
    bodies: Array.from({ length: CONC }, (_, i) => declareBody(`declare sev2 Mixed load incident ${i}`)),
  });
  mixed.declare.ack.push(...declares.acks!);
  await allPinned(before + CONC);
  const mixedPinnedMs = performance.now() - tDeclare;
  const rest = MIXED_MS - (performance.now() - t0);
  if (rest > 0) await sleep(rest);
  stop = true;
  await Promise.all(loops);
  const mixedMs = performance.now() - t0;
  const mixedLoop = (await ask('loop')).loop!;
  await ask('idle');

  // 3. Statements per declare, one at a time, each until provisioned and idle.
  const server = target.url ? new pg.Client({ connectionString: target.url }) : null;
  await server?.connect();
  const xacts = async () => {
    if (!server) return 0;
    await sleep(1100); // the statistics reach pg_stat_database within a second
    await server.query('SELECT pg_stat_clear_snapshot()');
    const r = await server.query<{ n: string }>(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(r.rows[0]!.n);
  };
  let perDeclare = { statements: Number.NaN, transactions: Number.NaN, serverXacts: null as number | null };
  if (STATEMENT_DECLARES > 0) {
    const x0 = await xacts();
    const s0 = await ask('statements');
    for (let i = 0; i < STATEMENT_DECLARES; i++) {
      const p = pins();
      await load.call({ url, bodies: [declareBody(`declare sev3 Counted incident ${i}`)] });
      await allPinned(p + 1);
      await ask('idle');
    }
    const s1 = await ask('statements');
    // The two reads of pg_stat_database are transactions of their own: one of them is counted.
    const x1 = server ? (await xacts()) - x0 - 1 : null;
    perDeclare = {
      statements: (s1.statements! - s0.statements!) / STATEMENT_DECLARES,
      transactions: (s1.transactions! - s0.transactions!) / STATEMENT_DECLARES,
      serverXacts: x1 === null ? null : x1 / STATEMENT_DECLARES,
    };
  }
  await server?.end();

  // 4. Sustained declares: as fast as the bot acks, but never more than BACKLOG unprovisioned
  // (held declarations would otherwise pile up for minutes); the rate is what got provisioned.
  await ask('loop-reset');
  const p0 = pins();
  let sent = 0;
  const sustainedAcks: number[] = [];
  const s0 = performance.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (performance.now() - s0 < SUSTAIN_MS) {
        if (sent - (pins() - p0) >= BACKLOG) {
          await sleep(5);
          continue;
        }
        sent++;
        const r = await load.call({ url, bodies: [declareBody(`declare sev3 Sustained incident ${sent}`)] });
        sustainedAcks.push(r.acks![0]!);
      }
    }),
  );
  const sendMs = performance.now() - s0;
  const provisionedInWindow = pins() - p0;
  await allPinned(p0 + sent, 600_000);
  await ask('idle');
  const sustainedLoop = (await ask('loop')).loop!;

  await ask('stop');
  return {
    label,
    seedMs,
    alone,
    mixed,
    mixedLoop,
    mixedPinnedMs,
    mixedMs,
    perDeclare,
    sustained: { sent, sendMs, provisionedInWindow, ackP99: pct(sustainedAcks, 99), loop: sustainedLoop },
    pgAlone: null as number | null,
  } satisfies Result;
}

/**
 * PostgreSQL alone doing a declare's essential writes, one declare after another in one connection
 * for `durationMs`: declares per minute.
 */
async function postgresAlone(url: string, durationMs = 10_000): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < durationMs) {
      const key = `pg-alone-${n}-${randomBytes(4).toString('hex')}`;
      await c.query('INSERT INTO slack_delivery (key, received_at) VALUES ($1, now())', [key]);
      await c.query(
        `INSERT INTO declare_request (declare_key, request, received_at) VALUES ($1, '{"title": "PostgreSQL alone"}', now())`,
        [key],
      );
      await c.query('BEGIN');
      await c.query(
        "SELECT set_config('incident_bot.actor', 'UALICE', true), set_config('incident_bot.via', '/incident declare', true)",
      );
      const num = await c.query<{ last: number }>(
        "UPDATE number_counter SET last = last + 1 WHERE name = 'incident' RETURNING last",
      );
      const inc = await c.query<{ id: string }>(
        `INSERT INTO incident (id, number, declare_key, title, severity, declared_by, origin_channel_id, response_url, updated_at)
         VALUES (gen_random_uuid(), $1, $2, 'PostgreSQL alone', 'SEV3', 'UALICE', 'CGENERAL', 'https://example.org/r', now())
         RETURNING id`,
        [num.rows[0]!.last, key],
      );
      const id = inc.rows[0]!.id;
      await c.query(
        "INSERT INTO incident_role (incident_id, role, user_id, assigned_by) VALUES ($1, 'COMMANDER', 'UALICE', 'UALICE')",
        [id],
      );
      await c.query(
        `INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text, data)
         VALUES (gen_random_uuid(), $1, now(), 'declared', 'UALICE', 'Declared as SEV3: PostgreSQL alone', '{"severity": "SEV3"}')`,
        [id],
      );
      await c.query('DELETE FROM declare_request WHERE declare_key = $1', [key]);
      await c.query('COMMIT');
      await c.query('BEGIN');
      await c.query(
        "SELECT set_config('incident_bot.actor', 'bot', true), set_config('incident_bot.via', 'provisioning', true)",
      );
      await c.query(
        `UPDATE incident SET channel_id = $2, channel_name = $3, summary_ts = '1.000100', summary_pinned = true,
           declarer_invited = true, announcement_ts = '1.000200', provisioned_at = now(), updated_at = now() WHERE id = $1`,
        [id, `CPGALONE${n}`, `inc-pg-alone-${n}`],
      );
      await c.query(
        `INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text)
         VALUES (gen_random_uuid(), $1, now(), 'provisioned', NULL, 'Channel created, summary pinned')`,
        [id],
      );
      await c.query('COMMIT');
      n++;
    }
    return (n * 60_000) / (performance.now() - t0);
  } finally {
    await c.end();
  }
}

function print(r: Result) {
  console.log(
    `\nScale on ${r.label}: ${SIZES.incidents} incidents, ${SIZES.timelineEntries} timeline entries (${SIZES.bigTimeline} on one), ${SIZES.actionItems} action items`,
  );
  if (r.seedMs !== null) console.log(`seeded in ${ms(r.seedMs)}`);
  console.log(
    '| request | phase | n | ack p50 | ack p99 | reply p50 | reply p99 | not acked |\n| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const [phase, set] of [
    ['alone', r.alone],
    ['mixed', r.mixed],
  ] as const)
    for (const kind of [...KINDS, 'declare'] as const) {
      const s = set[kind];
      if (s.ack.length === 0) continue;
      console.log(
        `| ${kind === 'declare' ? `declare (${CONC} at once)` : kind} | ${phase} | ${s.ack.length} | ${ms(pct(s.ack, 50))} | ${ms(pct(s.ack, 99))} | ${ms(pct(s.reply, 50))} | ${ms(pct(s.reply, 99))} | ${s.failed || ''} |`,
      );
    }
  const perMin = (n: number, t: number) => ((n * 60_000) / t).toFixed(0);
  console.log('\n| measure | value |\n| --- | --- |');
  console.log(
    `| mixed load: ${(r.mixedMs / 1000).toFixed(1)} s; the ${CONC} declares all pinned after | ${ms(r.mixedPinnedMs)} |`,
  );
  console.log(
    `| event-loop delay in the bot, mixed load: p50 / p99 / max | ${ms(r.mixedLoop.p50)} / ${ms(r.mixedLoop.p99)} / ${ms(r.mixedLoop.max)} |`,
  );
  console.log(
    `| statements per declare (the bot's process, pg-boss included; ${STATEMENT_DECLARES} declares one at a time) | ${r.perDeclare.statements.toFixed(1)} |`,
  );
  console.log(`| transactions (BEGIN) per declare | ${r.perDeclare.transactions.toFixed(1)} |`);
  if (r.perDeclare.serverXacts !== null)
    console.log(
      `| transactions per declare on the server (pg_stat_database xact_commit + xact_rollback; each statement outside a transaction is one) | ${r.perDeclare.serverXacts.toFixed(1)} |`,
    );
  const s = r.sustained;
  console.log(
    `| sustained: ${s.sent} declares sent in ${(s.sendMs / 1000).toFixed(1)} s by ${SENDERS} senders (at most ${BACKLOG} unprovisioned); ack p99 | ${ms(s.ackP99)} |`,
  );
  console.log(
    `| sustained: declared and provisioned per minute (${s.provisionedInWindow} pinned in the window) | ${perMin(s.provisionedInWindow, s.sendMs)} |`,
  );
  console.log(`| event-loop delay in the bot, sustained: p99 / max | ${ms(s.loop.p99)} / ${ms(s.loop.max)} |`);
  if (r.pgAlone !== null)
    console.log(
      `| PostgreSQL alone, a declare's essential writes in one connection (audit triggers included), per minute | ${r.pgAlone.toFixed(0)} |`,
    );
}

try {
  {
    const t0 = performance.now();
    const { file, seeded } = await seededEmbeddedTemplate(SIZES);
    const seedMs = seeded ? performance.now() - t0 : null;
    if (!seeded) console.log(`\n(embedded: the seeded database from ${file})`);
    print(await benchOn({ url: null, template: file }, 'embedded PGlite (in memory)', seedMs));
  }
  if (process.env.BENCH_DATABASE_URL) {
    const scratch = await createScratchDatabase(process.env.BENCH_DATABASE_URL, 'bench_scale');
    try {
      const t0 = performance.now();
      await applyPendingMigrations(scratch.url, applyMigrationsInWorker);
      const migrated = performance.now() - t0;
      const seeded = await seedScale(scratch.url, SIZES);
      console.log(`\n(PostgreSQL: migrated in ${ms(migrated)})`);
      const r = await benchOn(
        { url: scratch.url, template: null },
        `PostgreSQL at ${new URL(process.env.BENCH_DATABASE_URL).host}`,
        seeded.ms,
      );
      r.pgAlone = await postgresAlone(scratch.url);
      print(r);
    } finally {
      await scratch.drop();
    }
  }
} finally {
  generator.disconnect();
  await slack.close();
}
