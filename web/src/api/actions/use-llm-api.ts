import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { LlmProviderCheck, LlmUserBudget } from '../llm-types';
import { queryKeys } from '../query-keys';

/** Admin actions on the LLM gateway: budgets (audited) and the provider check. */
export function useLlmApi() {
  const queryClient = useQueryClient();
  const refreshBudgets = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.llm.budgets }),
      queryClient.invalidateQueries({ queryKey: queryKeys.auditLog.all }),
    ]);

  const setBudget = useMutation({
    mutationFn: ({ userId, dailyTokens }: { userId: string; dailyTokens: number }) =>
      apiRequest<{ budget: LlmUserBudget }>(
        `/api/admin/llm-budgets/${encodeURIComponent(userId)}`,
        { method: 'PUT', body: { dailyTokens } },
      ),
    onSuccess: refreshBudgets,
  });

  const removeBudget = useMutation({
    mutationFn: ({ userId }: { userId: string }) =>
      apiRequest<{ budget: LlmUserBudget }>(
        `/api/admin/llm-budgets/${encodeURIComponent(userId)}`,
        { method: 'DELETE' },
      ),
    onSuccess: refreshBudgets,
  });

  const checkProvider = useMutation({
    mutationFn: ({ feature }: { feature: string }) =>
      apiRequest<LlmProviderCheck>('/api/admin/llm/check', {
        method: 'POST',
        body: { feature },
      }),
    // The check is itself a recorded call: the usage figures change.
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.llm.usageAll }),
        queryClient.invalidateQueries({ queryKey: queryKeys.llm.budgets }),
      ]),
  });

  return { setBudget, removeBudget, checkProvider };
}
