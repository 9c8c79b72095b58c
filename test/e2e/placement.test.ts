// The placement test in Chromium against the real server (demo graph and bank seeded on first
// start): a new learner signs up, opens the placement test, answers one question at a time,
// leaves and comes back to the same question, finishes, and sees the level per area and, once
// they pick a role (the test covered everything), where its path starts; the dashboard's card
// shows the result.
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, field, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';

const MAX_ITEMS = 5;

/** Answer whatever question is shown: the first option, or a number / a word. */
async function answerShown(page: Page): Promise<void> {
  const form = page.getByRole('form', { name: 'Placement question' });
  await visible(form);
  const radios = form.getByRole('radio');
  const boxes = form.getByRole('checkbox');
  if ((await radios.count()) > 0) await radios.first().check();
  else if ((await boxes.count()) > 0) await boxes.first().check();
  else await form.getByRole('textbox', { name: 'Your answer' }).fill('12');
  await form.getByRole('button', { name: 'Submit answer' }).click();
}

describe.skipIf(!chromiumAvailable)('placement test', () => {
  const suite = useBrowserSuite({ env: { PLACEMENT_MAX_ITEMS: String(MAX_ITEMS) } });
  let page: Page;
  beforeEach(() => {
    page = suite.page;
  });

  it('a new learner takes the test, leaves and resumes, and sees the result', async () => {
    await page.goto('/signup');
    await field(page, 'Email').fill('new.learner@example.com');
    await field(page, 'Name').fill('New Learner');
    await field(page, 'Password').fill('placement-journey-2026');
    await page.getByRole('button', { name: /sign up|create account/i }).click();
    await atPath(page, '/dashboard');

    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Placement test' })
      .click();
    await atPath(page, '/placement');
    // The promise on the start card is the configured maximum.
    await visible(page.getByText(`Up to ${MAX_ITEMS} questions, one at a time`));
    await screenshot(page, 'placement-intro');
    await page.getByRole('button', { name: 'Start the placement test' }).click();
    await visible(page.getByText(`Question 1 · at most ${MAX_ITEMS}`));
    await screenshot(page, 'placement-question');
    await answerShown(page);
    await visible(page.getByText(`Question 2 · at most ${MAX_ITEMS}`));
    const stem = await page.getByLabel('Question', { exact: true }).innerText();

    // Leave and come back: the same question.
    await page.goto('/dashboard');
    await page.goto('/placement');
    await visible(page.getByText(`Question 2 · at most ${MAX_ITEMS}`));
    expect(await page.getByLabel('Question', { exact: true }).innerText()).toBe(stem);

    for (let i = 2; i <= MAX_ITEMS; i++) {
      await visible(page.getByText(`Question ${i} · at most ${MAX_ITEMS}`));
      await answerShown(page);
    }
    await page.waitForURL((u) => /^\/placement\/[0-9a-f-]{36}\/result$/.test(u.pathname), {
      timeout: 30_000,
    });
    await visible(page.getByRole('heading', { name: 'Your placement result', level: 1 }));
    const areas = page.getByRole('region', { name: 'Level per area' });
    await visible(areas.getByRole('row').nth(1));
    await visible(page.getByRole('heading', { name: 'Your path will start with' }));
    // A test over everything: the learner picks a role to see the first module of its path.
    await visible(page.getByText(/^For everything in the catalogue · /));
    const start = page.getByRole('region', { name: 'Where your path starts' });
    const role = start.getByRole('combobox', {
      name: 'Choose a role to see where its path starts',
    });
    await role.getByRole('option', { name: 'Kitchen Apprentice' }).waitFor({ state: 'attached' });
    await role.selectOption({ label: 'Kitchen Apprentice' });
    await visible(start.getByTestId('first-module-title'));
    expect(await start.getByTestId('first-module-title').textContent()).toMatch(/^Module 1: \S/);
    expect(
      await start.getByLabel('Skills of the first module').getByRole('link').count(),
    ).toBeGreaterThanOrEqual(3);
    await visible(start.getByRole('button', { name: 'Start a path for Kitchen Apprentice' }));
    await screenshot(page, 'placement-result');

    await page.goto('/dashboard');
    const card = page.getByRole('region', { name: 'Placement test' });
    await visible(card.getByRole('link', { name: 'Full result' }));
    await screenshot(page, 'placement-dashboard');
  });
});
