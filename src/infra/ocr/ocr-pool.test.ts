// The real engine (tesseract.js with the installed English data) on images Chromium renders
// here from known text in DejaVu Sans. One pool thread serves most tests, as it would a worker.
import { Readable } from 'node:stream';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../../../test/e2e/browser.ts';
import { PDF } from '../../modules/files/test-fixtures.ts';
import { OcrImageError, OcrUnavailableError, type OcrResult } from './ocr.ts';
import { OcrPool } from './ocr-pool.ts';
import { greyPng, pngClaiming, pngWithGarbagePixels, renderText } from './ocr-test-images.ts';

const logger = pino({ level: 'silent' });

const QUESTION = [
  'Which fraction is equivalent to one half?',
  'A. Two quarters',
  'B. Three fifths',
  'C. Four sevenths',
];
const QUESTION_WORDS = QUESTION.join(' ').split(' ');
const MARGIN = 40;

function wordsOf(result: OcrResult): string[] {
  return result.words.map((w) => w.text);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
}

if (!chromiumAvailable && process.env.CI === 'true') {
  throw new Error(`The OCR tests render their images with Chromium, missing at ${CHROMIUM_PATH}.`);
}

describe.skipIf(!chromiumAvailable)(
  'OcrPool on rendered text (needs Chromium to render its images)',
  () => {
    let browser: Browser;
    let pool: OcrPool;
    let png: Buffer;
    let jpeg: Buffer;
    let tiny: Buffer;

    beforeAll(async () => {
      browser = await launchChromium();
      png = await renderText(browser, QUESTION, { margin: MARGIN });
      jpeg = await renderText(browser, QUESTION, { type: 'jpeg', margin: MARGIN });
      tiny = await renderText(browser, QUESTION, { fontSize: 8, margin: MARGIN });
      pool = new OcrPool({ size: 1, logger });
    });

    afterAll(async () => {
      await pool?.close();
      await browser?.close();
    });

    it('recognises a PNG word for word, with confidences and pixel boxes', async () => {
      const progress: number[] = [];
      const result = await pool.recognise(png, { onProgress: (f) => progress.push(f) });
      expect(wordsOf(result)).toEqual(QUESTION_WORDS);
      expect(result.text.split(/\s+/)).toEqual(QUESTION_WORDS);
      expect(result.lines.map((l) => l.text)).toEqual(QUESTION);
      expect(result.image).toMatchObject({ format: 'png', width: 900 });
      for (const word of result.words)
        expect(word.confidence, word.text).toBeGreaterThanOrEqual(85);
      expect(result.confidence).toBeGreaterThanOrEqual(90);
      expect(result.confidence).toBeLessThanOrEqual(100);

      // Boxes are in image pixels: the text starts at the page margin, words run left to right,
      // lines top to bottom, all inside the image.
      const first = result.words[0]!;
      expect(first.bbox.x0).toBeGreaterThanOrEqual(MARGIN - 2);
      expect(first.bbox.x0).toBeLessThanOrEqual(MARGIN + 6);
      const firstLine = result.words.slice(0, 7);
      for (let i = 1; i < firstLine.length; i++) {
        expect(firstLine[i]!.bbox.x0).toBeGreaterThan(firstLine[i - 1]!.bbox.x1);
      }
      for (let i = 1; i < result.lines.length; i++) {
        expect(result.lines[i]!.bbox.y0).toBeGreaterThan(result.lines[i - 1]!.bbox.y1);
      }
      for (const { bbox } of result.words) {
        expect(bbox.x1).toBeLessThanOrEqual(result.image.width);
        expect(bbox.y1).toBeLessThanOrEqual(result.image.height);
      }
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)).toBe(1);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    });

    it('recognises the same text from a JPEG and from a stream', async () => {
      const fromJpeg = await pool.recognise(jpeg);
      expect(fromJpeg.image.format).toBe('jpeg');
      expect(wordsOf(fromJpeg)).toEqual(QUESTION_WORDS);
      expect(fromJpeg.confidence).toBeGreaterThanOrEqual(90);

      const chunks = [png.subarray(0, 100), png.subarray(100, 5000), png.subarray(5000)];
      const fromStream = await pool.recognise(Readable.from(chunks));
      expect(wordsOf(fromStream)).toEqual(QUESTION_WORDS);
    });

    it('gives lower confidence to text that is hard to read', async () => {
      const clean = await pool.recognise(png);
      const small = await pool.recognise(tiny);
      expect(small.words.length).toBeGreaterThan(0);
      expect(small.confidence).toBeLessThan(clean.confidence - 15);
      expect(Math.min(...small.words.map((w) => w.confidence))).toBeLessThan(60);
    });

    it('finds nothing on a blank page', async () => {
      const result = await pool.recognise(greyPng(400, 200, () => 255));
      expect(result).toMatchObject({ text: '', confidence: 0, words: [], lines: [] });
    });

    it('refuses bad input with a typed error before the engine sees it', async () => {
      const startedBefore = pool.stats().started;
      const cases: [string, () => Promise<unknown>, string][] = [
        ['a PDF', () => pool.recognise(PDF), 'not-an-image'],
        ['an empty buffer', () => pool.recognise(Buffer.alloc(0)), 'empty'],
        ['an empty stream', () => pool.recognise(Readable.from([])), 'empty'],
        ['half a PNG', () => pool.recognise(png.subarray(0, png.length >> 1)), 'truncated'],
        [
          'a JPEG without its end',
          () => pool.recognise(jpeg.subarray(0, jpeg.length - 200)),
          'truncated',
        ],
        [
          '100000 × 100000 pixels',
          () => pool.recognise(pngClaiming(100_000, 100_000)),
          'too-large',
        ],
      ];
      for (const [what, attempt, problem] of cases) {
        const error = await rejection(attempt());
        expect(error, what).toBeInstanceOf(OcrImageError);
        expect((error as OcrImageError).problem, what).toBe(problem);
      }
      expect(pool.stats()).toMatchObject({ started: startedBefore, busy: 0, waiting: 0 });
    });

    it('survives an image the engine cannot decode: typed error, fresh thread, next image fine', async () => {
      const startedBefore = pool.stats().started;
      const error = await rejection(pool.recognise(pngWithGarbagePixels(200, 100)));
      expect(error).toBeInstanceOf(OcrImageError);
      expect((error as OcrImageError).problem).toBe('unreadable');
      expect((error as OcrImageError).message).toMatch(/PNG image could not be decoded/);

      const next = await pool.recognise(png);
      expect(wordsOf(next)).toEqual(QUESTION_WORDS);
      expect(pool.stats().started).toBe(startedBefore + 1);
    });

    it('stops a recognition when aborted, and the next one still works', async () => {
      const controller = new AbortController();
      const page = await renderText(browser, Array(30).fill(QUESTION.join(' ')), { fontSize: 14 });
      const aborted = pool.recognise(page, {
        signal: controller.signal,
        onProgress: (f) => {
          if (f > 0 && f < 1) controller.abort();
        },
      });
      const error = await rejection(aborted);
      expect((error as Error).name).toBe('AbortError');
      expect(pool.stats()).toMatchObject({ busy: 0, idle: 0 });

      const next = await pool.recognise(jpeg);
      expect(wordsOf(next)).toEqual(QUESTION_WORDS);
    });

    it('queues requests beyond its size and runs them one after another on one thread', async () => {
      const startedBefore = pool.stats().started;
      const results = await Promise.all([
        pool.recognise(png),
        pool.recognise(jpeg),
        pool.recognise(greyPng(300, 100, () => 255)),
      ]);
      expect(wordsOf(results[0])).toEqual(QUESTION_WORDS);
      expect(wordsOf(results[1])).toEqual(QUESTION_WORDS);
      expect(results[2].words).toEqual([]);
      expect(pool.stats()).toMatchObject({ started: startedBefore, idle: 1, busy: 0, waiting: 0 });
    });

    it('starts one thread per concurrent request up to its size and runs them in parallel', async () => {
      // Idle threads are kept for the whole test, so the counts below do not depend on timing.
      const pair = new OcrPool({ size: 2, logger, idleMs: 600_000 });
      try {
        // Buffers are inspected synchronously, so all three requests are waiting before either
        // thread is up: two threads start, the third request waits for one of them.
        const results = await Promise.all([
          pair.recognise(png),
          pair.recognise(jpeg),
          pair.recognise(png),
        ]);
        expect(results.map(wordsOf)).toEqual([QUESTION_WORDS, QUESTION_WORDS, QUESTION_WORDS]);
        expect(pair.stats()).toMatchObject({ started: 2, idle: 2, busy: 0, waiting: 0 });

        // With both threads idle, two new requests are handed one thread each at once. Only
        // microtasks run between the calls and the check, so no recognition can finish first.
        const both = Promise.all([pair.recognise(png), pair.recognise(jpeg)]);
        for (let i = 0; i < 100 && pair.stats().busy < 2; i++) await Promise.resolve();
        expect(pair.stats()).toMatchObject({ busy: 2, idle: 0, waiting: 0 });
        expect((await both).map(wordsOf)).toEqual([QUESTION_WORDS, QUESTION_WORDS]);
        expect(pair.stats()).toMatchObject({ started: 2, idle: 2, busy: 0 });
      } finally {
        await pair.close();
      }
    });

    it('stops a thread that stays idle and starts a new one on demand', async () => {
      const brief = new OcrPool({ size: 2, logger, idleMs: 300 });
      try {
        expect(wordsOf(await brief.recognise(png))).toEqual(QUESTION_WORDS);
        expect(brief.stats()).toMatchObject({ started: 1, idle: 1 });
        await vi.waitFor(() => expect(brief.stats()).toMatchObject({ idle: 0, busy: 0 }), {
          timeout: 10_000,
          interval: 50,
        });
        expect(wordsOf(await brief.recognise(jpeg))).toEqual(QUESTION_WORDS);
        expect(brief.stats()).toMatchObject({ started: 2, idle: 1 });
      } finally {
        await brief.close();
      }
    });

    it('close() ends work in flight and refuses new work', async () => {
      const closing = new OcrPool({ size: 1, logger });
      const inFlight = rejection(closing.recognise(png));
      const waiting = rejection(closing.recognise(jpeg));
      await new Promise((r) => setTimeout(r, 50));
      await closing.close();
      expect(await inFlight).toBeInstanceOf(OcrUnavailableError);
      expect(await waiting).toBeInstanceOf(OcrUnavailableError);
      expect(await rejection(closing.recognise(png))).toBeInstanceOf(OcrUnavailableError);
      expect(closing.stats()).toMatchObject({ idle: 0, busy: 0, starting: 0, waiting: 0 });
    });
  },
);

describe('OcrPool when the engine cannot start', () => {
  it('rejects with OcrUnavailableError instead of hanging, and leaves no thread behind', async () => {
    const broken = new OcrPool({ size: 1, logger, langPath: '/nonexistent/tessdata' });
    const started = Date.now();
    const error = await rejection(broken.recognise(greyPng(50, 50, () => 255)));
    expect(error).toBeInstanceOf(OcrUnavailableError);
    expect((error as Error).message).toMatch(/could not start: .*ENOENT.*eng\.traineddata\.gz/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(broken.stats()).toMatchObject({ idle: 0, busy: 0, starting: 0, waiting: 0 });
    await broken.close();
  });
});
