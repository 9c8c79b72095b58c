// Sign-up, log-in and log-out journeys in Chromium against the real server.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, field, logIn, logOut, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD, type ServerProcess } from './server-process.ts';

describe.skipIf(!chromiumAvailable)('accounts: sign-up and log-in', () => {
  const suite = useBrowserSuite({ viewport: { width: 1280, height: 800 } });
  let server: ServerProcess;
  let page: Page;
  beforeEach(() => {
    ({ server, page } = suite);
  });

  it('signs up a new learner, logs out and logs back in to the dashboard', async () => {
    const email = `maya-${randomUUID().slice(0, 8)}@example.com`;
    const password = 'correct horse battery staple';

    await page.goto('/signup');
    await visible(page.getByRole('heading', { name: 'Create your account' }));
    await screenshot(page, 'signup');

    await field(page, 'Email').fill(email);
    await field(page, 'Name').fill('Maya Learner');
    await field(page, 'Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();

    await atPath(page, '/dashboard');
    await visible(page.getByRole('heading', { name: 'My learning', level: 1 }));
    // A new learner's first steps: the placement test and a role to work towards.
    await visible(page.getByRole('link', { name: 'Take the placement test' }));
    await visible(page.getByText('No active path yet'));
    // The header names the user and their role.
    await visible(page.getByRole('banner').getByText('Maya Learner'));
    await visible(page.getByRole('banner').getByText('Learner', { exact: true }));
    await screenshot(page, 'dashboard-learner');

    await logOut(page);
    await screenshot(page, 'login');

    await logIn(page, email, password);
    await atPath(page, '/dashboard');
    await visible(page.getByRole('heading', { name: 'My learning', level: 1 }));

    // She changes her password on the Account page; the new one is the one that works.
    const newPassword = 'an even better passphrase';
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Account' })
      .click();
    await field(page, 'Current password').fill(password);
    await field(page, 'New password').fill(newPassword);
    await field(page, 'Repeat new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await visible(page.getByText('Your password has been changed.'));
    expect(await field(page, 'Current password').inputValue()).toBe('');

    await logOut(page);
    await logIn(page, email, password);
    await visible(page.getByRole('alert').filter({ hasText: 'Wrong email or password' }));
    await field(page, 'Password').fill(newPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await atPath(page, '/dashboard');
  });

  it('refuses a weak password at sign-up with the server’s reason', async () => {
    await page.goto('/signup');
    await field(page, 'Email').fill(`weak-${randomUUID().slice(0, 8)}@example.com`);
    await field(page, 'Name').fill('Weak Password');

    const password = field(page, 'Password');
    await password.fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The reason is shown at the password field, which is marked invalid and gets the focus.
    await visible(page.getByText('Password must be at least 10 characters long.'));
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await password.evaluate((input) => input === input.ownerDocument.activeElement)).toBe(
      true,
    );

    await password.fill('password123');
    await page.getByRole('button', { name: 'Create account' }).click();
    await visible(page.getByText('This password is too common', { exact: false }));
    await screenshot(page, 'signup-weak-password');

    // Still on the sign-up page, nothing was created.
    expect(new URL(page.url()).pathname).toBe('/signup');
  });

  it('says so when the email is already registered', async () => {
    await page.goto('/signup');
    await field(page, 'Email').fill('learner@example.com');
    await field(page, 'Name').fill('Second Maya');
    await field(page, 'Password').fill('a perfectly fine passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    const alert = await visible(page.getByRole('alert').filter({ hasText: 'Could not create' }));
    expect((await alert.textContent())?.toLowerCase()).toMatch(/already/);
  });

  it('shows the server’s message for wrong credentials and ignores a foreign next', async () => {
    await page.goto('/login?next=//evil.example/steal');
    await logIn(page, 'learner@example.com', 'not-the-password');
    const alert = await visible(
      page.getByRole('alert').filter({ hasText: 'Wrong email or password' }),
    );
    expect(await alert.textContent()).toMatch(/email or password/i);
    await screenshot(page, 'login-error');

    // The form works from the keyboard alone: Tab moves on, Enter submits, focus is visible.
    await field(page, 'Email').focus();
    await page.keyboard.press('Tab');
    expect(
      await field(page, 'Password').evaluate((el) => el === el.ownerDocument.activeElement),
    ).toBe(true);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Tab');
    const submit = page.getByRole('button', { name: 'Log in' });
    expect(await submit.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(
      await submit.evaluate(
        (el) => el.ownerDocument.defaultView?.getComputedStyle(el).outlineStyle,
      ),
    ).not.toBe('none');
    await screenshot(page, 'login-keyboard-focus');
    await page.keyboard.press('Enter');
    const url = await atPath(page, '/dashboard');
    expect(url.origin).toBe(server.url);
  });

  it('tells a person locked out after repeated failures when to try again', async () => {
    const email = `nobody-${randomUUID().slice(0, 8)}@example.com`;
    await page.goto('/login');
    let status = 0;
    for (let attempt = 1; attempt <= 6 && status !== 429; attempt += 1) {
      const answer = page.waitForResponse(
        (response) =>
          response.url().endsWith('/api/auth/login') && response.request().method() === 'POST',
      );
      await logIn(page, email, `wrong guess ${attempt}`);
      status = (await answer).status();
    }
    expect(status).toBe(429);
    const alert = await visible(page.getByRole('alert').filter({ hasText: 'Too many attempts' }));
    expect(await alert.textContent()).toMatch(/try again in \d+ minutes?/i);
    await screenshot(page, 'login-locked');
  });
});
