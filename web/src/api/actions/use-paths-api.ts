// Changing paths and roles, and answering practice questions inside a module.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { pathKeys } from '../getters/use-paths';
import type {
  AnswerResult,
  LearnerResponse,
  ModuleDetail,
  PathDetail,
  RoleDetail,
  RoleInput,
} from '../paths-types';

export function usePathsApi() {
  const client = useQueryClient();
  const refreshPaths = () => client.invalidateQueries({ queryKey: pathKeys.paths });
  const createPath = useMutation({
    mutationFn: (role: string) =>
      apiRequest<{ path: PathDetail }>('/api/paths', { method: 'POST', body: { role } }),
    onSuccess: refreshPaths,
  });
  const setStatus = useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'archive' | 'resume' }) =>
      apiRequest<{ path: PathDetail }>(`/api/paths/${encodeURIComponent(id)}/${action}`, {
        method: 'POST',
      }),
    onSuccess: refreshPaths,
  });
  const markComplete = useMutation({
    mutationFn: ({ id, moduleId }: { id: string; moduleId: string }) =>
      apiRequest<{ path: PathDetail }>(
        `/api/paths/${encodeURIComponent(id)}/modules/${encodeURIComponent(moduleId)}/complete`,
        { method: 'POST' },
      ),
    onSuccess: refreshPaths,
  });
  const regenerate = useMutation({
    mutationFn: ({ id, moduleId }: { id: string; moduleId: string }) =>
      apiRequest<ModuleDetail>(
        `/api/paths/${encodeURIComponent(id)}/modules/${encodeURIComponent(moduleId)}/lesson/regenerate`,
        { method: 'POST' },
      ),
    onSuccess: (data, vars) => {
      client.setQueryData(pathKeys.module(vars.id, vars.moduleId), data);
    },
  });
  const answer = useMutation({
    mutationFn: (body: {
      questionId: string;
      response: LearnerResponse;
      context: { pathId: string; moduleId: string };
    }) => apiRequest<AnswerResult>('/api/practice/answers', { method: 'POST', body }),
    onSuccess: refreshPaths,
  });
  return { createPath, setStatus, markComplete, regenerate, answer };
}

export function useRolesApi() {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: pathKeys.roles });
  const saveRole = useMutation({
    mutationFn: ({ ref, body }: { ref: string | null; body: RoleInput }) =>
      apiRequest<{ role: RoleDetail }>(
        ref === null ? '/api/roles' : `/api/roles/${encodeURIComponent(ref)}`,
        { method: ref === null ? 'POST' : 'PUT', body },
      ),
    onSuccess: refresh,
  });
  const deleteRole = useMutation({
    mutationFn: (ref: string) =>
      apiRequest<null>(`/api/roles/${encodeURIComponent(ref)}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  return { saveRole, deleteRole };
}
