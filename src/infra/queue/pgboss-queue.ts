// The pg-boss adapter (JOB_QUEUE=pgboss, PostgreSQL only): pg-boss dispatches jobs to worker
// processes on any number of machines (SKIP LOCKED fetches), retries them with its backoff and
// expires attempts that run past their timeout. Our jobs table stays the one record the API and
// the Jobs page read, and the authority on attempts and state:
// - enqueue writes the row and the pg-boss job (same id) in one transaction;
// - a delivery starts the next attempt on the row (or is dropped when the row was cancelled or
//   finished), then the outcome is mirrored into pg-boss: complete, fail (pg-boss retries), or
//   fail and cancel when no attempt is left;
// - the lease sweeper takes back the jobs of a dead worker and fails their pg-boss attempt so
//   pg-boss hands the job to a live worker.
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import { withTransaction } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { Outcome } from './job-executor.ts';
import type { JobRow } from './job-store.ts';
import { TableJobQueue, type TableQueueDeps } from './table-queue.ts';

/** pg-boss retries beyond our attempts: room for attempts interrupted by shutdowns or expiry. */
const RETRY_SLACK = 3;

/** Run pg-boss's SQL on our transaction, so its job commits with our row. */
function onTransaction(tx: Kysely<Database>): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const result = await tx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows as unknown[] };
    },
  } as PgBoss.Db;
}

export interface PgBossQueueDeps extends TableQueueDeps {
  databaseUrl: string;
  /** pg-boss's own connection pool (default 4). */
  poolMax?: number;
}

export class PgBossJobQueue extends TableJobQueue {
  readonly kind = 'pgboss' as const;
  private boss: PgBoss | undefined;
  private starting: Promise<PgBoss> | undefined;
  private readonly queues = new Set<string>();
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;

  constructor(private readonly bossDeps: PgBossQueueDeps) {
    if (bossDeps.database.dialect !== 'postgres') {
      throw new Error('The pg-boss job queue needs PostgreSQL');
    }
    super(bossDeps);
  }

  override async start(): Promise<void> {
    await this.connect();
  }

  private connect(): Promise<PgBoss> {
    this.starting ??= (async () => {
      // Loaded only by processes configured with JOB_QUEUE=pgboss.
      const { default: PgBossClass } = await import('pg-boss');
      const boss = new PgBossClass({
        connectionString: this.bossDeps.databaseUrl,
        max: this.bossDeps.poolMax ?? 4,
        application_name: 'skillbridge-jobs',
        // Schedules are ours (job_schedules); pg-boss maintenance (expiry, archive) stays on.
        schedule: false,
        supervise: true,
        migrate: true,
        archiveCompletedAfterSeconds: 3600,
        deleteAfterDays: 7,
      });
      boss.on('error', (err) => this.log.warn({ err }, 'pg-boss reported an error'));
      try {
        await boss.start();
      } catch (err) {
        this.starting = undefined;
        throw err;
      }
      this.boss = boss;
      return boss;
    })();
    return this.starting;
  }

  private async ensureQueue(type: string): Promise<PgBoss> {
    const boss = await this.connect();
    if (this.queues.has(type)) return boss;
    if (!(await boss.getQueue(type))) {
      // pg-boss's create_queue deadlocks when two processes create one queue at the same time
      // (workers starting together): take turns under an advisory lock.
      await withTransaction(this.deps.database.db, async (tx) => {
        await sql`select pg_advisory_xact_lock(hashtext('skillbridge.pgboss.create_queue'))`.execute(
          tx,
        );
        if (!(await boss.getQueue(type))) await boss.createQueue(type);
      });
    }
    this.queues.add(type);
    return boss;
  }

  override async enqueue(...args: Parameters<TableJobQueue['enqueue']>) {
    // The queue must exist before the transaction that sends to it commits.
    if (this.registry.has(args[0])) await this.ensureQueue(args[0]);
    return super.enqueue(...args);
  }

  protected async dispatchInTransaction(tx: Kysely<Database>, row: JobRow): Promise<void> {
    const boss = await this.ensureQueue(row.type);
    const def = this.registry.get(row.type);
    await boss.send(
      row.type,
      {},
      {
        id: row.id,
        startAfter: new Date(row.run_after),
        retryLimit: row.max_attempts - 1 + RETRY_SLACK,
        // pg-boss counts in whole seconds and makes backoff at least 1 s: sub-second backoffs
        // retry at once.
        retryDelay: Math.round(row.backoff_ms / 1000),
        retryBackoff: row.backoff_ms >= 1000,
        // pg-boss's own backstop; our timeout aborts the handler first.
        expireInSeconds: Math.min(Math.ceil(def.timeoutMs / 1000) + 60, 23 * 3600),
        db: onTransaction(tx),
      },
    );
  }

  protected wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  protected async afterCancel(row: JobRow): Promise<void> {
    const boss = await this.ensureQueue(row.type);
    await boss.cancel(row.type, row.id);
  }

  protected async recoverExpired(row: JobRow): Promise<void> {
    const outcome = await this.requeueOrFail(row);
    if (outcome.kind === 'gone') return;
    const boss = await this.ensureQueue(row.type);
    const current = await boss.getJobById(row.type, row.id);
    if (current?.state === 'active') {
      await boss.fail(row.type, row.id, { message: 'the worker stopped renewing its lease' });
    }
    if (outcome.kind === 'failed') await this.stopRetrying(row.type, row.id);
    else this.wake();
  }

  /** pg-boss must not deliver a job we ended. */
  private async stopRetrying(type: string, id: string): Promise<void> {
    const boss = await this.ensureQueue(type);
    const current = await boss.getJobById(type, id);
    if (current && ['created', 'retry', 'active'].includes(current.state)) {
      await boss.cancel(type, id);
    }
  }

  protected async startDispatch(): Promise<void> {
    for (const type of this.registry.types()) await this.ensureQueue(type);
    this.loop = this.fetchLoop();
  }

  protected async stopDispatch(): Promise<void> {
    this.wake();
    await this.loop;
    this.loop = undefined;
  }

  protected async closeDispatch(): Promise<void> {
    const boss = this.boss;
    this.boss = undefined;
    this.starting = undefined;
    this.queues.clear();
    if (boss) await boss.stop({ graceful: false, close: true, wait: true });
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      if (this.woken) done();
    }).then(() => {
      this.wakeUp = undefined;
      this.woken = false;
    });
  }

  /** Fetch from every registered queue in turn while slots are free; sleep when nothing is due. */
  private async fetchLoop(): Promise<void> {
    const { config } = this.deps;
    const idleMs = Math.max(config.pollIntervalMs, 500);
    let start = 0;
    while (!this.stopping) {
      const boss = this.boss;
      if (!boss) break;
      const types = this.registry.types();
      let fetched = 0;
      let full = false;
      for (let i = 0; i < types.length && !this.stopping; i++) {
        const free = config.concurrency - this.executor.running.size;
        if (free <= 0) {
          full = true;
          break;
        }
        const type = types[(start + i) % types.length]!;
        const jobs = await boss.fetch(type, { batchSize: free, includeMetadata: true });
        fetched += jobs.length;
        for (const job of jobs) {
          const delivery = this.deliver(type, job.id).catch((err: unknown) =>
            this.log.error({ err, jobId: job.id }, 'a pg-boss delivery failed'),
          );
          void delivery.then(() => this.wake());
        }
      }
      start++;
      // Full: a finishing job wakes us. Nothing due: a notification or the poll does.
      if (full || fetched === 0) await this.sleep(idleMs);
    }
  }

  private async deliver(type: string, id: string): Promise<void> {
    const boss = await this.ensureQueue(type);
    const def = this.registry.get(type);
    const now = this.deps.clock.now();
    const row = await this.store.markRunning({
      id,
      workerId: this.workerId,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + def.leaseMs).toISOString(),
    });
    if (!row) {
      const current = await this.store.get(id);
      if (current?.state === 'queued' || current?.state === 'running') {
        // Delivered again with no attempt left (pg-boss expiry or shutdowns used them up).
        await this.store.failQueued(
          id,
          `The job could not finish in ${current.max_attempts} attempts.`,
          this.now(),
        );
        await boss.cancel(type, id);
      } else if (current?.state === 'cancelled') {
        await boss.cancel(type, id);
      } else {
        await boss.complete(type, id);
      }
      return;
    }
    const outcome = await this.executor.start(row).done;
    await this.mirror(type, id, outcome);
  }

  private async mirror(type: string, id: string, outcome: Outcome): Promise<void> {
    const boss = await this.ensureQueue(type);
    switch (outcome.kind) {
      case 'complete':
        await boss.complete(type, id);
        return;
      case 'retry':
      case 'released': {
        await boss.fail(type, id, {
          message: outcome.kind === 'retry' ? outcome.reason : 'released',
        });
        const current = await boss.getJobById(type, id);
        if (current?.state === 'failed') {
          await this.store.failQueued(id, 'The job could not finish in its attempts.', this.now());
        }
        return;
      }
      case 'failed':
        await boss.fail(type, id, { message: outcome.reason });
        await this.stopRetrying(type, id);
        return;
      case 'gone':
        // Cancelled (pg-boss was told by cancel()) or taken over by another worker after the
        // lease expired: that worker's attempt owns the pg-boss job now.
        return;
    }
  }
}
