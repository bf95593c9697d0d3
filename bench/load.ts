// npm run bench (second part): the on-call load report over a year of cached PagerDuty history
// for 200 responders and 50,000 pages. Seeds the cache (what `/incident load` stores after its
// first fetch), then, in a fresh process as the bot would be (bench/load-report.ts), times the
// report as a lead gets it: cache check (nothing to fetch), read, maths for the period and the one
// before, the charts and the CSV, and samples that process's memory; then the on-call allowances
// (issue 19: the year under 2 s): each month of the year as `/incident allowances` computes it, and
// the whole year at once. Prints a table; targets are
// read off it. Runs on embedded PGlite (on disk) and, when BENCH_DATABASE_URL is set, on that
// PostgreSQL server too.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/db/database.ts';
import { PrismaLoadCache } from '../src/db/prisma-load-cache.ts';
import { windowsCovering } from '../src/domain/sync-windows.ts';
import { DAY, FROM, loadBenchData, NOW, PAGES, RESPONDERS } from './load-data.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';

const { people, stretches, pages } = loadBenchData();

/** Seeds the cache in a database, then runs the reports in a fresh process and prints its table. */
async function benchOn(target: { url: string | null; dataDir: string | null }, label: string) {
  const db = await openDatabase(target);
  const cache = new PrismaLoadCache(db.prisma, db.pool);
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
  await db.close();
  const child = spawnSync(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      '--disable-warning=ExperimentalWarning',
      path.join(import.meta.dirname, 'load-report.ts'),
    ],
    {
      env: {
        ...process.env,
        BENCH_TARGET: JSON.stringify(target),
        BENCH_NOW: NOW.toISOString(),
        BENCH_PAGES: String(PAGES),
      },
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  if (child.status !== 0) throw new Error(`the report process failed: ${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
    first: number;
    median: number;
    max: number;
    peakMb: number;
    peakFirstMb: number;
    baselineMb: number;
    allowanceMonths: number;
    monthlyPages: number;
    monthlyPeople: number;
    allowanceYear: number;
  };
  console.log(
    `\nOn-call load report on ${label}: ${RESPONDERS} responders, ${PAGES} pages, ${stretches.length} on-call stretches, one year`,
  );
  console.log('| measure | value |\n| --- | --- |');
  console.log(`| seeding the cache (two years of windows; not part of the target) | ${seedMs.toFixed(0)} ms |`);
  console.log(`| first report after caching (incl. matching 200 people to Slack) | ${r.first.toFixed(0)} ms |`);
  console.log(
    `| report with charts and CSV, cached (5 runs: median / max) | ${r.median.toFixed(0)} ms / ${r.max.toFixed(0)} ms |`,
  );
  console.log(
    `| RSS of the report process: after opening the database / peak during the first report / peak over all six | ${r.baselineMb.toFixed(0)} MB / ${r.peakFirstMb.toFixed(0)} MB / ${r.peakMb.toFixed(0)} MB |`,
  );
  console.log(
    `| allowances: the twelve months of the year, one report each, cached (up to ${r.monthlyPeople} people and ${r.monthlyPages} pages in them) | ${r.allowanceMonths.toFixed(0)} ms in all |`,
  );
  console.log(
    `| allowances: the whole year at once, read from the cache and computed (median of 3) | ${r.allowanceYear.toFixed(0)} ms |`,
  );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
try {
  await benchOn({ url: null, dataDir: dir }, 'embedded PGlite (on disk)');
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
if (process.env.BENCH_DATABASE_URL) {
  const scratch = await createScratchDatabase(process.env.BENCH_DATABASE_URL, 'bench');
  try {
    await benchOn({ url: scratch.url, dataDir: null }, `PostgreSQL at ${new URL(process.env.BENCH_DATABASE_URL).host}`);
  } finally {
    await scratch.drop();
  }
}
