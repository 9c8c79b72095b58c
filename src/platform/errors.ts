// One error base class for the whole application. The HTTP error handler turns any AppError
// into an application/problem+json response; anything else becomes an opaque 500.

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
}

export class AppError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly title: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    code: string,
    title: string,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.code = code;
    this.title = title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  toProblem(requestId?: string): ProblemDetails {
    const problem: ProblemDetails = {
      type: `https://skillbridge.dev/problems/${this.code.toLowerCase().replaceAll('_', '-')}`,
      title: this.title,
      status: this.statusCode,
      detail: this.message,
      code: this.code,
    };
    if (requestId) problem.requestId = requestId;
    if (this.errors && this.errors.length > 0) problem.errors = this.errors;
    return problem;
  }
}

export class ValidationError extends AppError {
  constructor(detail: string, errors?: FieldError[]) {
    super(400, 'VALIDATION_FAILED', 'Invalid request', detail, errors ? { errors } : {});
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string, code = 'BAD_REQUEST') {
    super(400, code, 'Bad request', detail);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'You need to log in to do this.', code = 'UNAUTHENTICATED') {
    super(401, code, 'Not logged in', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You are not allowed to do this.', code = 'FORBIDDEN') {
    super(403, code, 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(detail = 'Not found.', code = 'NOT_FOUND') {
    super(404, code, 'Not found', detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, code = 'CONFLICT') {
    super(409, code, 'Conflict', detail);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(detail: string) {
    super(413, 'PAYLOAD_TOO_LARGE', 'Payload too large', detail);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(detail: string) {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', detail);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(detail: string, retryAfterSeconds: number, code = 'TOO_MANY_REQUESTS') {
    super(429, code, 'Too many requests', detail, {
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail: string) {
    super(503, 'SERVICE_UNAVAILABLE', 'Service unavailable', detail);
  }
}

/** The problem shape sent for any error we did not anticipate: no message, no stack. */
export function internalProblem(requestId?: string): ProblemDetails {
  return {
    type: 'https://skillbridge.dev/problems/internal',
    title: 'Internal server error',
    status: 500,
    detail: 'Something went wrong on our side. Quote the request id if you report it.',
    code: 'INTERNAL',
    ...(requestId ? { requestId } : {}),
  };
}
