// system.worker-check: a job that does nothing but wait, in steps, reporting progress. An
// administrator starts one from the Jobs page to see that a worker picks up jobs and how long it
// takes; the process tests use it as a long job with a controllable duration.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { JobDefinition } from '../../infra/queue/job-queue.ts';

export const WORKER_CHECK_JOB = 'system.worker-check';

export const workerCheckPayload = z.object({
  durationSeconds: z.number().int().min(0).max(600).default(10),
  steps: z.number().int().min(1).max(100).default(10),
});

export type WorkerCheckPayload = z.infer<typeof workerCheckPayload>;

export interface WorkerCheckResult {
  steps: number;
  /** Milliseconds between the start of the attempt and its end. */
  tookMs: number;
  attempt: number;
}

export function workerCheckJob(): JobDefinition<WorkerCheckPayload, WorkerCheckResult> {
  return {
    type: WORKER_CHECK_JOB,
    schema: workerCheckPayload,
    // One retry: enough to see a killed worker's job picked up again, then it ends failed.
    maxAttempts: 2,
    backoffMs: 1000,
    timeoutMs: 15 * 60_000,
    async handler(payload, ctx) {
      const started = Date.now();
      const stepMs = (payload.durationSeconds * 1000) / payload.steps;
      await ctx.progress(0, `Started (attempt ${ctx.attempt}); ${payload.steps} steps to go.`);
      for (let step = 1; step <= payload.steps; step++) {
        // Rejects with an AbortError when the job is cancelled or the worker shuts down.
        if (stepMs > 0) await sleep(stepMs, undefined, { signal: ctx.signal });
        ctx.signal.throwIfAborted();
        await ctx.progress(
          (step / payload.steps) * 100,
          step === payload.steps ? 'All steps done.' : `Step ${step} of ${payload.steps} done.`,
        );
      }
      return { steps: payload.steps, tookMs: Date.now() - started, attempt: ctx.attempt };
    },
  };
}
