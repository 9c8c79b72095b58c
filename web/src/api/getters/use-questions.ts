import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { AnyQuestion, QuestionList, QuestionListQuery } from '../questions-types';
import { queryKeys } from '../query-keys';

/** One page of the question bank (learners get published questions only). */
export function useQuestions(query: QuestionListQuery) {
  return useQuery({
    queryKey: queryKeys.questions.list(query),
    queryFn: ({ signal }) =>
      apiRequest<QuestionList>('/api/questions', {
        signal,
        query: {
          ...query,
          q: query.q?.trim(),
          archived: query.archived ? 'true' : undefined,
        },
      }),
    placeholderData: keepPreviousData,
  });
}

/** One question: the full staff view, or the learner view without answers. */
export function useQuestion(id: string) {
  return useQuery({
    queryKey: queryKeys.questions.detail(id),
    queryFn: ({ signal }) =>
      apiRequest<{ question: AnyQuestion }>(`/api/questions/${encodeURIComponent(id)}`, {
        signal,
      }).then((answer) => answer.question),
  });
}
