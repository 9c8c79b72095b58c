// The admin "AI usage" page in Chromium against the real server, whose LLM gateway talks to a fake
// OpenAI-compatible server on 127.0.0.1: provider checks (a real model and the offline generator,
// labelled as such), usage charts and tables, budget editing, and a spent budget refusing a call.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { createLlmConfigDir } from '../helpers/llm-config-dir.ts';
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

const ADMIN = 'admin@example.com';
const LEARNER = 'learner@example.com';
const INSTRUCTOR = 'instructor@example.com';
const okAnswer = JSON.stringify({ ok: true, greeting: 'Hello from the fake model' });

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });

function utcDay(daysBack: number): string {
  return new Date(Date.now() - daysBack * 86_400_000).toISOString().slice(0, 10);
}

/** Calls of the last days, as other features would have recorded them, for the charts. */
function seedLedger(dataDir: string): void {
  const db = new Sqlite(path.join(dataDir, 'skillbridge.db'));
  try {
    const idOf = (email: string) =>
      (db.prepare('select id from users where email = ?').get(email) as { id: string }).id;
    const learner = idOf(LEARNER);
    const instructor = idOf(INSTRUCTOR);
    const insert = db.prepare(`insert into llm_calls (id, created_at, day, provider, model,
      feature, operation, prompt_id, prompt_version, user_id, job_id, input_tokens, output_tokens,
      cache_read_tokens, cache_write_tokens, cost_usd, price_effective_from, latency_ms, retries,
      finish_reason, status, error_code, error_message)
      values (?, ?, ?, ?, ?, ?, 'object', ?, 1, ?, null, ?, ?, ?, 0, ?, ?, ?, 0, 'stop', ?, ?, ?)`);
    const add = (
      daysBack: number,
      model: [string, string],
      feature: string,
      userId: string | null,
      tokens: [number, number],
      costUsd: number | null,
      error?: string,
    ) => {
      const day = utcDay(daysBack);
      insert.run(
        randomUUID(),
        `${day}T10:00:00.000Z`,
        day,
        model[0],
        model[1],
        feature,
        feature,
        userId,
        tokens[0],
        tokens[1],
        Math.floor(tokens[0] / 4),
        costUsd,
        costUsd === null ? null : '2024-07-18',
        400 + ((daysBack * 137) % 900),
        error ? 'error' : 'ok',
        error ?? null,
        error ? 'The AI provider failed' : null,
      );
    };
    const gpt: [string, string] = ['openai', 'gpt-4o-mini'];
    const claude: [string, string] = ['anthropic', 'claude-sonnet-4'];
    for (let d = 12; d >= 1; d--) {
      const scale = 1 + (d % 4);
      add(d, gpt, 'lesson', learner, [1800 * scale, 900 * scale], 0.0008 * scale);
      add(d, claude, 'tagging', instructor, [2600 * scale, 300], 0.012 * scale);
      if (d % 3 === 0) add(d, gpt, 'courseware', null, [9000, 4000], 0.0038);
      if (d % 5 === 0) add(d, claude, 'tagging', instructor, [0, 0], 0, 'LLM_PROVIDER_ERROR');
    }
  } finally {
    db.close();
  }
}

describe.skipIf(!chromiumAvailable)('admin: AI usage', () => {
  let fake: FakeOpenAiServer;
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    fake = await startFakeOpenAiServer();
    fake.setFallback({
      kind: 'reply',
      content: okAnswer,
      usage: { inputTokens: 90, outputTokens: 30 },
    });
    const configDir = createLlmConfigDir({
      features: { lesson: { provider: 'offline', model: 'offline' } },
    });
    server = await startServer({
      LLM_CONFIG_DIR: configDir,
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_API_KEY: 'sk-e2e',
      LLM_DAILY_TOKEN_BUDGET_PER_USER: '100000',
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await fake?.close();
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

  it('checks providers, labels the offline generator, and charts the usage', async () => {
    await page.goto('/login');
    await logIn(page, ADMIN, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await nav(page).getByRole('link', { name: 'AI usage' }).click();
    await atPath(page, '/admin/ai-usage');
    await visible(page.getByRole('heading', { name: 'AI usage', level: 1 }));
    await visible(page.getByRole('heading', { name: 'No AI calls in this period' }));

    const features = await visible(
      page.getByRole('table', { name: 'AI features and their providers' }),
    );
    // `lesson` runs on the built-in generator and says so.
    await visible(
      features.getByRole('row').filter({ hasText: 'lesson' }).getByText('Offline generator'),
    );
    await screenshot(page, 'admin-ai-usage-empty');

    await page.getByRole('button', { name: 'Check default' }).click();
    const answered = await visible(page.getByRole('status').filter({ hasText: 'answered' }));
    expect(await answered.textContent()).toContain('fake-model answered');
    expect(await answered.textContent()).toContain('AI-generated');
    expect(await answered.textContent()).toContain('Hello from the fake model');
    expect(fake.requests).toHaveLength(1);

    await page.getByRole('button', { name: 'Check lesson' }).click();
    const offline = await visible(
      page.getByRole('status').filter({ hasText: 'the offline generator answered' }),
    );
    expect(await offline.textContent()).toContain('Offline generator');
    expect(await offline.textContent()).toContain('made without an AI model');
    expect(fake.requests).toHaveLength(1);

    // The two checks are recorded calls: totals and the model table show them.
    const byModel = await visible(page.getByRole('table', { name: 'By model' }));
    const fakeRow = byModel.getByRole('row').filter({ hasText: 'fake-model' });
    expect(await (await visible(fakeRow)).textContent()).toContain('openai-compatible');
    await visible(byModel.getByText('Offline generator'));
    await screenshot(page, 'admin-ai-usage-checked');

    // Past days recorded by other features fill the charts.
    seedLedger(server.dataDir);
    await page.reload();
    await visible(page.getByRole('heading', { name: 'Tokens per day' }));
    await visible(page.getByRole('table', { name: 'By feature' }).getByText('tagging'));
    const users = await visible(page.getByRole('table', { name: 'Top users by tokens' }));
    await visible(users.getByText(INSTRUCTOR));
    await visible(users.getByText('No user (system work)'));
    // Charts are drawn (recharts renders SVG), with a text summary for screen readers.
    await expect
      .poll(() => page.locator('.recharts-surface').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(5);
    const tokensChart = page.getByRole('img', { name: /^Tokens per day: / });
    expect(await tokensChart.getAttribute('aria-label')).toMatch(/in total, highest on/);
    await page.getByText('7 days', { exact: true }).click();
    expect(await page.getByRole('radio', { name: '7 days' }).isChecked()).toBe(true);
    await visible(page.getByText(/Every AI call recorded by the gateway/));
    await screenshot(page, 'admin-ai-usage');
  });

  it('sets, edits and removes a budget, and a spent budget refuses the call with a reason', async () => {
    await page.goto('/login?next=/admin/ai-usage');
    await logIn(page, ADMIN, DEMO_PASSWORD);
    await atPath(page, '/admin/ai-usage');
    await visible(page.getByText(/By default each user may spend 100,000 tokens a day/));

    // A budget for the learner, picked by search.
    await page.getByRole('button', { name: 'Set a budget' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Daily token budget' }));
    await dialog.getByRole('combobox', { name: 'User' }).fill('learner@');
    await page.getByRole('option', { name: new RegExp(LEARNER) }).click();
    await dialog.getByRole('textbox', { name: 'Tokens per day' }).fill('2500');
    await screenshot(page, 'admin-ai-usage-budget-modal');
    await dialog.getByRole('button', { name: 'Save budget' }).click();
    await visible(page.getByText(`${LEARNER} may use 2,500 tokens a day.`));
    await dialog.waitFor({ state: 'hidden' });
    const budgets = page.getByRole('table', { name: 'Per-user token budgets' });
    const learnerRow = budgets.getByRole('row').filter({ hasText: LEARNER });
    await visible(learnerRow.getByText('2,500 / day'));

    // Edit it to unlimited, then back to the default.
    await page.getByRole('button', { name: `Edit the budget of ${LEARNER}` }).click();
    const edit = await visible(page.getByRole('dialog', { name: 'Daily token budget' }));
    const tokens = edit.getByRole('textbox', { name: 'Tokens per day' });
    expect(await tokens.inputValue()).toBe('2,500');
    await tokens.fill('0');
    await edit.getByRole('button', { name: 'Save budget' }).click();
    await visible(page.getByText(`${LEARNER} has no daily token limit.`));
    await visible(learnerRow.getByText('Unlimited'));
    await page.getByRole('button', { name: `Remove the budget of ${LEARNER}` }).click();
    await visible(page.getByText(`${LEARNER} is back on the default budget.`));
    await visible(page.getByText('No user has a budget of their own.'));

    // The admin's own budget, set below what they already spent today, refuses the next check.
    await page.getByRole('button', { name: 'Check default' }).click();
    await visible(page.getByRole('status').filter({ hasText: 'fake-model answered' }));
    await page.getByRole('button', { name: 'Set a budget' }).click();
    const own = await visible(page.getByRole('dialog', { name: 'Daily token budget' }));
    await own.getByRole('combobox', { name: 'User' }).fill('admin@');
    await page.getByRole('option', { name: new RegExp(ADMIN) }).click();
    await own.getByRole('textbox', { name: 'Tokens per day' }).fill('10');
    await own.getByRole('button', { name: 'Save budget' }).click();
    await own.waitFor({ state: 'hidden' });
    const requestsBefore = fake.requests.length;
    await page.getByRole('button', { name: 'Check default' }).click();
    const refused = await visible(page.getByRole('alert').filter({ hasText: 'refused' }));
    expect(await refused.textContent()).toMatch(
      /You have used [\d,]+ of your 10 AI tokens for today\. The budget resets at 00:00 UTC/,
    );
    expect(fake.requests.length).toBe(requestsBefore);
    // The refusal is counted on the page once it reloads.
    await page.reload();
    const adminRow = (await visible(page.getByRole('table', { name: 'Top users by tokens' })))
      .getByRole('row')
      .filter({ hasText: ADMIN });
    await visible(adminRow.getByText('10 / day'));
    await screenshot(page, 'admin-ai-usage-budgets');
  });

  it('keeps learners out', async () => {
    await page.goto('/login');
    await logIn(page, LEARNER, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    expect(await nav(page).getByRole('link', { name: 'AI usage' }).count()).toBe(0);
    await page.goto('/admin/ai-usage');
    await visible(page.getByRole('heading', { name: 'You are not allowed to see this page' }));
  });
});
