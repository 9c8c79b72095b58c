// OCR ingestion on the web side: the API's shapes (inferred from the server's zod schemas,
// type-only imports), the hooks that read drafts, and the actions: an upload that reports its
// progress (XMLHttpRequest, which fetch cannot), marking a draft reviewed.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  listOcrDraftsResponse,
  ocrDraftDetailSchema,
  ocrDraftSummarySchema,
  ocrUploadResponse,
} from '../../../../src/modules/questions/ocr-ingest-schemas.ts';
import { ApiError } from '../../api/api-error';
import { apiRequest } from '../../api/client';
import type { JobList } from '../../api/jobs-types';
import type { QuestionStatus } from '../../api/questions-types';
import { queryKeys } from '../../api/query-keys';
import type { ProblemDetails } from '../../api/types';

export type OcrDraftSummary = z.infer<typeof ocrDraftSummarySchema>;
export type OcrDraftDetail = z.infer<typeof ocrDraftDetailSchema>;
export type OcrDraftList = z.infer<typeof listOcrDraftsResponse>;
export type OcrUploadResult = z.infer<typeof ocrUploadResponse>;
export type OcrWord = OcrDraftDetail['words'][number];

export const OCR_DRAFT_JOB = 'questions.ocr-draft';
/** Same limits as the server; checked here to answer before uploading. */
export const OCR_MAX_IMAGES = 50;
export const OCR_MAX_IMAGE_BYTES = 32 * 1024 * 1024;

export interface OcrDraftListQuery {
  batch?: string | undefined;
  status?: string | undefined;
  needsReview?: boolean | undefined;
  limit: number;
  offset: number;
}

export function isPending(draft: Pick<OcrDraftSummary, 'status'>): boolean {
  return draft.status === 'queued' || draft.status === 'recognising';
}

/** The drafts (one per uploaded image), refreshed every few seconds while OCR is running. */
export function useOcrDrafts(query: OcrDraftListQuery) {
  return useQuery({
    queryKey: queryKeys.questionOcr.list(query),
    queryFn: ({ signal }) =>
      apiRequest<OcrDraftList>('/api/questions/ocr', {
        signal,
        query: {
          ...query,
          needsReview: query.needsReview === undefined ? undefined : String(query.needsReview),
        },
      }),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.drafts.some(isPending) ? 1500 : false),
  });
}

export function useOcrDraft(id: string) {
  return useQuery({
    queryKey: queryKeys.questionOcr.detail(id),
    queryFn: ({ signal }) =>
      apiRequest<{ draft: OcrDraftDetail }>(`/api/questions/ocr/${encodeURIComponent(id)}`, {
        signal,
      }).then((answer) => answer.draft),
    refetchInterval: (q) => (q.state.data && isPending(q.state.data) ? 1500 : false),
  });
}

/** The OCR draft a question came from; null when it was not made from an image. */
export function useOcrDraftOfQuestion(questionId: string, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.questionOcr.ofQuestion(questionId),
    enabled,
    queryFn: ({ signal }) =>
      apiRequest<{ draft: OcrDraftDetail }>(
        `/api/questions/${encodeURIComponent(questionId)}/ocr`,
        { signal },
      ).then(
        (answer) => answer.draft,
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 404) return null;
          throw error;
        },
      ),
  });
}

/** The person's OCR jobs, newest first: live progress is written into this list. */
export function useOcrJobs(enabled: boolean, poll: boolean) {
  const query = { type: OCR_DRAFT_JOB, mine: true, limit: 100, offset: 0 };
  return useQuery({
    queryKey: queryKeys.jobs.list(query),
    enabled,
    queryFn: ({ signal }) => apiRequest<JobList>('/api/jobs', { signal, query }),
    refetchInterval: poll ? 2000 : false,
  });
}

function problemOf(xhr: XMLHttpRequest): ApiError {
  let body: Partial<ProblemDetails> = {};
  try {
    body = JSON.parse(xhr.responseText) as Partial<ProblemDetails>;
  } catch {
    // Not JSON: the generic message below.
  }
  return new ApiError({
    type: body.type ?? 'about:blank',
    title: body.title ?? 'Upload failed',
    status: body.status ?? xhr.status,
    detail:
      body.detail ??
      (xhr.status === 0
        ? 'Could not reach the server. Check your connection and try again.'
        : `The server answered ${xhr.status}.`),
    code: body.code ?? `HTTP_${xhr.status}`,
    ...(body.errors ? { errors: body.errors } : {}),
  });
}

/** POST the images as multipart/form-data, reporting the bytes sent (0-1). */
export async function uploadOcrImages(
  files: File[],
  onProgress: (fraction: number) => void,
): Promise<OcrUploadResult> {
  const { token } = await apiRequest<{ token: string }>('/api/auth/csrf');
  const form = new FormData();
  for (const file of files) form.append('images', file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/questions/ocr');
    xhr.setRequestHeader('x-csrf-token', token);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status === 202) {
        onProgress(1);
        resolve(JSON.parse(xhr.responseText) as OcrUploadResult);
      } else reject(problemOf(xhr));
    });
    xhr.addEventListener('error', () => reject(problemOf(xhr)));
    xhr.send(form);
  });
}

export function useOcrApi() {
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.questions.all }),
      queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all }),
    ]);

  const upload = useMutation({
    mutationFn: ({ files, onProgress }: { files: File[]; onProgress: (f: number) => void }) =>
      uploadOcrImages(files, onProgress),
    onSuccess: refresh,
  });

  const markReviewed = useMutation({
    mutationFn: ({ id, status }: { id: string; status?: QuestionStatus | undefined }) =>
      apiRequest<{ draft: OcrDraftDetail }>(`/api/questions/ocr/${encodeURIComponent(id)}/review`, {
        method: 'POST',
        body: status ? { status } : {},
      }),
    onSuccess: refresh,
  });

  return { upload, markReviewed };
}
