// The review of one long incident from the stored record: one incident with 20,000 timeline entries
// (BENCH_REVIEW_SCALE_ENTRIES) seeded on the embedded database (or on a scratch database of the
// PostgreSQL server BENCH_DATABASE_URL names), then
// - the review's build in this process as the bot does it (read, build, PHI guard, Markdown written
//   chunk by chunk), with the longest time the event loop was held meanwhile, and
// - `npm run review -- <n>` (Markdown to stdout) as a separate process, start to exit.
// Runnable alone: node bench/review-scale.ts. Prints a table; no target is asserted here.
import '../src/wasm-baseline.mjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openDatabase } from '../src/db/database.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { PrismaIncidentStore } from '../src/db/prisma-incident-store.ts';
import { PrismaReviewStore } from '../src/db/prisma-review-store.ts';
import { PrismaChangeLog } from '../src/db/prisma-change-log.ts';
import { staticCatalog } from '../src/ports/service-catalog.ts';
import { EMPTY_CATALOG } from '../src/domain/catalog.ts';
import { publicReviewOf, reviewMarkdownStream } from '../src/services/review/review-of.ts';
import { declaring } from '../test/support/fixtures.ts';

const ENTRIES = Number(process.env.BENCH_REVIEW_SCALE_ENTRIES ?? 20_000);
const RUNS = Number(process.env.BENCH_REVIEW_SCALE_RUNS ?? 5);
/** On BENCH_DATABASE_URL: a scratch database of its own there, dropped at the end. */
const scratch = process.env.BENCH_DATABASE_URL?.trim()
  ? await createScratchDatabase(process.env.BENCH_DATABASE_URL.trim(), 'bench_review_scale')
  : null;
const serverUrl = scratch?.url ?? null;

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const dataDir = serverUrl ? null : mkdtempSync(join(tmpdir(), 'review-scale-'));
const db = await openDatabase({ url: serverUrl, dataDir });
const store = new PrismaIncidentStore(db.prisma);
const start = new Date('2026-11-24T14:05:00Z');
const { incident } = await store.createIfAbsent(declaring({ declaredAt: start }));

// The entries as bench/review.ts's synthetic record has them: notes, pinned messages, status moves.
const t0 = performance.now();
await db.prisma.$executeRawUnsafe(
  `INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text, data, source_ts, permalink)
   SELECT gen_random_uuid(), $1::uuid, $2::timestamptz + (i * interval '13 seconds'),
          CASE WHEN i % 250 = 0 THEN 'status_changed' WHEN i % 7 = 0 THEN 'pinned_message' ELSE 'note' END,
          (ARRAY['UALICE','UBOB','UCAROL','UDAVE','UERIN'])[1 + i % 5],
          CASE WHEN i % 7 = 0 THEN 'Pinned: dashboard for ward ' || (i % 40) || ' | login errors ' || i || '% *spike* <https://grafana.example/d/' || i || '|graph>'
               ELSE 'Note ' || i || ': checked auth pods on node ' || (i % 12) || '; restarted the token cache & watched for 5 minutes' END,
          CASE WHEN i % 250 = 0 THEN jsonb_build_object('from', 'INVESTIGATING', 'to', 'IDENTIFIED') ELSE NULL END,
          CASE WHEN i % 7 = 0 AND i % 250 <> 0 THEN (1764000000 + i) || '.000100' ELSE NULL END,
          CASE WHEN i % 7 = 0 AND i % 250 <> 0 THEN 'https://healthtech.slack.com/archives/C42/p' || (1764000000 + i) || '000100' ELSE NULL END
     FROM generate_series(1, $3::int - 1) AS i`,
  incident.id,
  start,
  ENTRIES,
);
await db.prisma.$executeRawUnsafe('ANALYZE timeline_entry');
const seedMs = performance.now() - t0;

// In process: what the bot does to post and share the review.
const deps = {
  store,
  reviews: new PrismaReviewStore(db.prisma),
  changes: new PrismaChangeLog(db.prisma),
  catalog: staticCatalog(EMPTY_CATALOG),
  settings: { defaultTimeZone: 'Europe/London' },
};
const build: number[] = [];
const held: number[] = [];
let bytes = 0;
for (let run = -1; run < RUNS; run++) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const a = performance.now();
  const review = await publicReviewOf(deps, incident);
  bytes = 0;
  for await (const chunk of reviewMarkdownStream(review)) bytes += Buffer.byteLength(chunk);
  const b = performance.now();
  delay.disable();
  if (review.timeline.length !== ENTRIES) throw new Error(`the review has ${review.timeline.length} entries`);
  if (run < 0) continue; // warm-up
  build.push(b - a);
  held.push(delay.max / 1e6);
}
// For comparison: every entry in one statement (the review reads them a page of 2,000 at a time).
const read: number[] = [];
const readHeld: number[] = [];
for (let run = -1; run < RUNS; run++) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const a = performance.now();
  await store.timeline(incident.id);
  const b = performance.now();
  delay.disable();
  if (run < 0) continue;
  read.push(b - a);
  readHeld.push(delay.max / 1e6);
}
// The build alone, from entries already read (no database work meanwhile).
const stored = await store.timeline(incident.id);
const memoryStore: PrismaIncidentStore = Object.create(store);
memoryStore.timelinePage = async () => ({ entries: stored, hasOlder: false, hasNewer: false });
const inMemory = { ...deps, store: memoryStore };
const buildOnly: number[] = [];
const buildHeld: number[] = [];
for (let run = -1; run < RUNS; run++) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const a = performance.now();
  const review = await publicReviewOf(inMemory, incident);
  for await (const chunk of reviewMarkdownStream(review)) void chunk;
  const b = performance.now();
  delay.disable();
  if (run < 0) continue;
  buildOnly.push(b - a);
  buildHeld.push(delay.max / 1e6);
}
await db.close();

// `npm run review` as a person runs it: a process of its own, Markdown to stdout.
const cli: number[] = [];
const env = {
  ...process.env,
  TZ_DEFAULT: 'Europe/London',
  ...(serverUrl ? { DATABASE_URL: serverUrl } : { DATA_DIR: dataDir! }),
};
for (let run = 0; run < Math.min(RUNS, 3); run++) {
  const a = performance.now();
  const out = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', 'scripts/review.ts', String(incident.number)],
      { env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let n = 0;
    child.stdout.on('data', (d: Buffer) => {
      n += d.length;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(n) : reject(new Error(`npm run review exited ${code}`))));
  });
  cli.push(performance.now() - a);
  if (out !== bytes) throw new Error(`npm run review wrote ${out} bytes, the build ${bytes}`);
}

await scratch?.drop();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });

const where = serverUrl ? 'PostgreSQL' : 'embedded PGlite';
const f = (n: number) => `${n.toFixed(0)} ms`;
console.log(`\nReview of one incident with ${ENTRIES} timeline entries on ${where} (seeded in ${f(seedMs)}):\n`);
console.log('| measure | p50 | max |\n| --- | --- | --- |');
console.log(
  `| review build in the bot: read, build, PHI guard, Markdown chunks (n=${RUNS}) | ${f(pct(build, 50))} | ${f(Math.max(...build))} |`,
);
console.log(`| longest event-loop hold during that build | ${f(pct(held, 50))} | ${f(Math.max(...held))} |`);
console.log(
  `| for comparison: every entry in one statement (store.timeline) (n=${RUNS}) | ${f(pct(read, 50))} | ${f(Math.max(...read))} |`,
);
console.log(
  `| the build alone, from entries already read (n=${RUNS}) | ${f(pct(buildOnly, 50))} | ${f(Math.max(...buildOnly))} |`,
);
console.log(
  `| longest event-loop hold during the build alone | ${f(pct(buildHeld, 50))} | ${f(Math.max(...buildHeld))} |`,
);
console.log(
  `| longest event-loop hold during that one-statement read | ${f(pct(readHeld, 50))} | ${f(Math.max(...readHeld))} |`,
);
console.log(
  `| npm run review, process start to exit (n=${cli.length}) | ${f(pct(cli, 50))} | ${f(Math.max(...cli))} |`,
);
console.log(`\nMarkdown: ${(bytes / 1024).toFixed(0)} KiB`);
