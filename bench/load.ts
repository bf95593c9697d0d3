// npm run bench (second part): the on-call load report over a year of cached PagerDuty history
// for 200 responders and 50,000 pages. Seeds the cache (what `/incident load` stores after its
// first fetch), then times the report as a lead gets it: cache check (nothing to fetch), read,
// maths for the period and the one before, the charts and the CSV. PagerDuty is a stub that fails
// the run if called: a cached report must not fetch. Prints a table; targets are read off it.
// Runs on embedded PGlite in memory, or on BENCH_DATABASE_URL (a PostgreSQL server) when set.
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/db/database.ts';
import { PrismaLoadCache } from '../src/db/prisma-load-cache.ts';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-hours.ts';
import { windowsCovering } from '../src/domain/sync-windows.ts';
import { silentLogger } from '../src/logger.ts';
import type { OnCallHistory, OnCallPerson, OnCallStretch, PageEvent } from '../src/ports/on-call-history.ts';
import type { ServiceDeps } from '../src/services/deps.ts';
import { showOnCallLoad } from '../src/services/show-on-call-load.ts';
import { onCallLoadFiles, onCallLoadMessage } from '../src/slack/views/on-call-load.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';

const RESPONDERS = 200;
const PAGES = 50_000;
const DAY = 24 * 3600_000;
const NOW = new Date('2026-11-25T12:00:00Z');
const FROM = new Date(NOW.getTime() - 365 * DAY);
const ZONES = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Adelaide', 'Europe/Berlin'];

// Deterministic pseudo-random numbers (a run is repeatable).
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const scratch = process.env.BENCH_DATABASE_URL ? await createScratchDatabase(process.env.BENCH_DATABASE_URL) : null;
const db = await openDatabase({ url: scratch?.url ?? null, dataDir: null });
const cache = new PrismaLoadCache(db.prisma);

// 20 schedules of 10 people, weekly rotations, two levels; pages go to whoever is on call at level 1.
const people: OnCallPerson[] = Array.from({ length: RESPONDERS }, (_, i) => ({
  id: `PU${String(i).padStart(5, '0')}`,
  name: `Responder ${i}`,
  email: `r${i}@example.org`,
  timeZone: ZONES[i % ZONES.length]!,
}));
const stretches: OnCallStretch[] = [];
const WEEK = 7 * DAY;
for (let s = 0; s < 20; s++) {
  for (let t = FROM.getTime(), k = 0; t < NOW.getTime(); t += WEEK, k++) {
    for (const level of [1, 2]) {
      const person = people[s * 10 + ((k + level - 1) % 10)]!;
      stretches.push({ userId: person.id, scheduleId: `PS${s}`, escalationPolicyId: `PE${s}`, level, start: new Date(t), end: new Date(Math.min(t + WEEK, NOW.getTime())) });
    }
  }
}
const level1 = stretches.filter((x) => x.level === 1);
const pages: PageEvent[] = Array.from({ length: PAGES }, (_, i) => {
  const st = level1[Math.floor(rand() * level1.length)]!;
  const at = new Date(st.start.getTime() + Math.floor(rand() * (st.end.getTime() - st.start.getTime())));
  return { id: `LE${i}`, incidentId: `PI${Math.floor(i / 2)}`, userId: st.userId, at, kind: i % 5 === 0 ? 'escalated' : 'assigned', serviceId: 'PSVC1' };
});

const tSeed = performance.now();
for (const w of windowsCovering(new Date(FROM.getTime() - 365 * DAY), NOW)) {
  const inW = (d: Date) => d >= w.start && d < w.end;
  await cache.saveWindow(
    'all',
    w,
    { people, stretches: stretches.filter((x) => inW(x.start)), pages: pages.filter((p) => inW(p.at)) },
    new Date(Math.max(w.end.getTime(), NOW.getTime() - 60_000) + 20 * 60_000),
  );
}
const seedMs = performance.now() - tSeed;

const noFetch: OnCallHistory = {
  findScope: async () => {
    throw new Error('the bench must not ask PagerDuty');
  },
  fetchWindow: async () => {
    throw new Error('a cached report must not fetch');
  },
};
const deps = {
  loadCache: cache,
  history: noFetch,
  clock: { now: () => NOW },
  logger: silentLogger,
  chat: { userIdByEmail: async () => null },
  settings: { defaultTimeZone: 'Europe/London', workingHours: DEFAULT_WORKING_HOURS, teamWorkingHours: new Map(), oncallLeads: [] },
} as unknown as ServiceDeps;

const rows: [string, string][] = [];
const rssMb = () => process.memoryUsage().rss / 1024 / 1024;
let peak = rssMb();
const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 5);

// The first report also matches the 200 people to Slack members (stubbed); later ones do not.
let t0 = performance.now();
let load = await showOnCallLoad(deps, { query: null, periodDays: 365 });
rows.push(['first report after caching (incl. matching 200 people to Slack)', `${(performance.now() - t0).toFixed(0)} ms`]);
const runs: number[] = [];
for (let i = 0; i < 5; i++) {
  t0 = performance.now();
  load = await showOnCallLoad(deps, { query: null, periodDays: 365 });
  const files = onCallLoadFiles(load);
  onCallLoadMessage(load, { filesSent: true });
  runs.push(performance.now() - t0);
  if (files.length !== 3) throw new Error('expected two charts and a CSV');
}
clearInterval(sampler);
peak = Math.max(peak, rssMb());
runs.sort((a, b) => a - b);
if (load.report.totals.pages !== PAGES) throw new Error(`expected ${PAGES} pages in the report, saw ${load.report.totals.pages}`);
if (load.sync.fetched !== 0) throw new Error('the cached report fetched');

console.log(`\nOn-call load report: ${RESPONDERS} responders, ${PAGES} pages, ${stretches.length} on-call stretches, one year (${db.description})`);
console.log('| measure | value |\n| --- | --- |');
console.log(`| seeding the cache (two years of windows) | ${seedMs.toFixed(0)} ms |`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`| report with charts and CSV, cached (5 runs: median / max) | ${runs[2]!.toFixed(0)} ms / ${runs[4]!.toFixed(0)} ms |`);
console.log(`| peak RSS during the reports (process incl. ${scratch ? 'the pg client' : 'PGlite'}) | ${peak.toFixed(0)} MB |`);
await db.close();
await scratch?.drop();
