// mastery.fit-params: refit every skill's BKT parameters from the answers recorded so far, weekly
// (and on demand with `skillbridge fit-mastery`). Skills with too few learners keep the defaults.
import { z } from 'zod';
import type { JobDefinition, ScheduleDefinition } from '../../infra/queue/job-queue.ts';
import type { FitSummary, MasteryService } from './mastery-service.ts';

export const FIT_MASTERY_JOB = 'mastery.fit-params';

const payloadSchema = z.object({
  restarts: z.number().int().min(1).max(50).optional(),
  minLearners: z.number().int().min(1).optional(),
});

export function createFitMasteryJob(deps: {
  mastery: MasteryService;
}): JobDefinition<z.infer<typeof payloadSchema>, FitSummary> {
  return {
    type: FIT_MASTERY_JOB,
    schema: payloadSchema,
    async handler(payload, ctx) {
      await ctx.progress(5, 'Reading the recorded answers…');
      const summary = await deps.mastery.fitParameters({
        ...(payload.restarts !== undefined ? { restarts: payload.restarts } : {}),
        ...(payload.minLearners !== undefined ? { minLearners: payload.minLearners } : {}),
      });
      await ctx.progress(
        100,
        `Fitted ${summary.fitted} of ${summary.skills} skills from ${summary.responses} answers in ${summary.seconds} s; ${summary.keptDefaults} kept the defaults.`,
      );
      return summary;
    },
  };
}

/** Sunday night, off the round hour. */
export const MASTERY_SCHEDULES: readonly ScheduleDefinition[] = [
  { name: 'fit-mastery-params', cron: '23 2 * * 0', type: FIT_MASTERY_JOB, payload: {} },
];
