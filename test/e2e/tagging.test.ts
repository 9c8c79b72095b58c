// Auto-tagging in Chromium against the real server (demo graph and demo bank seeded on first
// start): an instructor imports a GIFT file, starts "Suggest tags" and watches the job finish,
// opens the review queue, accepts one suggestion, bulk-accepts everything above a threshold,
// rejects one, and then finds the accepted questions under their subtopic (/questions?concept=).
// A learner cannot open the queue.
import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, logIn, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD } from './server-process.ts';

const INSTRUCTOR = 'instructor@example.com';
const LEARNER = 'learner@example.com';

const GIFT = `// Six questions for the tagger
::Simplify twelve eighteenths::Write 12/18 in its simplest form. {=2/3 ~6/9 ~4/6}

::Same value as two thirds::Which fraction is equivalent to 2/3? {=4/6 ~3/4 ~2/6}

::Seventeen fifths::Write 17/5 as a mixed number. {=3 2/5 ~2 3/5 ~5 2/3}

::Two-step equation::Solve 3x + 4 = 19. {#5}

::Fifteen percent::What is 15% of 80? {#12}

::Round to the hundred::Round 7,649 to the nearest hundred. {=7600 ~7650 ~7700}
`;

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });
const queue = (page: Page) => page.getByRole('table', { name: 'Suggested tags' });
const queueRows = (page: Page) => queue(page).locator('tbody tr');

describe.skipIf(!chromiumAvailable)('auto-tagging and the review queue', () => {
  const suite = useBrowserSuite();
  let context: BrowserContext;
  let problems: string[];
  let page: Page;
  beforeEach(() => {
    ({ context, problems, page } = suite);
  });

  it('imports GIFT, suggests tags, reviews them and finds the questions by subtopic', async () => {
    await page.goto('/login?next=/questions/import');
    await logIn(page, INSTRUCTOR, DEMO_PASSWORD);
    await atPath(page, '/questions/import');

    // Before: the demo bank has 14 questions under Fractions.
    await page.locator('input[type="file"]').setInputFiles({
      name: 'tagging.gift',
      mimeType: 'text/plain',
      buffer: Buffer.from(GIFT, 'utf8'),
    });
    await page.getByRole('button', { name: 'Check file' }).click();
    await visible(page.getByText('6 questions are ready to import'));
    await page.getByRole('button', { name: 'Import 6 questions' }).click();
    await visible(page.getByText('Imported 6 questions'));

    const panel = page.getByLabel('Suggest tags');
    await visible(panel.getByText('Suggest concept and skill tags for the 6 imported questions'));
    await panel.getByRole('button', { name: 'Suggest tags' }).click();
    await visible(page.getByRole('progressbar', { name: 'Tagging progress' }));
    await visible(page.getByText('Suggestions ready'));
    await visible(page.getByText(/\d+ suggestions for 6 of 6 questions \(offline tagger\)\./));
    await screenshot(page, 'tagging-import-suggested');

    await panel.getByRole('link', { name: 'Review the suggestions' }).click();
    await atPath(page, '/questions/review');
    expect(new URL(page.url()).searchParams.get('importId')).toMatch(/^[0-9a-f-]{36}$/);
    await visible(page.getByRole('heading', { name: 'Review tags', level: 1 }));
    await visible(page.getByText('One import only'));
    await visible(queue(page));
    await screenshot(page, 'tagging-review-queue');
    const total = Number(
      /of (\d+) suggestions/.exec(
        (await page.getByText(/ of \d+ suggestions$/).textContent()) ?? '',
      )?.[1],
    );
    expect(total).toBeGreaterThanOrEqual(6);
    // Most confident first: the simplest-form question's skill, with its reason.
    const first = queueRows(page).first();
    await visible(first.getByText('Simplify fractions', { exact: true }));
    await visible(
      first.getByText(/Matched “simplify”, plus “fraction” read from the maths, in the skill name/),
    );
    await visible(first.getByRole('progressbar', { name: /^Confidence 0\.9/ }));

    // Accept one.
    await first.getByRole('button', { name: /^Accept Simplify fractions/ }).click();
    await visible(page.getByText(/Accepted “Simplify fractions”/));
    await visible(page.getByText(`1–${total - 1} of ${total - 1} suggestions`));

    // Bulk-accept everything at or above 0.5, after a confirmation.
    const threshold = page.getByRole('textbox', { name: 'Threshold' });
    await threshold.fill('0.5');
    await threshold.blur();
    const acceptAll = page.getByRole('button', {
      name: /^Accept all ≥ 0\.5 \((\d+) suggestions?\)$/,
    });
    await visible(acceptAll);
    const bulkCount = Number(/\((\d+) suggestion/.exec((await acceptAll.textContent()) ?? '')?.[1]);
    expect(bulkCount).toBeGreaterThanOrEqual(3);
    await acceptAll.click();
    const dialog = page.getByRole('dialog', { name: 'Accept suggested tags?' });
    await visible(
      dialog.getByText(`Accept ${bulkCount} suggested tags with confidence 0.5 or more`),
    );
    await screenshot(page, 'tagging-bulk-confirm');
    await dialog.getByRole('button', { name: `Accept ${bulkCount}` }).click();
    await visible(page.getByText(`Accepted ${bulkCount} suggestions at or above 0.5.`));
    const left = total - 1 - bulkCount;
    await visible(page.getByText(`1–${left} of ${left} suggestions`));

    // Reject one of the less confident ones that are left.
    const low = queueRows(page).first();
    const lowName = (await low.locator('td').nth(1).locator('p').first().textContent()) ?? '';
    await low.getByRole('button', { name: /^Reject / }).click();
    await visible(page.getByText(`Rejected “${lowName}”`, { exact: false }));
    await visible(page.getByText(`1–${left - 1} of ${left - 1} suggestions`));
    await screenshot(page, 'tagging-review-after');

    // The accepted questions now appear under their subtopic.
    await page.goto('/questions?concept=fractions');
    await visible(page.getByText('Concept: Fractions and its sub-topics'));
    const table = page.getByRole('table', { name: 'Questions' });
    await visible(table);
    await screenshot(page, 'tagging-concept-filter');
    await visible(table.getByRole('link', { name: 'Simplify twelve eighteenths', exact: true }));
    await visible(table.getByRole('link', { name: 'Same value as two thirds', exact: true }));
    await visible(table.getByRole('link', { name: 'Seventeen fifths', exact: true }));
    await visible(page.getByText('1–17 of 17 questions', { exact: true }));
    // The equation is under Algebra, not Fractions.
    expect(await table.getByRole('link', { name: 'Two-step equation', exact: true }).count()).toBe(
      0,
    );
    await page.goto('/questions?concept=algebra');
    await visible(
      page
        .getByRole('table', { name: 'Questions' })
        .getByRole('link', { name: 'Two-step equation', exact: true }),
    );
  });

  it('offers "Suggest tags" on the Questions list and keeps learners out of the queue', async () => {
    await page.goto('/login');
    await logIn(page, INSTRUCTOR, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await nav(page).getByRole('link', { name: 'Review tags' }).click();
    await atPath(page, '/questions/review');
    await page.goto('/questions?q=simplest');
    const panel = page.getByLabel('Suggest tags');
    await visible(
      panel.getByText(
        /Suggest concept and skill tags for the \d+ questions? matching these filters/,
      ),
    );
    await screenshot(page, 'tagging-questions-list');

    await context.clearCookies();
    await page.goto('/login');
    await logIn(page, LEARNER, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    expect(await nav(page).getByRole('link', { name: 'Review tags' }).count()).toBe(0);
    await page.goto('/questions/review');
    await visible(page.getByText('You are not allowed to see this page'));
    // The request the page made was refused; that is the expected answer here.
    problems.splice(0, problems.length, ...problems.filter((p) => !/403/.test(p)));
  });
});
