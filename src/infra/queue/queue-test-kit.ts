// Shared by the queue adapter tests: a queue on a test database, and bounded waiting.
import pino from 'pino';
import type { JobsConfig } from '../../config/env.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { JobQueue, JobRecord } from './job-queue.ts';

export const silentLogger = pino({ level: 'silent' });

export function jobsConfig(overrides: Partial<JobsConfig> = {}): JobsConfig {
  return {
    queue: 'embedded',
    concurrency: 4,
    pollIntervalMs: 50,
    leaseMs: 60_000,
    retentionDays: 30,
    ...overrides,
  };
}

export interface QueueFactoryOptions {
  database: DatabaseHandle;
  clock: Clock;
  config?: Partial<JobsConfig>;
  databaseUrl?: string;
  workerId?: string;
}

/** Poll until the job satisfies `done` (default: finished); fails the test after `timeoutMs`. */
export async function waitForJob(
  queue: Pick<JobQueue, 'get'>,
  id: string,
  done: (job: JobRecord) => boolean = (job) =>
    job.state === 'complete' || job.state === 'failed' || job.state === 'cancelled',
  timeoutMs = 10_000,
): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  let last: JobRecord | undefined;
  while (Date.now() < deadline) {
    last = await queue.get(id);
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(
    `job ${id} did not reach the expected state in time; last: ${JSON.stringify(last)}`,
  );
}

export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A promise with its resolve function, for handlers a test releases by hand. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
