// The on-call load report's charts as ECharts options: pure, so their content is checked here
// directly (titles, axis names, series data equal to the report's figures); render.test.ts checks
// what the renderer makes of an option (SVG, PNG).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DAYS,
  EMPTY_MESSAGE,
  HEAT_RAMP,
  heatColor,
  LOAD_CHART_LAYOUT,
  loadBarChart,
  pagesHeatmap,
  SEGMENTS,
  type LoadBar,
} from '../../src/charts/load-charts.ts';
import { FONT_FAMILY, OKABE_ITO, renderSvg, type Chart } from '../../src/charts/render.ts';

const bar = (name: string, inHours: number, outOfHours = 0, night = 0): LoadBar => ({
  name,
  inHours,
  outOfHours,
  night,
});

// The option's parts, loosely typed: ECharts' option type is a wide union.
type Any = any;
const opt = (c: Chart) => c.option as Any;
const seriesData = (c: Chart, i: number): number[] =>
  opt(c).series[i].data.map((d: Any) => (typeof d === 'object' ? d.value : d));
const shownLabels = (c: Chart, i: number): (string | null)[] =>
  opt(c).series[i].data.map((d: Any) => (d.label.show ? d.label.formatter : null));

describe('loadBarChart', () => {
  test('a title with the totals, a legend of the three kinds, x axis named Pages, DejaVu Sans', () => {
    const c = loadBarChart('Pages per person - Ops, last 30 days', [bar('Ann', 3, 2, 1), bar('Bob', 1)]);
    const o = opt(c);
    assert.equal(c.width, LOAD_CHART_LAYOUT.width);
    assert.equal(o.title.text, 'Pages per person - Ops, last 30 days');
    assert.equal(o.title.subtext, '7 pages, 2 people');
    assert.deepEqual(o.legend.data, ['In hours', 'Out of hours', 'Night']);
    assert.equal(o.xAxis.name, 'Pages');
    assert.equal(o.textStyle.fontFamily, FONT_FAMILY);
    assert.equal(o.animation, false);
    assert.equal(o.backgroundColor, '#ffffff');
    assert.deepEqual(
      o.series.map((s: Any) => [s.type, s.name, s.stack, s.itemStyle.color]),
      [
        ['bar', 'In hours', 'pages', OKABE_ITO.bluishGreen],
        ['bar', 'Out of hours', 'pages', OKABE_ITO.orange],
        ['bar', 'Night', 'pages', OKABE_ITO.blue],
      ],
    );
    assert.equal(opt(loadBarChart('t', [bar('Ann', 1)])).title.subtext, '1 page, 1 person');
  });

  test('one row per person in the order given, each segment the report’s count, totals on the right', () => {
    const c = loadBarChart('Pages', [bar('Few', 5, 1, 1), bar('Many', 20, 6, 4), bar('Some', 10, 3, 2.5)]);
    const o = opt(c);
    assert.deepEqual(o.yAxis[0].data, ['Few', 'Many', 'Some']);
    assert.equal(o.yAxis[0].inverse, true, 'the first person on top');
    assert.deepEqual(seriesData(c, 0), [5, 20, 10]);
    assert.deepEqual(seriesData(c, 1), [1, 6, 3]);
    assert.deepEqual(seriesData(c, 2), [1, 4, 2.5]);
    assert.deepEqual(o.yAxis[1].data, ['7', '30', '15.5']);
    assert.equal(o.xAxis.min, 0);
    assert.ok(o.xAxis.max >= 30 && o.xAxis.max <= 40, `axis max ${o.xAxis.max}`);
    assert.equal(o.xAxis.max % o.xAxis.interval, 0, 'whole ticks');
  });

  test('a segment is labelled with its count only where the count fits inside it', () => {
    const c = loadBarChart('Pages', [bar('Ann', 100, 1, 0), bar('Bob', 40, 0, 60)]);
    assert.deepEqual(shownLabels(c, 0), ['100', '40']);
    assert.deepEqual(shownLabels(c, 1), [null, null], 'a 1 in 100 is too narrow; a 0 has no label');
    assert.deepEqual(shownLabels(c, 2), [null, '60']);
  });

  test('200 people: 40 rows shown, "… and 160 more not shown", a height that fits them', () => {
    const bars = Array.from({ length: 200 }, (_, i) => bar(`Person ${i}`, 1 + (i % 9), i % 3, i % 2));
    const c = loadBarChart('Everyone', bars);
    const L = LOAD_CHART_LAYOUT;
    assert.equal(opt(c).yAxis[0].data.length, L.maxRows);
    assert.equal(seriesData(c, 0).length, L.maxRows);
    assert.equal(opt(c).graphic[0].style.text, '… and 160 more not shown');
    assert.equal(opt(c).title.subtext.endsWith('200 people'), true);
    assert.ok(c.height >= L.plotTop + L.maxRows * L.rowHeight && c.height <= L.plotTop + L.maxRows * L.rowHeight + 120);
    assert.equal(loadBarChart('x', bars.slice(0, 3)).option.graphic, undefined, 'no note when all are shown');
  });

  test('long names and titles are cut with an ellipsis to the space they have', () => {
    const o = opt(loadBarChart('t', [bar('Ann', 1)]));
    assert.equal(o.yAxis[0].axisLabel.overflow, 'truncate');
    assert.ok(o.yAxis[0].axisLabel.width <= LOAD_CHART_LAYOUT.plotLeft - 30);
    assert.equal(o.title.textStyle.overflow, 'truncate');
    assert.equal(o.title.textStyle.width, LOAD_CHART_LAYOUT.width - 40);
  });

  test('negative and non-finite counts count as zero; a blank name is "(no name)"', () => {
    const c = loadBarChart('Pages', [bar('Odd', -5, Number.NaN, Number.POSITIVE_INFINITY), bar(' ', 4)]);
    assert.deepEqual(seriesData(c, 0), [0, 4]);
    assert.deepEqual(seriesData(c, 1), [0, 0]);
    assert.deepEqual(seriesData(c, 2), [0, 0]);
    assert.deepEqual(opt(c).yAxis[0].data, ['Odd', '(no name)']);
  });

  test('no pages at all: a small chart with the title and "No pages in this period", no bars', async () => {
    for (const bars of [[], [bar('Ann', 0), bar('Bob', 0)]]) {
      const c = loadBarChart('Pages this week', bars);
      assert.equal(c.width, LOAD_CHART_LAYOUT.width);
      assert.ok(c.height >= 100 && c.height <= 250);
      assert.equal(opt(c).title.text, 'Pages this week');
      assert.equal(opt(c).series, undefined);
      assert.ok(opt(c).graphic.some((g: Any) => g.style?.text === EMPTY_MESSAGE));
    }
    assert.ok((await renderSvg(loadBarChart('t', []))).includes(EMPTY_MESSAGE));
  });

  test('the segment colours are three different Okabe–Ito colours', () => {
    const colors = SEGMENTS.map((s) => s.color);
    assert.equal(new Set(colors).size, 3);
    for (const c of colors) assert.ok((Object.values(OKABE_ITO) as string[]).includes(c));
  });
});

function emptyWeek(): number[][] {
  return Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
}

/** The heatmap's cells back as [hour, day, count]. */
const cellsOf = (c: Chart): [number, number, number][] => opt(c).series[0].data.map((d: Any) => d.value);

describe('pagesHeatmap', () => {
  test('7 weekdays × 24 hours, axes named, the caption under the title, a scale in pages per hour', () => {
    const cells = emptyWeek();
    cells[0]![0] = 1;
    const c = pagesHeatmap('When', cells, 'Hours in Europe/London');
    const o = opt(c);
    assert.deepEqual(o.yAxis.data, [...DAYS]);
    assert.equal(o.yAxis.name, 'Weekday');
    assert.deepEqual(
      o.xAxis.data,
      Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')),
    );
    assert.equal(o.xAxis.name, 'Hour of day');
    assert.equal(o.title.text, 'When');
    assert.equal(o.title.subtext, 'Hours in Europe/London');
    assert.equal(o.series[0].name, 'Pages per hour');
    assert.ok(o.visualMap.text.some((t: string) => t.startsWith('Pages per hour')));
    assert.deepEqual(o.visualMap.inRange.color, [...HEAT_RAMP]);
    assert.ok(c.width <= 1000 && c.height <= 500);
  });

  test('every cell is the report’s count, the scale runs from 0 to the maximum', () => {
    const cells = emptyWeek();
    cells[2]![14] = 9;
    cells[2]![13] = 5;
    cells[6]![23] = 8;
    const c = pagesHeatmap('When', cells, 'UTC');
    const back = cellsOf(c);
    assert.equal(back.length, 7 * 24);
    for (const [h, d, v] of back) assert.equal(v, cells[d]![h], `day ${d} hour ${h}`);
    assert.equal(opt(c).visualMap.min, 0);
    assert.equal(opt(c).visualMap.max, 9);
    assert.equal(opt(c).visualMap.text[0], '9 (max)');
    const labels = opt(c)
      .series[0].data.filter((d: Any) => d.label.show)
      .map((d: Any) => d.label.formatter);
    assert.deepEqual(labels.sort(), ['5', '8', '9'], 'non-empty cells labelled with their count');
  });

  test('heatColor: white for 0, darker for more, the darkest at the max', () => {
    assert.equal(heatColor(0, 10), '#ffffff');
    const lum = (hex: string) => {
      const n = Number.parseInt(hex.slice(1), 16);
      return 0.2126 * ((n >> 16) & 255) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255);
    };
    let previous = 256;
    for (let v = 0; v <= 10; v += 2) {
      assert.ok(lum(heatColor(v, 10)) < previous, `value ${v}`);
      previous = lum(heatColor(v, 10));
    }
    assert.equal(heatColor(10, 10), HEAT_RAMP[HEAT_RAMP.length - 1]);
  });

  test('ragged or invalid rows count as zero', () => {
    const c = pagesHeatmap('When', [[4], [], [Number.NaN, -1, 2]], 'UTC');
    const at = (d: number, h: number) => cellsOf(c).find(([x, y]) => x === h && y === d)![2];
    assert.deepEqual([at(0, 0), at(2, 0), at(2, 1), at(2, 2), at(6, 23)], [4, 0, 0, 2, 0]);
  });

  test('no pages (zero, empty or invalid input): a small chart saying so', () => {
    for (const cells of [emptyWeek(), [], [[Number.NaN, -3]]]) {
      const c = pagesHeatmap('When pages landed', cells, 'Times in UTC');
      assert.ok(c.height >= 100 && c.height <= 250);
      assert.equal(opt(c).title.subtext, 'Times in UTC');
      assert.equal(opt(c).series, undefined);
      assert.ok(opt(c).graphic.some((g: Any) => g.style?.text === EMPTY_MESSAGE));
    }
  });
});
