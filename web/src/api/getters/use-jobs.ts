import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { JobList, JobListQuery } from '../jobs-types';
import { queryKeys } from '../query-keys';

/**
 * Background jobs, newest first: the user's own, or everyone's for instructors and admins.
 * `refetchIntervalMs` (given the last answer) keeps the list fresh: new jobs, and progress when
 * live events are off.
 */
export function useJobs(
  query: JobListQuery,
  refetchIntervalMs: (data: JobList | undefined) => number | false,
) {
  return useQuery({
    queryKey: queryKeys.jobs.list(query),
    queryFn: ({ signal }) =>
      apiRequest<JobList>('/api/jobs', {
        signal,
        query: {
          state: query.state,
          type: query.type,
          mine: query.mine === undefined ? undefined : String(query.mine),
          limit: query.limit,
          offset: query.offset,
        },
      }),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => refetchIntervalMs(q.state.data),
  });
}
