// Read model over the LLM usage ledger (llm_calls, written by src/infra/llm) for the admin usage
// page: totals per day, model, feature or user, with nearest-rank latency percentiles computed by
// window functions, in SQL that runs unchanged on SQLite and PostgreSQL.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../infra/db/schema.ts';
import type { UsageGroupBy } from './llm-usage-schemas.ts';

export interface UsageAggregateRow {
  grp: string;
  calls: number;
  errors: number;
  budget_refusals: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  unpriced_calls: number;
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
}

const BUDGET_REFUSAL = 'LLM_BUDGET_EXCEEDED';

/** The grouping expression for each groupBy; never built from request text. */
const GROUP_EXPRESSIONS: Record<UsageGroupBy | 'all', RawBuilder<string>> = {
  day: sql<string>`day`,
  model: sql<string>`provider || '/' || model`,
  feature: sql<string>`feature`,
  user: sql<string>`coalesce(user_id, '')`,
  all: sql<string>`'all'`,
};

function toNumber(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

function toNullableNumber(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

export class LlmUsageStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** One row per group for calls on days from..to (inclusive, UTC). */
  async aggregate(
    from: string,
    to: string,
    groupBy: UsageGroupBy | 'all',
  ): Promise<UsageAggregateRow[]> {
    const g = GROUP_EXPRESSIONS[groupBy];
    const sums = await sql<Record<string, unknown>>`
      select ${g} as grp,
        count(*) as calls,
        sum(case when status = 'error' and coalesce(error_code, '') <> ${BUDGET_REFUSAL} then 1 else 0 end) as errors,
        sum(case when error_code = ${BUDGET_REFUSAL} then 1 else 0 end) as budget_refusals,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(cost_usd) as cost_usd,
        sum(case when cost_usd is null then 1 else 0 end) as unpriced_calls
      from llm_calls
      where day >= ${from} and day <= ${to}
      group by 1
    `.execute(this.db);
    // Nearest rank: the p-th percentile is the smallest latency whose rank is at least p·n.
    const percentiles = await sql<Record<string, unknown>>`
      select grp,
        min(case when rn >= 0.5 * cnt then latency_ms end) as p50,
        min(case when rn >= 0.95 * cnt then latency_ms end) as p95
      from (
        select ${g} as grp, latency_ms,
          row_number() over (partition by ${g} order by latency_ms) as rn,
          count(*) over (partition by ${g}) as cnt
        from llm_calls
        where day >= ${from} and day <= ${to} and coalesce(error_code, '') <> ${BUDGET_REFUSAL}
      ) ranked
      group by grp
    `.execute(this.db);
    const byGroup = new Map(percentiles.rows.map((r) => [String(r.grp), r]));
    return sums.rows.map((r) => {
      const p = byGroup.get(String(r.grp));
      return {
        grp: String(r.grp),
        calls: toNumber(r.calls),
        errors: toNumber(r.errors),
        budget_refusals: toNumber(r.budget_refusals),
        input_tokens: toNumber(r.input_tokens),
        output_tokens: toNumber(r.output_tokens),
        cache_read_tokens: toNumber(r.cache_read_tokens),
        cache_write_tokens: toNumber(r.cache_write_tokens),
        cost_usd: toNumber(r.cost_usd),
        unpriced_calls: toNumber(r.unpriced_calls),
        p50_latency_ms: toNullableNumber(p?.p50),
        p95_latency_ms: toNullableNumber(p?.p95),
      };
    });
  }

  /** Emails and names of the given users, for labels (users that no longer exist are absent). */
  async userLabels(ids: readonly string[]): Promise<Map<string, { email: string; name: string }>> {
    const out = new Map<string, { email: string; name: string }>();
    if (ids.length === 0) return out;
    // Chunked so a long user list stays under SQLite's bound-parameter limit.
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('users')
        .select(['id', 'email', 'name'])
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(r.id, { email: r.email, name: r.name });
    }
    return out;
  }
}
