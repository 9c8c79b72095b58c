// The placement test's API: the latest test, one test, start/resume, answer, finish early.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../api/client';

export type PlacementResponse =
  | { type: 'single_choice'; optionId: string }
  | { type: 'multiple_choice'; optionIds: string[] }
  | { type: 'true_false'; value: boolean }
  | { type: 'numeric'; value: number }
  | { type: 'short_answer'; text: string };

export interface PlacementQuestion {
  id: string;
  type: string;
  title: string | null;
  /** Rendered and sanitised by the server. */
  stemHtml: string;
  options: { id: string; html: string }[];
}

export interface PlacementResult {
  areas: {
    id: string;
    name: string;
    theta: number;
    se: number;
    level: string;
    answered: number;
    source: 'area' | 'overall';
  }[];
  startWith: { skillId: string; name: string; area: string; pKnown: number }[];
  seeded: number;
}

/** What a test covers: the whole catalogue, or one role's required skills. */
export type PlacementTarget =
  | { kind: 'everything'; roleId: null; title: null }
  | { kind: 'role'; roleId: string; title: string };

/** "Data Analyst" or "everything in the catalogue", as the pages name a test's target. */
export function targetLabel(target: PlacementTarget): string {
  return target.kind === 'role' ? target.title : 'everything in the catalogue';
}

export interface Placement {
  id: string;
  status: 'in_progress' | 'finished';
  target: PlacementTarget;
  answered: number;
  maxItems: number;
  targetSe: number;
  se: number;
  startedAt: string;
  finishedAt: string | null;
  stopReason: string | null;
  question: PlacementQuestion | null;
  result: PlacementResult | null;
}

const keys = {
  all: ['placement'] as const,
  latest: ['placement', 'latest'] as const,
  one: (id: string) => ['placement', 'one', id] as const,
};

export function useLatestPlacement() {
  return useQuery({
    queryKey: keys.latest,
    queryFn: ({ signal }) =>
      apiRequest<{ placement: Placement | null; maxItems: number }>('/api/placement/latest', {
        signal,
      }),
  });
}

export function usePlacement(id: string) {
  return useQuery({
    queryKey: keys.one(id),
    queryFn: ({ signal }) =>
      apiRequest<{ placement: Placement }>(`/api/placement/${encodeURIComponent(id)}`, { signal }),
  });
}

export function usePlacementApi() {
  const client = useQueryClient();
  const refresh = (placement: Placement) => {
    client.setQueryData(keys.one(placement.id), { placement });
    void client.invalidateQueries({ queryKey: keys.latest });
    if (placement.status === 'finished') {
      // The result seeded mastery: every mastery figure changes.
      void client.invalidateQueries();
    }
  };
  const start = useMutation({
    /** A role's id, or null for the whole catalogue. */
    mutationFn: (roleId: string | null) =>
      apiRequest<{ placement: Placement }>('/api/placement', {
        method: 'POST',
        body: roleId ? { roleId } : {},
      }),
    onSuccess: (data) => refresh(data.placement),
  });
  const answer = useMutation({
    mutationFn: (v: { id: string; questionId: string; response: PlacementResponse }) =>
      apiRequest<{ placement: Placement }>(`/api/placement/${encodeURIComponent(v.id)}/answers`, {
        method: 'POST',
        body: { questionId: v.questionId, response: v.response },
      }),
    onSuccess: (data) => refresh(data.placement),
  });
  const finish = useMutation({
    mutationFn: (id: string) =>
      apiRequest<{ placement: Placement }>(`/api/placement/${encodeURIComponent(id)}/finish`, {
        method: 'POST',
        body: {},
      }),
    onSuccess: (data) => refresh(data.placement),
  });
  return { start, answer, finish };
}
