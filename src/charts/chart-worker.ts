// The worker thread that renders the on-call load report's files and the web view's chart SVGs
// (render-off-thread.ts): ECharts and resvg are loaded here, on the first job, and resvg rasterises
// on this thread; the bot's own thread only posts the figures and receives the bytes (it renders
// itself only where no worker runs).
import { parentPort } from 'node:worker_threads';
import type { LoadFilesJob } from './render-off-thread.ts';
import { renderLoadFilesHere } from './render-off-thread.ts';
import { chartOf, type ChartSpec } from './chart-specs.ts';
import { renderSvg } from './render.ts';

parentPort!.on('message', (msg: { id: number; job?: LoadFilesJob; spec?: ChartSpec }) => {
  // A chart's SVG for a web page, named by its builder and arguments.
  if (msg.spec) {
    Promise.resolve(msg.spec)
      .then(chartOf)
      .then(renderSvg)
      .then(
        (svg) => parentPort!.postMessage({ id: msg.id, svg }),
        (err: unknown) =>
          parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
      );
    return;
  }
  renderLoadFilesHere(msg.job!, 'this-thread').then(
    // Copied, not transferred: a Buffer may share its memory with others (tens of kB: cheap).
    (files) => parentPort!.postMessage({ id: msg.id, ...files }),
    (err: unknown) => parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
