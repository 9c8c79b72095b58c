import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { JobView, WorkerCheckInput } from '../jobs-types';
import { queryKeys } from '../query-keys';

/** Cancelling jobs, and the administrators' worker check. Each success refreshes the job lists. */
export function useJobsApi() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all });

  const cancelJob = useMutation({
    mutationFn: (id: string) =>
      apiRequest<{ job: JobView }>(`/api/jobs/${encodeURIComponent(id)}/cancel`, {
        method: 'POST',
      }),
    onSuccess: refresh,
  });

  const startWorkerCheck = useMutation({
    mutationFn: (input: WorkerCheckInput) =>
      apiRequest<{ job: JobView }>('/api/jobs/worker-check', { method: 'POST', body: input }),
    onSuccess: refresh,
  });

  return { cancelJob, startWorkerCheck };
}
