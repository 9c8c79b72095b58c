// OCR ingestion in Chromium against the real server and its tesseract.js pool: an instructor's
// damaged upload is refused naming the file; then two question images (rendered by Chromium, one
// with a struck-through and a tilted word OCR misreads) are uploaded, their jobs complete, the
// damaged one opens beside its image with the doubtful words marked, she corrects them, saves
// and marks it reviewed; then picks the right option of the single-choice draft and sends it to
// review.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderText } from '../../src/infra/ocr/ocr-test-images.ts';
import {
  atPath,
  chromiumAvailable,
  launchChromium,
  logIn,
  screenshot,
  visible,
  watchPageProblems,
} from './browser.ts';
import { DEMO_PASSWORD, startServer, type ServerProcess } from './server-process.ts';

const INSTRUCTOR = 'instructor@example.com';
const CHOICE = [
  '1. Which gas do plants take in for photosynthesis?',
  'A) Oxygen',
  'B) Carbon dioxide',
  'C) Nitrogen',
];
const WRITTEN = 'Name the organelle where respiration happens. [1 mark]';
/** A written question as a worn photocopy might show it: a struck-through and a tilted word. */
const DAMAGED_HTML =
  '<body style="margin:30px;background:#fff;font-family:DejaVu Sans;font-size:26px"><p>2. Name ' +
  'the <span style="text-decoration:line-through;text-decoration-thickness:4px">organelle</span> ' +
  'where <span style="display:inline-block;transform:rotate(9deg)">respiration</span> happens. ' +
  '[1 mark]</p></body>';

const rows = (page: Page) =>
  page.getByRole('table', { name: 'Drafts from images' }).locator('tbody tr');

/** Click Save and wait for the question's PATCH to answer 200. */
async function save(page: Page) {
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'PATCH' && /\/api\/questions\/[0-9a-f-]{36}$/.test(r.url()),
    { timeout: 15_000 },
  );
  await page.getByRole('button', { name: 'Save' }).click();
  const response = await answered.catch(async (err: unknown) => {
    await screenshot(page, 'ocr-save-failed');
    throw err;
  });
  expect(response.status(), await response.text()).toBe(200);
}

describe.skipIf(!chromiumAvailable)('OCR ingestion', () => {
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let choicePng: Buffer;
  let writtenPng: Buffer;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    choicePng = await renderText(browser, CHOICE);
    const render = await browser.newPage({ viewport: { width: 900, height: 200 } });
    await render.setContent(DAMAGED_HTML);
    writtenPng = await render.screenshot({ type: 'jpeg', quality: 90, fullPage: true });
    await render.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    context = await browser.newContext({
      baseURL: server.url,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    problems = watchPageProblems(page);
  });

  afterEach(async () => {
    await context?.close();
    expect(problems).toEqual([]);
  });

  it('turns uploaded images into drafts an instructor corrects beside the image', async () => {
    await page.goto('/login');
    await logIn(page, INSTRUCTOR, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await page.goto('/questions');
    await page.getByRole('link', { name: 'Import from images' }).click();
    await atPath(page, '/questions/ocr');
    await visible(page.getByRole('heading', { name: 'Import from images', level: 1 }));

    // A damaged file is refused whole, naming it; nothing is stored.
    await page.locator('input[type="file"]').setInputFiles([
      { name: 'photosynthesis.png', mimeType: 'image/png', buffer: choicePng },
      { name: 'cut.png', mimeType: 'image/png', buffer: choicePng.subarray(0, 500) },
    ]);
    await page.getByRole('button', { name: 'Upload 2 images' }).click();
    await visible(page.getByText(/^cut\.png: The PNG image is incomplete/));
    await visible(page.getByText(/^Refused: The PNG image is incomplete/));
    await screenshot(page, 'ocr-import-refused');
    await page.getByRole('button', { name: 'Clear' }).click();

    await page.locator('input[type="file"]').setInputFiles([
      { name: 'photosynthesis.png', mimeType: 'image/png', buffer: choicePng },
      { name: 'heart.jpg', mimeType: 'image/jpeg', buffer: writtenPng },
    ]);
    await visible(page.getByRole('table', { name: 'Images to upload' }));
    await screenshot(page, 'ocr-import-picked');
    await page.getByRole('button', { name: 'Upload 2 images' }).click();

    const url = await atPath(page, '/questions/ocr');
    await page.waitForURL((u) => u.searchParams.has('batch'), { timeout: 15_000 });
    expect(url.pathname).toBe('/questions/ocr');
    await screenshot(page, 'ocr-import-reading');
    // OCR on a busy machine (the engine starts with the first image) may take a while.
    await page.getByText('2 of 2 drafted.').waitFor({ state: 'visible', timeout: 90_000 });
    expect(await rows(page).count()).toBe(2);
    await visible(rows(page).filter({ hasText: 'heart.jpg' }).getByText('Drafted'));
    await visible(rows(page).filter({ hasText: 'photosynthesis.png' }).getByText('Single choice'));
    // Thumbnails load through the authenticated image route.
    const thumb = page.getByRole('img', { name: 'Image heart.jpg' });
    await visible(thumb);
    // A string, evaluated in the page (this file is compiled without the DOM types).
    await page.waitForFunction(
      '[...document.images].every((img) => img.complete && img.naturalWidth > 0)',
      undefined,
      { timeout: 15_000 },
    );
    await screenshot(page, 'ocr-import-drafted');

    // The damaged draft: the image beside the text, doubtful words marked and boxed.
    await page.getByRole('link', { name: 'heart.jpg' }).click();
    await page.waitForURL(/\/questions\/ocr\/[0-9a-f-]{36}$/);
    await visible(page.getByRole('heading', { name: 'heart.jpg', level: 1 }));
    await visible(page.getByRole('img', { name: 'The uploaded image heart.jpg' }));
    const recognised = page.getByRole('group', { name: 'Recognised text' });
    await visible(recognised);
    const doubtful = recognised.getByLabel(/low confidence/);
    expect(await doubtful.count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('low-confidence-box').count()).toBe(await doubtful.count());
    const stem = page.getByRole('textbox', { name: 'Question' });
    expect(await stem.inputValue()).toMatch(/^Name the .+ where .+ happens\. \[1 mark\]$/);
    expect(await stem.inputValue()).not.toBe(WRITTEN);
    expect(await page.getByRole('textbox', { name: 'Marks' }).inputValue()).toBe('1');
    await doubtful.first().focus();
    await screenshot(page, 'ocr-draft-written');
    await stem.fill(WRITTEN);
    await save(page);
    await visible(page.getByText('Draft heart.jpg saved.'));
    await page.getByRole('button', { name: 'Mark reviewed', exact: true }).click();
    await visible(page.getByText('Marked reviewed.'));
    await visible(page.getByText('Reviewed', { exact: true }));
    expect(await page.getByRole('textbox', { name: 'Question' }).inputValue()).toBe(WRITTEN);
    await screenshot(page, 'ocr-draft-written-reviewed');

    // The choice draft: no answer yet; pick B, save, send it to review.
    await page.getByRole('link', { name: '← Import from images' }).click();
    await page.getByRole('link', { name: 'photosynthesis.png' }).click();
    await visible(page.getByRole('heading', { name: 'photosynthesis.png', level: 1 }));
    expect(await page.getByRole('textbox', { name: 'Option B' }).inputValue()).toBe(
      'Carbon dioxide',
    );
    expect(
      await page.getByRole('button', { name: 'Reviewed, ready for review' }).isDisabled(),
    ).toBe(true);
    await page.getByRole('radio', { name: 'Option B is correct' }).check();
    await save(page);
    // Named, so the first draft's notification, if still shown, cannot stand in for this one.
    await visible(page.getByText('Draft photosynthesis.png saved.'));
    await page.getByRole('button', { name: 'Reviewed, ready for review' }).click();
    await visible(page.getByText('Reviewed and sent to review.'));
    await visible(page.getByText('In review', { exact: true }));
    await screenshot(page, 'ocr-draft-choice-reviewed');

    // The question's own page shows the corrected question and leads back to its image.
    await page.getByRole('link', { name: 'Open the question page' }).click();
    await page.waitForURL(/\/questions\/[0-9a-f-]{36}$/);
    await visible(page.getByLabel('Question').getByText('Which gas do plants take in'));
    await page.getByRole('link', { name: 'Correct beside its image (photosynthesis.png)' }).click();
    await page.waitForURL(/\/questions\/ocr\/[0-9a-f-]{36}$/);
    await visible(page.getByRole('heading', { name: 'photosynthesis.png', level: 1 }));

    // Both reviewed: nothing left in the review list.
    await page.goto('/questions/ocr?view=review');
    await visible(page.getByText('No drafts wait for review.'));
  }, 120_000);
});
