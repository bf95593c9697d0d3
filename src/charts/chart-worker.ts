// The worker thread that draws and encodes the on-call load report's files (render-off-thread.ts):
// the bot's own thread only posts the figures and receives the bytes.
import { parentPort } from 'node:worker_threads';
import { loadReportCsv } from '../domain/load-csv.ts';
import { loadBarChart, pagesHeatmap } from './load-charts.ts';
import type { LoadFilesJob } from './render-off-thread.ts';

parentPort!.on('message', (msg: { id: number; job: LoadFilesJob }) => {
  try {
    const { job } = msg;
    const bar = loadBarChart(job.barTitle, job.bars);
    const heatmap = pagesHeatmap(job.heatmapTitle, job.heatmap, job.heatmapCaption);
    const csv = loadReportCsv(job.report, job.change);
    // Copied, not transferred: a Buffer may share its memory with others (tens of kB: cheap).
    parentPort!.postMessage({ id: msg.id, bar, heatmap, csv });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
