import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../platform/clock.ts';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';

const MAX_FAILURES = 3;

describe.each(testDialects())('accounts routes on %s', (dialect) => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-01T09:00:00.000Z');

  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock,
      env: { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_LOCKOUT_MINUTES: '15' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => {
    clock.advance(60 * 60_000);
  });

  const client = () => new TestClient(t.app);
  let seq = 0;
  const email = (tag: string) => `${tag}-${++seq}@example.com`;

  it('signs up a learner, sets a safe session cookie and answers /api/me', async () => {
    const c = client();
    const address = email('maya');
    const res = await c.post('/api/auth/signup', {
      email: `  ${address.toUpperCase()} `,
      name: 'Maya',
      password: 'a sensible passphrase',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ email: address, name: 'Maya', role: 'learner' });
    const cookie = res.cookies.find((k) => k.name === 'sb_session');
    expect(cookie).toBeDefined();
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(cookie?.path).toBe('/');
    expect(cookie?.secure).toBeFalsy();
    const expires = new Date(cookie?.expires ?? 0).getTime();
    expect(expires - clock.now().getTime()).toBe(8 * 3600_000);

    const me = await c.get('/api/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({
      id: res.json().user.id,
      email: address,
      name: 'Maya',
      role: 'learner',
    });
  });

  it('never lets a sign-up body choose its role or other fields', async () => {
    const c = client();
    const res = await c.post('/api/auth/signup', {
      email: email('sneaky'),
      name: 'Sneaky',
      password: 'a sensible passphrase',
      role: 'admin',
      id: '00000000-0000-4000-8000-000000000000',
      disabledAt: null,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user.role).toBe('learner');
    expect(res.json().user.id).not.toBe('00000000-0000-4000-8000-000000000000');
    expect((await c.get('/api/me')).json().role).toBe('learner');
  });

  it('refuses weak passwords with the reason and writes nothing', async () => {
    const c = client();
    const address = email('weak');
    for (const [password, reason] of [
      ['short1', /at least 10 characters/],
      ['password123', /too common/],
      ['aaaaaaaaaaaaaa', /repeated/],
    ] as const) {
      const res = await c.post('/api/auth/signup', { email: address, name: 'W', password });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().detail).toMatch(reason);
      expect(res.json().errors[0].path).toBe('password');
    }
    expect(await t.deps.accounts.findUserByEmail(address)).toBeUndefined();
  });

  it('names the invalid field in a 400', async () => {
    const res = await client().post('/api/auth/signup', {
      email: 'not-an-email',
      name: 'X',
      password: 'a sensible passphrase',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('body.email');
    expect(res.json().detail).toMatch(/^body\.email: /);
  });

  it('refuses a second account with the same email (409), also when racing', async () => {
    const address = email('dup');
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () =>
        client().post('/api/auth/signup', {
          email: address,
          name: 'Dup',
          password: 'a sensible passphrase',
        }),
      ),
    );
    const codes = attempts.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 409, 409, 409, 409]);
    expect(attempts.find((r) => r.statusCode === 409)?.json().code).toBe('EMAIL_TAKEN');
  });

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const user = await createUser(t.deps);
    const wrong = await client().login(user.email, 'not the password at all');
    const unknown = await client().login(email('nobody'), 'not the password at all');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    expect(wrong.cookies.find((c) => c.name === 'sb_session')).toBeUndefined();
  });

  it('issues a new session id at every login', async () => {
    const user = await createUser(t.deps);
    const c = client();
    await c.login(user.email, user.password);
    const first = c.cookies.get('sb_session');
    await c.login(user.email, user.password);
    const second = c.cookies.get('sb_session');
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
  });

  it('ends the previous session of the browser when it logs in again', async () => {
    const first = await createUser(t.deps);
    const second = await createUser(t.deps);
    const c = client();
    await c.login(first.email, first.password);
    const firstCookie = c.cookies.get('sb_session');
    await c.login(second.email, second.password);
    expect((await c.get('/api/me')).json().email).toBe(second.email);
    const replay = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: `sb_session=${firstCookie}` },
    });
    expect(replay.statusCode).toBe(401);
  });

  it('rate-limits login attempts per address with 429 and Retry-After', async () => {
    const limited = await buildTestApp(dialect, { env: { LOGIN_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const c = new TestClient(limited.app);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await c.login(`rate-${i}@example.com`, 'some passphrase')).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      const res = await c.login('rate-x@example.com', 'some passphrase');
      expect(res.statusCode).toBe(429);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('locks an account after repeated failures and refuses even the right password', async () => {
    const user = await createUser(t.deps);
    const c = client();
    for (let i = 1; i < MAX_FAILURES; i++) {
      expect((await c.login(user.email, 'wrong password here')).statusCode).toBe(401);
    }
    const locking = await c.login(user.email, 'wrong password here');
    expect(locking.statusCode).toBe(429);
    expect(Number(locking.headers['retry-after'])).toBe(15 * 60);

    const correctWhileLocked = await c.login(user.email, user.password);
    expect(correctWhileLocked.statusCode).toBe(429);
    expect(correctWhileLocked.json().code).toBe('LOGIN_LOCKED');
    expect(correctWhileLocked.json().detail).toMatch(/Try again in 15 minutes/);
    expect(Number(correctWhileLocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(correctWhileLocked.cookies.find((k) => k.name === 'sb_session')).toBeUndefined();

    clock.advance(15 * 60_000 + 1000);
    expect((await c.login(user.email, user.password)).statusCode).toBe(200);
  });

  it('locks unknown emails the same way, so lockout does not reveal accounts', async () => {
    const c = client();
    const address = email('ghost');
    let last = 0;
    for (let i = 0; i < MAX_FAILURES; i++)
      last = (await c.login(address, 'whatever-pass')).statusCode;
    expect(last).toBe(429);
  });

  it('ends the session at logout; the old cookie is rejected', async () => {
    const user = await createUser(t.deps);
    const c = client();
    await c.login(user.email, user.password);
    const oldCookie = c.cookies.get('sb_session');
    const out = await c.post('/api/auth/logout');
    expect(out.statusCode).toBe(204);
    const replay = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: `sb_session=${oldCookie}` },
    });
    expect(replay.statusCode).toBe(401);
  });

  it('ends every session when the password changes, keeping only the changing browser', async () => {
    const user = await createUser(t.deps);
    const a = client();
    const b = client();
    await a.login(user.email, user.password);
    await b.login(user.email, user.password);
    const oldA = a.cookies.get('sb_session');

    const wrongCurrent = await a.post('/api/me/password', {
      currentPassword: 'not my password',
      newPassword: 'a brand new passphrase',
    });
    expect(wrongCurrent.statusCode).toBe(400);
    expect((await b.get('/api/me')).statusCode).toBe(200);

    const changed = await a.post('/api/me/password', {
      currentPassword: user.password,
      newPassword: 'a brand new passphrase',
    });
    expect(changed.statusCode).toBe(204);
    expect((await b.get('/api/me')).statusCode).toBe(401);
    expect((await a.get('/api/me')).statusCode).toBe(200);
    const replay = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: `sb_session=${oldA}` },
    });
    expect(replay.statusCode).toBe(401);
    expect((await client().login(user.email, user.password)).statusCode).toBe(401);
    expect((await client().login(user.email, 'a brand new passphrase')).statusCode).toBe(200);
  });

  it('slides the session while it is used and expires it after the idle lifetime', async () => {
    const user = await createUser(t.deps);
    const c = client();
    await c.login(user.email, user.password);
    for (let hour = 0; hour < 12; hour++) {
      clock.advance(3600_000);
      expect((await c.get('/api/me')).statusCode).toBe(200);
    }
    clock.advance(8 * 3600_000 + 1000);
    expect((await c.get('/api/me')).statusCode).toBe(401);
  });

  it('marks the cookie Secure behind HTTPS', async () => {
    const secure = await buildTestApp(dialect, { env: { COOKIE_SECURE: 'always' } });
    try {
      const user = await createUser(secure.deps);
      const res = await new TestClient(secure.app).login(user.email, user.password);
      expect(res.cookies.find((k) => k.name === 'sb_session')?.secure).toBe(true);
    } finally {
      await secure.close();
    }
    const proxied = await buildTestApp(dialect, { env: { TRUST_PROXY: 'true' } });
    try {
      const user = await createUser(proxied.deps);
      const res = await new TestClient(proxied.app).post(
        '/api/auth/login',
        { email: user.email, password: user.password },
        { headers: { 'x-forwarded-proto': 'https' } },
      );
      expect(res.cookies.find((k) => k.name === 'sb_session')?.secure).toBe(true);
    } finally {
      await proxied.close();
    }
  });

  it('answers 401 with problem+json when logged out', async () => {
    const res = await client().get('/api/me');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(res.json().requestId).toBe(res.headers['x-request-id']);
  });

  it('refuses every state-changing route without a CSRF token (403)', async () => {
    const admin = await createUser(t.deps, { role: 'admin' });
    const c = client();
    expect((await c.login(admin.email, admin.password)).statusCode).toBe(200);
    const mutating = t.app.routeSummaries.filter(
      (r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && r.url.startsWith('/api/'),
    );
    expect(mutating.length).toBeGreaterThanOrEqual(9);
    for (const route of mutating) {
      const url = route.url.replace(':id', admin.id);
      const res = await c.request(route.method as 'POST', url, {}, { csrf: false });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
      expect(res.json().code, `${route.method} ${route.url}`).toBe('CSRF_INVALID');
      const forged = await c.request(
        route.method as 'POST',
        url,
        {},
        {
          csrf: false,
          headers: { 'x-csrf-token': 'forged-token' },
        },
      );
      expect(forged.statusCode, `${route.method} ${route.url} forged`).toBe(403);
    }
    // Login itself, without a token and without any session.
    const anonymous = await client().post(
      '/api/auth/login',
      { email: admin.email, password: admin.password },
      { csrf: false },
    );
    expect(anonymous.statusCode).toBe(403);
  });

  it('rejects an oversized body with 413 and malformed JSON with 400', async () => {
    const c = client();
    const big = await c.post('/api/auth/signup', {
      email: email('big'),
      name: 'x'.repeat(2 * 1024 * 1024),
      password: 'a sensible passphrase',
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('PAYLOAD_TOO_LARGE');

    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: {
        'content-type': 'application/json',
        'x-csrf-token': await c.csrf(),
        cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      payload: '{"email": "a@b.c", "password": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('MALFORMED_JSON');
    expect(malformed.body).not.toMatch(/at .*\.js:\d+/);
  });

  it('sets security headers', async () => {
    const res = await client().get('/livez');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('reports liveness and readiness', async () => {
    expect((await client().get('/livez')).json()).toEqual({ status: 'ok' });
    expect((await client().get('/readyz')).json()).toEqual({ status: 'ok', worker: 'off' });
  });
});
