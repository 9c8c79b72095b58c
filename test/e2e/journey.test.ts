// The learner journey of the learning engine, end to end in Chromium against the real server
// (demo graph, bank and roles seeded on first start): a new learner signs up, takes the placement
// test for a role, sees on the result page the first module a path for that role starts with,
// creates the path, completes that module by practising its questions until mastery of every
// skill reaches the threshold (never "mark complete"), and sees mastery and path progress change
// on the dashboard. Item choice is deterministic (exposure control off); the right answers come
// from the bank through an instructor's session, as a learner who knows them would type them.
import type { APIRequestContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, field, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD } from './server-process.ts';

const MAX_ITEMS = 6;
const ROLE = 'Ready for A-level Algebra';

interface StaffQuestion {
  id: string;
  type: string;
  answers: Record<string, unknown>;
}

/** A placement answer that is never sure to be right: the last option, or a number nobody means. */
async function answerPlacement(page: Page): Promise<void> {
  const form = page.getByRole('form', { name: 'Placement question' });
  await visible(form);
  const radios = form.getByRole('radio');
  const boxes = form.getByRole('checkbox');
  if ((await radios.count()) > 0) await radios.last().check();
  else if ((await boxes.count()) > 0) await boxes.first().check();
  else await form.getByRole('textbox', { name: 'Your answer' }).fill('-999');
  await form.getByRole('button', { name: 'Submit answer' }).click();
}

/** Type the right answer to a practice question into its card. */
async function answerRight(card: Locator, q: StaffQuestion): Promise<void> {
  const a = q.answers;
  switch (q.type) {
    case 'single_choice': {
      const right = (a.options as { id: string; weight: number }[]).find((o) => o.weight === 100)!;
      await card.locator(`input[type="radio"][value="${right.id}"]`).check();
      return;
    }
    case 'multiple_choice': {
      for (const o of (a.options as { id: string; weight: number }[]).filter((x) => x.weight > 0))
        await card.locator(`input[type="checkbox"][value="${o.id}"]`).check();
      return;
    }
    case 'true_false':
      await card.locator(`input[type="radio"][value="${String(a.correct)}"]`).check();
      return;
    case 'numeric': {
      const n = (
        a.answers as { kind: string; value?: number; min?: number; weight: number }[]
      ).find((x) => x.weight === 100)!;
      await card
        .getByRole('textbox', { name: 'Your answer' })
        .fill(String(n.kind === 'tolerance' ? n.value : n.min));
      return;
    }
    case 'short_answer': {
      const text = (a.answers as { text: string; weight: number }[]).find((x) => x.weight === 100)!;
      await card.getByRole('textbox', { name: 'Your answer' }).fill(text.text.replaceAll('*', ''));
      return;
    }
    default:
      throw new Error(`a ${q.type} question cannot be practised here`);
  }
}

/** An instructor's API session, to read the bank's answers. */
async function staffSession(request: APIRequestContext) {
  const { token } = (await (await request.get('/api/auth/csrf')).json()) as { token: string };
  const login = await request.post('/api/auth/login', {
    data: { email: 'instructor@example.com', password: DEMO_PASSWORD },
    headers: { 'x-csrf-token': token },
  });
  expect(login.status()).toBe(200);
  return async (id: string) => {
    const res = await request.get(`/api/questions/${id}`);
    expect(res.status()).toBe(200);
    return ((await res.json()) as { question: StaffQuestion }).question;
  };
}

/** The accessible summaries of the dashboard's mastery charts (one per concept), joined. */
async function masterySummary(page: Page): Promise<string> {
  const charts = page.locator('[role="img"][aria-label]');
  await visible(charts.first());
  const labels = await charts.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  return labels.join(' ');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const masteredIn = (summary: string, skill: string) =>
  new RegExp(`${escape(skill)} \\d+% \\(mastered\\)`).test(summary);

describe.skipIf(!chromiumAvailable)('learner journey', () => {
  const suite = useBrowserSuite({
    env: { PLACEMENT_MAX_ITEMS: String(MAX_ITEMS), PLACEMENT_EXPOSURE: '1' },
  });

  it('placement for a role → result names the first module → path → module completed by practice → dashboard', async () => {
    const page = suite.page;
    await page.goto('/signup');
    await field(page, 'Email').fill('journey.learner@example.com');
    await field(page, 'Name').fill('Journey Learner');
    await field(page, 'Password').fill('learning-journey-2026');
    await page.getByRole('button', { name: /sign up|create account/i }).click();
    await atPath(page, '/dashboard');

    // Placement test for a role.
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Placement test' })
      .click();
    await atPath(page, '/placement');
    const cover = page.getByRole('combobox', { name: /What should the test cover/ });
    // Options of a closed select are never "visible": wait until the roles have loaded.
    await cover.getByRole('option', { name: ROLE }).waitFor({ state: 'attached' });
    await cover.selectOption({ label: ROLE });
    await visible(page.getByText(/^\d+ skills: Fluent algebra/));
    await screenshot(page, 'journey-placement-start');
    await page.getByRole('button', { name: 'Start the placement test' }).click();
    await visible(page.getByTestId('placement-target'));
    expect(await page.getByTestId('placement-target').textContent()).toBe(`For ${ROLE}`);
    for (let i = 1; i <= MAX_ITEMS; i++) {
      await visible(page.getByText(`Question ${i} · at most ${MAX_ITEMS}`));
      await answerPlacement(page);
    }

    // The result names the first module of the path for that role.
    await page.waitForURL((u) => /^\/placement\/[0-9a-f-]{36}\/result$/.test(u.pathname));
    await visible(page.getByRole('heading', { name: 'Your placement result', level: 1 }));
    await visible(page.getByText(new RegExp(`^For ${ROLE} · ${MAX_ITEMS} questions answered`)));
    const areas = page.getByRole('region', { name: 'Level per area' });
    expect(await areas.getByRole('row').count()).toBe(2); // header + Algebra, the role's only area
    await visible(areas.getByRole('cell', { name: 'Algebra' }));
    const start = page.getByRole('region', { name: 'Where your path starts' });
    const firstTitle = (await (
      await visible(start.getByTestId('first-module-title'))
    ).textContent())!;
    expect(firstTitle).toMatch(/^Module 1: /);
    const moduleTitle = firstTitle.replace(/^Module 1: /, '');
    const skillList = start.getByLabel('Skills of the first module');
    const skillNames = await skillList.getByRole('link').allTextContents();
    expect(skillNames.length).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'journey-result');

    // Create the path from the result page.
    await start.getByRole('button', { name: `Start a path for ${ROLE}` }).click();
    await page.waitForURL((u) => /^\/paths\/[0-9a-f-]{36}$/.test(u.pathname), {
      timeout: 30_000,
    });
    const pathId = new URL(page.url()).pathname.split('/')[2]!;
    const path = (await (await page.request.get(`/api/paths/${pathId}`)).json()) as {
      path: {
        moduleCount: number;
        modules: { id: string; title: string; skills: { name: string }[] }[];
      };
    };
    const first = path.path.modules[0]!;
    expect(first.title).toBe(moduleTitle);
    expect(first.skills.map((s) => s.name)).toEqual(skillNames);
    const moduleCount = path.path.moduleCount;
    expect(moduleCount).toBeGreaterThan(1);

    // The dashboard before practising: the path at 0 %, none of the module's skills mastered.
    await page.goto('/dashboard');
    const paths = page.getByRole('region', { name: 'My learning paths' });
    // An empty bar has no width, so it is attached rather than visible.
    await paths
      .getByRole('progressbar', { name: `${ROLE}: 0 % complete` })
      .waitFor({ state: 'attached' });
    await visible(paths.getByText(`0 of ${moduleCount} modules`));
    const before = await masterySummary(page);
    for (const name of skillNames) {
      expect(before).toContain(name);
      expect(masteredIn(before, name)).toBe(false);
    }

    // Complete the first module by practising: answer its questions right, one after another.
    await page.goto(`/paths/${pathId}/modules/${first.id}`);
    await visible(page.getByRole('heading', { name: `1. ${moduleTitle}` }));
    const detail = (await (
      await page.request.get(`/api/paths/${pathId}/modules/${first.id}`)
    ).json()) as { module: { questions: { id: string }[] } };
    const questions = detail.module.questions;
    expect(questions.length).toBeGreaterThanOrEqual(skillNames.length * 3);
    const staffContext = await suite.browser.newContext({ baseURL: suite.server.url });
    const answerOf = await staffSession(staffContext.request);
    const status = page.getByText('completed', { exact: true });
    let answered = 0;
    for (const [i, q] of questions.entries()) {
      if ((await status.count()) > 0) break;
      const card = page.getByRole('region', { name: `Question ${i + 1}`, exact: true });
      await answerRight(card, await answerOf(q.id));
      await card.getByRole('button', { name: 'Check answer' }).click();
      await visible(card.getByRole('status').getByText('Right', { exact: true }));
      answered++;
    }
    await staffContext.close();
    await visible(status);
    expect(await page.getByRole('button', { name: 'Mark complete' }).count()).toBe(0);
    for (const name of skillNames) {
      const bar = page.getByRole('progressbar', {
        name: new RegExp(`^${escape(name)}: mastery \\d+ %$`),
      });
      const label = (await bar.getAttribute('aria-label'))!;
      expect(Number(/(\d+) %$/.exec(label)![1])).toBeGreaterThanOrEqual(95);
    }
    const after = (await (await page.request.get(`/api/paths/${pathId}`)).json()) as {
      path: { completedModules: number; modules: { completedBy: string | null }[] };
    };
    expect(after.path.modules[0]!.completedBy).toBe('mastery');
    expect(after.path.completedModules).toBe(1);
    expect(answered).toBeGreaterThan(0);
    await visible(page.getByRole('link', { name: new RegExp(`${path.path.modules[1]!.title} →`) }));

    // The dashboard shows the progress and the mastery.
    await page.goto('/dashboard');
    const percent = Math.round((1 / moduleCount) * 100);
    await visible(paths.getByRole('progressbar', { name: `${ROLE}: ${percent} % complete` }));
    await visible(paths.getByText(`1 of ${moduleCount} modules`));
    const now = await masterySummary(page);
    for (const name of skillNames) expect(masteredIn(now, name), now).toBe(true);
    await screenshot(page, 'journey-dashboard');
  });
});
