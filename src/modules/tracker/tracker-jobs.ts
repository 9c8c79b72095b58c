// The tracker's weekly aggregate: per-learner and cohort statistics and weekly trends rebuilt in
// SQL (the cohort view reads them), then the dashboard statistics of learners whose results
// changed in the last week recomputed into the cache. A dashboard never waits for this job: a
// result write makes the learner's cached statistics stale at once (tracker-service.ts).
import { z } from 'zod';
import type { JobDefinition, ScheduleDefinition } from '../../infra/queue/job-queue.ts';
import type { TrackerService } from './tracker-service.ts';

export const TRACKER_AGGREGATE_JOB = 'tracker.weekly-aggregate';

/** Mondays 02:23 UTC. */
export const TRACKER_SCHEDULES: readonly ScheduleDefinition[] = [
  {
    name: 'tracker-weekly-aggregate',
    cron: '23 2 * * 1',
    type: TRACKER_AGGREGATE_JOB,
    payload: {},
  },
];

export function trackerAggregateJob(deps: {
  tracker: Pick<TrackerService, 'runWeeklyAggregate'>;
}): JobDefinition<Record<string, never>, { learners: number; results: number; warmed: number }> {
  return {
    type: TRACKER_AGGREGATE_JOB,
    schema: z.object({}),
    maxAttempts: 2,
    async handler(_payload, ctx) {
      await ctx.progress(5, 'Aggregating results…');
      const out = await deps.tracker.runWeeklyAggregate();
      await ctx.progress(
        100,
        `Aggregated ${out.results} results of ${out.learners} learners; ${out.warmed} dashboards refreshed.`,
      );
      return out;
    },
  };
}
