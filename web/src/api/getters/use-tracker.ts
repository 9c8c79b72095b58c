// Reading the performance tracker: papers, the learner's results, the dashboard, the cohort.
import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { queryKeys } from '../query-keys';
import type { Cohort, PaperList, ResultList, TrackerDashboard } from '../tracker-types';

export function usePapers() {
  return useQuery({
    queryKey: queryKeys.tracker.papers,
    queryFn: ({ signal }) =>
      apiRequest<PaperList>('/api/tracker/papers', { signal, query: { limit: 200 } }),
  });
}

export function useResults() {
  return useQuery({
    queryKey: queryKeys.tracker.results,
    queryFn: ({ signal }) =>
      apiRequest<ResultList>('/api/tracker/results', { signal, query: { limit: 500 } }),
  });
}

export function useTrackerDashboard() {
  return useQuery({
    queryKey: queryKeys.tracker.dashboard,
    queryFn: ({ signal }) => apiRequest<TrackerDashboard>('/api/tracker/dashboard', { signal }),
  });
}

export function useCohort() {
  return useQuery({
    queryKey: queryKeys.tracker.cohort,
    queryFn: ({ signal }) => apiRequest<Cohort>('/api/tracker/cohort', { signal }),
  });
}
