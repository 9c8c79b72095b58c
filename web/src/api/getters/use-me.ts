import { useQuery } from '@tanstack/react-query';
import { isApiError } from '../api-error';
import { apiRequest } from '../client';
import { queryKeys } from '../query-keys';
import type { SessionUser } from '../types';

/** Who is logged in: the user, or null when there is no session. */
export async function fetchMe(): Promise<SessionUser | null> {
  try {
    return await apiRequest<SessionUser>('/api/me', { redirectOnUnauthorized: false });
  } catch (error) {
    if (isApiError(error) && error.status === 401) return null;
    throw error;
  }
}

export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: fetchMe,
    staleTime: 60_000,
  });
}
