// A chart on a page: its SVG (ECharts' server-side renderer) as a data: URI in an <img> (the CSP
// allows data: images and no inline style, and an <img> runs no script). Rendering costs a few
// milliseconds a chart, so the images are kept by their figures: the same figures, the same image.
import { createHash } from 'node:crypto';
import { renderSvg, type Chart } from '../../charts/render.ts';
import { html, type VNode } from '../html.ts';

const KEPT = 64;
const images = new Map<string, string>();

/** The chart's SVG as a base64 data: URI (kept for the next time the same figures are asked). */
export async function chartDataUri(chart: Chart): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(chart)).digest('base64url');
  const kept = images.get(key);
  if (kept !== undefined) {
    // Most recently used last: the oldest goes first when the map is full.
    images.delete(key);
    images.set(key, kept);
    return kept;
  }
  const uri = `data:image/svg+xml;base64,${Buffer.from(await renderSvg(chart), 'utf8').toString('base64')}`;
  images.set(key, uri);
  if (images.size > KEPT) images.delete(images.keys().next().value!);
  return uri;
}

/** `<img class="chart">` of the chart, described by `alt` (its figures are in the table beside it). */
export async function chartImage(chart: Chart, alt: string): Promise<VNode> {
  return html`<img class="chart" src=${await chartDataUri(chart)} alt=${alt} width=${chart.width} height=${chart.height} />`;
}
