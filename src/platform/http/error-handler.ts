// One error handler for the whole HTTP surface: every error leaves as application/problem+json.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  AppError,
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  internalProblem,
  type FieldError,
} from '../errors.ts';

const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

function validationError(err: FastifyError): ValidationError {
  const context = err.validationContext ?? 'body';
  const errors: FieldError[] = (err.validation ?? []).map((v) => {
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    return { path: path ? `${context}.${path}` : context, message: v.message ?? 'is invalid' };
  });
  const first = errors[0];
  const detail = first
    ? `${first.path}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`
    : `The request ${context} is invalid.`;
  return new ValidationError(detail, errors);
}

/** Turn framework and library errors into AppErrors with messages a person can act on. */
export function toAppError(err: FastifyError, bodyLimit: number): AppError | undefined {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err) || err.validation) return validationError(err);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError(
        `The request body is larger than the limit of ${bodyLimit} bytes.`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError(
        'Unsupported Content-Type; send JSON with Content-Type: application/json.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new BadRequestError(
        'The request has Content-Type application/json but an empty body; send a JSON object.',
        'EMPTY_BODY',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new BadRequestError('The request body is not valid JSON.', 'MALFORMED_JSON');
    case 'FST_CSRF_MISSING_SECRET':
    case 'FST_CSRF_INVALID_TOKEN':
      return new ForbiddenError(
        'Missing or invalid CSRF token: get one from GET /api/auth/csrf and send it in the x-csrf-token header.',
        'CSRF_INVALID',
      );
    default:
      break;
  }
  // Body parse errors from the JSON parser (SyntaxError with statusCode 400).
  if (err.statusCode === 400 && err instanceof SyntaxError) {
    return new BadRequestError('The request body is not valid JSON.', 'MALFORMED_JSON');
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError(err.statusCode, err.code ?? 'BAD_REQUEST', 'Request error', err.message);
  }
  return undefined;
}

export function registerErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(err, bodyLimit);
    if (!appError || appError.statusCode >= 500) {
      request.log.error({ err }, 'request failed');
      const problem = appError ? appError.toProblem(request.id) : internalProblem(request.id);
      if (appError) problem.detail = internalProblem().detail;
      return reply
        .code(appError?.statusCode ?? 500)
        .type(PROBLEM_JSON)
        .send(problem);
    }
    request.log.info({ code: appError.code, status: appError.statusCode }, appError.message);
    for (const [name, value] of Object.entries(appError.headers)) reply.header(name, value);
    return reply.code(appError.statusCode).type(PROBLEM_JSON).send(appError.toProblem(request.id));
  });
}

export function sendNotFoundProblem(request: FastifyRequest, reply: FastifyReply) {
  const error = new NotFoundError(`No route for ${request.method} ${request.url.split('?')[0]}.`);
  return reply.code(404).type(PROBLEM_JSON).send(error.toProblem(request.id));
}
