// Images for the OCR tests (used by tests and the benchmark only): text rendered by Chromium in
// DejaVu Sans, so the engine meets real anti-aliased type with known content, and hand-built
// PNG / JPEG byte structures for the input checks.
import { deflateSync, crc32 } from 'node:zlib';
import type { Browser } from 'playwright-core';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function ihdr(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = 8; // bit depth
  data[9] = 0; // greyscale
  return chunk('IHDR', data);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An 8-bit greyscale PNG; `grey(x, y)` gives each pixel (0 black, 255 white). */
export function greyPng(width: number, height: number, grey: (x: number, y: number) => number) {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = grey(x, y);
  }
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A PNG whose chunks are all well formed (lengths, CRCs, IEND) but whose header claims
 * width × height: what a hostile upload that would decode into gigabytes looks like.
 */
export function pngClaiming(width: number, height: number): Buffer {
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A structurally valid PNG (good CRCs) whose pixel data is not zlib at all. */
export function pngWithGarbagePixels(width: number, height: number): Buffer {
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height),
    chunk('IDAT', Buffer.from('this is not deflate data, the decoder must give up'.repeat(4))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The marker structure of a baseline JPEG (SOI, APP0, SOF0, SOS, data, EOI); not decodable. */
export function jpegStructure(width: number, height: number, options: { eoi?: boolean } = {}) {
  const sof = Buffer.from('ffc0000b080000000001011100', 'hex');
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([
    Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
    sof,
    Buffer.from('ffda0008010100003f00', 'hex'),
    Buffer.alloc(32, 0x55),
    options.eoi === false ? Buffer.alloc(0) : Buffer.from('ffd9', 'hex'),
  ]);
}

export interface RenderOptions {
  type?: 'png' | 'jpeg';
  /** CSS pixels; the page is this wide and as tall as the text. */
  width?: number;
  fontSize?: number;
  /** Left and top margin in pixels. */
  margin?: number;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** `lines` rendered black on white in DejaVu Sans by Chromium; the screenshot's bytes. */
export async function renderText(
  browser: Browser,
  lines: string[],
  options: RenderOptions = {},
): Promise<Buffer> {
  const { type = 'png', width = 900, fontSize = 26, margin = 40 } = options;
  const page = await browser.newPage({ viewport: { width, height: 200 }, deviceScaleFactor: 1 });
  try {
    const body = lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('');
    await page.setContent(
      `<!doctype html><html><body style="margin:${margin}px;background:#fff;color:#000;` +
        `font-family:'DejaVu Sans';font-size:${fontSize}px;line-height:1.5">` +
        `<style>p{margin:0 0 ${Math.round(fontSize * 0.6)}px 0}</style>${body}</body></html>`,
    );
    return await page.screenshot({
      type,
      fullPage: true,
      ...(type === 'jpeg' ? { quality: 85 } : {}),
    });
  } finally {
    await page.close();
  }
}
