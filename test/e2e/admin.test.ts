// Admin journeys in Chromium against the real server: user management, the audit log and the
// guards around admin pages.
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, field, logIn, logOut, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD, type ServerProcess } from './server-process.ts';

const ADMIN = 'admin@example.com';
const LEARNER = 'learner@example.com';
const INSTRUCTOR = 'instructor@example.com';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });
const userRow = (page: Page, email: string) =>
  page
    .getByRole('table', { name: 'Users' })
    .getByRole('row')
    .filter({ has: page.getByText(email, { exact: true }) });

describe.skipIf(!chromiumAvailable)('admin: user management', () => {
  const suite = useBrowserSuite({ viewport: { width: 1280, height: 800 } });
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  beforeEach(() => {
    ({ server, browser, context, page } = suite);
  });

  async function createUser(email: string, name: string, role: string, password: string) {
    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Create user' }));
    await field(dialog, 'Email').fill(email);
    await field(dialog, 'Name').fill(name);
    await dialog.getByRole('combobox', { name: 'Role', exact: true }).click();
    await page.getByRole('option', { name: role, exact: true }).click();
    await field(dialog, 'Initial password').fill(password);
    return dialog;
  }

  it('lets the admin create a user who can then log in', async () => {
    const email = `priya-${randomUUID().slice(0, 8)}@example.com`;
    const password = 'initial passphrase 42';

    await page.goto('/login');
    await logIn(page, ADMIN, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await visible(page.getByRole('heading', { name: 'Administration', level: 1 }));
    await screenshot(page, 'dashboard-admin');

    await page.getByRole('link', { name: 'Manage users' }).click();
    await atPath(page, '/admin/users');
    await visible(userRow(page, LEARNER));
    await screenshot(page, 'admin-users');

    const dialog = await createUser(email, 'Priya Newcomer', 'Instructor', password);
    await screenshot(page, 'admin-create-user');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await visible(page.getByText('User created'));
    await dialog.waitFor({ state: 'hidden' });
    await visible(userRow(page, email));
    expect(await page.getByRole('combobox', { name: `Role of ${email}` }).inputValue()).toBe(
      'Instructor',
    );
    await screenshot(page, 'admin-users-created');

    await logOut(page);
    await logIn(page, email, password);
    await atPath(page, '/dashboard');
    await visible(page.getByRole('heading', { name: 'Teaching', level: 1 }));
    await visible(page.getByRole('banner').getByText('Priya Newcomer'));
    // The demo curriculum and bank at a glance, each card leading to its pages.
    await visible(page.getByText('12 concepts, 45 skills', { exact: true }));
    await visible(page.getByText('52 questions', { exact: true }));
    await visible(page.getByRole('link', { name: 'Review tags' }).last());
    await screenshot(page, 'dashboard-instructor');
    await page.getByRole('main').getByRole('link', { name: 'Browse' }).click();
    await atPath(page, '/graph');
  });

  it('shows the server’s reason when a new user’s email is taken', async () => {
    await page.goto('/login?next=/admin/users');
    await logIn(page, ADMIN, DEMO_PASSWORD);
    await atPath(page, '/admin/users');
    const dialog = await createUser(INSTRUCTOR, 'Duplicate', 'Learner', 'another passphrase 7');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    const alert = await visible(dialog.getByRole('alert'));
    expect((await alert.textContent())?.toLowerCase()).toMatch(/already/);
    await screenshot(page, 'admin-create-user-conflict');
  });

  it('sends a logged-out visit to /admin/users through the login page and back', async () => {
    await page.goto('/admin/users');
    const url = await atPath(page, '/login');
    expect(url.searchParams.get('next')).toBe('/admin/users');
    await visible(page.getByText('Log in to continue to the page you asked for.'));

    await logIn(page, ADMIN, DEMO_PASSWORD);
    await atPath(page, '/admin/users');
    await visible(page.getByRole('heading', { name: 'Users' }));
  });

  it('tells a learner they are not allowed on /admin/users', async () => {
    await page.goto('/login');
    await logIn(page, LEARNER, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await visible(page.getByRole('heading', { name: 'My learning', level: 1 }));
    // A learner's navigation has no admin links.
    expect(await nav(page).getByRole('link').count()).toBeGreaterThan(0);
    expect(await nav(page).getByRole('link', { name: 'Users' }).count()).toBe(0);

    await page.goto('/admin/users');
    await visible(page.getByRole('heading', { name: 'You are not allowed to see this page' }));
    expect(await page.getByRole('table').count()).toBe(0);
    await screenshot(page, 'admin-users-not-allowed');
  });

  it('resets a password, disables and re-enables a user, changes a role, and audits it all', async () => {
    const email = `sam-${randomUUID().slice(0, 8)}@example.com`;
    await page.goto('/login');
    await logIn(page, ADMIN, DEMO_PASSWORD);
    await nav(page).getByRole('link', { name: 'Users' }).click();
    await atPath(page, '/admin/users');
    const created = await createUser(email, 'Sam Leaver', 'Learner', 'first passphrase 1');
    await created.getByRole('button', { name: 'Create user' }).click();
    await created.waitFor({ state: 'hidden' });

    // A search that matches nobody says so.
    await page.getByLabel('Search users').fill(`nobody-${randomUUID()}`);
    await visible(page.getByRole('heading', { name: 'No users match' }));
    await screenshot(page, 'admin-users-no-match');

    // Search narrows the table to the one user.
    await page.getByLabel('Search users').fill(email);
    await visible(userRow(page, email));
    const rows = page.getByRole('table', { name: 'Users' }).getByRole('row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2); // header + Sam

    // Reset password. The CSRF secret cookie is dropped first: the app must notice the
    // rejected token, fetch a fresh one and retry without bothering the admin.
    await context.clearCookies({ name: '_csrf' });
    await page.getByRole('button', { name: `Reset password for ${email}` }).click();
    const reset = await visible(page.getByRole('dialog', { name: 'Reset password' }));
    await field(reset, 'New password').fill('second passphrase 2');
    await screenshot(page, 'admin-reset-password');
    await reset.getByRole('button', { name: 'Reset password' }).click();
    await visible(page.getByText('Password reset', { exact: true }));
    await reset.waitFor({ state: 'hidden' });

    // Change role.
    await page.getByRole('combobox', { name: `Role of ${email}` }).click();
    await page.getByRole('option', { name: 'Instructor', exact: true }).click();
    await visible(page.getByText('Role changed', { exact: true }));
    expect(await page.getByRole('combobox', { name: `Role of ${email}` }).inputValue()).toBe(
      'Instructor',
    );

    // Disable, with confirmation.
    await page.getByRole('button', { name: `Disable ${email}` }).click();
    const confirm = await visible(page.getByRole('dialog', { name: 'Disable user?' }));
    await screenshot(page, 'admin-disable-confirm');
    await confirm.getByRole('button', { name: 'Disable user' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await visible(userRow(page, email).getByText('Disabled', { exact: true }));
    await screenshot(page, 'admin-users-disabled');

    // The audit log lists what just happened.
    await nav(page).getByRole('link', { name: 'Audit log' }).click();
    await atPath(page, '/admin/audit');
    await visible(page.getByRole('heading', { name: 'Audit log' }));
    const table = await visible(page.getByRole('table', { name: 'Audit log entries' }));
    const text = (await table.textContent()) ?? '';
    expect(text).toContain(email);
    await screenshot(page, 'admin-audit-log');

    // A disabled user cannot log in; after enabling, the reset password works.
    await logOut(page);
    await logIn(page, email, 'second passphrase 2');
    await visible(page.getByRole('alert').filter({ hasText: 'Wrong email or password' }));
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'login-disabled-user');

    await field(page, 'Email').fill('');
    await logIn(page, ADMIN, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await page.goto('/admin/users');
    await page.getByLabel('Search users').fill(email);
    await page.getByRole('button', { name: `Enable ${email}` }).click();
    const enable = await visible(page.getByRole('dialog', { name: 'Enable user?' }));
    await enable.getByRole('button', { name: 'Enable user' }).click();
    await visible(page.getByText('User enabled', { exact: true }));
    await logOut(page);

    await logIn(page, email, 'second passphrase 2');
    await atPath(page, '/dashboard');
    await visible(page.getByRole('heading', { name: 'Teaching', level: 1 }));
  });

  it('sends a user whose session ended elsewhere to the login page, then back', async () => {
    const email = `second-admin-${randomUUID().slice(0, 8)}@example.com`;
    const password = 'second admin passphrase';
    await page.goto('/login?next=/admin/users');
    await logIn(page, ADMIN, DEMO_PASSWORD);
    await atPath(page, '/admin/users');
    const created = await createUser(email, 'Second Admin', 'Admin', password);
    await created.getByRole('button', { name: 'Create user' }).click();
    await created.waitFor({ state: 'hidden' });

    // The second admin works in another browser.
    const other = await browser.newContext({ baseURL: server.url });
    try {
      const otherPage = await other.newPage();
      await otherPage.goto('/login?next=/admin/users');
      await logIn(otherPage, email, password);
      await atPath(otherPage, '/admin/users');
      await visible(userRow(otherPage, ADMIN));

      // The first admin disables them, which ends their sessions at once.
      await page.getByLabel('Search users').fill(email);
      await page.getByRole('button', { name: `Disable ${email}` }).click();
      const confirm = await visible(page.getByRole('dialog', { name: 'Disable user?' }));
      await confirm.getByRole('button', { name: 'Disable user' }).click();
      await visible(page.getByText('User disabled', { exact: true }));

      // Their next request answers 401: the app goes to the login page, remembering where.
      await nav(otherPage).getByRole('link', { name: 'Audit log' }).click();
      const url = await atPath(otherPage, '/login');
      expect(url.searchParams.get('next')).toBe('/admin/audit');
      await visible(otherPage.getByRole('heading', { name: 'Log in' }));

      // Once enabled again, logging in returns them to the page they were opening.
      await page.getByRole('button', { name: `Enable ${email}` }).click();
      const enable = await visible(page.getByRole('dialog', { name: 'Enable user?' }));
      await enable.getByRole('button', { name: 'Enable user' }).click();
      await visible(page.getByText('User enabled', { exact: true }));
      await logIn(otherPage, email, password);
      await atPath(otherPage, '/admin/audit');
      await visible(otherPage.getByRole('heading', { name: 'Audit log' }));
    } finally {
      await other.close();
    }
  });

  it('shows a not-found page for unknown paths and an account page with a password form', async () => {
    await page.goto('/login');
    await logIn(page, INSTRUCTOR, DEMO_PASSWORD);
    await atPath(page, '/dashboard');

    await page.goto('/no/such/page');
    await visible(page.getByRole('heading', { name: 'Page not found' }));
    await screenshot(page, 'not-found');

    await nav(page).getByRole('link', { name: 'Account' }).click();
    await atPath(page, '/account');
    await visible(page.getByRole('heading', { name: 'Change password' }));
    await field(page, 'Current password').fill('wrong current password');
    await field(page, 'New password').fill('a brand new passphrase');
    await field(page, 'Repeat new password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await visible(page.getByText('The current password is incorrect.').first());
    // A wrong current password is a form error, not a lost session.
    expect(new URL(page.url()).pathname).toBe('/account');
    await screenshot(page, 'account');
  });

  it('shows the dashboard on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/login');
    await screenshot(page, 'mobile-login');
    await logIn(page, ADMIN, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await visible(page.getByRole('heading', { name: 'Administration', level: 1 }));
    await screenshot(page, 'mobile-dashboard-admin');
    // The header keeps Log out whole on the screen.
    const logOut = await page.getByRole('button', { name: 'Log out' }).boundingBox();
    expect(logOut).not.toBeNull();
    expect(logOut!.x + logOut!.width).toBeLessThanOrEqual(390);
    const auditLink = nav(page).getByRole('link', { name: 'Audit log' });
    // On a phone the navigation starts off-screen and slides in from the burger button.
    expect((await auditLink.boundingBox())?.x ?? -1).toBeLessThan(0);
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await expect
      .poll(async () => (await auditLink.boundingBox())?.x ?? -1)
      .toBeGreaterThanOrEqual(0);
    await screenshot(page, 'mobile-navigation');
  });
});
