// npm run bench:web (also part of npm run bench): the web view's pages at a large trust's size.
// Seeds 10,000 incidents, 200,000 timeline entries (20,000 on the newest incident) and 20,000 action
// items (bench/scale-seed.ts), starts the real bot with the web view on against the Slack stand-in,
// signs a person in (a session made directly, as the page tests do), and asks each page of PAGES
// BENCH_WEB_RUNS times (20) after two warm-up requests:
//   - server: the page's own handler (its use case, the SQL, the rendering), timed around it;
//   - answer: the whole request over loopback (the route, the session, the rendering, the transfer).
// On embedded PGlite (the seeded database is made once and cached as a tarball: scale-seed.ts) and,
// with BENCH_DATABASE_URL, on a scratch database of that server (seeded each time, dropped after),
// where the register's statements are also shown with EXPLAIN ANALYZE (BENCH_WEB_EXPLAIN=1: whole
// plans). The target is every page under 200 ms of server time; it is printed, not asserted.
// Then the evidence pack of the last 90 days, BENCH_WEB_PACK_RUNS times (3): seconds, not a page.
// BENCH_WEB_FACTOR (1: 0.1 seeds a tenth) makes it smaller.
import { aRegisterFilter } from '../test/support/fixtures.ts';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { PgIncidentRegister } from '../src/db/pg-incident-register.ts';
import { applyMigrationsInWorker } from '../src/db/migrate.ts';
import { applyPendingMigrations } from '../src/db/roles.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { registerWhere, type RegisterFilter } from '../src/domain/register.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { WEB_PAGES } from '../src/web/pages/index.ts';
import { startTestBot, type TestBot } from '../test/support/bot.ts';
import { startSlackStandIn } from '../test/support/slack-standin.ts';
import { csrfOf, freePort, sessionCookie, webSettings } from '../test/support/web.ts';
import { BIG_CHANNEL, type ScaleSizes, seedScale, seededEmbeddedTemplate } from './scale-seed.ts';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 20);
const FACTOR = Number(process.env.BENCH_WEB_FACTOR ?? 1);
const TARGET_MS = 200;
const SIZES: ScaleSizes = {
  incidents: Math.round(10_000 * FACTOR),
  timelineEntries: Math.round(200_000 * FACTOR),
  bigTimeline: Math.round(20_000 * FACTOR),
  actionItems: Math.round(20_000 * FACTOR),
};

/** What a page's address may name: the big incident (the newest) and a small one. */
interface Seeded {
  big: number;
  small: number;
  /** A place in the middle of the big incident's timeline (a cursor as its pages write it). */
  older: string;
}

/**
 * The pages timed, one line each: a name and the address asked (as UALICE, in Europe/London, a
 * member of the big incident's channel and of a few private incidents' channels).
 */
const PAGES: {
  name: string;
  path: (s: Seeded) => string;
  /** Asked for on purpose and known to take longer (the whole audit trail read): timed, no target. */
  noTarget?: true;
}[] = [
  { name: 'register: the last 90 days', path: () => '/web/incidents' },
  {
    name: 'register: SEV2,SEV3 + service + search',
    path: () => '/web/incidents?severity=SEV2,SEV3&service=lab&q=results',
  },
  { name: 'register: every incident, page 50', path: () => '/web/incidents?from=2020-01-01&page=50' },
  // Every title holds it: each of the 10,000 candidates is checked against its title as shown (redacted).
  { name: 'register: a search every incident matches', path: () => '/web/incidents?from=2020-01-01&q=seeded' },
  { name: 'register CSV: the last 90 days', path: () => '/web/incidents.csv' },
  { name: 'register CSV: every incident (10,000)', path: () => '/web/incidents.csv?from=2020-01-01' },
  { name: 'incident: the big one (20,000 entries)', path: (s) => `/web/incidents/INC-${s.big}` },
  { name: 'incident: a small one', path: (s) => `/web/incidents/INC-${s.small}` },
  {
    name: 'incident: the big one, an older timeline page',
    path: (s) => `/web/incidents/INC-${s.big}?before=${s.older}`,
  },
  {
    name: 'audit check: the big one (whole trail)',
    path: (s) => `/web/incidents/INC-${s.big}/audit`,
    noTarget: true,
  },
  { name: 'evidence: the form and recent downloads', path: () => '/web/evidence' },
  { name: 'insights: the last 12 weeks', path: () => '/web/insights' },
  { name: 'insights: since 2025 (every seeded incident)', path: () => '/web/insights?from=2025-01-01' },
  { name: 'on-call load (no PagerDuty here: the page says so)', path: () => '/web/on-call' },
  { name: 'backlog: teams, categories, oldest and all open', path: () => '/web/backlog' },
  {
    name: 'backlog: overdue, page after the first',
    path: () => '/web/backlog?show=overdue&after=open~2026-01-01~high~1',
  },
];

/** Evidence packs built per database (each verifies every chain of its 90 days, so fewer than RUNS). */
const PACK_RUNS = Number(process.env.BENCH_WEB_PACK_RUNS ?? 3);

const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

// Every page's handler timed around its call (the pages are asked one at a time).
let handlerMs = 0;
for (const page of WEB_PAGES) {
  const handle = page.handle.bind(page);
  page.handle = async (req, web) => {
    const t0 = performance.now();
    try {
      return await handle(req, web);
    } finally {
      handlerMs = performance.now() - t0;
    }
  };
}

const rows: string[][] = [
  ['database', 'page', 'server p50', 'server p95', 'answer p50', 'answer p95', 'size', `< ${TARGET_MS} ms`],
];

async function runOn(label: string, target: { url: string | null; template: string | null }): Promise<void> {
  const people = ['UALICE', ...Array.from({ length: 49 }, (_, i) => `USEED${String(i + 1).padStart(2, '0')}`)];
  const slack = await startSlackStandIn({
    users: people.map((id) => ({ id, name: id.toLowerCase(), tz: 'Europe/London' })),
  });
  slack.addChannel({ id: 'CBROADCAST', name: 'incidents' });
  slack.addChannel({ id: BIG_CHANNEL, name: 'inc-big', members: ['UALICE'] });
  // The seed's private incidents are n ≡ 3 (mod 10), in channel CSEEDnnnnnn: Alice is in twenty of them.
  for (let n = SIZES.incidents - 7; n > SIZES.incidents - 200; n -= 10)
    slack.addChannel({
      id: `CSEED${String(n).padStart(6, '0')}`,
      name: `inc-${n}-seeded`,
      is_private: true,
      members: ['UALICE', 'UBOT'],
    });
  let app: TestBot | null = null;
  try {
    const port = await freePort();
    app = await startTestBot({
      slackApiUrl: slack.url,
      token: slack.token,
      databaseUrl: target.url,
      embeddedTemplate: target.template,
      env: webSettings(port),
    });
    const base = `http://127.0.0.1:${port}`;
    const cookie = await sessionCookie(app, { userId: 'UALICE', timeZone: 'Europe/London' });
    const middle = await app.bot.db.pool.query<{ at: Date; id: string }>(
      `SELECT t.occurred_at AS at, t.id FROM timeline_entry t JOIN incident i ON i.id = t.incident_id
        WHERE i.number = $1 ORDER BY t.occurred_at, t.id OFFSET $2 LIMIT 1`,
      [SIZES.incidents, Math.floor(SIZES.bigTimeline / 2)],
    );
    const seeded: Seeded = {
      big: SIZES.incidents,
      small: SIZES.incidents - 100,
      older: encodeURIComponent(`${middle.rows[0]!.at.toISOString()}_${middle.rows[0]!.id}`),
    };
    for (const page of PAGES) {
      const path = page.path(seeded);
      const server: number[] = [];
      const answer: number[] = [];
      let size = 0;
      for (let i = 0; i < RUNS + 2; i++) {
        const t0 = performance.now();
        const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
        const body = await res.arrayBuffer();
        const t = performance.now() - t0;
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${Buffer.from(body).toString().slice(0, 300)}`);
        if (i < 2) continue; // warm-up
        server.push(handlerMs);
        answer.push(t);
        size = body.byteLength;
      }
      rows.push([
        label,
        page.name,
        ms(pct(server, 50)),
        ms(pct(server, 95)),
        ms(pct(answer, 50)),
        ms(pct(answer, 95)),
        `${(size / 1024).toFixed(0)} KiB`,
        page.noTarget ? 'n/a' : pct(server, 95) < TARGET_MS ? 'yes' : 'NO',
      ]);
    }
    // The evidence pack of the last 90 days (a POST with the form's token; each recorded in the trail).
    const csrf = csrfOf(await (await fetch(`${base}/web/evidence`, { headers: { cookie } })).text());
    const day = 86_400_000;
    const date = (d: number) => new Date(Date.now() - d * day).toISOString().slice(0, 10);
    const form = new URLSearchParams({ csrf, from: date(90), to: date(1) }).toString();
    const server: number[] = [];
    const answer: number[] = [];
    let size = 0;
    for (let i = 0; i < PACK_RUNS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}/web/evidence`, {
        method: 'POST',
        headers: { cookie, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      const body = await res.arrayBuffer();
      if (res.status !== 200)
        throw new Error(`evidence pack: ${res.status} ${Buffer.from(body).toString().slice(0, 300)}`);
      server.push(handlerMs);
      answer.push(performance.now() - t0);
      size = body.byteLength;
    }
    rows.push([
      label,
      `evidence pack: the last 90 days (ZIP, ${PACK_RUNS} runs)`,
      ms(pct(server, 50)),
      ms(pct(server, 95)),
      ms(pct(answer, 50)),
      ms(pct(answer, 95)),
      `${(size / 1024).toFixed(0)} KiB`,
      // Not a page: it verifies about 1,400 chains (one of 20,000 entries), seconds by design.
      'n/a',
    ]);
  } finally {
    await app?.stop();
    await slack.close();
  }
}

/** The register's statements as PgIncidentRegister sends them, with EXPLAIN ANALYZE: each plan's first lines. */
async function explainRegister(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const plans: string[][] = [];
  const explaining = {
    query: async (text: string, params: unknown[]) => {
      const r = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params);
      plans.push(r.rows.map((row) => row['QUERY PLAN']));
      return { rows: text.includes('count(*)') ? [{ n: 0 }] : [] };
    },
  } as unknown as pg.Pool;
  const register = new PgIncidentRegister(null as unknown as PrismaClient, explaining);
  const filter = (over: Partial<RegisterFilter>) =>
    aRegisterFilter({ from: '2020-01-01', to: new Date().toISOString().slice(0, 10), ...over });
  const last90 = new Date(Date.now() - 89 * 86400_000).toISOString().slice(0, 10);
  const asks: [string, RegisterFilter, number][] = [
    ['the last 90 days, page 1', filter({ from: last90 }), 0],
    [
      'SEV2,SEV3 + service + search',
      filter({ from: last90, severities: ['SEV2', 'SEV3'], service: 'lab', q: 'results' }),
      0,
    ],
    ['every incident, page 50', filter({}), 49 * 50],
  ];
  try {
    for (const [name, f, offset] of asks) {
      plans.length = 0;
      await register.list(registerWhere(f, { privateChannels: ['CSEED009993'] }), { offset, limit: 50 });
      console.log(`\nEXPLAIN ANALYZE, register ${name}:`);
      for (const [i, plan] of plans.entries()) {
        const lines = process.env.BENCH_WEB_EXPLAIN ? plan : plan.filter((l) => /Scan|Sort|Limit|Execution/.test(l));
        console.log(`  ${i === 0 ? 'page' : 'count'}:`);
        for (const l of lines) console.log(`    ${l}`);
      }
    }
  } finally {
    await client.end();
  }
}

{
  const t0 = performance.now();
  const { file, seeded } = await seededEmbeddedTemplate(SIZES);
  console.log(
    seeded ? `(embedded: seeded in ${ms(performance.now() - t0)})` : `(embedded: the seeded database from ${file})`,
  );
  await runOn('embedded', { url: null, template: file });
}
if (process.env.BENCH_DATABASE_URL) {
  const scratch = await createScratchDatabase(process.env.BENCH_DATABASE_URL, 'incident_bot_bench_web');
  try {
    await applyPendingMigrations(scratch.url, applyMigrationsInWorker);
    const seeded = await seedScale(scratch.url, SIZES);
    console.log(`(PostgreSQL: seeded in ${ms(seeded.ms)})`);
    await explainRegister(scratch.url);
    await runOn('PostgreSQL', { url: scratch.url, template: null });
  } finally {
    await scratch.drop();
  }
}
console.log(
  `\nThe web view's pages: ${SIZES.incidents} incidents, ${SIZES.timelineEntries} timeline entries (${SIZES.bigTimeline} on one), ${SIZES.actionItems} action items; ${RUNS} requests each`,
);
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
process.exit(0);
