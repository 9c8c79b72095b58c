// PreparedQuery on both dialects: the query is compiled once, each call's values land in the
// right places (whatever order the SQL needs them in), the built query's own constants stay,
// it runs inside a transaction, and a build that changes an argument on its way to the SQL is
// refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  testDialects,
  type TestDatabase,
} from '../../../test/helpers/test-db.ts';
import { PreparedQuery } from './prepared.ts';

const AT = '2026-12-02T05:00:00.000Z';

describe.each(testDialects())('PreparedQuery on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.drop());

  const insertUser = new PreparedQuery(
    (db, a: { id: string; email: string; name: string; role: 'learner' | 'admin' }) =>
      db.insertInto('users').values({
        id: a.id,
        email: a.email,
        name: a.name,
        password_hash: 'not-a-hash',
        role: a.role,
        created_at: AT,
        updated_at: AT,
        password_changed_at: AT,
        disabled_at: null,
        last_login_at: null,
      }),
  );
  // Arguments used in another order than declared, one twice, among constants.
  const findUsers = new PreparedQuery((db, a: { role: 'learner' | 'admin'; prefix: string }) =>
    db
      .selectFrom('users')
      .select(['id', 'email', 'name', 'role'])
      .where('email', 'like', a.prefix)
      .where('role', '=', a.role)
      .where((eb) => eb.or([eb('name', '!=', 'nobody'), eb('role', '=', a.role)]))
      .where('disabled_at', 'is', null)
      .orderBy('email')
      .limit(10),
  );

  it('runs the same SQL with each call’s values in the right places', async () => {
    const db = t.handle.db;
    await insertUser.execute(db, { id: 'u1', email: 'a1@x.test', name: 'A1', role: 'learner' });
    await insertUser.execute(db, { id: 'u2', email: 'a2@x.test', name: 'A2', role: 'admin' });
    await insertUser.execute(db, { id: 'u3', email: 'b1@x.test', name: 'B1', role: 'learner' });
    expect(await findUsers.rows(db, { role: 'learner', prefix: 'a%' })).toEqual([
      { id: 'u1', email: 'a1@x.test', name: 'A1', role: 'learner' },
    ]);
    expect((await findUsers.rows(db, { role: 'learner', prefix: '%' })).map((r) => r.id)).toEqual([
      'u1',
      'u3',
    ]);
    expect(await findUsers.first(db, { role: 'admin', prefix: '%' })).toMatchObject({ id: 'u2' });
    expect(await findUsers.first(db, { role: 'admin', prefix: 'b%' })).toBeUndefined();
    // The stored row has the built query's constants.
    const stored = await db
      .selectFrom('users')
      .select(['password_hash', 'created_at', 'disabled_at'])
      .where('id', '=', 'u2')
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ password_hash: 'not-a-hash', created_at: AT, disabled_at: null });
  });

  it('runs inside a transaction, which a failure rolls back', async () => {
    const db = t.handle.db;
    await expect(
      db.transaction().execute(async (trx) => {
        await insertUser.execute(trx, { id: 'u4', email: 'c@x.test', name: 'C', role: 'learner' });
        expect(await findUsers.first(trx, { role: 'learner', prefix: 'c%' })).toMatchObject({
          id: 'u4',
        });
        // The same email again: the unique index refuses it.
        await insertUser.execute(trx, { id: 'u5', email: 'c@x.test', name: 'C', role: 'learner' });
      }),
    ).rejects.toThrow();
    expect(await findUsers.first(db, { role: 'learner', prefix: 'c%' })).toBeUndefined();
  });

  it('refuses a build that changes an argument before it reaches the SQL', async () => {
    // The template would be compiled once with the placeholder in it: every call would search
    // for the same text whatever email it was given.
    const careless = new PreparedQuery((db, a: { id: string; email: string }) =>
      db
        .selectFrom('users')
        .select('id')
        .where('id', '=', a.id)
        .where('email', 'like', `${a.email}%`),
    );
    await expect(careless.rows(t.handle.db, { id: 'u1', email: 'a' })).rejects.toThrow(
      /changes its argument\(s\) email before they reach the SQL/,
    );
    const lowered = new PreparedQuery((db, a: { email: string }) =>
      db.selectFrom('users').select('id').where('email', '=', a.email.toLowerCase()),
    );
    await expect(lowered.rows(t.handle.db, { email: 'A1@x.test' })).rejects.toThrow(
      /changes its argument\(s\) email/,
    );
  });
});
