// Reading the role catalogue and the learner's learning paths.
import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type {
  ModuleDetail,
  PathDetail,
  PathList,
  PathPlan,
  RoleDetail,
  RoleSummary,
} from '../paths-types';

/** Query keys of the paths pages (kept beside their getters). */
export const pathKeys = {
  roles: ['roles'] as const,
  role: (ref: string) => ['roles', ref] as const,
  paths: ['paths'] as const,
  /** Under `paths`, so whatever refreshes the paths (an answer, a new path) refreshes it too. */
  plan: (role: string) => ['paths', 'plan', role] as const,
  path: (id: string) => ['paths', id] as const,
  module: (id: string, moduleId: string) => ['paths', id, 'modules', moduleId] as const,
};

export function useRoles() {
  return useQuery({
    queryKey: pathKeys.roles,
    queryFn: ({ signal }) => apiRequest<{ roles: RoleSummary[] }>('/api/roles', { signal }),
  });
}

export function useRole(ref: string | undefined) {
  return useQuery({
    queryKey: pathKeys.role(ref ?? ''),
    enabled: ref !== undefined,
    queryFn: ({ signal }) =>
      apiRequest<{ role: RoleDetail }>(`/api/roles/${encodeURIComponent(ref ?? '')}`, { signal }),
  });
}

export function usePaths() {
  return useQuery({
    queryKey: pathKeys.paths,
    queryFn: ({ signal }) => apiRequest<PathList>('/api/paths', { signal }),
  });
}

/** The dry run of a path for a role (null: nothing asked yet). */
export function usePathPlan(role: string | null) {
  return useQuery({
    queryKey: pathKeys.plan(role ?? ''),
    enabled: role !== null,
    retry: false,
    queryFn: ({ signal }) =>
      apiRequest<PathPlan>(`/api/paths/plan?role=${encodeURIComponent(role ?? '')}`, { signal }),
  });
}

export function usePath(id: string) {
  return useQuery({
    queryKey: pathKeys.path(id),
    queryFn: ({ signal }) =>
      apiRequest<{ path: PathDetail }>(`/api/paths/${encodeURIComponent(id)}`, { signal }),
  });
}

export function useModule(id: string, moduleId: string) {
  return useQuery({
    queryKey: pathKeys.module(id, moduleId),
    retry: false,
    queryFn: ({ signal }) =>
      apiRequest<ModuleDetail>(
        `/api/paths/${encodeURIComponent(id)}/modules/${encodeURIComponent(moduleId)}`,
        { signal },
      ),
  });
}
