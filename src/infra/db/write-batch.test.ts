// Group commit on a real database, both dialects: transactions submitted together commit
// together on SQLite (one BEGIN … COMMIT, a savepoint each), one that fails is rolled back alone
// with its own error, callers see each other's writes in order, and a failed COMMIT stores none
// of the batch and rejects every caller. On PostgreSQL each call is its own transaction.
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  testDialects,
  type TestDatabase,
} from '../../../test/helpers/test-db.ts';
import type { Tx } from './database.ts';
import { WriteBatcher } from './write-batch.ts';

describe.each(testDialects())('WriteBatcher on %s', (dialect) => {
  let t: TestDatabase;
  let batcher: WriteBatcher;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    await sql`create table batch_items (id integer primary key, label text not null unique)`.execute(
      t.handle.db,
    );
  });
  afterAll(() => t.drop());
  beforeEach(async () => {
    await sql`delete from batch_items`.execute(t.handle.db);
    batcher = new WriteBatcher(t.handle.db, dialect);
  });

  const insert = (id: number, label: string) => async (tx: Tx) => {
    await sql`insert into batch_items (id, label) values (${id}, ${label})`.execute(tx);
    return id;
  };
  const labels = async () =>
    (
      await sql<{ label: string }>`select label from batch_items order by id`.execute(t.handle.db)
    ).rows.map((r) => r.label);

  it('commits every transaction submitted together and returns each its own result', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => batcher.transact(insert(i + 1, `item ${i + 1}`))),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await labels()).toHaveLength(20);
    const stats = batcher.stats();
    expect(stats.transactions).toBe(dialect === 'sqlite' ? 20 : 0);
    if (dialect === 'sqlite') expect(stats.batches).toBe(1);
  });

  it('rolls back only the transaction that fails, which gets its own error', async () => {
    const duplicate = async (tx: Tx) => {
      await sql`insert into batch_items (id, label) values (${100}, ${'half written'})`.execute(tx);
      // A primary-key violation of its own after a first write: that first write must not
      // survive. (Its own, so the outcome does not depend on how PostgreSQL interleaves the
      // concurrent transactions.)
      await sql`insert into batch_items (id, label) values (${100}, ${'again'})`.execute(tx);
      return 0;
    };
    const outcomes = await Promise.allSettled([
      batcher.transact(insert(1, 'a')),
      batcher.transact(duplicate),
      batcher.transact(insert(2, 'b')),
      batcher.transact(async () => {
        throw new Error('refused by the caller');
      }),
      batcher.transact(insert(3, 'c')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(String((outcomes[3] as PromiseRejectedResult).reason)).toContain(
      'refused by the caller',
    );
    expect(await labels()).toEqual(['a', 'b', 'c']);
  });

  // Batches exist on SQLite only; PostgreSQL runs concurrent transactions side by side.
  it.runIf(dialect === 'sqlite')(
    'runs the transactions of a batch in the order they were submitted, each seeing the last',
    async () => {
      const seen: number[] = [];
      const countThenInsert = (id: number) => async (tx: Tx) => {
        const { rows } = await sql<{ n: number }>`select count(*) as n from batch_items`.execute(
          tx,
        );
        seen.push(Number(rows[0]!.n));
        await sql`insert into batch_items (id, label) values (${id}, ${`n${id}`})`.execute(tx);
      };
      await Promise.all([1, 2, 3, 4].map((id) => batcher.transact(countThenInsert(id))));
      expect(seen).toEqual([0, 1, 2, 3]);
    },
  );

  it('settles callers only after the commit: a result seen is stored', async () => {
    const order: string[] = [];
    await Promise.all(
      [1, 2, 3].map((id) =>
        batcher.transact(insert(id, `x${id}`)).then(async () => {
          // Read on the database outside the batch: the row is there.
          const { rows } = await sql<{
            n: number;
          }>`select count(*) as n from batch_items where id = ${id}`.execute(t.handle.db);
          order.push(`${id}:${rows[0]!.n}`);
        }),
      ),
    );
    expect(order.sort()).toEqual(['1:1', '2:1', '3:1']);
  });

  it.runIf(dialect === 'sqlite')(
    'stores nothing of a batch whose commit fails, and rejects every caller',
    async () => {
      // A deferred foreign key is checked at COMMIT: the violation makes the commit fail.
      await sql`create table batch_children (id integer primary key, parent integer references batch_items (id) deferrable initially deferred)`.execute(
        t.handle.db,
      );
      const outcomes = await Promise.allSettled([
        batcher.transact(insert(1, 'a')),
        batcher.transact(async (tx) => {
          await sql`insert into batch_children (id, parent) values (1, 999)`.execute(tx);
        }),
        batcher.transact(insert(2, 'b')),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
      expect(await labels()).toEqual([]);
      // The connection is usable afterwards.
      await batcher.transact(insert(3, 'c'));
      expect(await labels()).toEqual(['c']);
      await sql`drop table batch_children`.execute(t.handle.db);
    },
  );
});
