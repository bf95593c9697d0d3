/**
 * On-call load charts rendered as PNG images for Slack: a stacked horizontal
 * bar chart of pages per person, and a week × hour heatmap of when pages land.
 *
 * Colours are from Paul Tol's colour-blind-safe "bright" scheme for the bar
 * segments, and a single-hue white → dark red ramp for the heatmap, so neither
 * chart depends on telling red from green.
 */
import { toFontText } from './font.ts';
import { Raster, type Rgb } from './png.ts';

export interface LoadBar {
  name: string;
  /** Pages during working hours. */
  inHours: number;
  /** Pages outside working hours but not at night. */
  outOfHours: number;
  /** Pages at night. The three counts are disjoint; a bar's length is their sum. */
  night: number;
}

export const COLORS = {
  background: [255, 255, 255],
  text: [34, 34, 34],
  muted: [102, 102, 102],
  grid: [224, 224, 224],
  axis: [136, 136, 136],
  inHours: [0x44, 0x77, 0xaa],
  outOfHours: [0xcc, 0xbb, 0x44],
  night: [0xee, 0x66, 0x77],
} as const satisfies Record<string, Rgb>;

const PAD = 20;
const TITLE_SCALE = 3;
const BODY_SCALE = 2;
const EMPTY_MESSAGE = 'No pages in this period';

/** Geometry of the bar chart, exported so tests (and image maps) can find rows. */
export const LOAD_CHART_LAYOUT = {
  width: 900,
  /** y of the first row's top edge. */
  plotTop: 96,
  /** Left edge of the bars (value 0). */
  plotLeft: 240,
  /** x of the axis maximum. */
  plotRight: 820,
  rowHeight: 24,
  /** Bars occupy [rowTop + barOffset, rowTop + barOffset + barHeight). */
  barOffset: 4,
  barHeight: 16,
  maxRows: 40,
} as const;

/** Geometry of the heatmap, exported so tests (and image maps) can find cells. */
export const HEATMAP_LAYOUT = {
  /** Left edge of the hour-00 column. */
  gridLeft: 76,
  /** Top edge of the Monday row. */
  gridTop: 108,
  cellWidth: 34,
  cellHeight: 30,
} as const;

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const HOURS = 24;

/** A count as a finite, non-negative number (anything else counts as 0). */
function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** `s` shortened with a trailing "..." so that it is at most `maxWidth` pixels wide at `scale`. */
export function ellipsize(r: Raster, s: string, maxWidth: number, scale: number): string {
  const t = toFontText(s);
  if (r.textWidth(t, scale) <= maxWidth) return t;
  for (let n = t.length - 1; n > 0; n--) {
    const candidate = `${t.slice(0, n).trimEnd()}...`;
    if (r.textWidth(candidate, scale) <= maxWidth) return candidate;
  }
  return r.textWidth('...', scale) <= maxWidth ? '...' : '';
}

function strokeRect(r: Raster, x: number, y: number, w: number, h: number, color: Rgb): void {
  r.fillRect(x, y, w, 1, color);
  r.fillRect(x, y + h - 1, w, 1, color);
  r.fillRect(x, y, 1, h, color);
  r.fillRect(x + w - 1, y, 1, h, color);
}

/** A step of 1, 2 or 5 × 10^k giving about `target` ticks up to `max` (whole numbers only). */
function niceStep(max: number, target = 5): number {
  const raw = max / target;
  if (raw <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return nice * magnitude;
}

function drawTitle(r: Raster, title: string): void {
  r.text(PAD, PAD, ellipsize(r, title, r.width - 2 * PAD, TITLE_SCALE), COLORS.text, TITLE_SCALE);
}

/** A small image with the title, an optional caption and "No pages in this period". */
function emptyChart(width: number, title: string, caption?: string): Raster {
  const r = new Raster(width, 170, COLORS.background);
  drawTitle(r, title);
  if (caption) {
    r.text(PAD, 56, ellipsize(r, caption, width - 2 * PAD, BODY_SCALE), COLORS.muted, BODY_SCALE);
  }
  const msgW = r.textWidth(EMPTY_MESSAGE, BODY_SCALE);
  strokeRect(r, PAD, 88, width - 2 * PAD, 60, COLORS.grid);
  r.text(Math.round((width - msgW) / 2), 88 + 22, EMPTY_MESSAGE, COLORS.muted, BODY_SCALE);
  return r;
}

const SEGMENTS = [
  { key: 'inHours', label: 'In hours', color: COLORS.inHours, ink: [255, 255, 255] },
  { key: 'outOfHours', label: 'Out of hours', color: COLORS.outOfHours, ink: COLORS.text },
  { key: 'night', label: 'Night', color: COLORS.night, ink: COLORS.text },
] as const satisfies readonly { key: keyof LoadBar; label: string; color: Rgb; ink: Rgb }[];

/**
 * Horizontal stacked bar chart: one row per person (at most 40, then "and N
 * more"), in the order given, each bar split into in-hours, out-of-hours and
 * night segments, with the total after the bar, a legend, a title and axis
 * ticks. 900 px wide. When there are no pages at all, returns a small
 * "No pages in this period" image instead. Returns PNG bytes.
 */
export function loadBarChart(title: string, bars: readonly LoadBar[]): Buffer {
  return drawLoadBarChart(title, bars).toPng();
}

/** loadBarChart, the same bytes, compressed off the bot's thread (Raster.toPngAsync). */
export function renderLoadBarChart(title: string, bars: readonly LoadBar[]): Promise<Buffer> {
  return drawLoadBarChart(title, bars).toPngAsync();
}

/** The bar chart's canvas, not yet encoded. */
export function drawLoadBarChart(title: string, bars: readonly LoadBar[]): Raster {
  const L = LOAD_CHART_LAYOUT;
  const rows = bars.map((b) => ({
    name: b.name.trim() === '' ? '(no name)' : b.name,
    values: [count(b.inHours), count(b.outOfHours), count(b.night)] as const,
  }));
  const totals = rows.map((row) => row.values[0] + row.values[1] + row.values[2]);
  const grandTotal = totals.reduce((a, b) => a + b, 0);
  if (rows.length === 0 || grandTotal === 0) return emptyChart(L.width, title);

  const shown = rows.slice(0, L.maxRows);
  const hidden = rows.length - shown.length;
  const maxTotal = Math.max(...totals.slice(0, shown.length));
  const step = niceStep(maxTotal);
  const axisMax = Math.max(step, Math.ceil(maxTotal / step) * step);
  const plotWidth = L.plotRight - L.plotLeft;
  const xOf = (v: number) => Math.round(L.plotLeft + (v / axisMax) * plotWidth);

  const axisY = L.plotTop + shown.length * L.rowHeight + 4;
  const tickLabelY = axisY + 10;
  const axisTitleY = tickLabelY + 24;
  const moreY = axisTitleY + 28;
  const height = (hidden > 0 ? moreY + 16 : axisTitleY + 16) + PAD;
  const r = new Raster(L.width, height, COLORS.background);

  drawTitle(r, title);

  // Legend, with a summary on the right when it fits.
  const legendY = 62;
  let lx = PAD;
  for (const seg of SEGMENTS) {
    r.fillRect(lx, legendY, 16, 16, seg.color);
    lx += 16 + 8;
    lx += r.text(lx, legendY + 1, seg.label, COLORS.text, BODY_SCALE) + 24;
  }
  const people = `${rows.length} ${rows.length === 1 ? 'person' : 'people'}`;
  const summary = `${formatCount(grandTotal)} ${grandTotal === 1 ? 'page' : 'pages'}, ${people}`;
  const summaryW = r.textWidth(summary, BODY_SCALE);
  if (lx + summaryW <= L.width - PAD) {
    r.text(L.width - PAD - summaryW, legendY + 1, summary, COLORS.muted, BODY_SCALE);
  }

  // Grid lines and ticks.
  for (let v = 0; v <= axisMax; v += step) {
    const x = xOf(v);
    if (v > 0) r.fillRect(x, L.plotTop - 4, 1, axisY - L.plotTop + 4, COLORS.grid);
    r.fillRect(x, axisY, 1, 6, COLORS.axis);
    const label = formatCount(v);
    const w = r.textWidth(label, BODY_SCALE);
    const tx = Math.min(L.width - PAD - w, Math.max(PAD, x - Math.floor(w / 2)));
    r.text(tx, tickLabelY, label, COLORS.muted, BODY_SCALE);
  }
  r.fillRect(L.plotLeft, L.plotTop - 4, 1, axisY - L.plotTop + 5, COLORS.axis);
  r.fillRect(L.plotLeft, axisY, plotWidth + 1, 1, COLORS.axis);
  const axisTitle = 'pages';
  const axisTitleW = r.textWidth(axisTitle, BODY_SCALE);
  r.text(L.plotLeft + Math.round((plotWidth - axisTitleW) / 2), axisTitleY, axisTitle, COLORS.muted, BODY_SCALE);

  // Rows.
  const labelWidth = L.plotLeft - 10 - PAD;
  shown.forEach((row, i) => {
    const top = L.plotTop + i * L.rowHeight;
    const textY = top + L.barOffset + 1;
    const name = ellipsize(r, row.name, labelWidth, BODY_SCALE);
    r.text(L.plotLeft - 10 - r.textWidth(name, BODY_SCALE), textY, name, COLORS.text, BODY_SCALE);

    let cumulative = 0;
    SEGMENTS.forEach((seg, s) => {
      const value = row.values[s] ?? 0;
      const x0 = xOf(cumulative);
      cumulative += value;
      const x1 = xOf(cumulative);
      if (x1 <= x0) return;
      r.fillRect(x0, top + L.barOffset, x1 - x0, L.barHeight, seg.color);
      const label = formatCount(value);
      const w = r.textWidth(label, BODY_SCALE);
      if (w + 8 <= x1 - x0) r.text(x0 + Math.round((x1 - x0 - w) / 2), textY, label, seg.ink, BODY_SCALE);
    });
    const total = formatCount(totals[i] ?? 0);
    const totalX = Math.min(xOf(cumulative) + 6, L.width - PAD - r.textWidth(total, BODY_SCALE));
    r.text(totalX, textY, total, COLORS.text, BODY_SCALE);
  });

  if (hidden > 0) {
    r.text(PAD, moreY, `... and ${hidden} more not shown`, COLORS.muted, BODY_SCALE);
  }
  return r;
}

const HEAT_RAMP: readonly Rgb[] = [
  [254, 229, 217],
  [252, 174, 145],
  [251, 106, 74],
  [222, 45, 38],
  [165, 15, 21],
  [103, 0, 13],
];

/** Heatmap colour for `value` out of `max`: white for 0, then light → dark red. */
export function heatColor(value: number, max: number): Rgb {
  if (!(value > 0) || !(max > 0)) return COLORS.background;
  const t = Math.min(1, value / max);
  const pos = t * (HEAT_RAMP.length - 1);
  const i = Math.min(HEAT_RAMP.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = HEAT_RAMP[i] ?? COLORS.background;
  const b = HEAT_RAMP[i + 1] ?? a;
  const mix = (c: 0 | 1 | 2) => Math.round(a[c] + (b[c] - a[c]) * f);
  return [mix(0), mix(1), mix(2)];
}

function isDark(c: Rgb): boolean {
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] < 140;
}

/**
 * Week × hour heatmap: 7 rows (Mon..Sun) × 24 columns (00..23), each cell
 * shaded white → dark red by its count (and labelled with it), with a title, a
 * caption (e.g. the time zone) and a scale legend up to the maximum.
 * `cells[day][hour]`, day 0 = Monday; missing or invalid counts are 0. When
 * every cell is 0, returns a small "No pages in this period" image instead.
 * Returns PNG bytes.
 */
export function pagesHeatmap(title: string, cells: readonly (readonly number[])[], caption: string): Buffer {
  return drawPagesHeatmap(title, cells, caption).toPng();
}

/** pagesHeatmap, the same bytes, compressed off the bot's thread (Raster.toPngAsync). */
export function renderPagesHeatmap(
  title: string,
  cells: readonly (readonly number[])[],
  caption: string,
): Promise<Buffer> {
  return drawPagesHeatmap(title, cells, caption).toPngAsync();
}

/** The heatmap's canvas, not yet encoded. */
export function drawPagesHeatmap(title: string, cells: readonly (readonly number[])[], caption: string): Raster {
  const H = HEATMAP_LAYOUT;
  const grid = DAYS.map((_, d) => Array.from({ length: HOURS }, (_, h) => count(cells[d]?.[h])));
  const max = Math.max(...grid.flat());
  const gridWidth = HOURS * H.cellWidth;
  const width = H.gridLeft + gridWidth + PAD;
  if (max === 0) return emptyChart(width, title, caption);

  const gridBottom = H.gridTop + DAYS.length * H.cellHeight;
  const legendY = gridBottom + 18;
  const height = legendY + 18 + PAD;
  const r = new Raster(width, height, COLORS.background);

  drawTitle(r, title);
  r.text(PAD, 56, ellipsize(r, caption, width - 2 * PAD, BODY_SCALE), COLORS.muted, BODY_SCALE);

  for (let h = 0; h < HOURS; h++) {
    const label = String(h).padStart(2, '0');
    const w = r.textWidth(label, BODY_SCALE);
    r.text(
      H.gridLeft + h * H.cellWidth + Math.round((H.cellWidth - w) / 2),
      H.gridTop - 22,
      label,
      COLORS.muted,
      BODY_SCALE,
    );
  }

  // Grid background shows through 1 px gaps, so empty (white) cells stay visible.
  r.fillRect(H.gridLeft - 1, H.gridTop - 1, gridWidth + 1, gridBottom - H.gridTop + 1, COLORS.grid);
  grid.forEach((row, d) => {
    const top = H.gridTop + d * H.cellHeight;
    const day = DAYS[d] ?? '';
    r.text(
      H.gridLeft - 10 - r.textWidth(day, BODY_SCALE),
      top + Math.round((H.cellHeight - 14) / 2),
      day,
      COLORS.text,
      BODY_SCALE,
    );
    row.forEach((value, h) => {
      const left = H.gridLeft + h * H.cellWidth;
      const color = heatColor(value, max);
      r.fillRect(left, top, H.cellWidth - 1, H.cellHeight - 1, color);
      if (value === 0) return;
      const label = formatCount(value);
      const ink = isDark(color) ? COLORS.background : COLORS.text;
      const scale = r.textWidth(label, BODY_SCALE) <= H.cellWidth - 8 ? BODY_SCALE : 1;
      const w = r.textWidth(label, scale);
      if (w > H.cellWidth - 4) return; // too long to label legibly; the shade still shows it
      const th = 7 * scale; // digits sit on the baseline row; ignore the descender row
      r.text(
        left + Math.round((H.cellWidth - 1 - w) / 2),
        top + Math.round((H.cellHeight - 1 - th) / 2),
        label,
        ink,
        scale,
      );
    });
  });

  // Scale legend: "Pages per hour  0 [white → dark red] max".
  let x = H.gridLeft;
  x += r.text(x, legendY + 1, 'Pages per hour:', COLORS.muted, BODY_SCALE) + 12;
  x += r.text(x, legendY + 1, '0', COLORS.text, BODY_SCALE) + 8;
  const rampWidth = 240;
  if (max <= 12 && Number.isInteger(max)) {
    const block = Math.floor(rampWidth / (max + 1));
    for (let v = 0; v <= max; v++) r.fillRect(x + v * block, legendY, block, 16, heatColor(v, max));
    strokeRect(r, x - 1, legendY - 1, block * (max + 1) + 2, 18, COLORS.axis);
    x += block * (max + 1) + 8;
  } else {
    for (let i = 0; i < rampWidth; i++) r.fillRect(x + i, legendY, 1, 16, heatColor((i / (rampWidth - 1)) * max, max));
    strokeRect(r, x - 1, legendY - 1, rampWidth + 2, 18, COLORS.axis);
    x += rampWidth + 8;
  }
  r.text(x, legendY + 1, `${formatCount(max)} (max)`, COLORS.text, BODY_SCALE);
  return r;
}
