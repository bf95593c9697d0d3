import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { toFontText } from '../../src/charts/font.ts';
import { Raster, type Rgb } from '../../src/charts/png.ts';

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const RED: Rgb = [200, 30, 40];

/** CRC-32 written independently of the encoder: table-driven, reflected polynomial 0xEDB88320. */
const TABLE: number[] = [];
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = (c & 1) === 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  TABLE.push(c >>> 0);
}
function testCrc(bytes: Uint8Array): number {
  let crc = ~0 >>> 0;
  for (const b of bytes) crc = (crc >>> 8) ^ TABLE[(crc ^ b) & 0xff]!;
  return ~crc >>> 0;
}

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
}

function readChunks(png: Buffer): Chunk[] {
  const chunks: Chunk[] = [];
  let off = 8;
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    const crc = png.readUInt32BE(off + 8 + len);
    assert.equal(crc, testCrc(png.subarray(off + 4, off + 8 + len)), `CRC of ${type} chunk`);
    chunks.push({ type, data, crc });
    off += 12 + len;
  }
  assert.equal(off, png.length, 'chunks end exactly at the end of the file');
  return chunks;
}

/** Validates the PNG structure and returns its pixels (filter 0 only). */
function decode(png: Buffer): { width: number; height: number; pixel(x: number, y: number): Rgb } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const chunks = readChunks(png);
  assert.deepEqual(
    chunks.map((c) => c.type),
    ['IHDR', 'IDAT', 'IEND'],
  );
  const ihdr = chunks[0]!.data;
  assert.equal(ihdr.length, 13);
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  assert.equal(ihdr[8], 8, 'bit depth');
  assert.equal(ihdr[9], 2, 'colour type RGB');
  assert.deepEqual([ihdr[10], ihdr[11], ihdr[12]], [0, 0, 0], 'compression, filter, interlace');
  assert.equal(chunks[2]!.data.length, 0, 'IEND is empty');
  const raw = inflateSync(chunks[1]!.data);
  const stride = 1 + width * 3;
  assert.equal(raw.length, height * stride, 'IDAT holds height × (1 + width×3) bytes');
  for (let y = 0; y < height; y++) assert.equal(raw[y * stride], 0, `filter byte of row ${y}`);
  return {
    width,
    height,
    pixel(x, y) {
      const i = y * stride + 1 + x * 3;
      return [raw[i]!, raw[i + 1]!, raw[i + 2]!];
    },
  };
}

function pixelsOf(r: Raster): string {
  const out: string[] = [];
  for (let y = 0; y < r.height; y++) for (let x = 0; x < r.width; x++) out.push(r.pixel(x, y).join(','));
  return out.join(' ');
}

function textRaster(s: string, scale = 1): Raster {
  const r = new Raster(80, 12 * scale, WHITE);
  r.text(2, 2, s, BLACK, scale);
  return r;
}

describe('PNG encoding', () => {
  test('produces a valid 8-bit RGB PNG whose pixels match the raster', () => {
    const r = new Raster(37, 11, [10, 20, 30]);
    r.fillRect(3, 2, 5, 4, RED);
    r.text(10, 1, 'Ok', WHITE);
    const img = decode(r.toPng());
    assert.equal(img.width, 37);
    assert.equal(img.height, 11);
    for (let y = 0; y < 11; y++) {
      for (let x = 0; x < 37; x++) assert.deepEqual(img.pixel(x, y), r.pixel(x, y), `pixel (${x}, ${y})`);
    }
    assert.deepEqual(img.pixel(0, 0), [10, 20, 30]);
    assert.deepEqual(img.pixel(3, 2), RED);
  });

  test('a 1×1 image is valid', () => {
    const img = decode(new Raster(1, 1, RED).toPng());
    assert.equal(img.width, 1);
    assert.equal(img.height, 1);
    assert.deepEqual(img.pixel(0, 0), RED);
  });

  test('rejects sizes that are not positive integers or are too large', () => {
    assert.throws(() => new Raster(0, 10, WHITE), RangeError);
    assert.throws(() => new Raster(10, 2.5, WHITE), RangeError);
    assert.throws(() => new Raster(100_000, 10, WHITE), RangeError);
  });
});

describe('Raster.fillRect', () => {
  test('colours exactly the pixels of the rectangle', () => {
    const r = new Raster(10, 8, WHITE);
    r.fillRect(2, 3, 4, 2, RED);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 10; x++) {
        const inside = x >= 2 && x < 6 && y >= 3 && y < 5;
        assert.deepEqual(r.pixel(x, y), inside ? RED : WHITE, `pixel (${x}, ${y})`);
      }
    }
  });

  test('clips at every edge and ignores rectangles outside the canvas', () => {
    const r = new Raster(6, 5, WHITE);
    r.fillRect(-3, -2, 5, 4, RED); // → [0,2) × [0,2)
    r.fillRect(4, 3, 100, 100, BLACK); // → [4,6) × [3,5)
    r.fillRect(-10, 0, 5, 5, BLACK); // entirely left of the canvas
    r.fillRect(6, 0, 3, 3, BLACK); // starts at the right edge
    r.fillRect(1, 1, -2, 3, BLACK); // negative width
    r.fillRect(Number.NaN, 0, 3, 3, BLACK);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 6; x++) {
        const expected = x < 2 && y < 2 ? RED : x >= 4 && y >= 3 ? BLACK : WHITE;
        assert.deepEqual(r.pixel(x, y), expected, `pixel (${x}, ${y})`);
      }
    }
  });

  test('clamps colour channels to 0..255', () => {
    const r = new Raster(2, 2, WHITE);
    r.fillRect(0, 0, 1, 1, [300, -5, 12.4]);
    assert.deepEqual(r.pixel(0, 0), [255, 0, 12]);
  });
});

describe('Raster.text', () => {
  test('draws foreground pixels only inside its reported box', () => {
    for (const scale of [1, 2, 3]) {
      const r = new Raster(200, 40, WHITE);
      const [x0, y0] = [7, 5];
      const w = r.text(x0, y0, 'Hello, Wörld: 42%', BLACK, scale);
      assert.equal(w, r.textWidth('Hello, Wörld: 42%', scale));
      assert.equal(w, (17 * 6 - 1) * scale, 'width is 6 px per character minus the trailing gap');
      let inside = 0;
      for (let y = 0; y < r.height; y++) {
        for (let x = 0; x < r.width; x++) {
          const ink = r.pixel(x, y)[0] === 0;
          const inBox = x >= x0 && x < x0 + w && y >= y0 && y < y0 + r.textHeight(scale);
          if (ink) {
            assert.ok(inBox, `scale ${scale}: ink at (${x}, ${y}) outside the text box`);
            inside++;
          }
        }
      }
      assert.ok(inside > 50 * scale * scale, `scale ${scale}: expected plenty of ink, got ${inside}`);
    }
  });

  test('the box is tight: the first and last columns of the text are inked', () => {
    const r = new Raster(40, 12, WHITE);
    const w = r.text(0, 0, 'HH', BLACK);
    const column = (x: number) => [...Array(r.height).keys()].some((y) => r.pixel(x, y)[0] === 0);
    assert.ok(column(0));
    assert.ok(column(w - 1));
    assert.ok(!column(w));
  });

  test('empty text draws nothing and has zero width', () => {
    const r = new Raster(10, 10, WHITE);
    assert.equal(r.text(0, 0, '', BLACK), 0);
    assert.equal(r.textWidth(''), 0);
    assert.equal(pixelsOf(r), pixelsOf(new Raster(10, 10, WHITE)));
  });

  test('unknown characters are drawn as "?"', () => {
    const question = pixelsOf(textRaster('a?b'));
    assert.notEqual(question, pixelsOf(textRaster('ab')));
    assert.equal(pixelsOf(textRaster('a€b')), question);
    assert.equal(pixelsOf(textRaster('a中b')), question);
    assert.equal(pixelsOf(textRaster('a🙂b')), question, 'an astral character is one "?"');
    assert.equal(new Raster(1, 1, WHITE).textWidth('🙂'), 5);
  });

  test('diacritics are stripped before drawing', () => {
    assert.equal(pixelsOf(textRaster('é', 2)), pixelsOf(textRaster('e', 2)));
    assert.equal(pixelsOf(textRaster('Zoë José')), pixelsOf(textRaster('Zoe Jose')));
    assert.notEqual(pixelsOf(textRaster('e')), pixelsOf(textRaster('o')), 'different letters differ');
  });

  test('a few letters without a decomposition get an ASCII spelling', () => {
    assert.equal(toFontText('Søren Łukasz Straße — ok'), 'Soren Lukasz Strasse - ok');
    assert.equal(toFontText('tab\there'), 'tab here');
  });

  test('every printable ASCII character has a distinct glyph (space aside)', () => {
    const seen = new Map<string, string>();
    for (let c = 33; c <= 126; c++) {
      const ch = String.fromCharCode(c);
      const key = pixelsOf(textRaster(ch));
      assert.notEqual(key, pixelsOf(textRaster(' ')), `${ch} draws something`);
      assert.ok(!seen.has(key), `${ch} looks identical to ${seen.get(key)}`);
      seen.set(key, ch);
    }
  });
});
