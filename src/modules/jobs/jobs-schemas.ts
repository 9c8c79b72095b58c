// Request and response schemas of the /api/jobs routes.
import { z } from 'zod';
import { JOB_STATES, type JobState } from '../../infra/queue/job-queue.ts';
import { JOB_TYPE_PATTERN } from '../../infra/queue/job-registry.ts';
import { workerCheckPayload } from './worker-check-job.ts';

export const jobStateSchema = z.enum(JOB_STATES as [JobState, ...JobState[]], {
  message: `must be one of ${JOB_STATES.join(', ')}`,
});

export const jobViewSchema = z.object({
  id: z.string(),
  type: z.string(),
  state: jobStateSchema,
  progress: z.number().int().min(0).max(100),
  /** The last log line the job reported. */
  message: z.string().nullable(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  /** Why it failed (or was cancelled), for a person to read. */
  failureReason: z.string().nullable(),
  /** The internal error behind an unexpected failure: administrators only, null for others. */
  errorDetail: z.string().nullable(),
  /** What the job was asked to do: its owner and administrators only, null for others. */
  payload: z.unknown(),
  /** What the job produced: its owner and administrators only, null for others. */
  result: z.unknown(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** When a queued job may run next (retries wait). */
  runAfter: z.string(),
  /** Who asked for it; null for scheduled work (or a deleted account). */
  owner: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** The job belongs to the user asking. */
  mine: z.boolean(),
  /** The user asking may cancel it now. */
  canCancel: z.boolean(),
});

export const jobEnvelope = z.object({ job: jobViewSchema });

export const jobIdParams = z.object({ id: z.uuid({ message: 'must be a job id (UUID)' }) });

const booleanQuery = z
  .enum(['true', 'false'], { message: 'must be true or false' })
  .transform((v) => v === 'true');

export const listJobsQuery = z.object({
  type: z
    .string()
    .max(100)
    .regex(JOB_TYPE_PATTERN, 'must be a job type such as system.worker-check')
    .optional(),
  state: jobStateSchema.optional(),
  /** Instructors and admins see everyone's jobs; true narrows the list to their own. */
  mine: booleanQuery.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export type ListJobsQuery = z.infer<typeof listJobsQuery>;

export const listJobsResponse = z.object({
  jobs: z.array(jobViewSchema),
  total: z.number().int(),
});

/** How long the check should wait, in how many steps (each step reports progress). */
export const workerCheckBody = workerCheckPayload;

/** The events endpoint's body, described for the OpenAPI document. */
export const jobEventsResponse = z
  .string()
  .describe(
    'text/event-stream: `event: job` with the job (as GET /api/jobs/:id) whenever it changes, ' +
      'then `event: end` once it has finished; the stream then closes.',
  );
