// The hooks every browser test file shares: one server (with its own DATA_DIR, demo data seeded on
// first start) and one Chromium per file, a fresh browser context and page per test, and no page
// errors or failed requests allowed by the end of each test. Read the fields inside the tests:
// they are set by the hooks.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { launchChromium, watchPageProblems } from './browser.ts';
import { startServer, type ServerProcess } from './server-process.ts';

export interface BrowserSuite {
  server: ServerProcess;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  problems: string[];
}

export function useBrowserSuite(
  options: { env?: Record<string, string>; viewport?: { width: number; height: number } } = {},
): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    suite.server = await startServer(options.env);
    suite.browser = await launchChromium();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  beforeEach(async () => {
    suite.context = await suite.browser.newContext({
      baseURL: suite.server.url,
      viewport: options.viewport ?? { width: 1280, height: 900 },
    });
    suite.page = await suite.context.newPage();
    suite.problems = watchPageProblems(suite.page);
  });
  afterEach(async () => {
    await suite.context?.close();
    expect(suite.problems).toEqual([]);
  });
  return suite;
}
