// A chart named by its builder and the builder's arguments: plain data, so it can be posted to the
// chart worker (an ECharts option may hold functions, which cannot cross threads) and used as the
// key of a rendered image.
import { groupedHoursChart, horizontalCountChart, weeklyIncidentsChart } from './insight-charts.ts';
import { loadBarChart, pagesHeatmap } from './load-charts.ts';
import type { Chart } from './render.ts';

const BUILDERS = {
  loadBar: loadBarChart,
  pagesHeatmap,
  weeklyIncidents: weeklyIncidentsChart,
  groupedHours: groupedHoursChart,
  horizontalCount: horizontalCountChart,
} as const;
type Builders = typeof BUILDERS;

export type ChartSpec = { [K in keyof Builders]: { builder: K; args: Parameters<Builders[K]> } }[keyof Builders];

/** The chart a spec names. */
export function chartOf(spec: ChartSpec): Chart {
  return (BUILDERS[spec.builder] as (...args: unknown[]) => Chart)(...spec.args);
}
