// The one renderer (ECharts → SVG, resvg → PNG with DejaVu Sans): valid files of the asked size,
// names in any Latin script drawn, and text from outside escaped, never markup.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Resvg } from '@resvg/resvg-js';
import { loadBarChart, pagesHeatmap } from '../../src/charts/load-charts.ts';
import { baseOption, type Chart, FONT_FAMILY, FONT_FILES, renderPng, renderSvg } from '../../src/charts/render.ts';

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Width and height from a PNG's IHDR, after checking the signature and the chunk's place. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE, 'the PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR', 'IHDR first');
  assert.equal(png.toString('latin1', png.length - 8, png.length - 4), 'IEND', 'IEND last');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** A chart whose only text is one category label, for measuring ink. */
function labelOnly(name: string): Chart {
  return {
    width: 300,
    height: 60,
    option: {
      ...baseOption(300, ''),
      grid: { left: 150, top: 10, width: 100, height: 40 },
      xAxis: { type: 'value', show: false, max: 1 },
      yAxis: { type: 'category', data: [name], axisLine: { show: false }, axisTick: { show: false } },
      series: [{ type: 'bar', data: [0] }],
    },
  };
}

/** Pixels that are not white, drawing `svg` with DejaVu only (as renderPng does). */
async function ink(chart: Chart): Promise<number> {
  const image = new Resvg(await renderSvg(chart), {
    font: { fontFiles: [...FONT_FILES], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    background: '#ffffff',
  }).render();
  let n = 0;
  const px = image.pixels;
  for (let i = 0; i < px.length; i += 4) if (px[i]! < 250 || px[i + 1]! < 250 || px[i + 2]! < 250) n++;
  return n;
}

test('the PNG is a valid PNG of the chart’s size, or scale times it', async () => {
  const chart = loadBarChart('Pages', [{ name: 'Zoë', inHours: 2, outOfHours: 1, night: 1 }]);
  assert.deepEqual(pngSize(await renderPng(chart)), { width: chart.width, height: chart.height });
  assert.deepEqual(pngSize(await renderPng(chart, 2)), { width: chart.width * 2, height: chart.height * 2 });
  assert.deepEqual(await renderPng(chart, 1, 'this-thread'), await renderPng(chart), 'the same bytes on either thread');
  const heat = pagesHeatmap('When', [[1, 2, 3]], 'UTC');
  assert.deepEqual(pngSize(await renderPng(heat)), { width: heat.width, height: heat.height });
});

test('the SVG has the title, the names and the axis name as text, in DejaVu Sans', async () => {
  const svg = await renderSvg(
    loadBarChart('Pages per person - Zoë’s team', [
      { name: 'Zoë Ødegård', inHours: 3, outOfHours: 0, night: 1 },
      { name: 'Łukasz Żółć', inHours: 1, outOfHours: 2, night: 0 },
    ]),
  );
  assert.ok(svg.startsWith('<svg'), 'an SVG document');
  for (const text of ['Pages per person - Zoë’s team', 'Zoë Ødegård', 'Łukasz Żółć', 'Pages', 'In hours', 'Night']) {
    assert.ok(svg.includes(`>${text}</text>`), `"${text}" as a text element`);
  }
  assert.match(svg, /font-family:DejaVu Sans/);
});

test('names with markup or ampersands are escaped in the SVG, never markup', async () => {
  const evil = '<script>alert(1)</script> & <b>Bob</b>';
  const svg = await renderSvg(
    loadBarChart(`Title ${evil}`, [
      { name: evil, inHours: 1, outOfHours: 0, night: 0 },
      { name: 'Tom & "Jerry" {b}', inHours: 1, outOfHours: 0, night: 0 },
    ]),
  );
  assert.ok(!svg.includes('<script'), 'no script element');
  assert.ok(!svg.includes('<b>'), 'no injected element');
  assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Bob&lt;/b&gt;'), 'the name, escaped');
  assert.ok(svg.includes('Title &lt;script&gt;'), 'the title, escaped');
  assert.ok(svg.includes('Tom &amp; '), 'a lone ampersand escaped');
  assert.ok(svg.includes('{b}'), 'braces kept as text, not a template');
  // The escaped SVG still renders.
  assert.deepEqual(
    pngSize(await renderPng(loadBarChart(evil, [{ name: evil, inHours: 1, outOfHours: 0, night: 0 }]))).width,
    900,
  );
});

test('Zoë and Łukasz are drawn with their marks (DejaVu has the glyphs)', async () => {
  const plain = await ink(labelOnly('Zoe'));
  const marked = await ink(labelOnly('Zoë'));
  assert.ok(plain > 50, `the label is drawn (${plain} pixels)`);
  assert.ok(marked > plain, `the diaeresis adds ink: ${marked} > ${plain}`);
  const l = await ink(labelOnly('Lukasz'));
  const stroke = await ink(labelOnly('Łukasz'));
  assert.ok(stroke > l, `the Ł's stroke adds ink: ${stroke} > ${l}`);
  // Nothing missing is drawn as the font's empty box: both are close in ink to their plain forms.
  assert.ok(stroke < l * 1.3 && marked < plain * 1.3);
});

test('a size out of range is refused with a clear error', async () => {
  await assert.rejects(
    renderSvg({ width: 0, height: 10, option: {} }),
    /a chart's size must be whole pixels from 1 to 6000, got 0×10/,
  );
});
