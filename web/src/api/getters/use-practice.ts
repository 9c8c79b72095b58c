// Reading practice, reviews and mastery: one question to practise, the review queue, recent
// answers, a learner's mastery (own, or a learner's for staff), one skill's evidence trail, the
// cohort table and the concepts its filter offers.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { NodeSearchResult } from '../graph-types';
import { untilNextDue } from '../next-due';
import type {
  CohortMastery,
  DueReviews,
  MasteryOverview,
  PracticeQuestionView,
  RecentAnswers,
  SkillEvidence,
} from '../practice-types';
import { queryKeys } from '../query-keys';

export function usePracticeQuestion(id: string) {
  return useQuery({
    queryKey: queryKeys.practice.question(id),
    queryFn: ({ signal }) =>
      apiRequest<PracticeQuestionView>(`/api/practice/questions/${encodeURIComponent(id)}`, {
        signal,
      }),
    // The question does not change while it is being answered.
    staleTime: 5 * 60_000,
  });
}

/**
 * The review queue. With `followNextDue` (pages that show the queue, not a session working
 * through it) it is fetched again when the next review falls due, so a question answered
 * wrong a minute ago shows up without a reload.
 */
export function useDueReviews(limit = 20, options: { followNextDue?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.practice.due(limit),
    queryFn: ({ signal }) =>
      apiRequest<DueReviews>('/api/reviews/due', { signal, query: { limit } }),
    refetchInterval: options.followNextDue
      ? (query) => untilNextDue(query.state.data?.nextDueAt)
      : false,
  });
}

export function useRecentAnswers(limit = 10) {
  return useQuery({
    queryKey: queryKeys.practice.recent(limit),
    queryFn: ({ signal }) =>
      apiRequest<RecentAnswers>('/api/practice/recent', { signal, query: { limit } }).then(
        (a) => a.items,
      ),
  });
}

/** Own mastery, or (staff) the learner `userId`'s. */
export function useMastery(userId?: string, enabled = true) {
  return useQuery({
    queryKey: queryKeys.practice.mastery(userId ?? 'me'),
    queryFn: ({ signal }) =>
      apiRequest<MasteryOverview>('/api/mastery', { signal, query: { userId } }),
    enabled,
  });
}

export function useSkillEvidence(skillId: string, userId?: string) {
  return useQuery({
    queryKey: queryKeys.practice.evidence(skillId, userId ?? 'me'),
    queryFn: ({ signal }) =>
      apiRequest<SkillEvidence>(`/api/mastery/skills/${encodeURIComponent(skillId)}/evidence`, {
        signal,
        query: { userId },
      }),
  });
}

export function useCohortMastery(filter: { concept?: string | undefined; q?: string | undefined }) {
  const q = filter.q?.trim() || undefined;
  return useQuery({
    queryKey: queryKeys.practice.cohort({ concept: filter.concept, q }),
    queryFn: ({ signal }) =>
      apiRequest<CohortMastery>('/api/mastery/cohort', {
        signal,
        query: { concept: filter.concept, q },
      }),
    placeholderData: keepPreviousData,
  });
}

/** Concepts of the graph for a filter (the first 100 by name; `q` narrows them). */
export function useConcepts(q: string) {
  const text = q.trim();
  return useQuery({
    queryKey: queryKeys.graph.search({ q: text, kind: 'concept', limit: 100, offset: 0 }),
    queryFn: ({ signal }) =>
      apiRequest<NodeSearchResult>('/api/graph/nodes', {
        signal,
        query: { q: text, kind: 'concept', limit: 100 },
      }),
    placeholderData: keepPreviousData,
  });
}
