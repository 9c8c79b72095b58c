// The performance tracker in Chromium against the real server (demo papers and results seeded on
// first start): a learner logs a paper's full mark table through the modal with the keyboard,
// sees the list and the dashboard change at once, follows a weak link's deep link to the
// filtered question list; an instructor sees the cohort view.
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, logIn, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD } from './server-process.ts';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });

describe.skipIf(!chromiumAvailable)('performance tracker', () => {
  const suite = useBrowserSuite();
  let page: Page;
  beforeEach(() => {
    page = suite.page;
  });

  it('logs a mark table through the modal and follows a weak link to the questions', async () => {
    await page.goto('/login');
    await logIn(page, 'learner@example.com', DEMO_PASSWORD);
    await atPath(page, '/dashboard');

    await nav(page).getByRole('link', { name: 'Exam tracker' }).click();
    await atPath(page, '/tracker');
    await visible(page.getByRole('heading', { name: 'Exam tracker', level: 1 }));
    await visible(page.getByText('Papers logged'));
    const before = await page.getByTestId('weak-link').count();
    expect(before).toBeGreaterThan(0);
    await screenshot(page, 'tracker-dashboard');

    await nav(page).getByRole('link', { name: 'Papers' }).click();
    await atPath(page, '/papers');
    const row = page
      .getByRole('table', { name: 'Papers' })
      .getByRole('row')
      .filter({ hasText: 'Practice Paper A' });
    await visible(row);
    const attempts = row.locator('td').nth(3);
    expect(await attempts.textContent()).toBe('1');
    await row.getByRole('button', { name: 'Log attempt' }).click();
    const dialog = page.getByRole('dialog');
    await visible(dialog.getByText('Log attempt: Practice Paper A'));
    // Type each mark and Tab to the next; full marks everywhere.
    const first = dialog.getByRole('textbox', { name: /^Question 1 marks/ });
    await first.click();
    for (const max of [2, 3, 4, 3, 4, 3]) {
      await page.keyboard.type(String(max));
      await page.keyboard.press('Tab');
    }
    await visible(dialog.getByText('Total: 19 / 19'));
    await visible(dialog.getByText('Every question marked'));
    await screenshot(page, 'tracker-log-attempt');
    await dialog.getByRole('button', { name: 'Save attempt' }).click();
    await visible(page.getByText(/Practice Paper A: 19 \/ 19 saved/));
    await expect.poll(() => attempts.textContent()).toBe('2');
    await visible(page.getByRole('cell', { name: '100 %' }).first());

    await nav(page).getByRole('link', { name: 'Exam tracker' }).click();
    await atPath(page, '/tracker');
    await visible(page.getByText('Papers logged'));
    await expect
      .poll(() => page.getByText('Papers logged').locator('..').textContent())
      .toContain('6');
    const adding = page.getByTestId('weak-link').filter({ hasText: 'Adding fractions:' });
    await visible(adding);
    await visible(adding.getByText('Root cause: Find equivalent fractions'));
    await adding.getByRole('link', { name: 'Practise Find equivalent fractions' }).click();
    const url = await atPath(page, '/questions');
    expect(url.searchParams.get('concept')).toBeTruthy();
    await visible(page.getByText(/of \d+ questions?$/));
    await screenshot(page, 'tracker-deep-link');
  });

  it('shows an instructor the cohort’s weakest subtopics', async () => {
    await page.goto('/login');
    await logIn(page, 'instructor@example.com', DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await nav(page).getByRole('link', { name: 'Cohort', exact: true }).click();
    await atPath(page, '/tracker/cohort');
    await visible(page.getByRole('heading', { name: 'Cohort', level: 1 }));
    const table = page.getByRole('table', { name: 'Weakest skills' });
    await visible(table.getByRole('link', { name: 'Find equivalent fractions' }));
    await screenshot(page, 'tracker-cohort');
  });
});
