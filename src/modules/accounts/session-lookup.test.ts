// The session look-up of every request: the PostgreSQL fast path answers exactly like the Kysely
// query, and a revoked session or a disabled user is refused by the very next request.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { hashToken } from '../../platform/ids.ts';
import { AccountsStore } from './accounts-store.ts';
import { MAX_BATCH, PgSessionLookup, createSessionLookup } from './session-lookup.ts';

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

  it('returns what the single-session Kysely query returns', async () => {
    const lookup = createSessionLookup(t.deps.database);
    expect(lookup instanceof PgSessionLookup).toBe(dialect === 'postgres');
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

describe('PostgreSQL look-ups in one turn of the event loop', () => {
  function fakePool(answer: (ids: string[]) => Promise<unknown[][]>) {
    const calls: string[][] = [];
    const pool = {
      query: async (q: { values: [string[]] }) => {
        calls.push(q.values[0]);
        return { rows: await answer(q.values[0]) };
      },
    };
    return { calls, lookup: new PgSessionLookup(pool as unknown as pg.Pool) };
  }
  const row = (id: string) => [id, 'e', 'l', `user-${id}`, `${id}@x.y`, id, 'learner', null];

  it('share one query, each getting its own row (or none), duplicates included', async () => {
    const { calls, lookup } = fakePool(async (ids) => ids.filter((id) => id !== 'gone').map(row));
    const ids = ['a', 'b', 'gone', 'a', 'c'];
    const found = await Promise.all(ids.map((id) => lookup.find(id)));
    expect(calls).toEqual([['a', 'b', 'gone', 'c']]);
    expect(found.map((f) => f?.userId ?? null)).toEqual([
      'user-a',
      'user-b',
      null,
      'user-a',
      'user-c',
    ]);
    // The next turn is a new query: nothing is remembered between batches.
    await lookup.find('a');
    expect(calls).toHaveLength(2);
  });

  it('split above the batch size and all fail when the query fails', async () => {
    const { calls, lookup } = fakePool(async (ids) => ids.map(row));
    const many = Array.from({ length: MAX_BATCH + 5 }, (_, i) => `s${i}`);
    await Promise.all(many.map((id) => lookup.find(id)));
    expect(calls.map((c) => c.length)).toEqual([MAX_BATCH, 5]);

    const failing = fakePool(async () => {
      throw new Error('connection lost');
    });
    const results = await Promise.allSettled(['x', 'y'].map((id) => failing.lookup.find(id)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
