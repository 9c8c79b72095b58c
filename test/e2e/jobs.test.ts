// The Jobs page in Chromium against the real server (API and worker in one process): an admin
// starts a worker check and watches its progress arrive live until it completes, cancels another,
// and still sees progress when live events are refused (polling); a learner sees only their own.
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, logIn, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD } from './server-process.ts';

const ADMIN = 'admin@example.com';
const LEARNER = 'learner@example.com';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });
const jobsTable = (page: Page) => page.getByRole('table', { name: 'Jobs' });
/** The table's data rows (the header row left out). */
const jobRows = (page: Page) => jobsTable(page).locator('tbody tr');

async function progressOf(page: Page, row = 0): Promise<number> {
  const bar = jobRows(page).nth(row).getByRole('progressbar');
  return Number(await bar.getAttribute('aria-valuenow'));
}

async function stateOf(page: Page, row = 0): Promise<string> {
  return ((await jobRows(page).nth(row).locator('td').nth(2).textContent()) ?? '').trim();
}

describe.skipIf(!chromiumAvailable)('jobs page', () => {
  const suite = useBrowserSuite({ viewport: { width: 1280, height: 800 } });
  let page: Page;
  beforeEach(() => {
    ({ page } = suite);
  });

  async function openJobsAs(email: string) {
    await page.goto('/login');
    await logIn(page, email, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await nav(page).getByRole('link', { name: 'Jobs' }).click();
    await atPath(page, '/jobs');
    await visible(page.getByRole('heading', { name: 'Jobs', level: 1 }));
  }

  it('shows a worker check’s progress live until it completes, and cancels another', async () => {
    const streams: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/events')) streams.push(r.url());
    });
    await openJobsAs(ADMIN);
    await page.getByRole('button', { name: 'Run a worker check' }).click();
    await visible(jobsTable(page));
    await visible(jobRows(page).first().getByText('Worker check', { exact: true }));

    // Part-way: running, the bar between 0 and 100, followed over server-sent events.
    await expect
      .poll(() => progressOf(page), { timeout: 15_000, interval: 100 })
      .toBeGreaterThan(0);
    const midway = await progressOf(page);
    expect(midway).toBeLessThan(100);
    expect(await stateOf(page)).toBe('Running');
    await visible(page.getByText('Live', { exact: true }));
    expect(streams.length).toBeGreaterThan(0);
    await screenshot(page, 'jobs-running');

    await expect.poll(() => stateOf(page), { timeout: 30_000, interval: 200 }).toBe('Complete');
    expect(await progressOf(page)).toBe(100);
    await visible(jobRows(page).first().getByText('All steps done.'));
    expect(
      await jobRows(page)
        .first()
        .getByRole('button', { name: /^Cancel/ })
        .count(),
    ).toBe(0);
    await screenshot(page, 'jobs-complete');

    // Another one, cancelled while it runs: the reason is shown and the button goes away.
    await page.getByRole('button', { name: 'Run a worker check' }).click();
    await expect.poll(() => jobRows(page).count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => progressOf(page), { timeout: 15_000 }).toBeGreaterThan(0);
    await jobRows(page)
      .first()
      .getByRole('button', { name: /^Cancel Worker check/ })
      .click();
    await visible(page.getByText('Worker check cancelled.'));
    await expect.poll(() => stateOf(page), { timeout: 10_000 }).toBe('Cancelled');
    await visible(jobRows(page).first().getByText('Cancelled by the person who started it.'));
    await screenshot(page, 'jobs-cancelled');

    // Filters: only the complete one.
    await page.getByRole('combobox', { name: 'State' }).click();
    await page.getByRole('option', { name: 'Complete', exact: true }).click();
    await expect.poll(() => jobRows(page).count(), { timeout: 10_000 }).toBe(1);
    expect(await stateOf(page)).toBe('Complete');
  });

  it('keeps the progress moving by polling when live events are refused', async () => {
    // A proxy that cannot stream: every event stream is refused.
    await page.route('**/api/jobs/*/events', (route) =>
      route.fulfill({ status: 503, contentType: 'text/plain', body: 'no streaming here' }),
    );
    await openJobsAs(ADMIN);
    await page.getByRole('button', { name: 'Run a worker check' }).click();
    await visible(page.getByText('Refreshing', { exact: true }));
    const seen = new Set<number>();
    await expect
      .poll(
        async () => {
          seen.add(await progressOf(page));
          return stateOf(page);
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe('Complete');
    // Progress was seen part-way, not only at the start and the end.
    expect([...seen].some((p) => p > 0 && p < 100)).toBe(true);
    await screenshot(page, 'jobs-polling');
  });

  it('shows a learner only their own jobs', async () => {
    await openJobsAs(LEARNER);
    await visible(page.getByRole('heading', { name: 'No jobs yet' }));
    expect(await page.getByRole('button', { name: 'Run a worker check' }).count()).toBe(0);
    expect(await page.getByRole('radiogroup').count()).toBe(0);
    await screenshot(page, 'jobs-learner-empty');
  });
});
