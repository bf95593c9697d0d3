// The insights' charts (the web view): incidents per week stacked by severity with the near misses
// beside them, the median durations by severity, and the contributing factors. Pure: an ECharts
// option and a size, drawn by render.ts. Colours from Okabe & Ito's palette; every axis named with its unit.
import { SEVERITIES, type Severity } from '../domain/severity.ts';
import { baseOption, CHART_COLORS, CHART_PAD, FONT_FAMILY, OKABE_ITO, type Chart } from './render.ts';

export const SEVERITY_COLORS: Record<Severity, string> = {
  SEV1: OKABE_ITO.vermillion,
  SEV2: OKABE_ITO.orange,
  SEV3: OKABE_ITO.reddishPurple,
  SEV4: OKABE_ITO.blue,
};
export const NEAR_MISS_COLOR = OKABE_ITO.skyBlue;

const WIDTH = 900;
const axisText = { fontFamily: FONT_FAMILY, color: CHART_COLORS.text, fontSize: 12 };
const axisName = { fontFamily: FONT_FAMILY, color: CHART_COLORS.muted, fontSize: 13 };
const axisLine = { lineStyle: { color: CHART_COLORS.axis } };
const splitLine = { lineStyle: { color: CHART_COLORS.grid } };
// Room between legend entries: ECharts measures the text itself, and a browser without DejaVu Sans
// draws it wider.
const legend = (top: number) => ({
  top,
  left: CHART_PAD,
  itemGap: 28,
  textStyle: { fontFamily: FONT_FAMILY, color: CHART_COLORS.text, fontSize: 13 },
});

/** Incidents per week (the Monday's date), stacked by severity, with the near misses as a bar of their own. */
export function weeklyIncidentsChart(
  title: string,
  subtitle: string,
  weeks: readonly { label: string; bySeverity: Record<Severity, number>; nearMisses: number }[],
): Chart {
  return {
    width: WIDTH,
    height: 420,
    option: {
      ...baseOption(WIDTH, title, subtitle),
      legend: legend(64),
      grid: { left: 64, right: CHART_PAD + 10, top: 110, bottom: 70 },
      xAxis: {
        type: 'category',
        data: weeks.map((w) => w.label),
        name: 'Week starting (Monday)',
        nameLocation: 'middle',
        nameGap: 48,
        nameTextStyle: axisName,
        axisLabel: { ...axisText, rotate: weeks.length > 14 ? 45 : 0 },
        axisLine,
      },
      yAxis: {
        type: 'value',
        name: 'Incidents',
        nameLocation: 'middle',
        nameGap: 44,
        nameTextStyle: axisName,
        minInterval: 1,
        axisLabel: axisText,
        splitLine,
      },
      series: [
        ...SEVERITIES.map((severity) => ({
          type: 'bar' as const,
          name: severity,
          stack: 'incidents',
          itemStyle: { color: SEVERITY_COLORS[severity] },
          data: weeks.map((w) => w.bySeverity[severity]),
        })),
        {
          type: 'bar' as const,
          name: 'Near misses',
          itemStyle: { color: NEAR_MISS_COLOR },
          data: weeks.map((w) => w.nearMisses),
        },
      ],
    },
  };
}

/** Grouped bars: per group (a severity), one bar per series (time to acknowledge, mitigate, resolve) in hours. */
export function groupedHoursChart(
  title: string,
  subtitle: string,
  groups: readonly string[],
  series: readonly { name: string; color: string; hours: readonly (number | null)[] }[],
): Chart {
  return {
    width: WIDTH,
    height: 400,
    option: {
      ...baseOption(WIDTH, title, subtitle),
      legend: legend(64),
      grid: { left: 72, right: CHART_PAD + 10, top: 110, bottom: 60 },
      xAxis: {
        type: 'category',
        data: [...groups],
        name: 'Severity',
        nameLocation: 'middle',
        nameGap: 34,
        nameTextStyle: axisName,
        axisLabel: axisText,
        axisLine,
      },
      yAxis: {
        type: 'value',
        name: 'Hours',
        nameLocation: 'middle',
        nameGap: 50,
        nameTextStyle: axisName,
        axisLabel: axisText,
        splitLine,
      },
      series: series.map((s) => ({
        type: 'bar' as const,
        name: s.name,
        itemStyle: { color: s.color },
        data: s.hours.map((h) => (h === null ? '-' : Math.round(h * 100) / 100)),
      })),
    },
  };
}

/** Horizontal bars, one per row (longest first), counted in `unit`. */
export function horizontalCountChart(
  title: string,
  subtitle: string,
  rows: readonly { label: string; count: number }[],
  unit: string,
): Chart {
  const shown = rows.slice(0, 20);
  return {
    width: WIDTH,
    height: Math.max(200, 130 + shown.length * 28),
    option: {
      ...baseOption(WIDTH, title, subtitle),
      grid: { left: 260, right: CHART_PAD + 20, top: 80, bottom: 50 },
      xAxis: {
        type: 'value',
        name: unit,
        nameLocation: 'middle',
        nameGap: 30,
        nameTextStyle: axisName,
        minInterval: 1,
        axisLabel: axisText,
        splitLine,
      },
      yAxis: {
        type: 'category',
        inverse: true,
        data: shown.map((r) => r.label),
        axisLabel: { ...axisText, width: 260 - CHART_PAD - 24, overflow: 'truncate', ellipsis: '…' },
        axisLine,
      },
      series: [
        {
          type: 'bar' as const,
          name: unit,
          itemStyle: { color: OKABE_ITO.blue },
          label: { show: true, position: 'right', fontFamily: FONT_FAMILY, color: CHART_COLORS.text },
          data: shown.map((r) => r.count),
        },
      ],
    },
  };
}
