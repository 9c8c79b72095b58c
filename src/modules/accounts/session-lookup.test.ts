// The session look-up of every request: the PostgreSQL fast path answers exactly like the Kysely
// query, and a revoked session or a disabled user is refused by the very next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { hashToken } from '../../platform/ids.ts';
import { AccountsStore } from './accounts-store.ts';
import { PgSessionLookup } from './session-lookup.ts';

const meta = { ip: null, userAgent: 'test' };

describe.each(testDialects())('session look-up on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function session(role: 'learner' | 'admin' = 'learner') {
    const user = await createUser(t.deps, { role });
    const { token } = await t.deps.accounts.logIn(
      { email: user.email, password: user.password },
      meta,
    );
    return { user, token };
  }

  it.runIf(dialect === 'postgres')('returns what the Kysely query returns', async () => {
    const lookup = new PgSessionLookup(t.deps.database.pgPool!);
    const kysely = new AccountsStore(t.deps.database.db);
    const { user, token } = await session();
    const id = hashToken(token);
    const fast = await lookup.find(id);
    expect(fast).toEqual(await kysely.findSessionWithUser(id));
    expect(fast).toMatchObject({
      sessionId: id,
      userId: user.id,
      email: user.email,
      role: 'learner',
    });
    expect(fast!.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await lookup.find(hashToken('no such token'))).toBeUndefined();
    // Hostile ids are parameters, never SQL.
    expect(await lookup.find("' or '1'='1")).toBeUndefined();
  });

  it('answers many concurrent look-ups, each with its own user', async () => {
    const sessions = await Promise.all(Array.from({ length: 12 }, () => session()));
    const tokens = [...sessions.map((s) => s.token), 'unknown-token', sessions[0]!.token];
    const users = await Promise.all(tokens.map((tok) => t.deps.accounts.authenticate(tok)));
    expect(users.map((u) => u?.id ?? null)).toEqual([
      ...sessions.map((s) => s.user.id),
      null,
      sessions[0]!.user.id,
    ]);
  });

  it('refuses a logged-out session, a reset password and a disabled user at once', async () => {
    const admin = await session('admin');
    const a = await session();
    const b = await session();
    const c = await session();
    expect(await t.deps.accounts.authenticate(a.token)).not.toBeNull();
    await t.deps.accounts.logOut(a.token);
    expect(await t.deps.accounts.authenticate(a.token)).toBeNull();

    expect(await t.deps.accounts.authenticate(b.token)).not.toBeNull();
    await t.deps.accounts.resetPassword(admin.user.id, b.user.id, 'another long passphrase', meta);
    expect(await t.deps.accounts.authenticate(b.token)).toBeNull();

    expect(await t.deps.accounts.authenticate(c.token)).not.toBeNull();
    await t.deps.accounts.setDisabled(admin.user.id, c.user.id, true, meta);
    const after = await Promise.all([1, 2, 3].map(() => t.deps.accounts.authenticate(c.token)));
    expect(after).toEqual([null, null, null]);
  });
});
