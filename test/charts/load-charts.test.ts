import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import {
  COLORS,
  ellipsize,
  HEATMAP_LAYOUT,
  heatColor,
  LOAD_CHART_LAYOUT,
  loadBarChart,
  pagesHeatmap,
  type LoadBar,
} from '../../src/charts/load-charts.ts';
import { Raster, type Rgb } from '../../src/charts/png.ts';

interface Image {
  width: number;
  height: number;
  pixel(x: number, y: number): Rgb;
}

/** Minimal decoder for the encoder's output (IHDR, one IDAT, IEND; filter 0). png.test.ts checks the format in depth. */
function decode(png: Buffer): Image {
  assert.equal(png.toString('latin1', 1, 4), 'PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  let idat = Buffer.alloc(0);
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.deepEqual([data[8], data[9]], [8, 2]);
    } else if (type === 'IDAT') {
      idat = Buffer.concat([idat, data]);
    }
    off += 12 + len;
  }
  const raw = inflateSync(idat);
  const stride = 1 + width * 3;
  assert.equal(raw.length, height * stride);
  return {
    width,
    height,
    pixel(x, y) {
      const i = y * stride + 1 + x * 3;
      return [raw[i]!, raw[i + 1]!, raw[i + 2]!];
    },
  };
}

const same = (a: Rgb, b: Rgb) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
const SEGMENT_COLORS = [COLORS.inHours, COLORS.outOfHours, COLORS.night] as const;

/** Pixels of each segment colour in rows [y0, y1) of the image. */
function segmentPixels(img: Image, y0: number, y1: number): [number, number, number] {
  const counts: [number, number, number] = [0, 0, 0];
  for (let y = Math.max(0, y0); y < Math.min(img.height, y1); y++) {
    for (let x = 0; x < img.width; x++) {
      const p = img.pixel(x, y);
      if (same(p, SEGMENT_COLORS[0])) counts[0]++;
      else if (same(p, SEGMENT_COLORS[1])) counts[1]++;
      else if (same(p, SEGMENT_COLORS[2])) counts[2]++;
    }
  }
  return counts;
}

/** Segment-colour pixels in chart row `i` (0-based). */
function rowPixels(img: Image, i: number): [number, number, number] {
  const top = LOAD_CHART_LAYOUT.plotTop + i * LOAD_CHART_LAYOUT.rowHeight;
  return segmentPixels(img, top, top + LOAD_CHART_LAYOUT.rowHeight);
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function countMatching(img: Image, pred: (p: Rgb, x: number, y: number) => boolean): number {
  let n = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) if (pred(img.pixel(x, y), x, y)) n++;
  return n;
}

const bar = (name: string, inHours: number, outOfHours = 0, night = 0): LoadBar => ({
  name,
  inHours,
  outOfHours,
  night,
});

describe('loadBarChart', () => {
  test('has the documented width and a height that fits its rows', () => {
    const img = decode(loadBarChart('Pages', [bar('Ann', 3, 2, 1), bar('Bob', 1)]));
    assert.equal(img.width, LOAD_CHART_LAYOUT.width);
    assert.ok(img.height > LOAD_CHART_LAYOUT.plotTop + 2 * LOAD_CHART_LAYOUT.rowHeight, `height ${img.height}`);
    assert.ok(img.height < 300, `height ${img.height}`);
  });

  test('a person with more pages gets a longer bar, in the order given', () => {
    const img = decode(loadBarChart('Pages', [bar('Few', 5, 1, 1), bar('Many', 20, 6, 4), bar('Some', 10, 3, 2)]));
    const [few, many, some] = [0, 1, 2].map((i) => sum(rowPixels(img, i)));
    assert.ok(many! > some!, `many ${many} > some ${some}`);
    assert.ok(some! > few!, `some ${some} > few ${few}`);
    assert.ok(few! > 0);
    // Bar length is proportional to the total: Many (30) is about 4.3× Few (7).
    assert.ok(many! / few! > 3.5 && many! / few! < 5.5, `ratio ${many! / few!}`);
  });

  test('draws each kind of page in its own colour, proportionally', () => {
    const img = decode(
      loadBarChart('Pages', [bar('Day', 12), bar('Evening', 0, 12), bar('Night', 0, 0, 12), bar('Mixed', 2, 4, 6)]),
    );
    const [day, evening, night, mixed] = [0, 1, 2, 3].map((i) => rowPixels(img, i));
    assert.ok(day![0] > 0 && day![1] === 0 && day![2] === 0, `day ${day}`);
    assert.ok(evening![0] === 0 && evening![1] > 0 && evening![2] === 0, `evening ${evening}`);
    assert.ok(night![0] === 0 && night![1] === 0 && night![2] > 0, `night ${night}`);
    assert.ok(mixed![0] > 0 && mixed![0] < mixed![1] && mixed![1] < mixed![2], `mixed ${mixed}`);
  });

  test('the legend shows all three colours above the plot', () => {
    const img = decode(loadBarChart('Pages', [bar('Ann', 1)]));
    const legend = segmentPixels(img, 0, LOAD_CHART_LAYOUT.plotTop - 4);
    assert.ok(
      legend.every((n) => n >= 100),
      `legend swatches ${legend}`,
    );
  });

  test('renders a readable "no pages" image for empty or all-zero input', () => {
    for (const bars of [[], [bar('Ann', 0), bar('Bob', 0)]]) {
      const img = decode(loadBarChart('Pages this week', bars));
      assert.equal(img.width, LOAD_CHART_LAYOUT.width);
      assert.ok(img.height >= 100 && img.height <= 250, `height ${img.height}`);
      assert.deepEqual(segmentPixels(img, 0, img.height), [0, 0, 0], 'no bars or legend');
      const ink = countMatching(img, (p) => same(p, COLORS.text) || same(p, COLORS.muted));
      assert.ok(ink > 500, `title and message are drawn (${ink} text pixels)`);
    }
    // The empty image differs from one with a single page.
    assert.notDeepEqual(loadBarChart('t', []), loadBarChart('t', [bar('Ann', 1)]));
  });

  test('200 people: shows 40 rows, stays within a sensible height', () => {
    const bars = Array.from({ length: 200 }, (_, i) => bar(`Person ${i}`, 1 + (i % 9), i % 3, i % 2));
    const img = decode(loadBarChart('Everyone', bars));
    const L = LOAD_CHART_LAYOUT;
    assert.ok(img.height <= L.plotTop + L.maxRows * L.rowHeight + 120, `height ${img.height}`);
    for (let i = 0; i < L.maxRows; i++) assert.ok(sum(rowPixels(img, i)) > 0, `row ${i} has a bar`);
    const below = segmentPixels(img, L.plotTop + L.maxRows * L.rowHeight, img.height);
    assert.deepEqual(below, [0, 0, 0], 'nothing is drawn as a 41st bar');
    // The "and 160 more" note sits below the axis labels.
    const notes = countMatching(
      img,
      (p, _x, y) => y > L.plotTop + L.maxRows * L.rowHeight + 50 && same(p, COLORS.muted),
    );
    assert.ok(notes > 100, `"and N more" note drawn (${notes} pixels)`);
  });

  test('long names and titles are cut with an ellipsis and stay inside the image', () => {
    const long = 'Bartholomew Maximilian Featherstonehaugh-Cholmondeley the Third';
    const img = decode(loadBarChart(`${long} ${long}`, [bar(long, 3)]));
    const margin = 20;
    const outside = countMatching(
      img,
      (p, x) => (x < margin || x >= img.width - margin) && !same(p, COLORS.background),
    );
    assert.equal(outside, 0, 'no ink in the left and right margins');
    const r = new Raster(10, 10, COLORS.background);
    const cut = ellipsize(r, long, 200, 2);
    assert.ok(cut.endsWith('...'), cut);
    assert.ok(r.textWidth(cut, 2) <= 200);
    assert.ok(cut.length > 10, 'keeps as much of the name as fits');
    assert.equal(ellipsize(r, 'Ann', 200, 2), 'Ann', 'short names are untouched');
  });

  test('treats negative and non-finite counts as zero', () => {
    const img = decode(loadBarChart('Pages', [bar('Odd', -5, Number.NaN, Number.POSITIVE_INFINITY), bar('Ann', 4)]));
    assert.deepEqual(rowPixels(img, 0), [0, 0, 0]);
    assert.ok(rowPixels(img, 1)[0] > 0);
  });
});

function emptyWeek(): number[][] {
  return Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
}

/** A pixel near the top-left corner of a cell, clear of its centred label. */
function cellColor(img: Image, day: number, hour: number): Rgb {
  const H = HEATMAP_LAYOUT;
  return img.pixel(H.gridLeft + hour * H.cellWidth + 2, H.gridTop + day * H.cellHeight + 2);
}

const luminance = (c: Rgb) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];

describe('pagesHeatmap', () => {
  test('has a 24-column, 7-row grid in a sensibly sized image', () => {
    const cells = emptyWeek();
    cells[0]![0] = 1;
    const img = decode(pagesHeatmap('When', cells, 'Times in UTC'));
    const H = HEATMAP_LAYOUT;
    assert.ok(img.width >= H.gridLeft + 24 * H.cellWidth && img.width <= 1000, `width ${img.width}`);
    assert.ok(img.height >= H.gridTop + 7 * H.cellHeight && img.height <= 500, `height ${img.height}`);
  });

  test('the cell with the most pages is the darkest, empty cells are white', () => {
    const cells = emptyWeek();
    cells[2]![14] = 9; // Wednesday 14:00, the max
    cells[2]![13] = 5;
    cells[0]![3] = 1;
    cells[6]![23] = 8;
    const img = decode(pagesHeatmap('When', cells, 'Times in Europe/London'));
    const max = cellColor(img, 2, 14);
    assert.deepEqual(max, heatColor(9, 9));
    for (let d = 0; d < 7; d++) {
      for (let h = 0; h < 24; h++) {
        const c = cellColor(img, d, h);
        if (d === 2 && h === 14) continue;
        assert.ok(luminance(c) > luminance(max), `(${d}, ${h}) is lighter than the max cell`);
        if (cells[d]![h] === 0) assert.deepEqual(c, COLORS.background, `(${d}, ${h}) is empty`);
      }
    }
    // More pages, darker cell.
    const order = [cellColor(img, 0, 3), cellColor(img, 2, 13), cellColor(img, 6, 23), max].map(luminance);
    assert.deepEqual(
      [...order].sort((a, b) => b - a),
      order,
    );
  });

  test('heatColor darkens monotonically from white to dark red', () => {
    assert.deepEqual(heatColor(0, 10), [255, 255, 255]);
    let previous = luminance(heatColor(0, 10));
    for (let v = 1; v <= 10; v++) {
      const c = heatColor(v, 10);
      assert.ok(luminance(c) < previous, `value ${v}`);
      assert.ok(c[0] >= c[1] && c[0] >= c[2], `value ${v} is reddish: ${c}`);
      previous = luminance(c);
    }
    assert.ok(luminance(heatColor(10, 10)) < 40, 'the max is dark');
  });

  test('the scale legend reaches the max colour', () => {
    const cells = emptyWeek();
    cells[4]![9] = 37;
    const img = decode(pagesHeatmap('When', cells, 'UTC'));
    const gridBottom = HEATMAP_LAYOUT.gridTop + 7 * HEATMAP_LAYOUT.cellHeight;
    const maxColor = heatColor(37, 37);
    const inLegend = countMatching(img, (p, _x, y) => y > gridBottom && same(p, maxColor));
    assert.ok(inLegend > 0, 'legend shows the darkest shade');
  });

  test('renders a "no pages" image when every cell is zero or the input is empty or invalid', () => {
    const inputs: (readonly (readonly number[])[])[] = [emptyWeek(), [], [[Number.NaN, -3]]];
    for (const cells of inputs) {
      const img = decode(pagesHeatmap('When pages landed', cells, 'Times in UTC'));
      assert.ok(img.height >= 100 && img.height <= 250, `height ${img.height}`);
      const reds = countMatching(img, (p) => p[0] > p[1] + 40);
      assert.equal(reds, 0, 'no shaded cells');
      const ink = countMatching(img, (p) => same(p, COLORS.text) || same(p, COLORS.muted));
      assert.ok(ink > 500, `title, caption and message drawn (${ink})`);
    }
  });

  test('ragged or invalid rows count as zero', () => {
    const cells: number[][] = [[4], [], [Number.NaN, -1, 2]];
    const img = decode(pagesHeatmap('When', cells, 'UTC'));
    assert.deepEqual(cellColor(img, 0, 0), heatColor(4, 4));
    assert.deepEqual(cellColor(img, 2, 0), COLORS.background);
    assert.deepEqual(cellColor(img, 2, 1), COLORS.background);
    assert.deepEqual(cellColor(img, 2, 2), heatColor(2, 4));
    assert.deepEqual(cellColor(img, 6, 23), COLORS.background);
  });
});
