import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { queryKeys } from '../query-keys';
import type { ManagedUser, Role } from '../types';

export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  password: string;
}

/** Admin actions on user accounts. Each success refreshes the user list and the audit log. */
export function useUsersApi() {
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.users.all }),
      queryClient.invalidateQueries({ queryKey: queryKeys.auditLog.all }),
    ]);

  const createUser = useMutation({
    mutationFn: (input: CreateUserInput) =>
      apiRequest<{ user: ManagedUser }>('/api/users', { method: 'POST', body: input }),
    onSuccess: refresh,
  });

  const resetPassword = useMutation({
    mutationFn: ({ id, password }: { id: string; password: string }) =>
      apiRequest<void>(`/api/users/${encodeURIComponent(id)}/password`, {
        method: 'POST',
        body: { password },
      }),
    onSuccess: refresh,
  });

  const setDisabled = useMutation({
    mutationFn: ({ id, disabled }: { id: string; disabled: boolean }) =>
      apiRequest<{ user: ManagedUser }>(
        `/api/users/${encodeURIComponent(id)}/${disabled ? 'disable' : 'enable'}`,
        { method: 'POST' },
      ),
    onSuccess: refresh,
  });

  const changeRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) =>
      apiRequest<{ user: ManagedUser }>(`/api/users/${encodeURIComponent(id)}/role`, {
        method: 'POST',
        body: { role },
      }),
    onSuccess: refresh,
  });

  return { createUser, resetPassword, setDisabled, changeRole };
}
