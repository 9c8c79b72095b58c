// OCR ingestion with the real engine: a printed multiple-choice question, rendered by Chromium,
// uploaded through the API and read by the tesseract.js pool into a single-choice draft.
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../../../test/e2e/browser.ts';
import { testConfig } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { createTestDatabase, testDialects } from '../../../test/helpers/test-db.ts';
import { buildApp } from '../../app.ts';
import { createDeps } from '../../container.ts';
import { OcrPool } from '../../infra/ocr/ocr-pool.ts';
import { renderText } from '../../infra/ocr/ocr-test-images.ts';
import { waitForJob } from '../../infra/queue/queue-test-kit.ts';
import { multipartBody } from '../files/test-fixtures.ts';

if (!chromiumAvailable && process.env.CI === 'true') {
  throw new Error(`The OCR tests render their images with Chromium, missing at ${CHROMIUM_PATH}.`);
}

const LINES = [
  '7. Which gas do plants take in for photosynthesis?',
  'A) Oxygen',
  'B) Carbon dioxide',
  'C) Nitrogen',
];

describe.skipIf(!chromiumAvailable)('OCR ingestion with the tesseract.js pool', () => {
  let browser: Browser;
  let pool: OcrPool;
  let png: Buffer;

  beforeAll(async () => {
    browser = await launchChromium();
    png = await renderText(browser, LINES);
    pool = new OcrPool({ size: 1, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await pool?.close();
    await browser?.close();
  });

  it.each(testDialects())(
    'reads a printed question into a single-choice draft (%s)',
    async (dialect) => {
      const db = await createTestDatabase(dialect);
      const deps = createDeps(testConfig({ DATABASE_URL: db.url }), {
        database: db.handle,
        logger: pino({ level: 'silent' }),
        ocr: pool,
      });
      const app = await buildApp(deps);
      try {
        await app.ready();
        await deps.jobs.startWorker();
        const user = await createUser(deps, { role: 'instructor' });
        const client = new TestClient(app);
        await client.login(user.email, user.password);
        const { payload, contentType } = multipartBody([
          { name: 'images', filename: 'photosynthesis.png', data: png, contentType: 'image/png' },
        ]);
        const res = await client.request('POST', '/api/questions/ocr', payload, {
          headers: { 'content-type': contentType },
        });
        expect(res.statusCode, res.body).toBe(202);
        const { drafts, jobs } = res.json() as { drafts: { id: string }[]; jobs: { id: string }[] };
        const job = await waitForJob(deps.jobs, jobs[0]!.id, undefined, 60_000);
        expect(job.state, job.failureReason ?? '').toBe('complete');

        const draft = (await client.get(`/api/questions/ocr/${drafts[0]!.id}`)).json().draft as {
          confidence: number;
          words: { text: string; confidence: number; bbox: { x0: number; x1: number } }[];
          question: { id: string; type: string };
        };
        expect(draft.confidence).toBeGreaterThan(85);
        expect(draft.words.map((w) => w.text)).toEqual(LINES.join(' ').split(' '));
        expect(draft.words.every((w) => w.bbox.x1 > w.bbox.x0)).toBe(true);
        const question = (await client.get(`/api/questions/${draft.question.id}`)).json().question;
        expect(question).toMatchObject({
          type: 'single_choice',
          status: 'draft',
          source: 'ocr',
          stem: 'Which gas do plants take in for photosynthesis?',
          answers: {
            options: [
              { id: 'a', text: 'Oxygen', weight: 0 },
              { id: 'b', text: 'Carbon dioxide', weight: 0 },
              { id: 'c', text: 'Nitrogen', weight: 0 },
            ],
          },
        });
      } finally {
        await app.close();
        await deps.jobs.stop();
        await db.drop();
      }
    },
    90_000,
  );
});
