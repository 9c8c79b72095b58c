// The one fetch wrapper every API call goes through: same-origin cookies, CSRF token for
// state-changing requests, problem+json errors thrown as ApiError, and a hook for 401s.
import { ApiError } from './api-error';
import type { ProblemDetails } from './types';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: Method;
  body?: unknown;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /**
   * When false, a 401 is only thrown and does not send the user to the login page.
   * Used by the login call and by the "who am I" probe.
   */
  redirectOnUnauthorized?: boolean;
}

const CSRF_PATH = '/api/auth/csrf';
const UNSAFE_METHODS: ReadonlySet<Method> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: Promise<string> | null = null;
let unauthorizedHandler: (() => void) | null = null;

/** Registers what happens when the API says the session is gone (set once by the app). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

/** Forgets the cached CSRF token, e.g. after the session changed. */
export function resetCsrfToken(): void {
  csrfToken = null;
}

function getCsrfToken(): Promise<string> {
  if (!csrfToken) {
    const pending = send<{ token: string }>(CSRF_PATH, { redirectOnUnauthorized: false }).then(
      (answer) => answer.token,
    );
    csrfToken = pending;
    // A failed fetch must not be cached; the next request tries again.
    pending.catch(() => {
      if (csrfToken === pending) csrfToken = null;
    });
  }
  return csrfToken;
}

function buildUrl(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

function parseRetryAfter(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.round((date - Date.now()) / 1000));
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response);
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('json')) {
    try {
      const body = (await response.json()) as Partial<ProblemDetails>;
      return new ApiError(
        {
          type: body.type ?? 'about:blank',
          title: body.title ?? response.statusText,
          status: body.status ?? response.status,
          detail: body.detail ?? body.title ?? `The server answered ${response.status}.`,
          code: body.code ?? `HTTP_${response.status}`,
          ...(body.requestId ? { requestId: body.requestId } : {}),
          ...(body.errors ? { errors: body.errors } : {}),
        },
        retryAfter,
      );
    } catch {
      // Fall through to the generic error below.
    }
  }
  return new ApiError(
    {
      type: 'about:blank',
      title: response.statusText || 'Request failed',
      status: response.status,
      detail:
        response.status >= 500
          ? 'The server had a problem. Please try again in a moment.'
          : `The server answered ${response.status}.`,
      code: `HTTP_${response.status}`,
    },
    retryAfter,
  );
}

async function send<T>(path: string, options: RequestOptions, csrf?: string): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (csrf) headers['x-csrf-token'] = csrf;

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError({
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      detail: 'Could not reach the server. Check your connection and try again.',
      code: 'NETWORK_ERROR',
    });
  }

  if (!response.ok) {
    const error = await toApiError(response);
    if (error.status === 401 && options.redirectOnUnauthorized !== false) {
      unauthorizedHandler?.();
    }
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.includes('json')) return undefined as T;
  return (await response.json()) as T;
}

/** Calls the API. State-changing methods carry the CSRF token, refreshed once if rejected. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  if (!UNSAFE_METHODS.has(method)) return send<T>(path, options);

  try {
    return await send<T>(path, options, await getCsrfToken());
  } catch (error) {
    if (error instanceof ApiError && error.status === 403 && error.code === 'CSRF_INVALID') {
      resetCsrfToken();
      return send<T>(path, options, await getCsrfToken());
    }
    throw error;
  }
}
