// The on-call load report's charts and CSV, made on a worker thread (chart-worker.ts): rendering the
// two PNGs (ECharts to SVG, resvg to PNG) takes hundreds of ms of CPU at a large trust's size, which
// would hold every other request, and loading ECharts costs memory the bot's thread need not carry.
// One worker, started on first use and kept (unref'd: it never keeps the process alive); if it cannot
// start or dies, the files are made here instead.
import { Worker } from 'node:worker_threads';
import { loadReportCsv } from '../domain/load-csv.ts';
import type { LoadChange, LoadReport } from '../domain/on-call-load.ts';
import { loadBarChart, pagesHeatmap, type LoadBar } from './load-charts.ts';
import { chartOf, type ChartSpec } from './chart-specs.ts';
import { type RasteriseOn, renderPng, renderSvg } from './render.ts';

export interface LoadFilesJob {
  barTitle: string;
  bars: LoadBar[];
  heatmapTitle: string;
  heatmap: number[][];
  heatmapCaption: string;
  report: LoadReport;
  change: LoadChange | null;
}

export interface LoadFiles {
  bar: Buffer;
  heatmap: Buffer;
  csv: string;
}

/** What the worker answers: the load files, or a chart's SVG (the web view's charts). */
type Answer = { kind: 'files'; files: LoadFiles } | { kind: 'svg'; svg: string };
type Pending = { resolve: (answer: Answer) => void; reject: (err: Error) => void };

let worker: Worker | null = null;
let broken = false;
let nextId = 1;
const pending = new Map<number, Pending>();

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function started(): Worker | null {
  if (worker || broken) return worker;
  try {
    const w = new Worker(new URL('./chart-worker.ts', import.meta.url));
    w.unref();
    w.on(
      'message',
      (msg: { id: number; error?: string; svg?: string; bar: Uint8Array; heatmap: Uint8Array; csv: string }) => {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.error !== undefined) p.reject(new Error(`rendering the charts failed: ${msg.error}`));
        else if (msg.svg !== undefined) p.resolve({ kind: 'svg', svg: msg.svg });
        else
          p.resolve({
            kind: 'files',
            files: {
              bar: Buffer.from(msg.bar.buffer, msg.bar.byteOffset, msg.bar.byteLength),
              heatmap: Buffer.from(msg.heatmap.buffer, msg.heatmap.byteOffset, msg.heatmap.byteLength),
              csv: msg.csv,
            },
          });
      },
    );
    w.on('error', (err) => {
      // A worker that cannot load or crashed: this process makes the files itself from now on.
      worker = null;
      broken = true;
      failAll(err);
    });
    w.on('exit', () => {
      worker = null;
      failAll(new Error('the chart worker stopped'));
    });
    worker = w;
  } catch {
    broken = true; // no worker here: made on this thread, rasterised on the thread pool
  }
  return worker;
}

/**
 * The files made on the calling thread (the worker's way, and the fallback where no worker runs):
 * each chart's SVG made here, rasterised and encoded by resvg on libuv's thread pool (the bot's
 * thread) or on this thread too (the worker: `on` 'this-thread'). The same bytes either way.
 */
export async function renderLoadFilesHere(job: LoadFilesJob, on: RasteriseOn = 'thread-pool'): Promise<LoadFiles> {
  const bar = await renderPng(loadBarChart(job.barTitle, job.bars), 1, on);
  const heatmap = await renderPng(pagesHeatmap(job.heatmapTitle, job.heatmap, job.heatmapCaption), 1, on);
  await new Promise((resolve) => setImmediate(resolve));
  return { bar, heatmap, csv: loadReportCsv(job.report, job.change) };
}

/**
 * A job for the worker: the answer it gives, or, where no worker runs or it dies or fails, the same
 * made here by `here`.
 */
function offThread<T>(message: object, pick: (answer: Answer) => T, here: () => Promise<T>): Promise<T> {
  const w = started();
  if (!w) return here();
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    // A worker with work to do keeps the process alive until it answers; idle, it does not.
    w.ref();
    const done = () => {
      if (pending.size === 0) w.unref();
    };
    pending.set(id, {
      resolve: (answer) => {
        resolve(pick(answer));
        done();
      },
      // The worker died or could not draw: made here instead (its own failure, if any, is the answer).
      reject: () => {
        done();
        here().then(resolve, reject);
      },
    });
    w.postMessage({ id, ...message });
  });
}

/** The two charts (PNG) and the CSV, made off the bot's thread. The same bytes as renderLoadFilesHere. */
export function renderLoadFiles(job: LoadFilesJob): Promise<LoadFiles> {
  return offThread(
    { job },
    (a) => {
      if (a.kind !== 'files') throw new Error('the chart worker answered a load job with an SVG');
      return a.files;
    },
    () => renderLoadFilesHere(job),
  );
}

/**
 * A chart's SVG (the web view's charts), drawn by the worker, so the bot's thread never loads
 * ECharts nor spends the tens of milliseconds a chart takes; the same text as renderSvg.
 */
export function renderSvgOffThread(spec: ChartSpec): Promise<string> {
  return offThread(
    { spec },
    (a) => {
      if (a.kind !== 'svg') throw new Error('the chart worker answered an SVG job with files');
      return a.svg;
    },
    () => renderSvg(chartOf(spec)),
  );
}

/** The worker now running, if any (tests stop it mid-job to see the files made here instead). */
export function currentChartWorker(): Worker | null {
  return worker;
}
