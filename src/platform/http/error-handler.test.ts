import Fastify, { type FastifyError } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, TooManyRequestsError, ValidationError } from '../errors.ts';
import { registerErrorHandling, toAppError } from './error-handler.ts';

function fastifyError(props: Partial<FastifyError> & { message?: string }): FastifyError {
  return Object.assign(new Error(props.message ?? 'x'), props) as FastifyError;
}

describe('toAppError', () => {
  it('maps framework errors to clear 4xx problems', () => {
    expect(toAppError(fastifyError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), 1024)).toMatchObject({
      statusCode: 413,
      message: 'The request body is larger than the limit of 1024 bytes.',
    });
    expect(
      toAppError(fastifyError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), 1)?.statusCode,
    ).toBe(415);
    expect(toAppError(fastifyError({ code: 'FST_CSRF_INVALID_TOKEN' }), 1)).toMatchObject({
      statusCode: 403,
      code: 'CSRF_INVALID',
    });
    const validation = toAppError(
      fastifyError({
        validation: [
          { instancePath: '/email', message: 'must be a valid email address' } as never,
          { instancePath: '/name', message: 'must not be empty' } as never,
        ],
        validationContext: 'body',
      }),
      1,
    );
    expect(validation).toBeInstanceOf(ValidationError);
    expect(validation?.message).toBe('body.email: must be a valid email address (and 1 more)');
    expect(validation?.errors).toEqual([
      { path: 'body.email', message: 'must be a valid email address' },
      { path: 'body.name', message: 'must not be empty' },
    ]);
  });

  it('passes application errors through and leaves unknown errors to become 500s', () => {
    const conflict = new ConflictError('taken');
    expect(toAppError(conflict as unknown as FastifyError, 1)).toBe(conflict);
    expect(toAppError(fastifyError({ message: 'boom' }), 1)).toBeUndefined();
  });
});

describe('error handler', () => {
  async function appThrowing(error: Error) {
    const app = Fastify({ logger: false });
    registerErrorHandling(app, 1024);
    app.get('/boom', async () => {
      throw error;
    });
    return app.inject({ method: 'GET', url: '/boom' });
  }

  it('answers problem+json with the message for 4xx', async () => {
    const res = await appThrowing(new NotFoundError('No such paper.'));
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({ status: 404, detail: 'No such paper.', code: 'NOT_FOUND' });
    expect(res.json().requestId).toEqual(expect.any(String));
  });

  it('sends Retry-After with 429', async () => {
    const res = await appThrowing(new TooManyRequestsError('slow down', 90));
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('90');
  });

  it('hides the message and stack of unexpected errors', async () => {
    const res = await appThrowing(new Error('password=hunter2 at /srv/app.ts:12'));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/hunter2|app\.ts|at /);
    expect(res.json()).toMatchObject({ status: 500, code: 'INTERNAL' });
  });
});
