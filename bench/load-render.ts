// The on-call load report's files at the load bench's size (bench/load.ts: 200 responders, 50,000
// pages over a year), in memory: how long each part holds the bot's one thread, and the event
// loop's delay (perf_hooks.monitorEventLoopDelay) while the files are made on the main thread
// (renderLoadFilesHere: each SVG made here, rasterised by resvg on the thread pool) and the bot's way
// (onCallLoadFiles: on a worker thread). Runs alone:
// node bench/load-render.ts.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadBarChart, pagesHeatmap } from '../src/charts/load-charts.ts';
import { renderLoadFilesHere } from '../src/charts/render-off-thread.ts';
import { renderPng, renderSvg } from '../src/charts/render.ts';
import { loadReportCsv } from '../src/domain/load-csv.ts';
import { compareLoad, computeLoad } from '../src/domain/on-call-load.ts';
import { DAY, FROM, loadBenchData, NOW, PAGES, RESPONDERS } from './load-data.ts';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-hours.ts';
import type { OnCallLoad } from '../src/services/on-call/show-on-call-load.ts';
import { onCallLoadFiles } from '../src/slack/views/on-call-load.ts';

const PREVIOUS = new Date(FROM.getTime() - 365 * DAY);
// Stretches over two years (the report's and the one before, for the change); pages in the report's.
const { people, stretches, pages } = loadBenchData(PREVIOUS);
const input = {
  teamTimeZone: 'Europe/London',
  workingHours: DEFAULT_WORKING_HOURS,
  people,
  stretches,
  pages,
  incidentWork: [],
};
const report = computeLoad({ ...input, from: FROM, to: NOW });
const previous = computeLoad({ ...input, from: PREVIOUS, to: FROM });
const load = {
  scope: { kind: 'all', id: null, name: 'everyone on call' },
  periodDays: 365,
  report,
  previous,
  change: compareLoad(report, previous),
  workingHours: DEFAULT_WORKING_HOURS,
  teamTimeZone: 'Europe/London',
  sync: { cached: true, fetched: 0, failed: null, asOf: NOW, missingDays: { current: 0, previous: 0 } },
  slackUsers: new Map(),
} as unknown as OnCallLoad;

const bars = report.responders.map((r) => {
  const night = Math.min(r.nightPages, r.outOfHoursPages);
  return { name: r.name, inHours: r.pages - r.outOfHoursPages, outOfHours: r.outOfHoursPages - night, night };
});
/** The files made on the main thread (the fallback where no worker runs). */
const hereFiles = () =>
  renderLoadFilesHere({
    barTitle: 'Pages per person',
    bars,
    heatmapTitle: 'Pages by weekday and hour',
    heatmap: report.heatmap,
    heatmapCaption: 'Hours in Europe/London',
    report,
    change: load.change,
  });

async function median(fn: () => unknown, runs = 9): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[runs >> 1]!;
}

/** The event loop's delay (p50, p99, max in ms) while `work` runs 10 times, with a 1 ms timer ticking beside it. */
async function loopDelay(work: () => Promise<unknown>) {
  await work();
  const h = monitorEventLoopDelay({ resolution: 1 });
  const ticker = setInterval(() => {}, 1);
  h.enable();
  for (let i = 0; i < 10; i++) {
    await work();
    // A turn of the loop between runs, as between two requests.
    await new Promise((resolve) => setImmediate(resolve));
  }
  h.disable();
  clearInterval(ticker);
  const ms = (ns: number) => ns / 1e6;
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), samples: h.count };
}

const parts = {
  'bar chart, SVG and PNG (renderPng)': await median(() => renderPng(loadBarChart('Pages', bars))),
  'heatmap, SVG and PNG (renderPng)': await median(() =>
    renderPng(pagesHeatmap('Pages', report.heatmap, 'Hours in Europe/London')),
  ),
  'bar chart, SVG only (renderSvg)': await median(() => renderSvg(loadBarChart('Pages', bars))),
  'heatmap, SVG only': await median(() => renderSvg(pagesHeatmap('Pages', report.heatmap, 'Hours in Europe/London'))),
  'CSV (loadReportCsv)': await median(() => loadReportCsv(report, load.change)),
};
// The main thread's share of the bot's way: posting the figures to the worker.
let mainThread = 0;
{
  const t: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const pending = onCallLoadFiles(load);
    t.push(performance.now() - t0);
    await pending;
  }
  mainThread = t.sort((a, b) => a - b)[5]!;
}
const before = await loopDelay(hereFiles);
const after = await loopDelay(() => onCallLoadFiles(load));

console.log(`\nThe on-call load report's files: ${RESPONDERS} responders, ${PAGES} pages, one year (medians)`);
console.log('| measure | value |\n| --- | --- |');
for (const [k, v] of Object.entries(parts)) console.log(`| ${k} | ${v.toFixed(1)} ms |`);
console.log(`| onCallLoadFiles on the bot thread (posting the figures to the worker) | ${mainThread.toFixed(1)} ms |`);
const row = (d: { p50: number; p99: number; max: number; samples: number }) =>
  `${d.p50.toFixed(1)} / ${d.p99.toFixed(1)} / ${d.max.toFixed(1)} ms (${d.samples} samples)`;
console.log(
  `| event-loop delay p50 / p99 / max, files made 10 times: on the main thread (renderLoadFilesHere) | ${row(before)} |`,
);
console.log(
  `| event-loop delay p50 / p99 / max, files made 10 times: now (onCallLoadFiles, on a worker thread) | ${row(after)} |`,
);
