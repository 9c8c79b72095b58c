// The question bank in Chromium against the real server (demo graph and demo questions seeded on
// first start): an instructor browses and deep-links by concept, imports a GIFT file (a bad one
// first: problems by line, nothing imported), sees the new questions filtered, opens one; a
// learner sees published questions without answers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/server-process.ts';
import { atPath, chromiumAvailable, logIn, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD } from './server-process.ts';

const INSTRUCTOR = 'instructor@example.com';
const LEARNER = 'learner@example.com';
const GIFT = readFileSync(
  path.join(REPO_ROOT, 'src/modules/questions/fixtures/supported.gift'),
  'utf8',
);

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });
const rows = (page: Page) => page.getByRole('table', { name: 'Questions' }).locator('tbody tr');
const summary = (page: Page) => page.getByText(/ of \d+ questions$/);

async function chooseFile(page: Page, name: string, content: string) {
  await page.locator('input[type="file"]').setInputFiles({
    name,
    mimeType: 'text/plain',
    buffer: Buffer.from(content, 'utf8'),
  });
}

describe.skipIf(!chromiumAvailable)('question bank', () => {
  const suite = useBrowserSuite();
  let page: Page;
  beforeEach(() => {
    ({ page } = suite);
  });

  it('lets an instructor browse the demo bank and follow a concept deep link', async () => {
    await page.goto('/login');
    await logIn(page, INSTRUCTOR, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await nav(page).getByRole('link', { name: 'Questions' }).click();
    await atPath(page, '/questions');
    await visible(page.getByRole('heading', { name: 'Questions', level: 1 }));
    await visible(summary(page));
    expect(await summary(page).textContent()).toBe('1–25 of 52 questions');
    await screenshot(page, 'questions-list');

    await page.goto('/questions?concept=fractions');
    await visible(page.getByText('Concept: Fractions and its sub-topics'));
    // 13 questions on the skills under Fractions' sub-concepts, and the one on "Relate ratios and
    // fractions", a Ratio skill that is also part_of Equivalent fractions in the demo edges.
    await visible(page.getByText('1–14 of 14 questions', { exact: true }));
    await visible(page.getByRole('link', { name: 'Relate ratios and fractions', exact: true }));
    await screenshot(page, 'questions-concept-fractions');

    // A tag badge is a link to its own filtered list.
    await page
      .getByRole('table', { name: 'Questions' })
      .getByRole('link', { name: 'Adding fractions', exact: true })
      .first()
      .click();
    await atPath(page, '/questions', '?skill=add-fractions');
    await visible(page.getByText('Skill: Adding fractions'));
    await visible(page.getByText(/ of 2 questions$/));

    await page.goto('/questions?concept=no-such-concept');
    await visible(page.getByText('No concept or skill “no-such-concept”'));
    await visible(page.getByRole('heading', { name: 'No questions match' }));
  });

  it('imports a GIFT file after showing the problems of a bad one, then filters the import', async () => {
    await page.goto('/login?next=/questions/import');
    await logIn(page, INSTRUCTOR, DEMO_PASSWORD);
    await atPath(page, '/questions/import');
    await visible(page.getByRole('heading', { name: 'Import questions' }));

    await chooseFile(page, 'broken.gift', `${GIFT}\n\nBroken {=a ~b\n\nMatch {=a -> b}\n`);
    await page.getByRole('button', { name: 'Check file' }).click();
    const problemTable = await visible(page.getByRole('table', { name: 'Problems' }));
    await visible(page.getByText('Nothing was imported'));
    const problemRows = problemTable.locator('tbody tr');
    expect(await problemRows.count()).toBe(2);
    expect(await problemRows.nth(0).locator('td').first().textContent()).toBe('72');
    expect(await problemRows.nth(1).locator('td').first().textContent()).toBe('74');
    await screenshot(page, 'questions-import-problems');

    await chooseFile(page, 'supported.gift', GIFT);
    await page.getByRole('button', { name: 'Check file' }).click();
    await visible(page.getByText('21 questions are ready to import'));
    await screenshot(page, 'questions-import-checked');
    await page.getByRole('button', { name: 'Import 21 questions' }).click();
    await visible(page.getByText('Imported 21 questions'));
    await screenshot(page, 'questions-import-done');

    await page.getByRole('link', { name: 'See the imported questions' }).click();
    await atPath(page, '/questions');
    await visible(page.getByText('1–21 of 21 questions', { exact: true }));
    await visible(page.getByText('One import only'));
    await page.getByRole('combobox', { name: 'Type', exact: true }).click();
    await page.getByRole('option', { name: 'Numeric' }).click();
    await visible(page.getByText('1–4 of 4 questions', { exact: true }));
    expect(new URL(page.url()).searchParams.get('type')).toBe('numeric');
    await screenshot(page, 'questions-imported-numeric');

    await rows(page).getByRole('link', { name: 'What is pi to five decimals?' }).click();
    await visible(page.getByRole('table', { name: 'Accepted answers' }));
    await visible(page.getByText('3.14159 ± 0.000005'));
    await screenshot(page, 'question-detail');

    await page.getByRole('button', { name: 'Edit' }).click();
    const stem = page.getByRole('textbox', { name: /^Question/ });
    await stem.fill('What is **pi** to five decimals? <script>alert(1)</script>');
    await page.getByRole('button', { name: 'Preview' }).click();
    await visible(page.getByLabel('Preview').locator('strong', { hasText: 'pi' }));
    await page.getByRole('textbox', { name: 'Answers' }).fill('{ "answers": [] }');
    await page.getByRole('button', { name: 'Save' }).click();
    await visible(page.getByText(/answers\.answers: /));
    await screenshot(page, 'question-edit-error');
    await page
      .getByRole('textbox', { name: 'Answers' })
      .fill(
        '{ "answers": [{ "kind": "tolerance", "value": 3.14159, "tolerance": 0.00001, "weight": 100 }] }',
      );
    await page.getByRole('button', { name: 'Save' }).click();
    await visible(page.getByText('Question saved.'));
    await visible(page.getByText('3.14159 ± 0.00001'));
    expect(await page.locator('script', { hasText: 'alert(1)' }).count()).toBe(0);

    // Mantine's segmented control hides the radio; its label is what a person clicks.
    const published = page.getByRole('radio', { name: 'Published' });
    await page.locator(`label[for="${await published.getAttribute('id')}"]`).click();
    await visible(page.getByText('Now published.'));
  });

  it('shows a learner published questions without answers and no authoring', async () => {
    await page.goto('/login');
    await logIn(page, LEARNER, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    expect(await nav(page).getByRole('link', { name: 'Questions' }).count()).toBe(0);
    await page.goto('/questions?concept=fractions-operations');
    await visible(page.getByRole('heading', { name: 'Questions', level: 1 }));
    await visible(page.getByText(/ of 7 questions$/));
    expect(await page.getByRole('link', { name: 'Import questions' }).count()).toBe(0);
    await rows(page).getByRole('link', { name: 'Adding halves and thirds' }).click();
    await visible(page.getByRole('list', { name: 'Options' }));
    expect(await page.getByText('Right', { exact: true }).count()).toBe(0);
    expect(await page.getByText('Use the common denominator 6.').count()).toBe(0);
    await screenshot(page, 'question-learner');
  });
});
