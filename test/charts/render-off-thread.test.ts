// The load report's files made off the bot's thread, on the worker, are the same bytes as made on
// the calling thread (renderLoadFilesHere); a worker that dies leaves the files made here instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBarChart, pagesHeatmap } from '../../src/charts/load-charts.ts';
import { chartOf } from '../../src/charts/chart-specs.ts';
import {
  currentChartWorker,
  renderLoadFiles,
  renderLoadFilesHere,
  renderSvgOffThread,
} from '../../src/charts/render-off-thread.ts';
import { renderPng, renderSvg } from '../../src/charts/render.ts';
import { loadReportCsv } from '../../src/domain/load-csv.ts';
import { computeLoad } from '../../src/domain/on-call-load.ts';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours.ts';

const bars = Array.from({ length: 60 }, (_, i) => ({
  name: i === 0 ? 'Zoë Łukasz' : `Responder ${i}`,
  inHours: 10 + i,
  outOfHours: i % 7,
  night: i % 3,
}));
const heatmap = Array.from({ length: 7 }, (_, d) => Array.from({ length: 24 }, (_, h) => (d * 5 + h * 3) % 11));

const isPng = (b: Buffer) => Buffer.isBuffer(b) && b.subarray(1, 4).toString('latin1') === 'PNG';

test('made on this thread: the PNGs of the two charts, and the CSV', async () => {
  const report = computeLoad({
    from: new Date('2026-11-18T12:00:00Z'),
    to: new Date('2026-11-25T12:00:00Z'),
    teamTimeZone: 'Europe/London',
    workingHours: DEFAULT_WORKING_HOURS,
    people: [],
    stretches: [],
    pages: [],
    incidentWork: [],
  });
  const files = await renderLoadFilesHere({
    barTitle: 'Pages',
    bars,
    heatmapTitle: 'Heat',
    heatmap,
    heatmapCaption: 'Hours',
    report,
    change: null,
  });
  assert.deepEqual(files.bar, await renderPng(loadBarChart('Pages', bars)));
  assert.deepEqual(files.heatmap, await renderPng(pagesHeatmap('Heat', heatmap, 'Hours')));
  assert.equal(files.csv, loadReportCsv(report, null));
});

test('made on the worker thread: the same charts and CSV, several at once', async () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const report = computeLoad({
    from: new Date(now.getTime() - 7 * 24 * 3600_000),
    to: now,
    teamTimeZone: 'Europe/London',
    workingHours: DEFAULT_WORKING_HOURS,
    people: [{ id: 'P1', name: '=Ann, "on call"', email: 'a@example.org', timeZone: 'Europe/London' }],
    stretches: [
      {
        userId: 'P1',
        scheduleId: 'S',
        escalationPolicyId: 'E',
        level: 1,
        start: new Date(now.getTime() - 3 * 24 * 3600_000),
        end: now,
      },
    ],
    pages: [
      {
        id: 'L1',
        incidentId: 'I1',
        userId: 'P1',
        at: new Date(now.getTime() - 3600_000),
        kind: 'assigned',
        serviceId: 'S1',
      },
    ],
    incidentWork: [],
  });
  const job = (title: string) => ({
    barTitle: title,
    bars,
    heatmapTitle: `${title} heat`,
    heatmap,
    heatmapCaption: 'Hours in Europe/London',
    report,
    change: null,
  });
  const [a, b] = await Promise.all([renderLoadFiles(job('One')), renderLoadFiles(job('Two'))]);
  assert.ok(currentChartWorker(), 'made by a worker');
  assert.ok(isPng(a.bar) && isPng(a.heatmap) && isPng(b.bar), 'Buffers of PNG back');
  assert.deepEqual(a.bar, await renderPng(loadBarChart('One', bars)));
  assert.deepEqual(b.bar, await renderPng(loadBarChart('Two', bars)));
  assert.deepEqual(a.heatmap, await renderPng(pagesHeatmap('One heat', heatmap, 'Hours in Europe/London')));
  assert.equal(a.csv, loadReportCsv(report, null));
  assert.ok(a.csv.includes("'=Ann"), 'the CSV as built');
});

test('a worker that stops mid-job: the files are made on this thread instead, the same bytes', async () => {
  const job = {
    barTitle: 'Pages',
    bars,
    heatmapTitle: 'Heat',
    heatmap,
    heatmapCaption: 'Hours',
    report: computeLoad({
      from: new Date('2026-11-18T12:00:00Z'),
      to: new Date('2026-11-25T12:00:00Z'),
      teamTimeZone: 'Europe/London',
      workingHours: DEFAULT_WORKING_HOURS,
      people: [],
      stretches: [],
      pages: [],
      incidentWork: [],
    }),
    change: null,
  };
  const made = renderLoadFiles(job);
  const worker = currentChartWorker();
  assert.ok(worker, 'a worker took the job');
  await worker.terminate();
  const files = await made;
  assert.deepEqual(files.bar, await renderPng(loadBarChart('Pages', bars)));
  assert.deepEqual(files.heatmap, await renderPng(pagesHeatmap('Heat', heatmap, 'Hours')));
  assert.equal(files.csv, loadReportCsv(job.report, null));
  // The next one is made too (by a new worker).
  assert.deepEqual((await renderLoadFiles(job)).bar, files.bar);
});

test("a web page's chart SVG drawn by the worker is the text drawn here, its option's functions built there", async () => {
  const spec = { builder: 'loadBar' as const, args: ['Pages per person', bars] as [string, typeof bars] };
  const [offThread, again] = await Promise.all([renderSvgOffThread(spec), renderSvgOffThread(spec)]);
  assert.ok(currentChartWorker(), 'drawn by a worker');
  // The same drawing: only the class names ECharts numbers per instance differ.
  const drawing = (svg: string) => svg.replace(/zr\d+-cls-\d+/g, 'cls');
  assert.equal(drawing(offThread), drawing(await renderSvg(chartOf(spec))));
  assert.equal(drawing(again), drawing(offThread));
  assert.match(offThread, /^<svg[\s\S]*Zoë Łukasz/);
});
