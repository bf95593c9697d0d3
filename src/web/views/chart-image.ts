// A chart on a page: its SVG (ECharts' server-side renderer) as a data: URI in an <img> (the CSP
// allows data: images and no inline style, and an <img> runs no script). Drawn on the chart worker
// (charts/render-off-thread.ts: 10-40 ms a chart, and ECharts' memory, kept off the bot's thread),
// and kept by their figures: the same figures, the same image.
import { createHash } from 'node:crypto';
import { chartOf, type ChartSpec } from '../../charts/chart-specs.ts';
import { renderSvgOffThread } from '../../charts/render-off-thread.ts';
import { html, type VNode } from '../html.ts';

const KEPT = 64;
const images = new Map<string, string>();

/** The chart's SVG as a base64 data: URI (kept for the next time the same figures are asked). */
export async function chartDataUri(spec: ChartSpec): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(spec)).digest('base64url');
  const kept = images.get(key);
  if (kept !== undefined) {
    // Most recently used last: the oldest goes first when the map is full.
    images.delete(key);
    images.set(key, kept);
    return kept;
  }
  const uri = `data:image/svg+xml;base64,${Buffer.from(await renderSvgOffThread(spec), 'utf8').toString('base64')}`;
  images.set(key, uri);
  if (images.size > KEPT) images.delete(images.keys().next().value!);
  return uri;
}

/** `<img class="chart">` of the chart, described by `alt` (its figures are in the table beside it). */
export async function chartImage(spec: ChartSpec, alt: string): Promise<VNode> {
  const chart = chartOf(spec);
  return html`<img class="chart" src=${await chartDataUri(spec)} alt=${alt} width=${chart.width} height=${chart.height} />`;
}
