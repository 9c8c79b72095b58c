// Runs one claimed job in this process: validates its payload again, renews its lease while the
// handler runs, persists throttled progress, enforces the timeout, and turns what the handler
// did into the job's next state (complete, retry later, failed, or back to the queue on shutdown).
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.ts';
import { JobFailure } from './job-queue.ts';
import { retryDelayMs, zodFieldErrors, type JobRegistry } from './job-registry.ts';
import { toJobRecord, type JobRow, type JobStore } from './job-store.ts';

/** Why a running handler was aborted. */
export type AbortReason = 'cancelled' | 'lost' | 'shutdown' | 'timeout';

export type Outcome =
  | { kind: 'complete' }
  | { kind: 'retry'; reason: string; runAfter: string }
  | { kind: 'failed'; reason: string }
  /** Back in the queue because this worker is shutting down; the attempt is not counted. */
  | { kind: 'released' }
  /** Cancelled, or taken over after the lease expired: nothing written by this worker. */
  | { kind: 'gone' };

export interface RunningJob {
  id: string;
  type: string;
  attempt: number;
  controller: AbortController;
  abortReason: AbortReason | undefined;
  done: Promise<Outcome>;
}

/** Progress writes at most this often per job; the last value always lands. */
export const PROGRESS_INTERVAL_MS = 250;
const MAX_MESSAGE_LENGTH = 500;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The internal message of an unexpected error: its first line, no stack. */
export function errorDetailOf(err: unknown): string {
  if (err instanceof Error) {
    const first = (err.message.split('\n')[0] ?? '').trim();
    return truncate(`${err.name}: ${first}`, MAX_MESSAGE_LENGTH);
  }
  return truncate(String(err), MAX_MESSAGE_LENGTH);
}

function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} seconds`;
  if (ms < 3600_000) return `${Math.round(ms / 60_000)} minutes`;
  return `${Math.round(ms / 3600_000)} hours`;
}

export const UNEXPECTED_FAILURE =
  'An unexpected error stopped this job; administrators can see the details in the job record and the server log.';

export interface ExecutorDeps {
  store: JobStore;
  registry: JobRegistry;
  clock: Clock;
  logger: Logger;
  workerId: string;
  progressIntervalMs?: number;
}

export class JobExecutor {
  readonly running = new Map<string, RunningJob>();
  private readonly progressIntervalMs: number;

  constructor(private readonly deps: ExecutorDeps) {
    this.progressIntervalMs = deps.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  }

  get workerId(): string {
    return this.deps.workerId;
  }

  abort(id: string, reason: AbortReason): boolean {
    const job = this.running.get(id);
    if (!job) return false;
    job.abortReason ??= reason;
    job.controller.abort(reason);
    return true;
  }

  /** Start running a job this worker holds (state running, locked_by = workerId). */
  start(row: JobRow): RunningJob {
    const controller = new AbortController();
    const job: RunningJob = {
      id: row.id,
      type: row.type,
      attempt: row.attempts,
      controller,
      abortReason: undefined,
      done: Promise.resolve<Outcome>({ kind: 'gone' }),
    };
    this.running.set(row.id, job);
    job.done = this.run(row, job).finally(() => this.running.delete(row.id));
    return job;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private async run(row: JobRow, job: RunningJob): Promise<Outcome> {
    const { store, registry, clock, workerId } = this.deps;
    const log = this.deps.logger.child({ jobId: row.id, jobType: row.type, attempt: row.attempts });
    if (!registry.has(row.type)) {
      const reason = 'No worker of this version of SkillBridge knows how to run this kind of job.';
      const saved = await store
        .fail({ id: row.id, workerId, reason, errorDetail: null, now: this.now() })
        .catch(() => false);
      return saved ? { kind: 'failed', reason } : { kind: 'gone' };
    }
    const definition = registry.get(row.type);

    const heartbeatMs = Math.max(100, Math.min(definition.leaseMs / 3, 2000));
    const heartbeat = setInterval(() => {
      const leaseUntil = new Date(clock.now().getTime() + definition.leaseMs).toISOString();
      store
        .heartbeat(workerId, [row.id], leaseUntil)
        .then((held) => {
          if (held.length === 0) this.abort(row.id, 'lost');
        })
        .catch((err: unknown) => log.warn({ err }, 'job lease renewal failed'));
    }, heartbeatMs);
    const timeout = setTimeout(() => this.abort(row.id, 'timeout'), definition.timeoutMs);
    const progress = new ProgressWriter(
      (p, m) =>
        store.saveProgress({ id: row.id, workerId, progress: p, message: m, now: this.now() }),
      () => this.abort(row.id, 'lost'),
      clock,
      this.progressIntervalMs,
      { progress: row.progress, message: row.message },
      log,
    );

    try {
      let result: unknown;
      let failure: unknown;
      let succeeded = false;
      try {
        const parsed = definition.schema.safeParse(JSON.parse(row.payload));
        if (!parsed.success) {
          const first = zodFieldErrors(parsed.error)[0];
          throw new JobFailure(
            `The job's data is not valid for this version of SkillBridge (${first?.path ?? 'payload'}: ${first?.message ?? 'invalid'}).`,
            { retryable: false },
          );
        }
        result = await definition.handler(parsed.data, {
          job: toJobRecord(row),
          attempt: row.attempts,
          progress: (percent, message) => progress.report(percent, message),
          signal: job.controller.signal,
          log,
        });
        succeeded = true;
      } catch (err) {
        failure = err;
      }
      progress.stop();
      await progress.settled();

      const reason = job.abortReason;
      if (reason === 'cancelled' || reason === 'lost') return { kind: 'gone' };
      if (reason === 'shutdown') {
        const released = await store.release({ id: row.id, workerId, now: this.now() });
        return released ? { kind: 'released' } : { kind: 'gone' };
      }
      if (succeeded && reason === undefined) {
        const saved = await store.complete({
          id: row.id,
          workerId,
          result: JSON.stringify(result ?? null),
          message: progress.lastMessage(),
          now: this.now(),
        });
        if (saved) log.debug('job complete');
        return saved ? { kind: 'complete' } : { kind: 'gone' };
      }

      const timedOut = reason === 'timeout';
      const readable =
        failure instanceof JobFailure
          ? failure.message
          : timedOut
            ? `The job took longer than ${formatDuration(definition.timeoutMs)} and was stopped.`
            : UNEXPECTED_FAILURE;
      const errorDetail =
        failure instanceof JobFailure || timedOut || failure === undefined
          ? null
          : errorDetailOf(failure);
      const retryable = !(failure instanceof JobFailure && !failure.retryable);
      if (failure instanceof JobFailure) log.info({ reason: readable }, 'job attempt failed');
      else log.warn({ err: failure, timedOut }, 'job attempt failed');

      if (retryable && row.attempts < row.max_attempts) {
        const delay = retryDelayMs(row.backoff_ms, row.attempts);
        const runAfter = new Date(clock.now().getTime() + delay).toISOString();
        const saved = await store.retryLater({
          id: row.id,
          workerId,
          runAfter,
          reason: readable,
          errorDetail,
          message: `Attempt ${row.attempts} of ${row.max_attempts} failed; retrying in ${Math.max(1, Math.round(delay / 1000))} s.`,
          now: this.now(),
        });
        return saved ? { kind: 'retry', reason: readable, runAfter } : { kind: 'gone' };
      }
      const saved = await store.fail({
        id: row.id,
        workerId,
        reason: readable,
        errorDetail,
        now: this.now(),
      });
      return saved ? { kind: 'failed', reason: readable } : { kind: 'gone' };
    } catch (err) {
      // The database failed while recording the outcome; the lease will expire and the sweeper
      // will retry the job.
      log.error({ err }, 'could not record the outcome of a job');
      return { kind: 'gone' };
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
      progress.stop();
    }
  }
}

/** Persists progress at most every `intervalMs`, always writing the last value reported. */
class ProgressWriter {
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  private current: { progress: number; message: string | null };

  constructor(
    private readonly write: (progress: number, message: string | null) => Promise<boolean>,
    private readonly onLost: () => void,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    initial: { progress: number; message: string | null },
    private readonly log: Logger,
  ) {
    this.current = initial;
  }

  lastMessage(): string | null {
    return this.current.message;
  }

  report(percent: number, message?: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const progress = Number.isFinite(percent)
      ? Math.min(100, Math.max(0, Math.round(percent)))
      : this.current.progress;
    this.current = {
      progress,
      message: message === undefined ? this.current.message : truncate(message, MAX_MESSAGE_LENGTH),
    };
    this.dirty = true;
    const elapsed = this.clock.now().getTime() - this.lastWriteAt;
    if (elapsed >= this.intervalMs && !this.timer) return this.flush();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.intervalMs);
    return Promise.resolve();
  }

  private flush(): Promise<void> {
    if (!this.dirty || this.stopped) return this.chain;
    this.dirty = false;
    this.lastWriteAt = this.clock.now().getTime();
    const { progress, message } = this.current;
    this.chain = this.chain
      .then(() => this.write(progress, message))
      .then((held) => {
        if (!held) this.onLost();
      })
      .catch((err: unknown) => this.log.warn({ err }, 'job progress write failed'));
    return this.chain;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves when no progress write is in flight. */
  settled(): Promise<void> {
    return this.chain;
  }
}
