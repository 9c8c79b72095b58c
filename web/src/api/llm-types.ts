// Shapes of the admin LLM API (usage, budgets, features, provider check), inferred from the
// server's zod schemas; type-only imports, so nothing of the server reaches the bundle.
import type { z } from 'zod';
import type {
  budgetsResponse,
  featureSchema,
  providerCheckResponse,
  UsageGroupBy,
  usageGroupSchema,
  usageResponse,
  usageTotalsSchema,
  userBudgetSchema,
} from '../../../src/modules/ops/llm-usage-schemas.ts';

export type LlmUsageGroupBy = UsageGroupBy;
export type LlmUsageReport = z.infer<typeof usageResponse>;
export type LlmUsageTotals = z.infer<typeof usageTotalsSchema>;
export type LlmUsageGroup = z.infer<typeof usageGroupSchema>;
export type LlmBudgets = z.infer<typeof budgetsResponse>;
export type LlmUserBudget = z.infer<typeof userBudgetSchema>;
export type LlmFeature = z.infer<typeof featureSchema>;
export type LlmProviderCheck = z.infer<typeof providerCheckResponse>;

export interface LlmUsageQuery {
  from: string;
  to: string;
  groupBy: LlmUsageGroupBy;
}
