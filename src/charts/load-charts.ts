/**
 * The on-call load report's charts, as ECharts options (pure: rendered by render.ts, to SVG for the
 * web and PNG for Slack): a stacked horizontal bar chart of pages per person (in hours, out of
 * hours, at night), and a week × hour heatmap of when pages land.
 *
 * The bar segments use Okabe & Ito's colour-blind-safe palette; the heatmap a single-hue white →
 * dark red ramp, so neither chart depends on telling red from green.
 */
import {
  type Chart,
  CHART_COLORS,
  CHART_PAD,
  type EChartsOption,
  FONT_FAMILY,
  OKABE_ITO,
  baseOption,
} from './render.ts';

export interface LoadBar {
  name: string;
  /** Pages during working hours. */
  inHours: number;
  /** Pages outside working hours but not at night. */
  outOfHours: number;
  /** Pages at night. The three counts are disjoint; a bar's length is their sum. */
  night: number;
}

/** The bar segments, in stacking order. */
export const SEGMENTS = [
  { key: 'inHours', label: 'In hours', color: OKABE_ITO.bluishGreen },
  { key: 'outOfHours', label: 'Out of hours', color: OKABE_ITO.orange },
  { key: 'night', label: 'Night', color: OKABE_ITO.blue },
] as const satisfies readonly { key: keyof LoadBar; label: string; color: string }[];

export const EMPTY_MESSAGE = 'No pages in this period';

/** Geometry of the bar chart (px). */
export const LOAD_CHART_LAYOUT = {
  width: 900,
  /** y of the first row's top edge. */
  plotTop: 100,
  /** Left edge of the bars (value 0); names are right-aligned before it. */
  plotLeft: 240,
  /** Right edge of the plot; the totals are written after it. */
  plotRight: 830,
  rowHeight: 24,
  barHeight: 16,
  /** Below the last row: tick labels and the axis name. */
  bottom: 60,
  maxRows: 40,
} as const;

/** Geometry of the heatmap (px). */
export const HEATMAP_LAYOUT = {
  /** Left edge of the hour-00 column. */
  gridLeft: 76,
  /** Top edge of the Monday row. */
  gridTop: 120,
  cellWidth: 34,
  cellHeight: 30,
  /** Below the grid: the scale legend. */
  bottom: 70,
} as const;

export const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const HOURS = 24;

/** The heatmap's ramp, white for 0 then ColorBrewer Reds light → dark. */
export const HEAT_RAMP = ['#ffffff', '#fee5d9', '#fcae91', '#fb6a4a', '#de2d26', '#a50f15', '#67000d'] as const;

/** A count as a finite, non-negative number (anything else counts as 0). */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

export function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** A step of 1, 2 or 5 × 10^k giving about `target` ticks up to `max` (whole numbers only). */
export function niceStep(max: number, target = 5): number {
  const raw = max / target;
  if (raw <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return nice * magnitude;
}

/** A small chart with the title, an optional caption and "No pages in this period". */
function emptyChart(width: number, title: string, caption?: string): Chart {
  const height = 170;
  return {
    width,
    height,
    option: {
      ...baseOption(width, title, caption),
      graphic: [
        {
          type: 'rect',
          left: CHART_PAD,
          top: 88,
          shape: { width: width - 2 * CHART_PAD, height: 60 },
          style: { fill: CHART_COLORS.background, stroke: CHART_COLORS.grid },
        },
        {
          type: 'text',
          left: 'center',
          top: 108,
          style: { text: EMPTY_MESSAGE, fontFamily: FONT_FAMILY, fontSize: 16, fill: CHART_COLORS.muted },
        },
      ],
    },
  };
}

/**
 * Horizontal stacked bar chart: one row per person (at most 40, then "… and N more not shown"), in
 * the order given, each bar split into in-hours, out-of-hours and night segments (labelled with
 * their count where it fits), each person's total on the right, a legend, a title with the
 * number of pages and people, and an x axis named "Pages". 900 px wide. With no pages at all, a
 * small "No pages in this period" chart instead.
 */
export function loadBarChart(title: string, bars: readonly LoadBar[]): Chart {
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
  const plotHeight = shown.length * L.rowHeight;
  const height = L.plotTop + plotHeight + L.bottom + (hidden > 0 ? 28 : 0);
  const people = `${rows.length} ${rows.length === 1 ? 'person' : 'people'}`;
  const summary = `${formatCount(grandTotal)} ${grandTotal === 1 ? 'page' : 'pages'}, ${people}`;
  /** A segment's label is shown when the count fits inside it (about 8 px a digit, 8 px spare). */
  const fits = (value: number) => (value / axisMax) * plotWidth >= formatCount(value).length * 8 + 8;

  const option: EChartsOption = {
    ...baseOption(L.width, title, summary),
    legend: {
      show: true,
      top: 62,
      right: CHART_PAD,
      itemWidth: 16,
      itemHeight: 12,
      itemGap: 20,
      textStyle: { fontFamily: FONT_FAMILY, color: CHART_COLORS.text, fontSize: 13 },
      data: SEGMENTS.map((s) => s.label),
    },
    grid: { left: L.plotLeft, top: L.plotTop, width: plotWidth, height: plotHeight },
    xAxis: {
      type: 'value',
      name: 'Pages',
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: { fontFamily: FONT_FAMILY, color: CHART_COLORS.muted, fontSize: 13 },
      min: 0,
      max: axisMax,
      interval: step,
      axisLine: { show: true, lineStyle: { color: CHART_COLORS.axis } },
      axisTick: { show: true },
      axisLabel: { fontFamily: FONT_FAMILY, color: CHART_COLORS.muted, formatter: (v: number) => formatCount(v) },
      splitLine: { lineStyle: { color: CHART_COLORS.grid } },
    },
    yAxis: [
      {
        type: 'category',
        inverse: true,
        data: shown.map((r) => r.name),
        axisLine: { lineStyle: { color: CHART_COLORS.axis } },
        axisTick: { show: false },
        axisLabel: {
          fontFamily: FONT_FAMILY,
          color: CHART_COLORS.text,
          fontSize: 13,
          // ECharts estimates text widths without the font; DejaVu Sans runs up to ~15% wider.
          width: Math.floor((L.plotLeft - 10 - CHART_PAD) * 0.85),
          overflow: 'truncate',
          ellipsis: '…',
        },
      },
      {
        // The totals, one per row, on the right.
        type: 'category',
        inverse: true,
        position: 'right',
        data: totals.slice(0, shown.length).map(formatCount),
        axisLine: { show: false },
        axisTick: { show: false },
        axisLabel: { fontFamily: FONT_FAMILY, color: CHART_COLORS.text, fontSize: 13, fontWeight: 'bold' },
      },
    ],
    series: SEGMENTS.map((seg, s) => ({
      type: 'bar' as const,
      name: seg.label,
      stack: 'pages',
      barWidth: L.barHeight,
      itemStyle: { color: seg.color },
      label: {
        position: 'inside' as const,
        fontFamily: FONT_FAMILY,
        fontSize: 12,
        color: seg.key === 'outOfHours' ? CHART_COLORS.text : '#ffffff',
      },
      data: shown.map((r) => {
        const value = r.values[s] ?? 0;
        return { value, label: { show: value > 0 && fits(value), formatter: formatCount(value) } };
      }),
    })),
  };
  if (hidden > 0) {
    option.graphic = [
      {
        type: 'text',
        left: CHART_PAD,
        top: L.plotTop + plotHeight + L.bottom,
        style: {
          text: `… and ${hidden} more not shown`,
          fontFamily: FONT_FAMILY,
          fontSize: 13,
          fill: CHART_COLORS.muted,
        },
      },
    ];
  }
  return { width: L.width, height, option };
}

/** The relative luminance-ish lightness of a #rrggbb colour, 0-255. */
function lightness(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * ((n >> 16) & 255) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255);
}

/** The ramp's colour for `value` out of `max` (the nearest step; 0 is white). */
export function heatColor(value: number, max: number): string {
  if (!(value > 0) || !(max > 0)) return HEAT_RAMP[0];
  const steps = HEAT_RAMP.length - 1;
  const i = Math.max(1, Math.min(steps, Math.round((value / max) * steps)));
  return HEAT_RAMP[i] ?? HEAT_RAMP[6];
}

/**
 * Week × hour heatmap: 7 rows (Mon..Sun) × 24 columns (00..23), each cell shaded white → dark red
 * by its count and labelled with it, with a title, a caption (e.g. the time zone), axes named
 * "Hour of day" and "Weekday", and a scale legend in pages per hour up to the maximum.
 * `cells[day][hour]`, day 0 = Monday; missing or invalid counts are 0. When every cell is 0, a
 * small "No pages in this period" chart instead.
 */
export function pagesHeatmap(title: string, cells: readonly (readonly number[])[], caption: string): Chart {
  const H = HEATMAP_LAYOUT;
  const grid = DAYS.map((_, d) => Array.from({ length: HOURS }, (_, h) => count(cells[d]?.[h])));
  const max = Math.max(...grid.flat());
  const gridWidth = HOURS * H.cellWidth;
  const gridHeight = DAYS.length * H.cellHeight;
  const width = H.gridLeft + gridWidth + CHART_PAD;
  if (max === 0) return emptyChart(width, title, caption);
  const height = H.gridTop + gridHeight + H.bottom;
  const axisText = { fontFamily: FONT_FAMILY, color: CHART_COLORS.muted, fontSize: 12 };

  const option: EChartsOption = {
    ...baseOption(width, title, caption),
    grid: { left: H.gridLeft, top: H.gridTop, width: gridWidth, height: gridHeight },
    xAxis: {
      type: 'category',
      position: 'top',
      name: 'Hour of day',
      nameLocation: 'middle',
      nameGap: 26,
      nameTextStyle: axisText,
      data: Array.from({ length: HOURS }, (_, h) => String(h).padStart(2, '0')),
      axisLabel: axisText,
      axisTick: { show: false },
      axisLine: { show: false },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      name: 'Weekday',
      nameLocation: 'middle',
      nameGap: 50,
      nameTextStyle: axisText,
      data: [...DAYS],
      axisLabel: { ...axisText, color: CHART_COLORS.text },
      axisTick: { show: false },
      axisLine: { show: false },
    },
    visualMap: {
      type: 'continuous',
      min: 0,
      max,
      calculable: false,
      orient: 'horizontal',
      left: H.gridLeft,
      top: H.gridTop + gridHeight + 24,
      itemWidth: 14,
      itemHeight: 240,
      text: [`${formatCount(max)} (max)`, 'Pages per hour: 0'],
      textStyle: { fontFamily: FONT_FAMILY, color: CHART_COLORS.text, fontSize: 13 },
      inRange: { color: [...HEAT_RAMP] },
    },
    series: [
      {
        type: 'heatmap',
        name: 'Pages per hour',
        itemStyle: { borderColor: CHART_COLORS.grid, borderWidth: 1 },
        data: grid.flatMap((row, d) =>
          row.map((value, h) => ({
            value: [h, d, value],
            label: {
              show: value > 0,
              formatter: formatCount(value),
              fontFamily: FONT_FAMILY,
              fontSize: formatCount(value).length > 3 ? 9 : 12,
              color: lightness(heatColor(value, max)) < 140 ? '#ffffff' : CHART_COLORS.text,
            },
          })),
        ),
      },
    ],
  };
  return { width, height, option };
}
