import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { ImportResult, QuestionStatus, StaffQuestion } from '../questions-types';
import { queryKeys } from '../query-keys';

export interface ImportInput {
  content: string;
  fileName: string;
  format?: 'gift' | 'csv' | undefined;
  status: QuestionStatus;
  dryRun: boolean;
}

export type QuestionPatch = Partial<
  Pick<
    StaffQuestion,
    | 'title'
    | 'stem'
    | 'format'
    | 'generalFeedback'
    | 'answers'
    | 'difficulty'
    | 'maxMarks'
    | 'source'
    | 'category'
  >
>;

/** Changes to the question bank; each success refreshes the lists and the question shown. */
export function useQuestionsApi() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.questions.all });
  const path = (id: string, rest = '') => `/api/questions/${encodeURIComponent(id)}${rest}`;

  const importFile = useMutation({
    mutationFn: (input: ImportInput) =>
      apiRequest<ImportResult>('/api/questions/import', { method: 'POST', body: input }),
    onSuccess: (result) => (result.dryRun ? undefined : refresh()),
  });

  const update = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: QuestionPatch }) =>
      apiRequest<{ question: StaffQuestion }>(path(id), { method: 'PATCH', body: patch }),
    onSuccess: refresh,
  });

  const setStatus = useMutation({
    mutationFn: ({ id, status }: { id: string; status: QuestionStatus }) =>
      apiRequest(path(id, '/status'), { method: 'POST', body: { status } }),
    onSuccess: refresh,
  });

  const setStatusMany = useMutation({
    mutationFn: ({ ids, status }: { ids: string[]; status: QuestionStatus }) =>
      apiRequest<{ updated: number }>('/api/questions/status', {
        method: 'POST',
        body: { ids, status },
      }),
    onSuccess: refresh,
  });

  const archive = useMutation({
    mutationFn: ({ id, archived }: { id: string; archived: boolean }) =>
      apiRequest(archived ? path(id) : path(id, '/restore'), {
        method: archived ? 'DELETE' : 'POST',
      }),
    onSuccess: refresh,
  });

  const addTag = useMutation({
    mutationFn: ({ id, node }: { id: string; node: string }) =>
      apiRequest(path(id, '/tags'), { method: 'POST', body: { node } }),
    onSuccess: refresh,
  });

  const removeTag = useMutation({
    mutationFn: ({ id, nodeId }: { id: string; nodeId: string }) =>
      apiRequest(path(id, `/tags/${encodeURIComponent(nodeId)}`), { method: 'DELETE' }),
    onSuccess: refresh,
  });

  const preview = useMutation({
    mutationFn: (input: { text: string; format: 'markdown' | 'html' }) =>
      apiRequest<{ html: string }>('/api/questions/preview', { method: 'POST', body: input }),
  });

  return { importFile, update, setStatus, setStatusMany, archive, addTag, removeTag, preview };
}
