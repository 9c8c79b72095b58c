import type { FieldProblem, ProblemDetails } from './types';

/** An error answer from the API, carrying the server's problem details. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  readonly requestId: string | undefined;
  readonly errors: FieldProblem[];
  /** Seconds from the Retry-After header, when the server sent one (e.g. on 429). */
  readonly retryAfterSeconds: number | undefined;

  constructor(problem: ProblemDetails, retryAfterSeconds?: number) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.type = problem.type;
    this.requestId = problem.requestId;
    this.errors = problem.errors ?? [];
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * Field messages keyed by the last segment of each problem path, so `body.password`,
   * `/password` and `password` all land on the `password` input.
   */
  fieldErrors(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const error of this.errors) {
      const key = error.path.split(/[./]/).filter(Boolean).pop();
      if (key && !(key in result)) result[key] = error.message;
    }
    return result;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

// Schema validation answers read "body.email: must be a valid email address"; people read
// "Email must be a valid email address".
function readableDetail(detail: string): string {
  const match = /^(?:body|query|params)\.([\w.]+): (.*)$/s.exec(detail);
  if (!match?.[1] || match[2] === undefined) return detail;
  const field = (match[1].split('.').pop() ?? match[1])
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return `${field.charAt(0).toUpperCase()}${field.slice(1)} ${match[2]}`;
}

/** A sentence a person can act on, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (isApiError(error)) return readableDetail(error.detail || error.title);
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Please try again.';
}
