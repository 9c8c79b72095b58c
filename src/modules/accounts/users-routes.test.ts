import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';

describe.each(testDialects())('admin user management on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let adminUser: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    adminUser = await createUser(t.deps, { role: 'admin', email: 'root@example.com' });
    admin = new TestClient(t.app);
    expect((await admin.login(adminUser.email, adminUser.password)).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const adminRoutes = () =>
    t.app.routeSummaries.filter(
      (r) => Array.isArray(r.access) && r.access.length === 1 && r.access[0] === 'admin',
    );

  it('guards every admin route: 401 logged out, 403 for learners and instructors', async () => {
    const routes = adminRoutes();
    const urls = routes.map((r) => `${r.method} ${r.url}`);
    expect(urls).toEqual(
      expect.arrayContaining([
        'GET /api/users',
        'POST /api/users',
        'POST /api/users/:id/password',
        'POST /api/users/:id/disable',
        'POST /api/users/:id/enable',
        'POST /api/users/:id/role',
        'GET /api/audit-log',
      ]),
    );
    const learner = await createUser(t.deps, { role: 'learner' });
    const instructor = await createUser(t.deps, { role: 'instructor' });
    const anonymous = new TestClient(t.app);
    for (const who of [learner, instructor]) {
      const c = new TestClient(t.app);
      await c.login(who.email, who.password);
      for (const route of routes) {
        const url = route.url.replace(':id', who.id);
        const body = {
          role: 'admin',
          password: 'another long passphrase',
          email: 'x@y.z',
          name: 'n',
        };
        const res = await c.request(
          route.method as 'POST',
          url,
          route.method === 'GET' ? undefined : body,
        );
        expect(res.statusCode, `${who.role} ${route.method} ${route.url}`).toBe(403);
        const anon = await anonymous.request(
          route.method as 'POST',
          url,
          route.method === 'GET' ? undefined : body,
        );
        expect(anon.statusCode, `anonymous ${route.method} ${route.url}`).toBe(401);
      }
      // Nothing changed: still the same role, still able to log in with the old password.
      expect((await c.get('/api/me')).json().role).toBe(who.role);
    }
  });

  it('lets no body make a learner an admin', async () => {
    const learner = await createUser(t.deps);
    const c = new TestClient(t.app);
    await c.login(learner.email, learner.password);
    await c.post('/api/me/password', {
      currentPassword: learner.password,
      newPassword: 'yet another passphrase',
      role: 'admin',
    });
    await c.post(`/api/users/${learner.id}/role`, { role: 'admin' });
    const signup = await new TestClient(t.app).post('/api/auth/signup', {
      email: 'wannabe@example.com',
      name: 'Wannabe',
      password: 'a sensible passphrase',
      role: 'admin',
    });
    expect(signup.json().user.role).toBe('learner');
    expect((await c.get('/api/me')).json().role).toBe('learner');
    const listed = await admin.get(`/api/users?q=${encodeURIComponent(learner.email)}`);
    expect(listed.json().users[0].role).toBe('learner');
  });

  it('creates a user who can then log in, and never returns a password hash', async () => {
    const res = await admin.post('/api/users', {
      email: 'new.instructor@example.com',
      name: 'New Instructor',
      role: 'instructor',
      password: 'instructor passphrase',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({
      email: 'new.instructor@example.com',
      role: 'instructor',
    });
    expect(res.body).not.toMatch(/argon2|password/i);

    const login = await new TestClient(t.app).login(
      'new.instructor@example.com',
      'instructor passphrase',
    );
    expect(login.statusCode).toBe(200);
    expect(login.json().user.role).toBe('instructor');

    const list = await admin.get('/api/users?role=instructor');
    expect(list.statusCode).toBe(200);
    expect(list.json().users.map((u: { email: string }) => u.email)).toContain(
      'new.instructor@example.com',
    );
    expect(list.body).not.toMatch(/argon2|password_hash|passwordHash/i);

    const dup = await admin.post('/api/users', {
      email: 'New.Instructor@example.com',
      name: 'Again',
      role: 'learner',
      password: 'instructor passphrase',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().detail).toMatch(/already exists; find them in the user list/);
  });

  it('searches and pages the user list', async () => {
    for (let i = 0; i < 3; i++) await createUser(t.deps, { email: `pager-${i}@school.test` });
    const page1 = await admin.get('/api/users?q=school.test&limit=2&offset=0');
    const page2 = await admin.get('/api/users?q=school.test&limit=2&offset=2');
    expect(page1.json().total).toBe(3);
    expect(page1.json().users).toHaveLength(2);
    expect(page2.json().users).toHaveLength(1);
    const bad = await admin.get('/api/users?limit=100000');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('querystring.limit');
    const wildcard = await admin.get('/api/users?q=%25');
    expect(wildcard.json().total).toBe(0);
  });

  it('resets a password: the user is logged out everywhere and the new password works', async () => {
    const user = await createUser(t.deps);
    const session = new TestClient(t.app);
    await session.login(user.email, user.password);
    const res = await admin.post(`/api/users/${user.id}/password`, {
      password: 'reset by the admin',
    });
    expect(res.statusCode).toBe(204);
    expect((await session.get('/api/me')).statusCode).toBe(401);
    expect((await new TestClient(t.app).login(user.email, user.password)).statusCode).toBe(401);
    expect((await new TestClient(t.app).login(user.email, 'reset by the admin')).statusCode).toBe(
      200,
    );
    const weak = await admin.post(`/api/users/${user.id}/password`, { password: 'qwertyuiop' });
    expect(weak.statusCode).toBe(400);
  });

  it('disables a leaver at once and enables them again', async () => {
    const user = await createUser(t.deps);
    const session = new TestClient(t.app);
    await session.login(user.email, user.password);
    const disabled = await admin.post(`/api/users/${user.id}/disable`);
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().user.disabledAt).toEqual(expect.any(String));
    expect((await session.get('/api/me')).statusCode).toBe(401);
    const refused = await new TestClient(t.app).login(user.email, user.password);
    expect(refused.statusCode).toBe(401);

    const enabled = await admin.post(`/api/users/${user.id}/enable`);
    expect(enabled.json().user.disabledAt).toBeNull();
    expect((await new TestClient(t.app).login(user.email, user.password)).statusCode).toBe(200);
  });

  it('changes roles, but never removes the last active admin', async () => {
    const user = await createUser(t.deps);
    const promoted = await admin.post(`/api/users/${user.id}/role`, { role: 'instructor' });
    expect(promoted.json().user.role).toBe('instructor');
    const c = new TestClient(t.app);
    await c.login(user.email, user.password);
    expect((await c.get('/api/me')).json().role).toBe('instructor');

    const selfDemote = await admin.post(`/api/users/${adminUser.id}/role`, { role: 'learner' });
    expect(selfDemote.statusCode).toBe(409);
    expect(selfDemote.json().code).toBe('LAST_ADMIN');
    const selfDisable = await admin.post(`/api/users/${adminUser.id}/disable`);
    expect(selfDisable.statusCode).toBe(409);
    const badRole = await admin.post(`/api/users/${user.id}/role`, { role: 'superuser' });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().errors[0].path).toBe('body.role');
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const bad = await admin.post('/api/users/not-a-uuid/disable');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('params.id');
    const unknown = await admin.post('/api/users/6f1c0c8e-8e0b-4a55-9d7a-0c0d3b7f0e11/disable');
    expect(unknown.statusCode).toBe(404);
  });

  it('writes every admin action to the audit log with who, what and when', async () => {
    const user = await createUser(t.deps);
    await admin.post(`/api/users/${user.id}/role`, { role: 'instructor' });
    await admin.post(`/api/users/${user.id}/password`, { password: 'audited passphrase' });
    await admin.post(`/api/users/${user.id}/disable`);
    await admin.post(`/api/users/${user.id}/enable`);
    await admin.post('/api/users', {
      email: 'audited@example.com',
      name: 'Audited',
      role: 'learner',
      password: 'audited passphrase',
    });
    const res = await admin.get('/api/audit-log?limit=500');
    expect(res.statusCode).toBe(200);
    const entries = res.json().entries as Array<{
      action: string;
      actorEmail: string;
      targetId: string;
      createdAt: string;
      details: Record<string, unknown>;
    }>;
    const forUser = entries.filter(
      (e) => e.targetId === user.id && e.actorEmail === adminUser.email,
    );
    expect(forUser.map((e) => e.action).sort()).toEqual(
      ['user.disabled', 'user.enabled', 'user.password_reset', 'user.role_changed'].sort(),
    );
    expect(forUser.find((e) => e.action === 'user.role_changed')?.details).toMatchObject({
      from: 'learner',
      to: 'instructor',
    });
    expect(
      entries.some((e) => e.action === 'user.created' && e.details.email === 'audited@example.com'),
    ).toBe(true);
    for (const e of entries) expect(Date.parse(e.createdAt)).not.toBeNaN();
    expect(res.body).not.toMatch(/audited passphrase/);
  });
});
