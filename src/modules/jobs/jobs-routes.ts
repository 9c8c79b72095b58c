// /api/jobs: the background jobs a person may see, live progress as server-sent events,
// cancelling, and the worker check administrators start from the Jobs page.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { currentUser } from '../../platform/http/auth.ts';
import { JobEventStreams, SSE_HEADERS, type JobEventOptions } from './job-events.ts';
import {
  jobEnvelope,
  jobEventsResponse,
  jobIdParams,
  listJobsQuery,
  listJobsResponse,
  workerCheckBody,
} from './jobs-schemas.ts';
import type { JobsService } from './jobs-service.ts';

export function jobsRoutes(
  deps: { jobsService: JobsService; logger: Logger },
  options: { events?: JobEventOptions } = {},
) {
  const service = deps.jobsService;
  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const streams = new JobEventStreams(
      service,
      deps.logger.child({ component: 'job-events' }),
      options.events,
    );
    // Open event streams would hold the server's close() until they end on their own.
    app.addHook('preClose', async () => streams.closeAll());

    r.get(
      '/api/jobs',
      {
        config: { access: 'user' },
        schema: {
          tags: ['jobs'],
          summary: 'Background jobs, newest first: your own; instructors and admins see everyone’s',
          querystring: listJobsQuery,
          response: { 200: listJobsResponse },
        },
      },
      async (request) => service.list(currentUser(request), request.query),
    );

    r.get(
      '/api/jobs/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['jobs'],
          summary: 'One background job (404 when it is not yours to see)',
          params: jobIdParams,
          response: { 200: jobEnvelope },
        },
      },
      async (request) => ({ job: await service.get(currentUser(request), request.params.id) }),
    );

    r.get(
      '/api/jobs/:id/events',
      {
        config: { access: 'user' },
        schema: {
          tags: ['jobs'],
          summary: 'Live progress of a job as server-sent events, until it has finished',
          produces: ['text/event-stream'],
          params: jobIdParams,
          response: { 200: jobEventsResponse },
        },
      },
      async (request, reply) => {
        const viewer = currentUser(request);
        const first = await service.get(viewer, request.params.id);
        const body = streams.open(viewer, first);
        // The response schema describes the stream for OpenAPI; Fastify pipes a stream as it is
        // and never runs it through the serializer, so the string type does not apply to it.
        return reply.headers(SSE_HEADERS).send(body as unknown as string);
      },
    );

    r.post(
      '/api/jobs/:id/cancel',
      {
        config: { access: 'user' },
        schema: {
          tags: ['jobs'],
          summary:
            'Cancel a queued or running job: your own; instructors and admins may cancel any',
          params: jobIdParams,
          response: { 200: jobEnvelope },
        },
      },
      async (request) => ({
        job: await service.cancel(currentUser(request), request.params.id, {
          ip: request.ip ?? null,
        }),
      }),
    );

    r.post(
      '/api/jobs/worker-check',
      {
        config: { access: ['admin'] },
        schema: {
          tags: ['jobs'],
          summary:
            'Start a worker check: a job that waits in steps, to see that a worker takes jobs',
          body: workerCheckBody,
          response: { 202: jobEnvelope },
        },
      },
      async (request, reply) => {
        const job = await service.startWorkerCheck(currentUser(request), request.body);
        return reply.code(202).send({ job });
      },
    );
  };
}
