import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest, resetCsrfToken } from '../client';
import { queryKeys } from '../query-keys';
import type { SessionUser } from '../types';

export interface LoginInput {
  email: string;
  password: string;
}

export interface SignupInput {
  email: string;
  name: string;
  password: string;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/** Session actions: log in, sign up, log out, change one's own password. */
export function useAuthApi() {
  const queryClient = useQueryClient();

  // A new session must not see anything cached for the previous one.
  const startSession = (user: SessionUser) => {
    resetCsrfToken();
    queryClient.removeQueries();
    queryClient.setQueryData(queryKeys.me, user);
  };

  const login = useMutation({
    mutationFn: (input: LoginInput) =>
      apiRequest<{ user: SessionUser }>('/api/auth/login', {
        method: 'POST',
        body: input,
        redirectOnUnauthorized: false,
      }),
    onSuccess: ({ user }) => startSession(user),
  });

  const signup = useMutation({
    mutationFn: (input: SignupInput) =>
      apiRequest<{ user: SessionUser }>('/api/auth/signup', {
        method: 'POST',
        body: input,
        redirectOnUnauthorized: false,
      }),
    onSuccess: ({ user }) => startSession(user),
  });

  const logout = useMutation({
    mutationFn: () =>
      apiRequest<void>('/api/auth/logout', { method: 'POST', redirectOnUnauthorized: false }),
    onSettled: () => {
      resetCsrfToken();
      queryClient.removeQueries();
      queryClient.setQueryData(queryKeys.me, null);
    },
  });

  const changePassword = useMutation({
    mutationFn: (input: ChangePasswordInput) =>
      apiRequest<void>('/api/me/password', {
        method: 'POST',
        body: input,
        redirectOnUnauthorized: false,
      }),
  });

  return { login, signup, logout, changePassword };
}
