// The usage ledger port: one row per gateway call, the tokens a user spent today, and the
// per-user budget overrides. KyselyUsageLedger keeps them in the database (both dialects);
// InMemoryUsageLedger is the fake for unit tests of code that calls the gateway.
import type { Kysely } from 'kysely';
import type { Database, LlmCallsTable } from '../db/schema.ts';

export type LlmCallRow = LlmCallsTable;

export interface BudgetOverride {
  userId: string;
  dailyTokens: number;
  updatedAt: string;
  updatedBy: string | null;
}

/** What the budget check needs, read together. */
export interface BudgetState {
  /** The user's own daily budget, when an administrator set one. */
  override: number | undefined;
  /** Input plus output tokens spent on the day with real providers. */
  used: number;
}

export interface UsageLedger {
  record(row: LlmCallRow): Promise<void>;
  /** Input plus output tokens the user spent on `day` with real providers (offline is free). */
  tokensUsed(userId: string, day: string): Promise<number>;
  budgetOverride(userId: string): Promise<number | undefined>;
  /** The override and the day's tokens in one read: the gateway asks this before every call. */
  budgetState(userId: string, day: string): Promise<BudgetState>;
  listBudgetOverrides(): Promise<BudgetOverride[]>;
  /** Set (a number) or remove (null) a user's override; pass a transaction to commit it with more. */
  setBudgetOverride(
    userId: string,
    dailyTokens: number | null,
    updatedBy: string | null,
    at: string,
    tx?: Kysely<Database>,
  ): Promise<void>;
}

export class KyselyUsageLedger implements UsageLedger {
  constructor(private readonly db: Kysely<Database>) {}

  async record(row: LlmCallRow): Promise<void> {
    await this.db.insertInto('llm_calls').values(row).execute();
  }

  // llm_daily_usage is kept by a trigger on llm_calls (migration 0005), in the same statement
  // as the row: reading it costs the same however many calls the user made that day.
  async tokensUsed(userId: string, day: string): Promise<number> {
    const row = await this.db
      .selectFrom('llm_daily_usage')
      .select('tokens')
      .where('user_id', '=', userId)
      .where('day', '=', day)
      .executeTakeFirst();
    return Number(row?.tokens ?? 0);
  }

  async budgetState(userId: string, day: string): Promise<BudgetState> {
    const row = await this.db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('llm_budget_overrides')
          .select('daily_tokens')
          .where('user_id', '=', userId)
          .as('override'),
        eb
          .selectFrom('llm_daily_usage')
          .select('tokens')
          .where('user_id', '=', userId)
          .where('day', '=', day)
          .as('used'),
      ])
      .executeTakeFirstOrThrow();
    return {
      override: row.override === null ? undefined : Number(row.override),
      used: Number(row.used ?? 0),
    };
  }

  async budgetOverride(userId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('llm_budget_overrides')
      .select('daily_tokens')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.daily_tokens;
  }

  async listBudgetOverrides(): Promise<BudgetOverride[]> {
    const rows = await this.db
      .selectFrom('llm_budget_overrides')
      .selectAll()
      .orderBy('updated_at', 'desc')
      .orderBy('user_id')
      .execute();
    return rows.map((r) => ({
      userId: r.user_id,
      dailyTokens: r.daily_tokens,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
    }));
  }

  async setBudgetOverride(
    userId: string,
    dailyTokens: number | null,
    updatedBy: string | null,
    at: string,
    tx?: Kysely<Database>,
  ): Promise<void> {
    const db = tx ?? this.db;
    if (dailyTokens === null) {
      await db.deleteFrom('llm_budget_overrides').where('user_id', '=', userId).execute();
      return;
    }
    await db
      .insertInto('llm_budget_overrides')
      .values({ user_id: userId, daily_tokens: dailyTokens, updated_at: at, updated_by: updatedBy })
      .onConflict((oc) =>
        oc
          .column('user_id')
          .doUpdateSet({ daily_tokens: dailyTokens, updated_at: at, updated_by: updatedBy }),
      )
      .execute();
  }
}

export class InMemoryUsageLedger implements UsageLedger {
  readonly rows: LlmCallRow[] = [];
  private readonly overrides = new Map<string, BudgetOverride>();

  async record(row: LlmCallRow): Promise<void> {
    this.rows.push({ ...row });
  }

  async tokensUsed(userId: string, day: string): Promise<number> {
    return this.rows
      .filter((r) => r.user_id === userId && r.day === day && r.provider !== 'offline')
      .reduce((sum, r) => sum + r.input_tokens + r.output_tokens, 0);
  }

  async budgetOverride(userId: string): Promise<number | undefined> {
    return this.overrides.get(userId)?.dailyTokens;
  }

  async budgetState(userId: string, day: string): Promise<BudgetState> {
    return {
      override: await this.budgetOverride(userId),
      used: await this.tokensUsed(userId, day),
    };
  }

  async listBudgetOverrides(): Promise<BudgetOverride[]> {
    return [...this.overrides.values()];
  }

  async setBudgetOverride(
    userId: string,
    dailyTokens: number | null,
    updatedBy: string | null,
    at: string,
  ): Promise<void> {
    if (dailyTokens === null) this.overrides.delete(userId);
    else this.overrides.set(userId, { userId, dailyTokens, updatedAt: at, updatedBy });
  }
}
