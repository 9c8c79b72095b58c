// LLM usage for administrators: aggregates of the usage ledger, per-user daily token budgets
// (changes are audited), the features' effective providers, and a tiny provider check.
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { withTransaction } from '../../infra/db/database.ts';
import type { Database } from '../../infra/db/schema.ts';
import type { LlmGateway } from '../../infra/llm/llm-gateway.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, ValidationError } from '../../platform/errors.ts';
import type { AccountsService } from '../accounts/accounts-service.ts';
import type { AuditService } from '../audit/audit-service.ts';
import {
  MAX_USAGE_RANGE_DAYS,
  type budgetsResponse,
  type featureSchema,
  type providerCheckResponse,
  type UsageGroupBy,
  type usageGroupSchema,
  type usageResponse,
  type usageTotalsSchema,
  type userBudgetSchema,
} from './llm-usage-schemas.ts';
import { LlmUsageStore, type UsageAggregateRow } from './llm-usage-store.ts';

type UsageTotals = z.infer<typeof usageTotalsSchema>;
type UsageGroup = z.infer<typeof usageGroupSchema>;
type UsageReport = z.infer<typeof usageResponse>;
type UserBudgetView = z.infer<typeof userBudgetSchema>;
type ProviderCheck = z.infer<typeof providerCheckResponse>;

const DAY_MS = 86_400_000;
const DEFAULT_RANGE_DAYS = 30;

/** What the provider check asks for: small enough for any model. */
const providerCheckSchema = z.object({ ok: z.boolean(), greeting: z.string().max(500) });

function emptyTotals(): UsageTotals {
  return {
    calls: 0,
    errors: 0,
    errorRate: 0,
    budgetRefusals: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    totalTokens: 0,
    costUsd: 0,
    unpricedCalls: 0,
    p50LatencyMs: null,
    p95LatencyMs: null,
  };
}

function toTotals(row: UsageAggregateRow | undefined): UsageTotals {
  if (!row) return emptyTotals();
  const attempted = row.calls - row.budget_refusals;
  return {
    calls: row.calls,
    errors: row.errors,
    errorRate: attempted > 0 ? row.errors / attempted : 0,
    budgetRefusals: row.budget_refusals,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheReadTokens: row.cache_read_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    totalTokens: row.input_tokens + row.output_tokens,
    // Summed in SQL as floats; rounded back to the ledger's billionths of a dollar.
    costUsd: Math.round(row.cost_usd * 1e9) / 1e9,
    unpricedCalls: row.unpriced_calls,
    p50LatencyMs: row.p50_latency_ms,
    p95LatencyMs: row.p95_latency_ms,
  };
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

export interface LlmUsageServiceDeps {
  db: Kysely<Database>;
  llm: LlmGateway;
  accounts: AccountsService;
  audit: AuditService;
  clock: Clock;
}

export class LlmUsageService {
  private readonly store: LlmUsageStore;

  constructor(private readonly deps: LlmUsageServiceDeps) {
    this.store = new LlmUsageStore(deps.db);
  }

  /** The range asked for, or the last 30 days; refused when reversed or longer than a year. */
  resolveRange(from: string | undefined, to: string | undefined): { from: string; to: string } {
    const today = dayOf(this.deps.clock.now());
    const end = to ?? (from && from > today ? from : today);
    const start =
      from ?? dayOf(new Date(Date.parse(`${end}T00:00:00Z`) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS));
    if (start > end) {
      throw new ValidationError('from must not be after to.', [
        { path: 'querystring.from', message: 'must not be after to' },
      ]);
    }
    const days = (Date.parse(end) - Date.parse(start)) / DAY_MS + 1;
    if (days > MAX_USAGE_RANGE_DAYS) {
      throw new ValidationError(`The range may cover at most ${MAX_USAGE_RANGE_DAYS} days.`, [
        { path: 'querystring.from', message: `at most ${MAX_USAGE_RANGE_DAYS} days before to` },
      ]);
    }
    return { from: start, to: end };
  }

  async usage(query: {
    from?: string | undefined;
    to?: string | undefined;
    groupBy: UsageGroupBy;
  }): Promise<UsageReport> {
    const { from, to } = this.resolveRange(query.from, query.to);
    const [rows, totalRows] = await Promise.all([
      this.store.aggregate(from, to, query.groupBy),
      this.store.aggregate(from, to, 'all'),
    ]);
    let groups: UsageGroup[];
    if (query.groupBy === 'day') {
      // Every day of the range, so charts show the quiet days as zero.
      const byDay = new Map(rows.map((r) => [r.grp, r]));
      groups = daysBetween(from, to).map((day) => ({
        key: day,
        label: day,
        ...toTotals(byDay.get(day)),
      }));
    } else {
      const labels =
        query.groupBy === 'user'
          ? await this.store.userLabels(rows.map((r) => r.grp).filter((id) => id !== ''))
          : new Map<string, { email: string; name: string }>();
      groups = rows
        .map((r) => ({
          key: r.grp,
          label: this.label(query.groupBy, r.grp, labels),
          ...toTotals(r),
        }))
        .sort(
          (a, b) =>
            b.totalTokens - a.totalTokens || b.calls - a.calls || a.key.localeCompare(b.key),
        );
    }
    return { from, to, groupBy: query.groupBy, totals: toTotals(totalRows[0]), groups };
  }

  private label(
    groupBy: UsageGroupBy,
    key: string,
    users: Map<string, { email: string; name: string }>,
  ): string {
    switch (groupBy) {
      case 'model': {
        const slash = key.indexOf('/');
        return slash < 0 ? key : `${key.slice(slash + 1)} (${key.slice(0, slash)})`;
      }
      case 'user':
        if (key === '') return 'No user (system work)';
        return users.get(key)?.email ?? `Deleted user ${key.slice(0, 8)}`;
      default:
        return key;
    }
  }

  async budgets(): Promise<z.infer<typeof budgetsResponse>> {
    const overrides = await this.deps.llm.listBudgetOverrides();
    const labels = await this.store.userLabels(overrides.map((o) => o.userId));
    const views = await Promise.all(
      overrides.map(async (o) => {
        const budget = await this.deps.llm.budgetFor(o.userId);
        const who = labels.get(o.userId);
        return {
          userId: o.userId,
          email: who?.email ?? '',
          name: who?.name ?? '',
          dailyTokens: budget.dailyTokens,
          overridden: budget.overridden,
          usedToday: budget.usedToday,
          resetsAt: budget.resetsAt,
          updatedAt: o.updatedAt,
        };
      }),
    );
    return {
      defaultDailyTokens: this.deps.llm.defaultDailyTokenBudget,
      resetsAt: new Date(
        Date.parse(`${dayOf(this.deps.clock.now())}T00:00:00Z`) + DAY_MS,
      ).toISOString(),
      overrides: views,
    };
  }

  async budgetOf(userId: string): Promise<UserBudgetView> {
    const user = await this.deps.accounts.getUser(userId);
    const [budget, overrides] = await Promise.all([
      this.deps.llm.budgetFor(userId),
      this.deps.llm.listBudgetOverrides(),
    ]);
    return {
      userId: user.id,
      email: user.email,
      name: user.name,
      dailyTokens: budget.dailyTokens,
      overridden: budget.overridden,
      usedToday: budget.usedToday,
      resetsAt: budget.resetsAt,
      updatedAt: overrides.find((o) => o.userId === userId)?.updatedAt ?? null,
    };
  }

  /** Set a user's daily token budget (0 = unlimited) or, with null, return them to the default. */
  async setBudget(
    actorId: string,
    userId: string,
    dailyTokens: number | null,
    ip: string | null,
  ): Promise<UserBudgetView> {
    const user = await this.deps.accounts.getUser(userId);
    const before = await this.deps.llm.budgetFor(user.id);
    await withTransaction(this.deps.db, async (tx) => {
      await this.deps.llm.setBudgetOverride(user.id, dailyTokens, actorId, tx);
      await this.deps.audit.record(
        {
          actorId,
          action: dailyTokens === null ? 'llm.budget.reset' : 'llm.budget.set',
          targetType: 'user',
          targetId: user.id,
          details: {
            email: user.email,
            from: before.overridden ? before.dailyTokens : null,
            to: dailyTokens,
          },
          ip,
        },
        tx,
      );
    });
    return this.budgetOf(user.id);
  }

  features(): z.infer<typeof featureSchema>[] {
    return this.deps.llm.describeFeatures();
  }

  /**
   * Runs a tiny generation for a feature as the admin. Provider failures are the finding, so they
   * are reported in the body with the error's own message; refusals (budget, unknown feature)
   * stay HTTP errors.
   */
  async checkProvider(
    feature: string,
    userId: string,
    signal: AbortSignal,
  ): Promise<ProviderCheck> {
    if (!this.deps.llm.hasFeature(feature)) {
      const known = this.deps.llm.describeFeatures().map((f) => f.feature);
      throw new ValidationError(`Unknown feature "${feature}"; configured: ${known.join(', ')}.`, [
        { path: 'body.feature', message: `must be one of ${known.join(', ')}` },
      ]);
    }
    const configured = this.deps.llm.describeFeatures().find((f) => f.feature === feature);
    const provider = configured?.provider ?? 'offline';
    const model = configured?.model ?? 'offline';
    try {
      const result = await this.deps.llm.generateObject({
        feature,
        prompt: 'provider-check',
        variables: { feature },
        schema: providerCheckSchema,
        userId,
        signal,
      });
      return {
        ok: true,
        feature,
        provider: result.provider,
        model: result.model,
        offline: result.offline,
        callId: result.callId,
        latencyMs: result.latencyMs,
        retries: result.retries,
        reply: result.object,
        usage: result.usage,
      };
    } catch (err) {
      if (err instanceof AppError && err.statusCode >= 500) {
        return {
          ok: false,
          feature,
          provider,
          model,
          error: { code: err.code, status: err.statusCode, title: err.title, message: err.message },
        };
      }
      throw err;
    }
  }
}
