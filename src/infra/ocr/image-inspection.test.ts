import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JPEG, PDF, EXE } from '../../modules/files/test-fixtures.ts';
import {
  DEFAULT_IMAGE_LIMITS,
  inspectImage,
  readImageBytes,
  type ImageLimits,
} from './image-inspection.ts';
import { OcrImageError, type OcrImageProblem } from './ocr.ts';
import { greyPng, jpegStructure, pngClaiming, pngWithGarbagePixels } from './ocr-test-images.ts';

const limits: ImageLimits = DEFAULT_IMAGE_LIMITS;

async function problemOf(
  bytes: Uint8Array,
  l: ImageLimits = limits,
): Promise<{ problem: OcrImageProblem; status: number; message: string; code: string }> {
  const error = await inspectImage(bytes, l).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof OcrImageError))
    throw new Error(`expected OcrImageError, got ${String(error)}`);
  return {
    problem: error.problem,
    status: error.statusCode,
    message: error.message,
    code: error.code,
  };
}

describe('inspectImage', () => {
  it('accepts a complete PNG and reports its format and size', async () => {
    expect(
      await inspectImage(
        greyPng(31, 17, () => 255),
        limits,
      ),
    ).toEqual({
      format: 'png',
      width: 31,
      height: 17,
    });
  });

  it('reads the size of a JPEG from its start-of-frame header', async () => {
    expect(await inspectImage(jpegStructure(640, 480), limits)).toEqual({
      format: 'jpeg',
      width: 640,
      height: 480,
    });
  });

  it('refuses an empty file', async () => {
    expect(await problemOf(Buffer.alloc(0))).toMatchObject({
      problem: 'empty',
      status: 400,
      code: 'OCR_EMPTY',
      message: 'The image file is empty.',
    });
  });

  it('refuses what is not a PNG or JPEG, naming what it is', async () => {
    expect(await problemOf(PDF)).toMatchObject({
      problem: 'not-an-image',
      status: 415,
      code: 'OCR_NOT_AN_IMAGE',
      message: 'OCR reads PNG or JPEG images, but the file is PDF (application/pdf).',
    });
    expect((await problemOf(EXE)).message).toMatch(/EXE/);
    expect((await problemOf(Buffer.from('just some text\n'))).message).toBe(
      'OCR reads PNG or JPEG images, but the file is not an image (unrecognised data).',
    );
    // A GIF is an image, but not one OCR takes.
    expect(
      (await problemOf(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))).message,
    ).toMatch(/GIF \(image\/gif\)/);
  });

  it('refuses a PNG cut short anywhere, as truncated', async () => {
    const png = greyPng(64, 32, (x) => (x % 8 < 4 ? 0 : 255));
    for (const length of [4, 8, 20, 33, png.length - 30, png.length - 12, png.length - 1]) {
      const found = await problemOf(png.subarray(0, length));
      expect(found, `cut at ${length} of ${png.length}`).toMatchObject({
        problem: 'truncated',
        status: 400,
      });
    }
  });

  it('refuses a PNG whose bytes were changed (checksum) or whose header is impossible', async () => {
    const png = Buffer.from(greyPng(64, 32, () => 128));
    const flipped = Buffer.from(png);
    flipped[png.length - 20] = (flipped[png.length - 20] ?? 0) ^ 0xff; // inside IDAT
    expect(await problemOf(flipped)).toMatchObject({
      problem: 'corrupt',
      message: expect.stringMatching(/chunk IDAT .* fails its checksum/),
    });
    const badDepth = Buffer.from(png);
    badDepth[24] = 7; // bit depth 7 does not exist
    expect((await problemOf(badDepth)).message).toMatch(/impossible IHDR/);
    const noIhdr = Buffer.from(png);
    noIhdr.write('IHDX', 12, 'latin1');
    expect((await problemOf(noIhdr)).message).toMatch(/does not start with IHDR/);
  });

  it('refuses hostile dimensions before reading the pixels', async () => {
    expect(await problemOf(pngClaiming(100_000, 100_000))).toMatchObject({
      problem: 'too-large',
      status: 413,
      message: expect.stringMatching(
        /100000 × 100000 pixels; OCR accepts at most 12000 pixels a side/,
      ),
    });
    // Within the side limit but too many pixels in all.
    expect((await problemOf(pngClaiming(11_000, 11_000))).problem).toBe('too-large');
    expect((await problemOf(jpegStructure(65_535, 65_535))).problem).toBe('too-large');
    expect((await problemOf(pngClaiming(0, 10))).problem).toBe('corrupt');
    // An A4 page at 600 dpi is fine.
    expect(await inspectImage(pngClaiming(4961, 7016), limits)).toMatchObject({ width: 4961 });
  });

  it('applies the byte limit', async () => {
    const png = greyPng(64, 64, () => 200);
    const found = await problemOf(png, { ...limits, maxBytes: png.length - 1 });
    expect(found).toMatchObject({ problem: 'too-large', status: 413 });
  });

  it('refuses a JPEG without its end-of-image marker, or with no size', async () => {
    expect(await problemOf(jpegStructure(100, 100, { eoi: false }))).toMatchObject({
      problem: 'truncated',
    });
    const whole = jpegStructure(100, 100);
    expect((await problemOf(whole.subarray(0, 30))).problem).toBe('truncated');
    expect((await problemOf(jpegStructure(100, 0))).message).toMatch(/does not state its height/);
    // The upload fixture is a JPEG start with filler: no frame header, so not a usable image.
    expect((await problemOf(JPEG)).problem).toBe('corrupt');
  });

  it('lets a structurally sound PNG with undecodable pixels through (the engine judges those)', async () => {
    expect(await inspectImage(pngWithGarbagePixels(40, 20), limits)).toEqual({
      format: 'png',
      width: 40,
      height: 20,
    });
  });
});

describe('readImageBytes', () => {
  it('collects a stream and stops reading past the byte limit', async () => {
    const png = greyPng(20, 20, () => 0);
    const read = await readImageBytes(Readable.from([png.subarray(0, 10), png.subarray(10)]), 1000);
    expect(read.equals(png)).toBe(true);

    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 1024;
        this.push(Buffer.alloc(1024));
      },
    });
    const error = await readImageBytes(endless, 10_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OcrImageError);
    expect((error as OcrImageError).problem).toBe('too-large');
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(40_000);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const stalled = new Readable({ read() {} });
    const pending = readImageBytes(stalled, 10_000, controller.signal);
    stalled.push(Buffer.alloc(10));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(stalled.destroyed).toBe(true);
  });
});
