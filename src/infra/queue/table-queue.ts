// What both adapters share: the jobs table as the one record (enqueue, get, list, cancel), the
// registry, schedules, the executor, lease recovery and the worker lifecycle. Subclasses decide
// how a job reaches a worker (the embedded claim loop, or pg-boss).
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { JobsConfig } from '../../config/env.ts';
import type { Clock } from '../../platform/clock.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { withTransaction, type DatabaseHandle } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { JobExecutor, type Outcome } from './job-executor.ts';
import type {
  EnqueueOptions,
  JobDefinition,
  JobListFilter,
  JobQueue,
  JobRecord,
  ScheduleDefinition,
} from './job-queue.ts';
import { JobRegistry, retryDelayMs } from './job-registry.ts';
import { JobScheduler } from './job-scheduler.ts';
import { JobStore, toJobRecord, type JobRow } from './job-store.ts';
import { PgJobListener, notifyJobs, type JobNotification } from './pg-listener.ts';

export interface TableQueueDeps {
  database: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  config: JobsConfig;
  /** PostgreSQL URL for LISTEN/NOTIFY; unset on SQLite. */
  databaseUrl?: string | undefined;
  /** Names this worker in locked_by and the logs; unique per process by default. */
  workerId?: string;
  /** Milliseconds between lease sweeps and schedule ticks (default 1000). */
  maintenanceIntervalMs?: number;
}

/** A handler ignoring its abort signal gets this long after shutdown before its job is released anyway. */
const ABORT_WAIT_MS = 3000;

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${newId().slice(0, 8)}`;
}

export abstract class TableJobQueue implements JobQueue {
  abstract readonly kind: 'embedded' | 'pgboss';
  protected readonly store: JobStore;
  protected readonly registry: JobRegistry;
  protected readonly scheduler: JobScheduler;
  protected readonly executor: JobExecutor;
  protected readonly log: Logger;
  protected readonly workerId: string;
  protected workerStarted = false;
  protected stopping = false;
  private listener: PgJobListener | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private maintenanceRun: Promise<void> = Promise.resolve();

  constructor(protected readonly deps: TableQueueDeps) {
    this.workerId = deps.workerId ?? defaultWorkerId();
    this.log = deps.logger.child({ component: 'jobs', worker: this.workerId });
    this.store = new JobStore(deps.database.db, deps.database.dialect);
    this.registry = new JobRegistry(deps.config.leaseMs);
    this.executor = new JobExecutor({
      store: this.store,
      registry: this.registry,
      clock: deps.clock,
      logger: this.log,
      workerId: this.workerId,
    });
    this.scheduler = new JobScheduler({
      store: this.store,
      registry: this.registry,
      clock: deps.clock,
      logger: this.log,
      enqueueInTransaction: async (tx, job) => {
        const def = this.registry.get(job.type);
        const now = deps.clock.now().toISOString();
        const row = await this.insertJob(tx, {
          id: newId(),
          type: job.type,
          payload: job.payload,
          maxAttempts: def.maxAttempts,
          backoffMs: def.backoffMs,
          userId: null,
          now,
          runAfter: now,
        });
        return row.id;
      },
      afterEnqueue: (type) => this.wake(type),
    });
  }

  protected get isPostgres(): boolean {
    return this.deps.database.dialect === 'postgres';
  }

  protected now(): string {
    return this.deps.clock.now().toISOString();
  }

  register<P, R>(definition: JobDefinition<P, R>): void {
    this.registry.register(definition);
  }

  async start(): Promise<void> {}

  /** Hand the new job to the dispatcher inside the enqueue transaction (pg-boss). */
  protected abstract dispatchInTransaction(tx: Kysely<Database>, row: JobRow): Promise<void>;
  /** Start taking jobs. */
  protected abstract startDispatch(): Promise<void>;
  /** Take no more jobs. */
  protected abstract stopDispatch(): Promise<void>;
  /** Release connections after the worker stopped (or at close without a worker). */
  protected abstract closeDispatch(): Promise<void>;
  /** A job was enqueued in this process, or another instance said so. */
  protected abstract wake(type: string): void;
  /** Mirror a cancellation into the dispatcher. */
  protected abstract afterCancel(row: JobRow): Promise<void>;
  /** Take back a running job whose worker stopped renewing its lease. */
  protected abstract recoverExpired(row: JobRow): Promise<void>;

  protected async insertJob(
    tx: Kysely<Database>,
    job: Parameters<JobStore['insert']>[0],
  ): Promise<JobRow> {
    const row = await this.store.withDb(tx).insert(job);
    await this.dispatchInTransaction(tx, row);
    if (this.isPostgres) await notifyJobs(tx, { kind: 'enqueued', type: row.type });
    return row;
  }

  async enqueue(type: string, payload: unknown, options: EnqueueOptions = {}): Promise<JobRecord> {
    const data = this.registry.validate(type, payload);
    const def = this.registry.get(type);
    await this.start();
    const now = this.deps.clock.now();
    const job = {
      id: newId(),
      type,
      payload: JSON.stringify(data),
      maxAttempts: def.maxAttempts,
      backoffMs: def.backoffMs,
      userId: options.userId ?? null,
      now: now.toISOString(),
      runAfter: (options.runAfter && options.runAfter > now ? options.runAfter : now).toISOString(),
    };
    // On SQLite nothing else needs to commit with the row; skip the transaction's round trips.
    const row =
      this.isPostgres || this.kind === 'pgboss'
        ? await withTransaction(this.deps.database.db, (tx) => this.insertJob(tx, job))
        : await this.store.insert(job);
    this.wake(type);
    return toJobRecord(row);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.store.get(id);
    return row ? toJobRecord(row) : undefined;
  }

  async list(filter: JobListFilter): Promise<{ jobs: JobRecord[]; total: number }> {
    const { rows, total } = await this.store.list(filter);
    return { jobs: rows.map(toJobRecord), total };
  }

  async cancel(id: string, reason = 'Cancelled.'): Promise<JobRecord> {
    const row = await this.store.cancel(id, reason, this.now());
    if (!row) {
      const existing = await this.store.get(id);
      if (!existing) throw new NotFoundError('There is no job with this id.', 'JOB_NOT_FOUND');
      throw new ConflictError(
        `This job has already ended (${existing.state}); only queued or running jobs can be cancelled.`,
        'JOB_FINISHED',
      );
    }
    this.executor.abort(id, 'cancelled');
    await this.afterCancel(row);
    if (this.isPostgres) {
      await notifyJobs(this.deps.database.db, { kind: 'cancelled', id }).catch((err: unknown) =>
        this.log.warn({ err }, 'cancel notification failed'),
      );
    }
    return toJobRecord(row);
  }

  async schedule(definition: ScheduleDefinition): Promise<void> {
    await this.scheduler.define(definition);
  }

  isWorkerRunning(): boolean {
    return this.workerStarted && !this.stopping;
  }

  async purgeFinished(before: Date): Promise<number> {
    return this.store.purgeFinished(before.toISOString());
  }

  /** The jobs this process is running right now (for shutdown and tests). */
  runningJobIds(): string[] {
    return [...this.executor.running.keys()];
  }

  async startWorker(): Promise<void> {
    if (this.workerStarted) return;
    await this.start();
    this.workerStarted = true;
    this.stopping = false;
    if (this.isPostgres && this.deps.databaseUrl) {
      this.listener = new PgJobListener(this.deps.databaseUrl, this.log, (n) =>
        this.onNotification(n),
      );
      await this.listener.start();
    }
    await this.startDispatch();
    const interval = this.deps.maintenanceIntervalMs ?? 1000;
    this.maintenanceTimer = setInterval(() => {
      this.maintenanceRun = this.maintenanceRun.then(() => this.runMaintenance());
    }, interval);
    this.log.info(
      { queue: this.kind, types: this.registry.types(), concurrency: this.deps.config.concurrency },
      'job worker started',
    );
  }

  private onNotification(n: JobNotification): void {
    if (n.kind === 'enqueued') this.wake(n.type);
    else this.executor.abort(n.id, 'cancelled');
  }

  /**
   * Recover jobs of workers that stopped renewing their lease, then enqueue due schedules. Runs
   * on a timer in every worker; safe to run anywhere at any time (conditional updates).
   */
  async runMaintenance(): Promise<void> {
    try {
      await this.sweepExpiredLeases();
    } catch (err) {
      this.log.warn({ err }, 'job lease sweep failed');
    }
    try {
      await this.scheduler.tick();
    } catch (err) {
      this.log.warn({ err }, 'job schedule tick failed');
    }
  }

  async sweepExpiredLeases(): Promise<number> {
    const rows = await this.store.expiredLeases(this.now(), 100);
    let recovered = 0;
    for (const row of rows) {
      // Our own job, its lease late only because this process was busy: the heartbeat renews it.
      if (row.locked_by === this.workerId && this.executor.running.has(row.id)) continue;
      await this.recoverExpired(row);
      recovered++;
    }
    return recovered;
  }

  /** The embedded recovery: back to the queue with backoff, or failed when no attempts remain. */
  protected async requeueOrFail(row: JobRow): Promise<Outcome> {
    const now = this.deps.clock.now();
    if (row.attempts < row.max_attempts) {
      const runAfter = new Date(
        now.getTime() + retryDelayMs(row.backoff_ms, row.attempts),
      ).toISOString();
      const reason = `The worker running this job stopped responding (attempt ${row.attempts} of ${row.max_attempts}); it will be retried.`;
      const done = await this.store.recoverExpired(row, {
        state: 'queued',
        runAfter,
        reason,
        now: now.toISOString(),
      });
      if (done)
        this.log.warn({ jobId: row.id, lostWorker: row.locked_by }, 'job lease expired; requeued');
      return done ? { kind: 'retry', reason, runAfter } : { kind: 'gone' };
    }
    const reason = `The worker running this job stopped responding, and all ${row.max_attempts} attempts are used up.`;
    const done = await this.store.recoverExpired(row, {
      state: 'failed',
      reason,
      now: now.toISOString(),
    });
    if (done)
      this.log.warn({ jobId: row.id, lostWorker: row.locked_by }, 'job lease expired; failed');
    return done ? { kind: 'failed', reason } : { kind: 'gone' };
  }

  async stop(options: { graceMs?: number } = {}): Promise<void> {
    this.stopping = true;
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    this.maintenanceTimer = undefined;
    if (this.workerStarted) {
      await this.stopDispatch();
      await this.maintenanceRun;
      const running = () => [...this.executor.running.values()];
      const grace = options.graceMs ?? 0;
      if (running().length > 0 && grace > 0) {
        this.log.info({ jobs: running().length, graceMs: grace }, 'waiting for running jobs');
        await waitFor(Promise.allSettled(running().map((j) => j.done)), grace);
      }
      const left = running();
      for (const job of left) this.executor.abort(job.id, 'shutdown');
      if (left.length > 0) {
        const settled = await waitFor(Promise.allSettled(left.map((j) => j.done)), ABORT_WAIT_MS);
        if (!settled) {
          // Handlers that ignore their signal: put their jobs back anyway.
          for (const job of running()) {
            await this.store
              .release({ id: job.id, workerId: this.workerId, now: this.now() })
              .catch((err: unknown) => this.log.warn({ err }, 'could not release a job'));
          }
        }
        this.log.info({ jobs: left.length }, 'running jobs released for another worker');
      }
      await this.listener?.stop();
      this.listener = undefined;
      this.workerStarted = false;
    }
    await this.closeDispatch();
  }
}

/** True when `promise` settled within `ms`. */
async function waitFor(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
