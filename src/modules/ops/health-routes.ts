// Liveness (the process answers) and readiness (the database answers; it also says whether this
// process works background jobs).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DatabaseHandle } from '../../infra/db/database.ts';
import type { JobQueue } from '../../infra/queue/job-queue.ts';

const healthResponse = z.object({
  status: z.enum(['ok', 'unavailable']),
  detail: z.string().optional(),
  /** Readiness only: whether this process takes background jobs (serve --no-worker: off). */
  worker: z.enum(['running', 'off']).optional(),
});
const READY_TIMEOUT_MS = 2_000;

export function healthRoutes(deps: {
  database: DatabaseHandle;
  jobs: Pick<JobQueue, 'isWorkerRunning'>;
}) {
  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get(
      '/livez',
      {
        config: { access: 'public' },
        schema: { tags: ['ops'], summary: 'Process is up', response: { 200: healthResponse } },
      },
      async () => ({ status: 'ok' as const }),
    );
    r.get(
      '/readyz',
      {
        config: { access: 'public' },
        schema: {
          tags: ['ops'],
          summary: 'Database is reachable (and whether this process runs the job worker)',
          response: { 200: healthResponse, 503: healthResponse },
        },
      },
      async (request, reply) => {
        const worker = deps.jobs.isWorkerRunning() ? ('running' as const) : ('off' as const);
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            deps.database.ping(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS);
            }),
          ]);
          return { status: 'ok' as const, worker };
        } catch (err) {
          request.log.warn({ err }, 'readiness check failed');
          return reply
            .code(503)
            .send({ status: 'unavailable', detail: 'database unreachable', worker });
        } finally {
          clearTimeout(timer);
        }
      },
    );
  };
}
