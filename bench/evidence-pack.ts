// node bench/evidence-pack.ts: the web view's evidence pack at a large trust's scale. Seeds 10,000
// incidents (bench/scale-seed.ts: one every 90 minutes, so a 90-day period holds about 1,440 of
// them, with their timelines, action items and audit trails) in a scratch database on a PostgreSQL
// server (BENCH_DATABASE_URL, default the local one), then builds the pack of the last 90 days a
// few times (BENCH_EVIDENCE_RUNS, 3) as an auditor who is in no private channel, and prints how long
// each step took (read the records, verify every chain, build and zip, record the download), the
// ZIP's size and the files. BENCH_SCALE_FACTOR (1: 0.1 seeds a tenth) makes it smaller.
// BENCH_EVIDENCE_EMBEDDED=1 runs it on embedded PGlite instead (the seeded database made once and
// cached as a tarball, as bench/scale.ts does).
import { actingAs } from '../src/audit-context.ts';
import { openDatabase } from '../src/db/database.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { periodOf } from '../src/domain/evidence-pack.ts';
import { exportEvidencePack } from '../src/services/audit/export-evidence-pack.ts';
import { testDeps } from '../test/support/deps.ts';
import { serverTemplate } from '../test/support/templates.ts';
import type { Database } from '../src/db/database.ts';
import { SCALE_SIZES, seedScale, seededEmbeddedTemplate } from './scale-seed.ts';

const server = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const RUNS = Number(process.env.BENCH_EVIDENCE_RUNS ?? 3);
const FACTOR = Number(process.env.BENCH_SCALE_FACTOR ?? 1);
const sizes = {
  incidents: Math.round(SCALE_SIZES.incidents * FACTOR),
  timelineEntries: Math.round(SCALE_SIZES.timelineEntries * FACTOR),
  bigTimeline: Math.round(SCALE_SIZES.bigTimeline * FACTOR),
  actionItems: Math.round(SCALE_SIZES.actionItems * FACTOR),
};

async function measure(db: Database, where: string, bigIncidentId: string | null) {
  const deps = testDeps({ db });
  const day = 86_400_000;
  const today = new Date();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const period = periodOf(iso(new Date(today.getTime() - 90 * day)), iso(new Date(today.getTime() - day)), 'UTC');
  console.log(`${where}: period ${period.fromDate} to ${period.toDate} (UTC)`);
  console.log('| run | incidents | read ms | verify ms | build+zip ms | record ms | total ms | ZIP bytes | files |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (let run = 1; run <= RUNS; run++) {
    const t0 = performance.now();
    const pack = await actingAs({ actor: 'UAUDIT', via: 'bench' }, () =>
      exportEvidencePack(deps, {
        reader: { userId: 'UAUDIT', privateChannels: async () => new Set<string>() },
        name: 'Bench Auditor',
        period,
      }),
    );
    const total = Math.round(performance.now() - t0);
    const t = pack.timings;
    console.log(
      `| ${run} | ${pack.incidents} (${pack.withheld} withheld) | ${t.read} | ${t.verify} | ${t.build} | ${t.record} | ${total} | ${pack.zip.byteLength} | ${pack.files.length} |`,
    );
  }
  if (bigIncidentId) {
    // The newest incident (in the period) has the big timeline: its chain alone, for comparison.
    const t0 = performance.now();
    const audit = await deps.audit.read(bigIncidentId);
    console.log(
      `the big incident's chain alone (${audit.entries.length} entries): ${Math.round(performance.now() - t0)} ms`,
    );
  }
}

if (process.env.BENCH_EVIDENCE_EMBEDDED === '1') {
  const { file, seeded } = await seededEmbeddedTemplate(sizes);
  if (seeded) console.log(`seeded ${JSON.stringify(seeded.counts)} in ${Math.round(seeded.ms)} ms`);
  const db = await openDatabase({ url: null, dataDir: null, embeddedTemplate: file });
  try {
    await measure(db, 'embedded PGlite', seeded?.bigIncidentId ?? null);
  } finally {
    await db.close();
  }
} else {
  const scratch = await createScratchDatabase(server, 'incident_bot_evidence_bench', {
    template: await serverTemplate(server),
  });
  try {
    const seeded = await seedScale(scratch.url, sizes);
    console.log(`seeded ${JSON.stringify(seeded.counts)} in ${Math.round(seeded.ms)} ms`);
    const db = await openDatabase({ url: scratch.url, dataDir: null });
    try {
      await measure(db, 'PostgreSQL', seeded.bigIncidentId);
    } finally {
      await db.close();
    }
  } finally {
    await scratch.drop();
  }
}
