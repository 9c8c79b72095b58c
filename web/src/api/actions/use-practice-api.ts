import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { AnswerInput, AnswerResult } from '../practice-types';
import { queryKeys } from '../query-keys';

/**
 * Answering a question. A success refreshes everything an answer changes: mastery (own pages and
 * the cohort table), the review queue and recent activity.
 */
export function usePracticeApi() {
  const queryClient = useQueryClient();
  const answer = useMutation({
    mutationFn: (input: AnswerInput) =>
      apiRequest<AnswerResult>('/api/practice/answers', { method: 'POST', body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.practice.all }),
  });
  return { answer };
}
