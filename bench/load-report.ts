// The report half of bench/load.ts, in a fresh process (as the bot would run it): opens the seeded
// database, runs the cached report six times and prints one JSON line with timings and memory.
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/db/database.ts';
import { PrismaLoadCache } from '../src/db/prisma-load-cache.ts';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-hours.ts';
import { silentLogger } from '../src/logger.ts';
import type { OnCallHistory } from '../src/ports/on-call-history.ts';
import type { ServiceDeps } from '../src/services/deps.ts';
import { showOnCallLoad } from '../src/services/on-call/show-on-call-load.ts';
import { onCallLoadFiles, onCallLoadMessage } from '../src/slack/views/on-call-load.ts';

const target = JSON.parse(process.env.BENCH_TARGET!) as { url: string | null; dataDir: string | null };
const NOW = new Date(process.env.BENCH_NOW!);
const PAGES = Number(process.env.BENCH_PAGES);
const db = await openDatabase(target);
const cache = new PrismaLoadCache(db.prisma, db.pool);
const rssMb = () => process.memoryUsage().rss / 1024 / 1024;
const baselineMb = rssMb();

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
  chat: { userIdsByEmail: async () => new Map() },
  settings: {
    defaultTimeZone: 'Europe/London',
    workingHours: DEFAULT_WORKING_HOURS,
    teamWorkingHours: new Map(),
    oncallLeads: [],
  },
} as unknown as ServiceDeps;

let peak = rssMb();
const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 5);

// The first report also matches the 200 people to Slack members (stubbed); later ones do not.
let t0 = performance.now();
let load = await showOnCallLoad(deps, { query: null, periodDays: 365 });
await onCallLoadFiles(load);
onCallLoadMessage(load, { filesSent: true });
const first = performance.now() - t0;
const peakFirstMb = Math.max(peak, rssMb());
const runs: number[] = [];
for (let i = 0; i < 5; i++) {
  t0 = performance.now();
  load = await showOnCallLoad(deps, { query: null, periodDays: 365 });
  const files = await onCallLoadFiles(load);
  onCallLoadMessage(load, { filesSent: true });
  runs.push(performance.now() - t0);
  if (files.length !== 3) throw new Error('expected two charts and a CSV');
}
clearInterval(sampler);
peak = Math.max(peak, rssMb());
runs.sort((a, b) => a - b);
if (load.report.totals.pages !== PAGES)
  throw new Error(`expected ${PAGES} pages in the report, saw ${load.report.totals.pages}`);
if (load.sync.fetched !== 0) throw new Error('the cached report fetched');

console.log(JSON.stringify({ first, median: runs[2], max: runs[4], peakMb: peak, peakFirstMb, baselineMb }));
await db.close();
