// Learning paths in Chromium against the real server (demo graph, questions and role catalogue
// seeded on first start): a learner browses the role catalogue, starts a path, opens its first
// module and sees the lesson with its AI-generated badge, golden resources and practice, answers
// a question and sees feedback and the mastery change; an instructor opens the role editor.
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, logIn, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD } from './server-process.ts';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });

describe.skipIf(!chromiumAvailable)('learning paths', () => {
  const suite = useBrowserSuite();
  let page: Page;
  beforeEach(() => {
    page = suite.page;
  });

  it('a learner opens the catalogue, creates a path, opens a module and sees the lesson', async () => {
    await page.goto('/login');
    await logIn(page, 'learner@example.com', DEMO_PASSWORD);
    await atPath(page, '/dashboard');

    await nav(page).getByRole('link', { name: 'Roles' }).click();
    await atPath(page, '/roles');
    await visible(page.getByRole('heading', { name: 'Roles', level: 1 }));
    const card = page.getByRole('article', { name: 'Data Analyst (numeracy foundations)' });
    await visible(card.getByText('10 skills'));
    await screenshot(page, 'paths-catalogue');

    await card.getByRole('button', { name: /Start a path for Data Analyst/ }).click();
    await page.waitForURL((u) => /^\/paths\/[0-9a-f-]{36}$/.test(u.pathname), { timeout: 30_000 });
    await visible(
      page.getByRole('heading', { name: 'Data Analyst (numeracy foundations)', level: 1 }),
    );
    const first = page.getByRole('listitem').first();
    await visible(first.getByText('open'));
    await screenshot(page, 'paths-path');

    await first.getByRole('link').first().click();
    await visible(page.getByRole('article', { name: 'Lesson' }));
    await visible(page.getByTestId('ai-badge'));
    expect(await page.getByTestId('ai-badge').textContent()).toContain('AI-generated');
    await visible(page.getByRole('heading', { name: 'Worked example' }));
    await visible(page.getByRole('heading', { name: 'Golden resources' }));
    await visible(page.getByRole('heading', { name: 'Practice', level: 2 }));
    await screenshot(page, 'paths-module');

    // Answer the first practice question with its first option (or a number): feedback and
    // the mastery change appear at once.
    const question = page.getByRole('region', { name: 'Question 1' });
    const radio = question.getByRole('radio').first();
    if ((await radio.count()) > 0) await radio.check();
    else await question.getByRole('textbox').first().fill('1');
    await question.getByRole('button', { name: 'Check answer' }).click();
    await visible(question.getByRole('status'));
    await visible(question.getByTestId('mastery-change').first());
    await screenshot(page, 'paths-module-answered');

    await nav(page).getByRole('link', { name: 'My paths' }).click();
    await atPath(page, '/paths');
    await visible(page.getByText(/^0 of \d+ modules complete$/));
    expect(await page.getByRole('progressbar', { name: /Data Analyst .*% complete/ }).count()).toBe(
      1,
    );
    await screenshot(page, 'paths-my-paths');

    await page.goto('/roles/data-analyst');
    await visible(page.getByRole('table', { name: 'Skills of the role' }));
    await screenshot(page, 'paths-role');
  });

  it('an instructor edits a role in the catalogue', async () => {
    await page.goto('/login');
    await logIn(page, 'instructor@example.com', DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await page.goto('/roles');
    const card = page.getByRole('article', { name: 'Kitchen Apprentice' });
    await card.getByRole('link', { name: 'Edit role' }).click();
    await atPath(page, '/roles/kitchen-apprentice/edit');
    const skills = page.getByRole('textbox', { name: /^Skills/ });
    await visible(skills);
    await skills.fill(`${await skills.inputValue()}\nno-such-skill`);
    await page.getByRole('button', { name: 'Save role' }).click();
    await visible(
      page.getByText('Skills line 10: "no-such-skill" is not a skill of the knowledge graph'),
    );
    await screenshot(page, 'paths-role-editor');
  });
});
