// Reading recommendation sets: the active one, the archived list, one set.
import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { queryKeys } from '../query-keys';
import type { RecommendationSet, RecommendationSetSummary } from '../recommendations-types';

export function useActiveRecommendations() {
  return useQuery({
    queryKey: queryKeys.recommendations.active,
    queryFn: ({ signal }) =>
      apiRequest<{ set: RecommendationSet | null }>('/api/recommendations/active', { signal }),
  });
}

export function useArchivedRecommendations() {
  return useQuery({
    queryKey: queryKeys.recommendations.archived,
    queryFn: ({ signal }) =>
      apiRequest<{ sets: RecommendationSetSummary[]; total: number }>('/api/recommendations', {
        signal,
        query: { status: 'archived', limit: 50 },
      }),
  });
}

export function useRecommendationSet(id: string | null) {
  return useQuery({
    queryKey: queryKeys.recommendations.set(id ?? ''),
    enabled: id !== null,
    queryFn: ({ signal }) =>
      apiRequest<{ set: RecommendationSet }>(
        `/api/recommendations/${encodeURIComponent(id ?? '')}`,
        { signal },
      ),
  });
}
