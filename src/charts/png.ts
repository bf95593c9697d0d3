/**
 * A tiny RGB raster canvas with a bitmap-font text renderer and a PNG encoder.
 * Only node built-ins are used (node:zlib for deflate).
 */
import { promisify } from 'node:util';
import { deflate, deflateSync } from 'node:zlib';

const deflateAsync = promisify(deflate);
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphColumns, toFontText } from './font.ts';

export type Rgb = readonly [number, number, number];

/** Largest width or height accepted, to keep memory bounded (~100 MB at the limit). */
export const MAX_DIMENSION = 6000;

function channel(v: number): number {
  return Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v))) : 0;
}

function scaleOf(scale: number | undefined): number {
  if (scale === undefined || !Number.isFinite(scale)) return 1;
  return Math.max(1, Math.floor(scale));
}

export class Raster {
  readonly width: number;
  readonly height: number;
  private readonly data: Uint8Array;

  constructor(width: number, height: number, background: Rgb) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`raster size must be positive integers, got ${width}×${height}`);
    }
    if (width > MAX_DIMENSION || height > MAX_DIMENSION) {
      throw new RangeError(`raster size ${width}×${height} exceeds ${MAX_DIMENSION}`);
    }
    this.width = width;
    this.height = height;
    this.data = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  /** Fills the rectangle [x, x+w) × [y, y+h), edges rounded to whole pixels and clipped to the canvas. */
  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    if (![x, y, w, h].every(Number.isFinite)) return;
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    if (x1 <= x0 || y1 <= y0) return;
    const r = channel(color[0]);
    const g = channel(color[1]);
    const b = channel(color[2]);
    for (let py = y0; py < y1; py++) {
      let i = (py * this.width + x0) * 3;
      for (let px = x0; px < x1; px++) {
        this.data[i++] = r;
        this.data[i++] = g;
        this.data[i++] = b;
      }
    }
  }

  /** The colour of one pixel (throws when outside the canvas). */
  pixel(x: number, y: number): Rgb {
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= this.width || y >= this.height) {
      throw new RangeError(`pixel (${x}, ${y}) is outside the ${this.width}×${this.height} raster`);
    }
    const i = (y * this.width + x) * 3;
    return [this.data[i] ?? 0, this.data[i + 1] ?? 0, this.data[i + 2] ?? 0];
  }

  /**
   * Draws `s` with its top-left corner at (x, y), each font pixel `scale`×`scale`
   * screen pixels. Diacritics are stripped and characters the font lacks are
   * drawn as '?'. Returns the width drawn (equal to `textWidth(s, scale)`).
   */
  text(x: number, y: number, s: string, color: Rgb, scale?: number): number {
    const k = scaleOf(scale);
    const t = toFontText(s);
    const left = Math.round(x);
    const top = Math.round(y);
    for (let c = 0; c < t.length; c++) {
      const cols = glyphColumns(t.charCodeAt(c));
      const gx = left + c * GLYPH_ADVANCE * k;
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        const bits = cols[col] ?? 0;
        if (bits === 0) continue;
        for (let row = 0; row < GLYPH_HEIGHT; row++) {
          if (bits & (1 << row)) this.fillRect(gx + col * k, top + row * k, k, k, color);
        }
      }
    }
    return this.textWidth(t, k);
  }

  /** Width in pixels that `text` would draw for `s` (no trailing spacing). */
  textWidth(s: string, scale?: number): number {
    const k = scaleOf(scale);
    const n = toFontText(s).length;
    return n === 0 ? 0 : (n * GLYPH_ADVANCE - (GLYPH_ADVANCE - GLYPH_WIDTH)) * k;
  }

  /** Height in pixels of a line of text at `scale`. */
  textHeight(scale?: number): number {
    return GLYPH_HEIGHT * scaleOf(scale);
  }

  /** Encodes the canvas as a PNG: 8-bit RGB, no interlace, filter type 0 on every row. */
  toPng(): Buffer {
    return this.pngOf(deflateSync(this.scanlines(), { level: 9 }));
  }

  /**
   * The same PNG, byte for byte, compressed on libuv's thread pool: deflate at level 9 is most of a
   * chart's CPU (a 200-person bar chart: about 100 ms), and the bot's one thread is not held meanwhile.
   */
  async toPngAsync(): Promise<Buffer> {
    return this.pngOf(await deflateAsync(this.scanlines(), { level: 9 }));
  }

  /** The raw scanlines, each after its filter byte (type 0: None). */
  private scanlines(): Buffer {
    const stride = this.width * 3;
    const raw = Buffer.alloc(this.height * (stride + 1));
    for (let y = 0; y < this.height; y++) {
      const offset = y * (stride + 1);
      raw[offset] = 0; // filter type: None
      raw.set(this.data.subarray(y * stride, (y + 1) * stride), offset + 1);
    }
    return raw;
  }

  private pngOf(idat: Buffer): Buffer {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(this.width, 0);
    ihdr.writeUInt32BE(this.height, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // colour type: truecolour RGB
    ihdr[10] = 0; // compression: deflate
    ihdr[11] = 0; // filter method 0
    ihdr[12] = 0; // no interlace
    return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
  }
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309 / PNG) of the concatenated buffers. */
export function crc32(...parts: readonly Uint8Array[]): number {
  let c = 0xffffffff;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      c = (CRC_TABLE[(c ^ (part[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
    }
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(head.subarray(4), data), 0);
  return Buffer.concat([head, data, tail]);
}
