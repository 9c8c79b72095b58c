// The LLM usage ledger (one row per gateway call, successful or not) and per-user overrides of
// the daily token budget.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';
import type { MigrationContext } from './index.ts';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('llm_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    // The UTC day of created_at (YYYY-MM-DD): grouping and budgets without dialect-specific SQL.
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('feature', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) =>
      c.notNull().check(sql.raw(`operation in ('object', 'text')`)),
    )
    .addColumn('prompt_id', 'text', (c) => c.notNull())
    .addColumn('prompt_version', 'integer', (c) => c.notNull())
    // No foreign keys: the ledger keeps its history whatever happens to users and jobs.
    .addColumn('user_id', 'text')
    .addColumn('job_id', 'text')
    .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cache_read_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cache_write_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    // USD; null when the model has no price in config/pricing.yaml.
    .addColumn('cost_usd', 'double precision')
    .addColumn('price_effective_from', 'text')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('retries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('finish_reason', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql.raw(`status in ('ok', 'error')`)))
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .execute();
  await db.schema.createIndex('llm_calls_day_idx').on('llm_calls').column('day').execute();
  await db.schema
    .createIndex('llm_calls_user_day_idx')
    .on('llm_calls')
    .columns(['user_id', 'day'])
    .execute();

  await db.schema
    .createTable('llm_budget_overrides')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    // 0 means unlimited, as for LLM_DAILY_TOKEN_BUDGET_PER_USER.
    .addColumn('daily_tokens', 'integer', (c) => c.notNull().check(sql`daily_tokens >= 0`))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .execute();
}
