// Recommendation sets in Chromium against the real server (demo papers, results and sets seeded
// on first start): the learner opens Recommendations, sees the active set's questions with their
// reasons and the archived set, is told the set is kept as it is when nothing changed, practises
// a question from the page (its progress moves), logs a new result and builds a new set from the
// page, which moves the previous one to the archived sets.
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, logIn, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD } from './server-process.ts';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });

describe.skipIf(!chromiumAvailable)('recommendation sets', () => {
  const suite = useBrowserSuite();
  let page: Page;
  let context: BrowserContext;
  beforeEach(() => {
    page = suite.page;
    context = suite.context;
  });

  it('shows the set with reasons, practises a question and builds a new set', async () => {
    await page.goto('/login');
    await logIn(page, 'learner@example.com', DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await nav(page).getByRole('link', { name: 'Recommendations' }).click();
    await atPath(page, '/recommendations');
    await visible(page.getByRole('heading', { name: 'Recommendations', level: 1 }));
    await visible(page.getByRole('heading', { name: 'Your active set' }));
    const items = page.getByTestId('recommendation-item');
    await visible(items.first());
    expect(await items.count()).toBeGreaterThanOrEqual(6);
    const reason = await items.first().getByTestId('recommendation-reason').textContent();
    expect(reason).toMatch(/You lost \d+(\.\d)? of \d+(\.\d)? marks on /);
    const archived = page.getByRole('table', { name: 'Archived sets' });
    expect(await archived.getByRole('row').count()).toBe(2); // header + one set
    await screenshot(page, 'recommendations');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'recommendations-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Nothing new since the set was built: kept, and said so.
    await page.getByRole('button', { name: 'Build new set' }).click();
    const message = page.getByTestId('build-message');
    await visible(message.getByText('Kept as it is', { exact: true }));
    expect(await message.textContent()).toMatch(/No new papers or results/);
    expect(await archived.getByRole('row').count()).toBe(2);

    // Practise the first question from the page.
    await items
      .first()
      .getByRole('button', { name: /^Practise question 1/ })
      .click();
    const dialog = page.getByRole('dialog');
    await visible(dialog.getByLabel('Question'));
    if ((await dialog.getByRole('radio').count()) > 0) {
      await dialog.getByRole('radio').first().check();
    } else if ((await dialog.getByRole('checkbox').count()) > 0) {
      await dialog.getByRole('checkbox').first().check();
    } else {
      await dialog.getByRole('textbox', { name: 'Your answer' }).fill('1');
    }
    await dialog.getByRole('button', { name: 'Check answer' }).click();
    await visible(dialog.getByRole('status'));
    await screenshot(page, 'recommendations-practise');
    await dialog.getByRole('button', { name: 'Back to the set' }).click();
    await visible(items.first().getByText(/^Done · (right|wrong)$/));
    await visible(page.getByText(/^1 of \d+ done/));

    // A new result, then a new set from the page: the previous one is archived.
    const csrf = (await (await context.request.get('/api/auth/csrf')).json()) as { token: string };
    const papers = (await (await context.request.get('/api/tracker/papers')).json()) as {
      papers: Array<{ id: string; questions: Array<{ number: string; maxMarks: number }> }>;
    };
    const paper = papers.papers[0]!;
    const put = await context.request.put(`/api/tracker/results/${randomUUID()}`, {
      headers: { 'x-csrf-token': csrf.token },
      data: {
        paperId: paper.id,
        takenOn: new Date().toISOString().slice(0, 10),
        marks: paper.questions.map((q) => ({ question: q.number, marks: 0 })),
      },
    });
    expect(put.status()).toBe(201);
    await page.getByRole('button', { name: 'Build new set' }).click();
    await visible(message.getByText('New set built', { exact: true }));
    expect(await message.textContent()).toMatch(/previous set is archived/);
    await visible(page.getByText(/^0 of \d+ done/));
    await expect.poll(() => archived.getByRole('row').count(), { timeout: 5000 }).toBe(3);
    await archived.getByRole('button', { name: 'View' }).first().click();
    await visible(page.getByRole('dialog').getByText(/archived/));
    await screenshot(page, 'recommendations-archived');
  });
});
