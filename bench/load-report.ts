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
import { showAllowances } from '../src/services/on-call/show-allowances.ts';
import { computeAllowances } from '../src/domain/allowances.ts';
import { parsePayRules } from '../src/domain/pay-rules.ts';
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
    oncallLeads: ['ULEAD'],
    // Per shift, a callout per out-of-hours page, time off after interrupted nights: every rule at work.
    payRules: parsePayRules(`
currency: GBP
rounding: nearest-penny
region: england-and-wales
companyHolidays: [2026-12-24]
defaults:
  standby: { per: shift, weekday: 25.00, weekend: 40.00, publicHoliday: 60.00 }
  callout: { per: page, amount: 30.00 }
  timeOffInLieu: { hoursPerInterruptedNight: 2 }
`),
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

// Allowances: each month of the year as a lead asks for it (`/incident allowances 2026-05`), cached:
// cache read, matching, the computation. Then the year's allowances in one computation.
const months: { year: number; month: number }[] = [];
for (let i = 12; i >= 1; i--) {
  const d = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() - i, 1));
  months.push({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 });
}
t0 = performance.now();
let monthlyPages = 0;
let monthlyPeople = 0;
for (const month of months) {
  const a = await showAllowances(deps, { userId: 'ULEAD', month, query: null });
  monthlyPages += a.report.people.reduce((n, p) => n + p.pages, 0);
  monthlyPeople = Math.max(monthlyPeople, a.report.people.length);
}
const allowanceMonths = performance.now() - t0;
const yearRuns: number[] = [];
let yearPages = 0;
for (let i = 0; i < 3; i++) {
  t0 = performance.now();
  const yearFrom = new Date(NOW.getTime() - 365 * 24 * 3600_000);
  const w = await cache.read('all', yearFrom, NOW);
  const year = computeAllowances({
    from: yearFrom,
    to: NOW,
    teamTimeZone: 'Europe/London',
    workingHours: DEFAULT_WORKING_HOURS,
    people: w.people,
    stretches: w.stretches,
    pages: w.pages,
    incidentWork: [],
    rules: deps.settings.payRules!,
    scope: {},
  });
  yearRuns.push(performance.now() - t0);
  yearPages = year.people.reduce((n, p) => n + p.pages, 0);
}
yearRuns.sort((a, b) => a - b);
if (yearPages !== PAGES) throw new Error(`expected ${PAGES} pages in the year's allowances, saw ${yearPages}`);
if (monthlyPeople === 0 || monthlyPages === 0) throw new Error('the monthly allowances found nobody on call');

clearInterval(sampler);
peak = Math.max(peak, rssMb());
runs.sort((a, b) => a - b);
if (load.report.totals.pages !== PAGES)
  throw new Error(`expected ${PAGES} pages in the report, saw ${load.report.totals.pages}`);
if (load.sync.fetched !== 0) throw new Error('the cached report fetched');

console.log(
  JSON.stringify({
    first,
    median: runs[2],
    max: runs[4],
    peakMb: peak,
    peakFirstMb,
    baselineMb,
    allowanceMonths,
    monthlyPages,
    monthlyPeople,
    allowanceYear: yearRuns[1],
  }),
);
await db.close();
