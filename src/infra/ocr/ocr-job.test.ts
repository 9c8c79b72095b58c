// The ocr.recognise job end to end: an uploaded image in the blob store, the embedded queue on
// both databases, the real engine (one pool for the whole file).
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../../../test/e2e/browser.ts';
import {
  createTestDatabase,
  testDialects,
  type TestDatabase,
} from '../../../test/helpers/test-db.ts';
import { PDF } from '../../modules/files/test-fixtures.ts';
import { FakeClock } from '../../platform/clock.ts';
import { EmbeddedJobQueue } from '../queue/embedded-queue.ts';
import { JobFailure, JobPayloadError, type JobContext } from '../queue/job-queue.ts';
import { jobsConfig, until, waitForJob } from '../queue/queue-test-kit.ts';
import { newUploadKey } from '../storage/blob-keys.ts';
import { BlobUrlSigner } from '../storage/blob-url-signer.ts';
import { MemoryBlobStore } from '../storage/memory-blob-store.ts';
import { OcrEngineError, OcrImageError, OcrUnavailableError, type OcrResult } from './ocr.ts';
import { createOcrJobDefinition, OCR_RECOGNISE_JOB } from './ocr-job.ts';
import { OcrPool } from './ocr-pool.ts';
import { renderText } from './ocr-test-images.ts';

const logger = pino({ level: 'silent' });
const LINES = ['Name the process that turns light into chemical energy.', 'Answer: photosynthesis'];
const WORDS = LINES.join(' ').split(' ');

if (!chromiumAvailable && process.env.CI === 'true') {
  throw new Error(`The OCR tests render their images with Chromium, missing at ${CHROMIUM_PATH}.`);
}

describe.skipIf(!chromiumAvailable)(
  'ocr.recognise job (needs Chromium to render its images)',
  () => {
    let browser: Browser;
    let pool: OcrPool;
    let png: Buffer;
    let longPage: Buffer;

    beforeAll(async () => {
      browser = await launchChromium();
      png = await renderText(browser, LINES);
      longPage = await renderText(browser, Array(40).fill(LINES.join(' ')), { fontSize: 14 });
      pool = new OcrPool({ size: 1, logger });
    });
    afterAll(async () => {
      await pool?.close();
      await browser?.close();
    });

    function memoryBlobs(clock: FakeClock) {
      return new MemoryBlobStore({
        clock,
        signer: new BlobUrlSigner('s'.repeat(32), clock),
        presignTtlSeconds: 60,
      });
    }

    it('reports progress from reading to 100 % and returns words with confidences', async () => {
      const clock = new FakeClock('2026-03-02T10:00:00.000Z');
      const blobs = memoryBlobs(clock);
      const key = newUploadKey(clock.now());
      await blobs.put(key, png, { contentType: 'image/png' });
      const reported: [number, string | undefined][] = [];
      const definition = createOcrJobDefinition({ blobs, ocr: pool });
      const ctx = {
        progress: async (percent: number, message?: string) => {
          reported.push([percent, message]);
        },
        signal: new AbortController().signal,
        log: logger,
      } as unknown as JobContext; // job and attempt are not read by this handler
      const result = await definition.handler({ blobKey: key }, ctx);
      expect(result.words.map((w) => w.text)).toEqual(WORDS);
      const percents = reported.map(([p]) => p);
      expect(percents[0]).toBe(0);
      expect(percents.at(-1)).toBe(100);
      expect([...percents].sort((a, b) => a - b)).toEqual(percents);
      expect(percents.some((p) => p > 5 && p < 100)).toBe(true);
      expect(reported.at(-1)?.[1]).toMatch(
        new RegExp(`^Recognised ${WORDS.length} words \\(mean confidence 9\\d%\\)$`),
      );
    });

    it('turns engine failures into retryable job failures and bad images into final ones', async () => {
      const clock = new FakeClock('2026-03-02T10:00:00.000Z');
      const blobs = memoryBlobs(clock);
      const key = newUploadKey(clock.now());
      await blobs.put(key, png, { contentType: 'image/png' });
      const ctx = {
        progress: async () => {},
        signal: new AbortController().signal,
        log: logger,
      } as unknown as JobContext; // job and attempt are not read by this handler
      const failing = (error: Error) =>
        createOcrJobDefinition({
          blobs,
          ocr: { recognise: () => Promise.reject(error), close: async () => {} },
        }).handler({ blobKey: key }, ctx);

      const crashed = await failing(
        new OcrEngineError('The OCR engine crashed: out of memory'),
      ).catch((e: unknown) => e);
      expect(crashed).toBeInstanceOf(JobFailure);
      expect(crashed).toMatchObject({
        retryable: true,
        message: 'The OCR engine crashed: out of memory',
      });
      const unreadable = await failing(
        new OcrImageError('unreadable', 'The PNG image could not be decoded.'),
      ).catch((e: unknown) => e);
      expect(unreadable).toMatchObject({
        retryable: false,
        message: 'The PNG image could not be decoded.',
      });
      const closing = await failing(new OcrUnavailableError('OCR is shutting down.')).catch(
        (e: unknown) => e,
      );
      expect(closing).toMatchObject({
        retryable: true,
        message: 'OCR is not available right now: OCR is shutting down.',
      });
    });

    describe.each(testDialects())('on the embedded queue (%s)', (dialect) => {
      let db: TestDatabase;
      let clock: FakeClock;
      let blobs: MemoryBlobStore;
      let queue: EmbeddedJobQueue;

      beforeEach(async () => {
        db = await createTestDatabase(dialect);
        clock = new FakeClock('2026-03-02T10:00:00.000Z');
        blobs = memoryBlobs(clock);
        queue = new EmbeddedJobQueue({
          database: db.handle,
          clock,
          logger,
          config: jobsConfig(),
          databaseUrl: db.url,
          maintenanceIntervalMs: 60_000,
        });
        queue.register(createOcrJobDefinition({ blobs, ocr: pool }));
        await queue.startWorker();
      });
      afterEach(async () => {
        await queue.stop();
        await db.drop();
      });

      async function upload(bytes: Buffer): Promise<string> {
        const key = newUploadKey(clock.now());
        await blobs.put(key, bytes, { contentType: 'image/png' });
        return key;
      }

      it('turns an uploaded image into text with per-word confidences', async () => {
        const job = await queue.enqueue(OCR_RECOGNISE_JOB, { blobKey: await upload(png) });
        const done = await waitForJob(queue, job.id);
        expect(done).toMatchObject({ state: 'complete', progress: 100, attempts: 1 });
        const result = done.result as OcrResult;
        expect(result.text.split(/\s+/)).toEqual(WORDS);
        expect(result.words.map((w) => w.text)).toEqual(WORDS);
        expect(result.confidence).toBeGreaterThanOrEqual(90);
        for (const word of result.words) {
          expect(word.confidence).toBeGreaterThan(80);
          expect(word.bbox.x1).toBeGreaterThan(word.bbox.x0);
        }
        expect(result.image).toEqual({ format: 'png', width: 900, height: 200 });
        expect(done.message).toBe(
          `Recognised ${WORDS.length} words (mean confidence ${Math.round(result.confidence)}%)`,
        );
      });

      it('fails at once, with a reason a person can act on, for files OCR cannot read', async () => {
        const pdf = await queue.enqueue(OCR_RECOGNISE_JOB, { blobKey: await upload(PDF) });
        const cut = await queue.enqueue(OCR_RECOGNISE_JOB, {
          blobKey: await upload(png.subarray(0, 2000)),
        });
        const gone = await queue.enqueue(OCR_RECOGNISE_JOB, { blobKey: newUploadKey(clock.now()) });
        expect(await waitForJob(queue, pdf.id)).toMatchObject({
          state: 'failed',
          attempts: 1,
          failureReason: 'OCR reads PNG or JPEG images, but the file is PDF (application/pdf).',
        });
        expect(await waitForJob(queue, cut.id)).toMatchObject({
          state: 'failed',
          attempts: 1,
          failureReason: expect.stringMatching(/^The PNG image is incomplete/),
        });
        expect(await waitForJob(queue, gone.id)).toMatchObject({
          state: 'failed',
          attempts: 1,
          failureReason: 'The uploaded image is no longer stored; upload it again.',
        });
        // The pool is unharmed: the next image is read.
        const next = await queue.enqueue(OCR_RECOGNISE_JOB, { blobKey: await upload(png) });
        expect((await waitForJob(queue, next.id)).state).toBe('complete');
      });

      it('refuses a payload that is not an uploaded file key, storing nothing', async () => {
        for (const blobKey of ['../etc/passwd', '/uploads/x', 'banks/maths/page.png', '', 42]) {
          const error = await queue
            .enqueue(OCR_RECOGNISE_JOB, { blobKey })
            .catch((e: unknown) => e);
          expect(error, String(blobKey)).toBeInstanceOf(JobPayloadError);
          expect((error as JobPayloadError).errors?.[0]?.path).toBe('blobKey');
        }
        expect((await queue.list({ limit: 10, offset: 0 })).total).toBe(0);
      });

      it('cancels a running recognition, and the engine takes the next job', async () => {
        const job = await queue.enqueue(OCR_RECOGNISE_JOB, { blobKey: await upload(longPage) });
        await until(
          async () => (await queue.get(job.id))?.state === 'running',
          'the OCR job to start running',
        );
        const startedBefore = pool.stats().started;
        await queue.cancel(job.id, 'Cancelled by the instructor.');
        expect((await waitForJob(queue, job.id)).state).toBe('cancelled');
        await until(() => pool.stats().busy === 0, 'the pool to let go of the cancelled work');
        const next = await queue.enqueue(OCR_RECOGNISE_JOB, { blobKey: await upload(png) });
        const done = await waitForJob(queue, next.id);
        expect(done.state).toBe('complete');
        expect((done.result as OcrResult).words.map((w) => w.text)).toEqual(WORDS);
        // The cancelled recognition was stopped, not left to finish: its thread was replaced.
        expect(pool.stats().started).toBe(startedBefore + 1);
      });
    });
  },
);
