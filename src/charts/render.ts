// The one chart renderer, for the web and for Slack: a chart is an ECharts option (built by pure
// functions, e.g. load-charts.ts) and a size; ECharts' server-side renderer turns it into an SVG
// string (for a web page), and resvg turns that SVG into a PNG (for Slack) with the DejaVu Sans
// font shipped in the dejavu-fonts-ttf package, so any name (Zoë, Łukasz) is drawn the same on
// every host, whatever fonts it has.
//
// ECharts and resvg are loaded on first render, not when this module is imported: the bot renders
// charts on a worker thread (render-off-thread.ts), so its own thread never loads them.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { EChartsOption } from 'echarts';

export type { EChartsOption };

/** A chart to render: its ECharts option and its size in CSS pixels (the PNG's size at scale 1). */
export interface Chart {
  width: number;
  height: number;
  option: EChartsOption;
}

/** The font every chart's text is set in: the only font resvg is given. */
export const FONT_FAMILY = 'DejaVu Sans';

/** Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/). */
export const OKABE_ITO = {
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
  black: '#000000',
} as const;

export const CHART_COLORS = {
  background: '#ffffff',
  text: '#222222',
  muted: '#555555',
  grid: '#e0e0e0',
  axis: '#888888',
} as const;

/** Series colours in order (yellow last: weakest against white). */
export const PALETTE = [
  OKABE_ITO.blue,
  OKABE_ITO.orange,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.vermillion,
  OKABE_ITO.black,
  OKABE_ITO.yellow,
] as const;

/** Left and right margin of every chart, in px. */
export const CHART_PAD = 20;

/**
 * What every chart shares: white background, DejaVu Sans, the palette, no animation, and a title
 * (bold, cut with "…" to the chart's width) with an optional subtitle.
 */
export function baseOption(width: number, title: string, subtitle?: string): EChartsOption {
  return {
    animation: false,
    backgroundColor: CHART_COLORS.background,
    color: [...PALETTE],
    textStyle: { fontFamily: FONT_FAMILY, color: CHART_COLORS.text },
    title: {
      text: title,
      subtext: subtitle ?? '',
      left: CHART_PAD,
      top: 14,
      itemGap: 8,
      textStyle: {
        fontFamily: FONT_FAMILY,
        fontSize: 18,
        fontWeight: 'bold',
        color: CHART_COLORS.text,
        width: width - 2 * CHART_PAD,
        overflow: 'truncate',
        ellipsis: '…',
      },
      subtextStyle: {
        fontFamily: FONT_FAMILY,
        fontSize: 13,
        color: CHART_COLORS.muted,
        width: width - 2 * CHART_PAD,
        overflow: 'truncate',
        ellipsis: '…',
      },
    },
  };
}

type Libraries = {
  echarts: typeof import('echarts/core');
  resvg: typeof import('@resvg/resvg-js');
};

let libraries: Promise<Libraries> | undefined;

/**
 * ECharts' core with only what our charts use (bar, heatmap, grid, title, legend, continuous
 * visual map, graphic, the SVG renderer): about half the memory of the whole library.
 */
async function loadEcharts(): Promise<Libraries['echarts']> {
  const [core, renderers] = await Promise.all([
    import('echarts/core'),
    import('echarts/renderers'),
    // Each of these registers itself with the core when loaded.
    import('echarts/lib/chart/bar.js'),
    import('echarts/lib/chart/heatmap.js'),
    import('echarts/lib/component/grid.js'),
    import('echarts/lib/component/title.js'),
    import('echarts/lib/component/legend.js'),
    import('echarts/lib/component/visualMap.js'),
    import('echarts/lib/component/graphic.js'),
  ]);
  core.use([renderers.SVGRenderer]);
  return core;
}

function load(): Promise<Libraries> {
  libraries ??= Promise.all([loadEcharts(), import('@resvg/resvg-js')]).then(([echarts, resvg]) => ({
    echarts,
    resvg,
  }));
  return libraries;
}

const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
/** The font files resvg draws text with (DejaVu Sans, regular and bold). */
export const FONT_FILES = [join(fontDir, 'DejaVuSans.ttf'), join(fontDir, 'DejaVuSans-Bold.ttf')] as const;

function checkSize(chart: Chart): void {
  for (const v of [chart.width, chart.height]) {
    if (!Number.isInteger(v) || v < 1 || v > 6000) {
      throw new RangeError(`a chart's size must be whole pixels from 1 to 6000, got ${chart.width}×${chart.height}`);
    }
  }
}

function svgOf(echarts: Libraries['echarts'], chart: Chart): string {
  checkSize(chart);
  const instance = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: chart.width,
    height: chart.height,
  });
  try {
    instance.setOption(chart.option);
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}

/** The chart as a standalone SVG document (text as <text>, escaped by ECharts). */
export async function renderSvg(chart: Chart): Promise<string> {
  return svgOf((await load()).echarts, chart);
}

/** Where resvg rasterises: on libuv's thread pool (the default), or on the calling thread. */
export type RasteriseOn = 'thread-pool' | 'this-thread';

/**
 * The chart as PNG bytes, `scale` times its size (1 by default), text in DejaVu Sans. The SVG is
 * made on this thread; resvg rasterises and encodes it on libuv's thread pool, or on this thread
 * when asked (a worker thread: the process's small thread pool stays free for file and DNS work).
 * The same bytes either way.
 */
export async function renderPng(chart: Chart, scale = 1, on: RasteriseOn = 'thread-pool'): Promise<Buffer> {
  const { echarts, resvg } = await load();
  const svg = svgOf(echarts, chart);
  const options = {
    font: { fontFiles: [...FONT_FILES], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'width' as const, value: Math.round(chart.width * scale) },
    background: CHART_COLORS.background,
  };
  const image = on === 'this-thread' ? new resvg.Resvg(svg, options).render() : await resvg.renderAsync(svg, options);
  return image.asPng();
}
