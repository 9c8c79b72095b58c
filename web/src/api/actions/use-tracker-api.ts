// Saving a result (idempotent PUT under an id the page chose) and refreshing what depends on it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { queryKeys } from '../query-keys';
import type { PutResultAnswer, PutResultInput } from '../tracker-types';

export function useTrackerApi() {
  const client = useQueryClient();
  const saveResult = useMutation({
    mutationFn: ({ id, body }: { id: string; body: PutResultInput }) =>
      apiRequest<PutResultAnswer>(`/api/tracker/results/${encodeURIComponent(id)}`, {
        method: 'PUT',
        body,
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.tracker.all }),
  });
  return { saveResult };
}
