import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { isActive, type JobList, type JobView } from '../jobs-types';
import { queryKeys } from '../query-keys';
import type { SuggestionList, SuggestionListQuery } from '../tagging-types';

/** The review queue of suggested tags (instructors and admins). */
export function useSuggestions(query: SuggestionListQuery) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return useQuery({
    queryKey: queryKeys.tagging.suggestions(query),
    queryFn: ({ signal }) =>
      apiRequest<SuggestionList>(`/api/questions/suggestions?${params.toString()}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

/**
 * The questions.auto-tag job being followed. It is kept as a one-job list under the jobs key,
 * so useLiveJobs writes each live update into it; `pollMs` is used while live events are off.
 */
export function useAutoTagJob(jobId: string | null, pollMs: number | false) {
  return useQuery({
    queryKey: queryKeys.tagging.job(jobId ?? ''),
    queryFn: ({ signal }) =>
      apiRequest<{ job: JobView }>(`/api/jobs/${encodeURIComponent(jobId ?? '')}`, {
        signal,
      }).then((a): JobList => ({ jobs: [a.job], total: 1 })),
    enabled: jobId !== null,
    select: (list) => list.jobs[0],
    refetchInterval: (q) => {
      const job = q.state.data?.jobs[0];
      return job && isActive(job) ? pollMs : false;
    },
  });
}
