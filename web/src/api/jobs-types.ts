// Shapes of the jobs API as the web app uses them, inferred from the server's zod schemas
// (type-only imports: nothing of the server reaches the bundle).
import type { z } from 'zod';
import type {
  jobStateSchema,
  jobViewSchema,
  listJobsResponse,
  workerCheckBody,
} from '../../../src/modules/jobs/jobs-schemas.ts';

export type JobView = z.infer<typeof jobViewSchema>;
export type JobList = z.infer<typeof listJobsResponse>;
export type JobState = z.infer<typeof jobStateSchema>;
export type WorkerCheckInput = z.input<typeof workerCheckBody>;

export const JOB_STATES = [
  'queued',
  'running',
  'complete',
  'failed',
  'cancelled',
] as const satisfies readonly JobState[];
// Fails to compile if the server gains a state this list does not name.
const _allStatesListed: readonly (typeof JOB_STATES)[number][] = [] as JobState[];

export interface JobListQuery {
  state?: JobState | undefined;
  type?: string | undefined;
  /** Instructors and admins: only their own jobs. */
  mine?: boolean | undefined;
  limit: number;
  offset: number;
}

export function isActive(job: Pick<JobView, 'state'>): boolean {
  return job.state === 'queued' || job.state === 'running';
}
