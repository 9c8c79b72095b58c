// The `questions.auto-tag` job: suggest concept and skill tags for a selection of questions, an
// import or what a filter of the Questions list matches (tagging-service.ts does the work), with
// progress as it goes. Its result counts the questions, suggestions and any AI fallbacks.
import { z } from 'zod';
import { JobFailure, type JobDefinition } from '../../infra/queue/job-queue.ts';
import { AppError } from '../../platform/errors.ts';
import {
  AUTO_TAG_JOB,
  type AutoTagPayload,
  type AutoTagResult,
  type TaggingService,
} from './tagging-service.ts';

export const autoTagPayloadSchema = z
  .object({
    questionIds: z.array(z.uuid()).min(1).max(5000).optional(),
    importId: z.uuid().optional(),
    filter: z.record(z.string().max(50), z.string().max(500)).optional(),
    maxSuggestions: z.number().int().min(1).max(5).optional(),
  })
  .refine(
    (p) => [p.questionIds, p.importId, p.filter].filter((v) => v !== undefined).length === 1,
    { message: 'give exactly one of questionIds, importId or filter' },
  );

export function createAutoTagJob(deps: {
  tagging: TaggingService;
}): JobDefinition<AutoTagPayload, AutoTagResult> {
  return {
    type: AUTO_TAG_JOB,
    schema: autoTagPayloadSchema,
    maxAttempts: 3,
    backoffMs: 2000,
    timeoutMs: 60 * 60_000,
    async handler(payload, ctx) {
      try {
        return await deps.tagging.run(payload, {
          userId: ctx.job.userId,
          jobId: ctx.job.id,
          signal: ctx.signal,
          log: ctx.log,
          progress: ({ done, total, message }) =>
            ctx.progress(total === 0 ? 100 : Math.floor((done / total) * 100), message),
        });
      } catch (err) {
        // A request that cannot succeed (an empty graph, a filter matching too much) ends the
        // job with its reason; anything else is retried.
        if (err instanceof AppError && err.statusCode < 500) {
          throw new JobFailure(err.message, { retryable: false, cause: err });
        }
        throw err;
      }
    },
  };
}
