import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { queryKeys } from '../query-keys';
import type { UserList, UserListQuery } from '../types';

/** One page of users for the admin table (admin only; others get a 403). */
export function useUsers(query: UserListQuery) {
  return useQuery({
    queryKey: queryKeys.users.list(query),
    queryFn: ({ signal }) =>
      apiRequest<UserList>('/api/users', {
        signal,
        query: {
          q: query.q?.trim(),
          role: query.role,
          status: query.status,
          limit: query.limit,
          offset: query.offset,
        },
      }),
    placeholderData: keepPreviousData,
  });
}
