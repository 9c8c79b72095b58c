// Changes to the knowledge graph: uploading the three CSV files starts a graph.import job.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api-error';
import { apiRequest } from '../client';
import type { GraphFileField, GraphImportAccepted } from '../graph-types';
import { queryKeys } from '../query-keys';
import type { ProblemDetails } from '../types';

export interface GraphImportInput {
  files: Record<GraphFileField, File>;
  /** Remove the nodes and edges the files do not have. */
  prune: boolean;
}

/**
 * A multipart POST (the JSON client cannot send files). The CSRF token comes from the same
 * endpoint the client uses; asking again returns a token for the same secret cookie.
 */
async function postForm<T>(path: string, form: FormData): Promise<T> {
  const { token } = await apiRequest<{ token: string }>('/api/auth/csrf');
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      body: form,
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'x-csrf-token': token },
    });
  } catch {
    throw new ApiError({
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      detail: 'Could not reach the server. Check your connection and try again.',
      code: 'NETWORK_ERROR',
    });
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as Partial<ProblemDetails>;
    throw new ApiError({
      type: body.type ?? 'about:blank',
      title: body.title ?? (response.statusText || 'Upload refused'),
      status: response.status,
      detail: body.detail ?? `The server answered ${response.status}.`,
      code: body.code ?? `HTTP_${response.status}`,
      ...(body.requestId ? { requestId: body.requestId } : {}),
      ...(body.errors ? { errors: body.errors } : {}),
    });
  }
  return (await response.json()) as T;
}

export function useGraphApi() {
  const queryClient = useQueryClient();

  const startImport = useMutation({
    mutationFn: ({ files, prune }: GraphImportInput) => {
      const form = new FormData();
      // Fields before files: the server reads the form in order.
      form.append('prune', prune ? 'true' : 'false');
      for (const [field, file] of Object.entries(files)) form.append(field, file, file.name);
      return postForm<GraphImportAccepted>('/api/graph/imports', form);
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all }),
  });

  /** After an import has finished: every page of the graph shows the new state. */
  const refreshGraph = () => queryClient.invalidateQueries({ queryKey: queryKeys.graph.all });

  return { startImport, refreshGraph };
}
