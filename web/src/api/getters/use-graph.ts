// Reading the knowledge graph: stats, search, the concept tree, a node with its traversals and
// neighbourhood, the import log, and the job of an import being followed.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type {
  GraphImportLog,
  GraphStats,
  Neighbourhood,
  NodeDetail,
  NodeSearchQuery,
  NodeSearchResult,
  Traversal,
  TreeNode,
} from '../graph-types';
import type { JobList, JobView } from '../jobs-types';
import { isActive } from '../jobs-types';
import { queryKeys } from '../query-keys';

const nodeUrl = (ref: string, rest = '') => `/api/graph/nodes/${encodeURIComponent(ref)}${rest}`;

export function useGraphStats() {
  return useQuery({
    queryKey: queryKeys.graph.stats,
    queryFn: ({ signal }) => apiRequest<GraphStats>('/api/graph/stats', { signal }),
  });
}

/** Nodes whose name, external id or description contain the words; off while `q` is empty. */
export function useGraphSearch(query: NodeSearchQuery) {
  const q = query.q.trim();
  return useQuery({
    queryKey: queryKeys.graph.search({ ...query, q }),
    queryFn: ({ signal }) =>
      apiRequest<NodeSearchResult>('/api/graph/nodes', {
        signal,
        query: { q, kind: query.kind, limit: query.limit, offset: query.offset },
      }),
    enabled: q !== '',
    placeholderData: keepPreviousData,
  });
}

export function useGraphRoots() {
  return useQuery({
    queryKey: queryKeys.graph.roots,
    queryFn: ({ signal }) =>
      apiRequest<{ nodes: TreeNode[] }>('/api/graph/roots', { signal }).then((a) => a.nodes),
  });
}

/** The sub-concepts and skills of a concept, fetched once the concept is opened. */
export function useGraphChildren(ref: string, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.graph.children(ref),
    queryFn: ({ signal }) =>
      apiRequest<{ nodes: TreeNode[] }>(nodeUrl(ref, '/children'), { signal }).then((a) => a.nodes),
    enabled,
  });
}

export function useGraphNode(ref: string) {
  return useQuery({
    queryKey: queryKeys.graph.node(ref),
    queryFn: ({ signal }) => apiRequest<NodeDetail>(nodeUrl(ref), { signal }),
  });
}

/** Everything the node needs first, transitively, nearest first. */
export function useGraphPrerequisites(ref: string) {
  return useQuery({
    queryKey: queryKeys.graph.prerequisites(ref),
    queryFn: ({ signal }) =>
      apiRequest<Traversal>(nodeUrl(ref, '/prerequisites'), { signal }).then((a) => a.nodes),
  });
}

/** Everything that needs the node, transitively, nearest first. */
export function useGraphDependents(ref: string) {
  return useQuery({
    queryKey: queryKeys.graph.dependents(ref),
    queryFn: ({ signal }) =>
      apiRequest<Traversal>(nodeUrl(ref, '/dependents'), { signal }).then((a) => a.nodes),
  });
}

export function useGraphNeighbourhood(ref: string, radius: number) {
  return useQuery({
    queryKey: queryKeys.graph.neighbourhood(ref, radius),
    queryFn: ({ signal }) =>
      apiRequest<Neighbourhood>(nodeUrl(ref, '/neighbourhood'), {
        signal,
        query: { radius, limit: 80 },
      }),
    placeholderData: keepPreviousData,
  });
}

/** The last imports, newest first (instructors and admins). */
export function useGraphImports(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.graph.imports,
    queryFn: ({ signal }) =>
      apiRequest<GraphImportLog>('/api/graph/imports', { signal }).then((a) => a.imports),
    enabled,
  });
}

/**
 * The graph.import job being followed. It is kept as a one-job list under the jobs key, so
 * useLiveJobs writes each live update into it; `pollMs` is used while live events are off.
 */
export function useGraphImportJob(jobId: string | null, pollMs: number | false) {
  return useQuery({
    queryKey: queryKeys.graph.importJob(jobId ?? ''),
    queryFn: ({ signal }) =>
      apiRequest<{ job: JobView }>(`/api/jobs/${encodeURIComponent(jobId ?? '')}`, {
        signal,
      }).then((a): JobList => ({ jobs: [a.job], total: 1 })),
    enabled: jobId !== null,
    select: (list) => list.jobs[0],
    refetchInterval: (q) => {
      const job = q.state.data?.jobs[0];
      return job && isActive(job) ? pollMs : false;
    },
  });
}
