// The JobQueue port: long work runs as a job with progress, a log line, retries and an end state.
// Two adapters implement it: the embedded table queue (SQLite or PostgreSQL, in-process worker)
// and pg-boss (PostgreSQL, `skillbridge worker` processes on any number of machines). Both keep
// the `jobs` table as the one record the API and the Jobs page read.
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ValidationError, type FieldError } from '../../platform/errors.ts';

export type JobState = 'queued' | 'running' | 'complete' | 'failed' | 'cancelled';

export const JOB_STATES: readonly JobState[] = [
  'queued',
  'running',
  'complete',
  'failed',
  'cancelled',
];

/** States a job never leaves. */
export const FINISHED_STATES: ReadonlySet<JobState> = new Set(['complete', 'failed', 'cancelled']);

export interface JobRecord {
  id: string;
  type: string;
  /** The validated payload, as enqueued. */
  payload: unknown;
  state: JobState;
  /** 0-100. */
  progress: number;
  /** The last log line the handler reported, for people watching the job. */
  message: string | null;
  /** Attempts started so far (the running one included). */
  attempts: number;
  maxAttempts: number;
  /** Who asked for the job; null for scheduled work. */
  userId: string | null;
  /** A reason a person can read, when state is failed (or cancelled). */
  failureReason: string | null;
  /** The internal error behind an unexpected failure (first line, no stack), for administrators. */
  errorDetail: string | null;
  /** What the handler returned, when complete (JSON). */
  result: unknown;
  createdAt: string;
  /** Last change of state, progress or message. */
  updatedAt: string;
  /** When the current (or last) attempt started. */
  startedAt: string | null;
  finishedAt: string | null;
  /** When a queued job may run next (retries back off). */
  runAfter: string;
}

export interface JobContext {
  job: JobRecord;
  /** 1 for the first attempt. */
  attempt: number;
  /** Report progress (0-100) and optionally a log line; throttled and persisted by the queue. */
  progress(percent: number, message?: string): Promise<void>;
  /** Aborted when the job is cancelled, times out, or the worker shuts down. */
  signal: AbortSignal;
  log: Logger;
}

export interface JobDefinition<P = unknown, R = unknown> {
  type: string;
  /** Payloads are validated at enqueue time and again before the handler runs. */
  schema: z.ZodType<P>;
  handler(payload: P, ctx: JobContext): Promise<R>;
  /** Attempts before the job ends failed (default 3). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt (default 1000 ms). */
  backoffMs?: number;
  /** A running job whose worker stops renewing its lease for this long is retried (default JOB_LEASE_SECONDS). */
  leaseMs?: number;
  /** Longest a single attempt may run before it is aborted and counted as failed (default 1 hour). */
  timeoutMs?: number;
}

export interface EnqueueOptions {
  userId?: string | null;
  /** Run no earlier than this. */
  runAfter?: Date;
}

export interface JobListFilter {
  /** Only this user's jobs; omit for all (instructors and admins). */
  userId?: string;
  type?: string;
  state?: JobState;
  limit: number;
  offset: number;
}

export interface ScheduleDefinition {
  /** Unique name; the schedule runs once per tick across all instances. */
  name: string;
  /** Five-field cron expression, UTC (minute hour day-of-month month day-of-week). */
  cron: string;
  type: string;
  payload: unknown;
}

export interface JobQueue {
  readonly kind: 'embedded' | 'pgboss';
  register<P, R>(definition: JobDefinition<P, R>): void;
  /** Connect what enqueueing needs (pg-boss); idempotent, and enqueue calls it when needed. */
  start(): Promise<void>;
  /** Validates the payload (JobPayloadError) and records the job as queued. */
  enqueue(type: string, payload: unknown, options?: EnqueueOptions): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | undefined>;
  list(filter: JobListFilter): Promise<{ jobs: JobRecord[]; total: number }>;
  /**
   * Cancel a queued or running job (a running handler sees its signal aborted); returns the job
   * as it is afterwards. NotFoundError when missing, ConflictError when it already finished.
   */
  cancel(id: string, reason?: string): Promise<JobRecord>;
  /** Create or update a schedule; each tick enqueues one job across all instances. */
  schedule(definition: ScheduleDefinition): Promise<void>;
  /** Start processing jobs in this process (and ticking schedules, and recovering lost jobs). */
  startWorker(): Promise<void>;
  /** True between startWorker() and stop(): this process takes jobs. */
  isWorkerRunning(): boolean;
  /** Delete finished (complete, failed, cancelled) jobs that ended before `before`; returns how many. */
  purgeFinished(before: Date): Promise<number>;
  /**
   * Stop taking jobs, give running ones `graceMs` to finish, then abort them and put them back
   * in the queue (the attempt is not counted); resolves when the worker is idle and connections
   * are closed.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Throw from a handler to end an attempt with a reason a person can read ("The image could not
 * be read: …"). Retryable failures are retried while attempts remain; others end the job at once.
 */
export class JobFailure extends Error {
  readonly retryable: boolean;
  constructor(reason: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(reason, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JobFailure';
    this.retryable = options.retryable ?? true;
  }
}

/** The payload does not match the job type's schema: a 400 when it came from a request. */
export class JobPayloadError extends ValidationError {
  constructor(type: string, errors: FieldError[]) {
    const first = errors[0];
    super(
      first
        ? `Invalid ${type} job: ${first.path}: ${first.message}`
        : `Invalid ${type} job payload.`,
      errors,
    );
  }
}

/** A job type no code registered: a programming error, never user input. */
export class UnknownJobTypeError extends Error {
  constructor(type: string) {
    super(`No job type "${type}" is registered`);
    this.name = 'UnknownJobTypeError';
  }
}
