// The usage ledger on both dialects: the per-user daily token counter that a trigger keeps beside
// llm_calls (migration 0005) always equals the sum it replaces, including for calls recorded
// before the migration and for calls recorded at the same time.
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgUrlFor, uniqueDbName, withPgAdmin } from '../../../test/helpers/pg-admin.ts';
import {
  createTestDatabase,
  testDialects,
  type TestDatabase,
} from '../../../test/helpers/test-db.ts';
import { parseDatabaseUrl } from '../../config/env.ts';
import { newId } from '../../platform/ids.ts';
import { createDatabase, type DatabaseHandle, type Dialect } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { StaticMigrationProvider } from '../db/migrations/index.ts';
import { KyselyUsageLedger, type LlmCallRow } from './usage-ledger.ts';

function call(overrides: Partial<LlmCallRow>): LlmCallRow {
  return {
    id: newId(),
    created_at: '2026-03-01T10:00:00.000Z',
    day: '2026-03-01',
    provider: 'openai',
    model: 'gpt-4o-mini',
    feature: 'lesson',
    operation: 'object',
    prompt_id: 'lesson',
    prompt_version: 1,
    user_id: 'u1',
    job_id: null,
    input_tokens: 10,
    output_tokens: 5,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: 0,
    price_effective_from: null,
    latency_ms: 10,
    retries: 0,
    finish_reason: 'stop',
    status: 'ok',
    error_code: null,
    error_message: null,
    ...overrides,
  };
}

/** What tokensUsed meant before the counter: the sum over the user's calls of the day. */
async function summed(handle: DatabaseHandle, userId: string, day: string): Promise<number> {
  const row = await handle.db
    .selectFrom('llm_calls')
    .select((eb) =>
      eb.fn
        .coalesce(eb.fn.sum<number>(eb('input_tokens', '+', eb.ref('output_tokens'))), eb.lit(0))
        .as('n'),
    )
    .where('user_id', '=', userId)
    .where('day', '=', day)
    .where('provider', '!=', 'offline')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function emptyDatabase(dialect: Dialect) {
  if (dialect === 'sqlite') {
    const handle = createDatabase(parseDatabaseUrl('sqlite::memory:', 1));
    return { handle, drop: () => handle.destroy() };
  }
  const name = uniqueDbName('sb_ledger');
  await withPgAdmin((c) => c.query(`create database "${name}"`));
  const handle = createDatabase(parseDatabaseUrl(pgUrlFor(name), 4));
  return {
    handle,
    drop: async () => {
      await handle.destroy();
      await withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

describe.each(testDialects())('usage ledger daily token counter on %s', (dialect) => {
  let db: TestDatabase;
  let ledger: KyselyUsageLedger;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    ledger = new KyselyUsageLedger(db.handle.db);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('counts real-provider tokens per user and day, not offline calls or system work', async () => {
    await ledger.record(call({ user_id: 'ann', input_tokens: 100, output_tokens: 20 }));
    await ledger.record(
      call({
        user_id: 'ann',
        status: 'error',
        error_code: 'LLM_INVALID_OUTPUT',
        input_tokens: 7,
        output_tokens: 3,
      }),
    );
    await ledger.record(call({ user_id: 'ann', provider: 'offline', input_tokens: 999 }));
    await ledger.record(call({ user_id: null, input_tokens: 5_000 }));
    await ledger.record(call({ user_id: 'ann', day: '2026-03-02', input_tokens: 1 }));
    await ledger.record(call({ user_id: 'bob', input_tokens: 40, output_tokens: 2 }));
    expect(await ledger.tokensUsed('ann', '2026-03-01')).toBe(130);
    expect(await ledger.tokensUsed('ann', '2026-03-02')).toBe(6);
    expect(await ledger.tokensUsed('bob', '2026-03-01')).toBe(42);
    expect(await ledger.tokensUsed('nobody', '2026-03-01')).toBe(0);
    expect(await ledger.budgetState('ann', '2026-03-01')).toEqual({
      override: undefined,
      used: 130,
    });
  });

  it('equals the sum over llm_calls for many random calls, written one by one and at once', async () => {
    const random = lcg(42);
    const users = ['r1', 'r2', 'r3', null];
    const days = ['2026-04-01', '2026-04-02'];
    const providers = ['openai', 'anthropic', 'offline', 'openai-compatible'];
    const rows = Array.from({ length: 120 }, () =>
      call({
        user_id: users[Math.floor(random() * users.length)] ?? null,
        day: days[Math.floor(random() * days.length)]!,
        provider: providers[Math.floor(random() * providers.length)]!,
        input_tokens: Math.floor(random() * 5_000),
        output_tokens: Math.floor(random() * 1_000),
      }),
    );
    for (const row of rows.slice(0, 60)) await ledger.record(row);
    // Calls finishing at the same time (several pool connections on PostgreSQL).
    await Promise.all(rows.slice(60).map((row) => ledger.record(row)));
    for (const user of ['r1', 'r2', 'r3']) {
      for (const day of days) {
        const expected = await summed(db.handle, user, day);
        expect(await ledger.tokensUsed(user, day), `${user} ${day}`).toBe(expected);
      }
    }
  });

  it('reads the override and the day in one query, for the budget check', async () => {
    await db.handle.db
      .insertInto('users')
      .values({
        id: 'carl',
        email: `carl-${dialect}@example.com`,
        name: 'Carl',
        password_hash: 'x',
        role: 'learner',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
        password_changed_at: '2026-01-01T00:00:00.000Z',
      })
      .execute();
    await ledger.setBudgetOverride('carl', 0, null, '2026-03-01T00:00:00.000Z');
    expect(await ledger.budgetState('carl', '2026-03-01')).toEqual({ override: 0, used: 0 });
    await ledger.record(call({ user_id: 'carl', input_tokens: 3, output_tokens: 4 }));
    await ledger.setBudgetOverride('carl', 50, null, '2026-03-01T00:00:00.000Z');
    expect(await ledger.budgetState('carl', '2026-03-01')).toEqual({ override: 50, used: 7 });
  });
});

describe.each(testDialects())('migration 0005 on %s', (dialect) => {
  it('counts the calls recorded before it', async () => {
    const { handle, drop } = await emptyDatabase(dialect);
    try {
      const migrator = new Migrator({
        db: handle.db,
        provider: new StaticMigrationProvider({ dialect }),
        migrationTableName: 'schema_migrations',
        migrationLockTableName: 'schema_migrations_lock',
      });
      const before = await migrator.migrateTo('0004-llm-usage');
      expect(before.error).toBeUndefined();
      const rows = [
        call({ user_id: 'old', input_tokens: 100, output_tokens: 10 }),
        call({ user_id: 'old', input_tokens: 1, output_tokens: 2 }),
        call({ user_id: 'old', provider: 'offline', input_tokens: 50 }),
        call({ user_id: null, input_tokens: 70 }),
      ];
      await handle.db.insertInto('llm_calls').values(rows).execute();
      await migrateToLatest(handle);
      const counters = await handle.db.selectFrom('llm_daily_usage').selectAll().execute();
      expect(counters).toEqual([{ user_id: 'old', day: '2026-03-01', tokens: 113 }]);
      // And the trigger carries on from there.
      await new KyselyUsageLedger(handle.db).record(call({ user_id: 'old', input_tokens: 7 }));
      expect(await new KyselyUsageLedger(handle.db).tokensUsed('old', '2026-03-01')).toBe(125);
      const triggers =
        dialect === 'sqlite'
          ? await sql<{
              name: string;
            }>`select name from sqlite_master where type = 'trigger'`.execute(handle.db)
          : await sql<{
              name: string;
            }>`select tgname as name from pg_trigger where not tgisinternal`.execute(handle.db);
      expect(triggers.rows.map((r) => r.name)).toContain('llm_calls_daily_usage');
    } finally {
      await drop();
    }
  });
});
