// The weekly rebuild of recommendation sets: every learner whose results changed after their
// active set was built (or who has results and no set) gets a new set; the others keep theirs.
// Scheduled after the tracker's weekly aggregate (Mondays 02:23 UTC), whose warmed dashboard
// statistics it reads. A payload learnerId rebuilds one learner's set.
import { z } from 'zod';
import type { JobDefinition, ScheduleDefinition } from '../../infra/queue/job-queue.ts';
import type { RecommendationsService } from './recommendations-service.ts';

export const RECOMMENDATIONS_REBUILD_JOB = 'recommendations.rebuild';

/** Mondays 02:53 UTC, half an hour after the tracker's weekly aggregate. */
export const RECOMMENDATIONS_SCHEDULES: readonly ScheduleDefinition[] = [
  {
    name: 'recommendations-weekly-rebuild',
    cron: '53 2 * * 1',
    type: RECOMMENDATIONS_REBUILD_JOB,
    payload: {},
  },
];

const payloadSchema = z.object({
  learnerId: z.uuid({ message: 'must be a user id (UUID)' }).optional(),
  limit: z.number().int().min(1).max(1_000_000).optional(),
});

export function recommendationsRebuildJob(deps: {
  recommendations: Pick<RecommendationsService, 'rebuildStale' | 'buildFor'>;
}): JobDefinition<
  z.infer<typeof payloadSchema>,
  { learners: number; created: number; kept: number; nothing: number; failed: number }
> {
  return {
    type: RECOMMENDATIONS_REBUILD_JOB,
    schema: payloadSchema,
    maxAttempts: 2,
    async handler(payload, ctx) {
      await ctx.progress(5, 'Rebuilding recommendation sets…');
      let out;
      if (payload.learnerId) {
        const one = await deps.recommendations.buildFor(payload.learnerId, {
          trigger: 'job',
          builtBy: null,
        });
        out = {
          learners: 1,
          created: one.outcome === 'created' ? 1 : 0,
          kept: one.outcome === 'kept' ? 1 : 0,
          nothing: 0,
          failed: 0,
        };
      } else {
        out = await deps.recommendations.rebuildStale(
          payload.limit === undefined ? {} : { limit: payload.limit },
        );
      }
      await ctx.progress(
        100,
        `Recommendation sets: ${out.created} built, ${out.kept} kept, ${out.nothing} with nothing to recommend, ${out.failed} failed, of ${out.learners} learners.`,
      );
      return out;
    },
  };
}
