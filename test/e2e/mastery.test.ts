// Practice and mastery in Chromium against the real server (demo graph and questions): a learner
// answers a question on the practice page, sees feedback and the mastery change, then finds it on
// the dashboard, My mastery and the skill's evidence trail; an instructor opens the cohort mastery
// table and sees that learner. Screenshots at desktop and phone width.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, logIn, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD } from './server-process.ts';

const INSTRUCTOR = 'instructor@example.com';
const LEARNER = 'learner@example.com';
const PHONE = { width: 390, height: 844 };

describe.skipIf(!chromiumAvailable)('practice and mastery', () => {
  const suite = useBrowserSuite();
  let page: Page;

  async function open(email: string) {
    page = suite.page;
    await page.goto('/login');
    await logIn(page, email, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
  }

  async function both(name: string) {
    await screenshot(page, name);
    await page.setViewportSize(PHONE);
    await screenshot(page, `${name}-phone`);
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  it('a learner answers a question and sees mastery move on the dashboard and mastery pages', async () => {
    await open(LEARNER);
    await visible(page.getByRole('heading', { name: 'Mastery by skill' }));
    const list = (await (
      await page.request.get('/api/questions?type=single_choice&limit=100')
    ).json()) as { questions: { id: string; excerpt: string }[] };
    const question = list.questions.find((q) => q.excerpt.includes('digit 7 in 4,702'));
    expect(question).toBeDefined();

    await page.goto(`/practice/${question!.id}`);
    await visible(page.getByText('What is the value of the digit'));
    await page.getByRole('button', { name: 'Check answer' }).click();
    await visible(page.getByText('Choose an answer first.'));
    await page.getByRole('radio', { name: '700', exact: true }).check();
    await both('practice-question');
    await page.getByRole('button', { name: 'Check answer' }).click();
    await visible(page.getByText('Correct', { exact: true }));
    await visible(page.getByText('Right: the 7 is in the hundreds column.'));
    const change = await visible(page.getByLabel('Mastery change'));
    const text = (await change.textContent()) ?? '';
    const [before, after] = [...text.matchAll(/(\d+)%/g)].map((m) => Number(m[1]));
    expect(after).toBeGreaterThan(before!);
    await both('practice-feedback');

    await page.getByRole('button', { name: 'Back to my learning' }).click();
    await atPath(page, '/dashboard');
    const recent = await visible(page.getByRole('list', { name: 'Recent answers' }));
    await visible(recent.getByText(`${before}% → ${after}%`, { exact: false }));
    await visible(page.getByRole('img', { name: /Place value/ }));
    await both('dashboard-learner');

    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Mastery', exact: true })
      .click();
    await atPath(page, '/mastery');
    const meter = await visible(page.getByRole('meter', { name: new RegExp(`${after}%`) }));
    await both('mastery-page');
    const skillName = ((await meter.getAttribute('aria-label')) ?? '').split(':')[0]!;
    await page.getByRole('link', { name: skillName, exact: true }).click();
    await visible(page.getByRole('heading', { name: skillName, level: 1 }));
    const evidence = await visible(page.getByRole('table', { name: 'Evidence' }));
    expect(await evidence.locator('tbody tr').count()).toBe(1);
    await visible(evidence.getByText('Right', { exact: true }));
    await visible(page.getByRole('img', { name: /Mastery from/ }));
    await both('mastery-evidence');

    await page.goto('/reviews');
    await visible(page.getByRole('heading', { name: 'Reviews', level: 1 }));
    await both('reviews');
  });

  it('an instructor sees the learner in the cohort mastery table and opens their mastery', async () => {
    await open(INSTRUCTOR);
    await page.getByRole('link', { name: 'Open cohort mastery' }).click();
    await atPath(page, '/mastery/cohort');
    const table = await visible(page.getByRole('table', { name: 'Cohort mastery' }));
    await visible(table.getByText(LEARNER));
    await both('cohort-mastery');
    await page.getByRole('textbox', { name: 'Learner' }).fill('nobody-matches-this');
    await visible(page.getByText('No learner matches.'));
    await page.getByRole('textbox', { name: 'Learner' }).fill('maya');
    await visible(table.getByText(LEARNER));
    await table.getByRole('button', { name: /Maya Learner: open mastery/ }).click();
    const drawer = await visible(page.getByRole('dialog'));
    await visible(drawer.getByText('Mastered at'));
    expect(await drawer.getByRole('meter').count()).toBeGreaterThan(0);
    await both('cohort-learner');
  });
});
