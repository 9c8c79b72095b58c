// Chromium for the end-to-end tests: the Debian package driven by playwright-core (never a
// downloaded browser), plus the few page helpers every test uses.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

if (!chromiumAvailable) {
  const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium).`;
  // On CI a missing browser is a broken machine, not a reason to pass quietly.
  if (process.env.CI === 'true') throw new Error(`[e2e] ${reason}`);
  console.warn(`[e2e] skipping the browser tests: ${reason}`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

const WAIT_MS = 15_000;

/**
 * Collects what the browser reports as broken on a page: uncaught exceptions and anything the
 * Content-Security-Policy blocked (the server forbids inline scripts and external assets).
 */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /content security policy/i.test(message.text())) {
      problems.push(`csp: ${message.text()}`);
    }
  });
  return problems;
}

/** Waits until the locator is visible (playwright-core has no auto-waiting expect). */
export async function visible(locator: Locator): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout: WAIT_MS });
  return locator;
}

/** Waits until the page is at `pathname` (and, if given, exactly `search`). */
export async function atPath(page: Page, pathname: string, search?: string): Promise<URL> {
  await page.waitForURL(
    (url) => url.pathname === pathname && (search === undefined || url.search === search),
    { timeout: WAIT_MS },
  );
  return new URL(page.url());
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png for a human to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  // Let notifications and modals finish their entrance transitions first.
  await page.waitForTimeout(350);
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/**
 * A text or password input by its accessible name. (getByLabel would also read the required
 * asterisk, which Mantine hides from assistive technology but not from label text.)
 */
export function field(scope: Page | Locator, name: string): Locator {
  return scope.getByRole('textbox', { name, exact: true });
}

export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await atPath(page, '/login');
  await visible(page.getByRole('heading', { name: 'Log in' }));
}
