// Request and response schemas of the LLM usage, budget and provider-check routes (admin only).
import { z } from 'zod';

export const USAGE_GROUPS = ['day', 'model', 'feature', 'user'] as const;
export type UsageGroupBy = (typeof USAGE_GROUPS)[number];

/** The longest range one usage query may cover. */
export const MAX_USAGE_RANGE_DAYS = 366;

const isoDay = z.iso.date({ message: 'must be a date written YYYY-MM-DD' });

export const usageQuery = z.object({
  from: isoDay.optional(),
  to: isoDay.optional(),
  groupBy: z
    .enum(USAGE_GROUPS, { message: `must be one of ${USAGE_GROUPS.join(', ')}` })
    .default('day'),
});

export const usageTotalsSchema = z.object({
  calls: z.number().int(),
  /** Failed calls, budget refusals not included. */
  errors: z.number().int(),
  /** errors / (calls − budgetRefusals); 0 without calls. */
  errorRate: z.number(),
  budgetRefusals: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cacheReadTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  totalTokens: z.number().int(),
  /** USD of the priced calls. */
  costUsd: z.number(),
  /** Calls whose model has no price in config/pricing.yaml (not counted in costUsd). */
  unpricedCalls: z.number().int(),
  /** Nearest-rank percentiles over calls that reached a model; null without any. */
  p50LatencyMs: z.number().nullable(),
  p95LatencyMs: z.number().nullable(),
});

export const usageGroupSchema = usageTotalsSchema.extend({
  /** The day, `provider/model`, the feature, or the user id ('' for calls without a user). */
  key: z.string(),
  label: z.string(),
});

export const usageResponse = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(USAGE_GROUPS),
  totals: usageTotalsSchema,
  groups: z.array(usageGroupSchema),
});

export const budgetUserParams = z.object({
  userId: z.uuid({ message: 'must be a user id (UUID)' }),
});

export const setBudgetBody = z.object({
  /** Input + output tokens per UTC day; 0 = unlimited; null = back to the default. */
  dailyTokens: z
    .number({ message: 'must be a whole number of tokens, or null for the default' })
    .int('must be a whole number of tokens')
    .min(0, 'must be 0 (unlimited) or more')
    .max(1_000_000_000, 'must be at most 1,000,000,000')
    .nullable(),
});

export const userBudgetSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  /** The budget in force: the override, or the default. 0 = unlimited. */
  dailyTokens: z.number().int(),
  overridden: z.boolean(),
  usedToday: z.number().int(),
  resetsAt: z.string(),
  updatedAt: z.string().nullable(),
});

export const userBudgetEnvelope = z.object({ budget: userBudgetSchema });

export const budgetsResponse = z.object({
  /** LLM_DAILY_TOKEN_BUDGET_PER_USER; 0 = unlimited. */
  defaultDailyTokens: z.number().int(),
  resetsAt: z.string(),
  overrides: z.array(userBudgetSchema),
});

export const providerNameSchema = z.enum([
  'offline',
  'openai',
  'anthropic',
  'ollama',
  'openai-compatible',
]);

export const featureSchema = z.object({
  feature: z.string(),
  source: z.string(),
  configuredProvider: providerNameSchema,
  provider: providerNameSchema,
  model: z.string(),
  offline: z.boolean(),
  fallbackReason: z.string().nullable(),
  temperature: z.number(),
  maxTokens: z.number().int(),
  timeoutMs: z.number().int(),
  retries: z.number().int(),
  concurrency: z.number().int(),
});

export const featuresResponse = z.object({ features: z.array(featureSchema) });

export const providerCheckBody = z.object({
  feature: z
    .string()
    .trim()
    .min(1, 'must name a feature')
    .max(63)
    .regex(/^[a-z][a-z0-9-]*$/, 'must be a feature name from config/llm.yaml'),
});

export const providerCheckResponse = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    feature: z.string(),
    provider: providerNameSchema,
    model: z.string(),
    offline: z.boolean(),
    callId: z.string(),
    latencyMs: z.number(),
    retries: z.number().int(),
    reply: z.object({ ok: z.boolean(), greeting: z.string() }),
    usage: z.object({
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      cacheReadTokens: z.number().int(),
      cacheWriteTokens: z.number().int(),
      totalTokens: z.number().int(),
      costUsd: z.number().nullable(),
    }),
  }),
  z.object({
    ok: z.literal(false),
    feature: z.string(),
    provider: providerNameSchema,
    model: z.string(),
    error: z.object({
      code: z.string(),
      status: z.number().int(),
      title: z.string(),
      message: z.string(),
    }),
  }),
]);
