import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { JobView } from '../jobs-types';
import { queryKeys } from '../query-keys';
import type {
  AutoTagInput,
  BulkDecisionInput,
  BulkDecisionResult,
  DecisionResult,
} from '../tagging-types';

/** Start tagging jobs and decide suggestions; decisions refresh the queue and the question lists. */
export function useTaggingApi() {
  const queryClient = useQueryClient();
  // Suggestions live under the question bank's prefix: one refresh covers both.
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.questions.all });

  const start = useMutation({
    mutationFn: (input: AutoTagInput) =>
      apiRequest<{ job: JobView }>('/api/questions/auto-tag', { method: 'POST', body: input }),
  });

  const decide = useMutation({
    mutationFn: (input: {
      questionId: string;
      nodeId: string;
      decision: 'accepted' | 'rejected';
    }) =>
      apiRequest<DecisionResult>(
        `/api/questions/${encodeURIComponent(input.questionId)}/suggestions/${encodeURIComponent(input.nodeId)}`,
        { method: 'POST', body: { decision: input.decision } },
      ),
    onSuccess: refresh,
  });

  const decideAll = useMutation({
    mutationFn: (input: BulkDecisionInput) =>
      apiRequest<BulkDecisionResult>('/api/questions/suggestions/decide', {
        method: 'POST',
        body: input,
      }),
    onSuccess: refresh,
  });

  return { start, decide, decideAll };
}
