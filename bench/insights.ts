// The insights page's server time on the scale seed: 10,000 incidents, 200,000 timeline entries,
// 20,000 action items in a scratch PostgreSQL database (BENCH_DATABASE_URL), then the figures
// (InsightFigures and the guardrail figures, as showInsights asks them) and the page's content
// (charts drawn on the chart worker, kept by their figures) for 12 weeks, a year and three years.
// Read by someone in 20 private incidents' channels (every figure filtered to what they may see).
// On the 2-core development machine, shared: 12 weeks 33 ms, a year 72 ms, three years 114 ms
// (page medians; the durations grow with the period's incidents).
//   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres node bench/insights.ts
import { openDatabase } from '../src/db/database.ts';
import { applyMigrationsInWorker } from '../src/db/migrate.ts';
import { PgInsightFigures } from '../src/db/pg-insight-figures.ts';
import { PrismaReviewStore } from '../src/db/prisma-review-store.ts';
import { applyPendingMigrations } from '../src/db/roles.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { addDays, calendarDate } from '../src/domain/action-items.ts';
import { defaultInsightPeriod, insightPeriod } from '../src/domain/insights.ts';
import type { ServiceDeps } from '../src/services/deps.ts';
import { showInsights } from '../src/services/insights/show-insights.ts';
import { renderFragment } from '../src/web/html.ts';
import { insightsBody } from '../src/web/views/insights.ts';
import { seedScale } from './scale-seed.ts';

const server = process.env.BENCH_DATABASE_URL;
if (!server) throw new Error('set BENCH_DATABASE_URL to a PostgreSQL server the bench may create a database on');
const RUNS = 8;
const ZONE = 'Europe/London';
const scratch = await createScratchDatabase(server, 'bench_insights');
try {
  await applyPendingMigrations(scratch.url, applyMigrationsInWorker);
  const seeded = await seedScale(scratch.url, {
    incidents: 10_000,
    timelineEntries: 200_000,
    bigTimeline: 20_000,
    actionItems: 20_000,
  });
  console.log(`seeded in ${Math.round(seeded.ms)} ms`);
  const db = await openDatabase({ url: scratch.url, dataDir: null });
  try {
    const now = new Date();
    const today = calendarDate(now, ZONE);
    const deps = {
      insights: new PgInsightFigures(db.prisma, db.pool),
      reviews: new PrismaReviewStore(db.prisma),
      clock: { now: () => now },
    } as unknown as ServiceDeps;
    // A reader in 20 of the private incidents' channels (a person is in a few: the list is small).
    const { rows: mine } = await db.pool.query<{ channel_id: string }>(
      'SELECT channel_id FROM incident WHERE is_private AND channel_id IS NOT NULL ORDER BY number LIMIT 20',
    );
    const channels = new Set(mine.map((r) => r.channel_id));
    const reader = { userId: 'UBENCH', privateChannels: async () => channels };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    for (const [name, period] of [
      ['the last 12 weeks (the default)', defaultInsightPeriod(now, ZONE)],
      ['a year', insightPeriod(addDays(today, -365), today, ZONE)],
      ['three years (all 10,000 incidents)', insightPeriod(addDays(today, -3 * 365), today, ZONE)],
    ] as const) {
      const figures: number[] = [];
      const pages: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const insights = await showInsights(deps, { reader, period });
        const t1 = performance.now();
        renderFragment(await insightsBody(insights));
        figures.push(t1 - t0);
        pages.push(performance.now() - t0);
      }
      console.log(
        `${name}: figures median ${Math.round(median(figures))} ms, page median ${Math.round(median(pages))} ms ` +
          `(first run ${Math.round(pages[0]!)} ms: new charts drawn, and the first time the chart worker starting)`,
      );
    }
  } finally {
    await db.close();
  }
} finally {
  await scratch.drop();
}
