// Housekeeping that runs on a schedule, once per tick across all instances: expired sessions and
// finished jobs past their retention are deleted.
import { z } from 'zod';
import type { JobDefinition, JobQueue, ScheduleDefinition } from '../../infra/queue/job-queue.ts';
import type { Clock } from '../../platform/clock.ts';

export const PURGE_SESSIONS_JOB = 'maintenance.purge-expired-sessions';
export const PURGE_JOBS_JOB = 'maintenance.purge-finished-jobs';

const noPayload = z.object({});

export function purgeExpiredSessionsJob(deps: {
  accounts: { purgeExpiredSessions(): Promise<number> };
}): JobDefinition<Record<string, never>, { deleted: number }> {
  return {
    type: PURGE_SESSIONS_JOB,
    schema: noPayload,
    async handler(_payload, ctx) {
      const deleted = await deps.accounts.purgeExpiredSessions();
      await ctx.progress(
        100,
        `Deleted ${deleted} expired ${deleted === 1 ? 'session' : 'sessions'}.`,
      );
      return { deleted };
    },
  };
}

export function purgeFinishedJobsJob(deps: {
  jobs: Pick<JobQueue, 'purgeFinished'>;
  clock: Clock;
  retentionDays: number;
}): JobDefinition<Record<string, never>, { deleted: number; before: string }> {
  return {
    type: PURGE_JOBS_JOB,
    schema: noPayload,
    async handler(_payload, ctx) {
      const before = new Date(deps.clock.now().getTime() - deps.retentionDays * 86_400_000);
      const deleted = await deps.jobs.purgeFinished(before);
      await ctx.progress(
        100,
        `Deleted ${deleted} finished ${deleted === 1 ? 'job' : 'jobs'} older than ${deps.retentionDays} days.`,
      );
      return { deleted, before: before.toISOString() };
    },
  };
}

/** Minute past the hour / time of day chosen off the round numbers many cron jobs share. */
export const MAINTENANCE_SCHEDULES: readonly ScheduleDefinition[] = [
  { name: 'purge-expired-sessions', cron: '17 * * * *', type: PURGE_SESSIONS_JOB, payload: {} },
  { name: 'purge-finished-jobs', cron: '41 3 * * *', type: PURGE_JOBS_JOB, payload: {} },
];
