// Building a recommendation set and answering one of its questions; both refresh the sets.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { queryKeys } from '../query-keys';
import type { BuildAnswer, LearnerResponse, PracticeAnswer } from '../recommendations-types';

export function useRecommendationsApi() {
  const client = useQueryClient();
  const build = useMutation({
    mutationFn: () => apiRequest<BuildAnswer>('/api/recommendations', { method: 'POST', body: {} }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.recommendations.all }),
  });
  const answer = useMutation({
    mutationFn: (body: { questionId: string; response: LearnerResponse }) =>
      apiRequest<PracticeAnswer>('/api/practice/answers', { method: 'POST', body }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.recommendations.all }),
  });
  return { build, answer };
}
