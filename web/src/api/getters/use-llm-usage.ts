import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { LlmBudgets, LlmFeature, LlmUsageQuery, LlmUsageReport } from '../llm-types';
import { queryKeys } from '../query-keys';

/** LLM calls, tokens, cost, errors and latency over a range, grouped one way (admin only). */
export function useLlmUsage(query: LlmUsageQuery) {
  return useQuery({
    queryKey: queryKeys.llm.usage(query),
    queryFn: ({ signal }) =>
      apiRequest<LlmUsageReport>('/api/admin/llm-usage', {
        signal,
        query: { from: query.from, to: query.to, groupBy: query.groupBy },
      }),
    placeholderData: keepPreviousData,
  });
}

/** The default daily token budget and every per-user override (admin only). */
export function useLlmBudgets() {
  return useQuery({
    queryKey: queryKeys.llm.budgets,
    queryFn: ({ signal }) => apiRequest<LlmBudgets>('/api/admin/llm-budgets', { signal }),
  });
}

/** Each configured feature with the provider and model it really uses (admin only). */
export function useLlmFeatures() {
  return useQuery({
    queryKey: queryKeys.llm.features,
    queryFn: ({ signal }) =>
      apiRequest<{ features: LlmFeature[] }>('/api/admin/llm/features', { signal }).then(
        (answer) => answer.features,
      ),
    staleTime: 60_000,
  });
}
