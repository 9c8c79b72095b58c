// The jobs and job_schedules tables, one query per method. Both queue adapters use it; every
// update of a running job names the worker that holds it, so a worker that lost its job (lease
// expired, cancelled) can never overwrite what happened since.
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from '../db/database.ts';
import type { Database, JobsTable, JobSchedulesTable } from '../db/schema.ts';
import type { JobListFilter, JobRecord, JobState } from './job-queue.ts';

export type JobRow = Selectable<JobsTable>;
export type ScheduleRow = Selectable<JobSchedulesTable>;

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    type: row.type,
    payload: JSON.parse(row.payload) as unknown,
    state: row.state,
    progress: row.progress,
    message: row.message,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    userId: row.user_id,
    failureReason: row.failure_reason,
    errorDetail: row.error_detail,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    runAfter: row.run_after,
  };
}

export interface NewJobRow {
  id: string;
  type: string;
  payload: string;
  maxAttempts: number;
  backoffMs: number;
  userId: string | null;
  now: string;
  runAfter: string;
}

export class JobStore {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {}

  withDb(db: Kysely<Database>): JobStore {
    return new JobStore(db, this.dialect);
  }

  async insert(job: NewJobRow): Promise<JobRow> {
    const row: JobRow = {
      id: job.id,
      type: job.type,
      payload: job.payload,
      state: 'queued',
      progress: 0,
      message: null,
      attempts: 0,
      max_attempts: job.maxAttempts,
      backoff_ms: job.backoffMs,
      user_id: job.userId,
      failure_reason: null,
      error_detail: null,
      result: null,
      created_at: job.now,
      updated_at: job.now,
      started_at: null,
      finished_at: null,
      run_after: job.runAfter,
      lease_expires_at: null,
      locked_by: null,
    };
    await this.db.insertInto('jobs').values(row).execute();
    return row;
  }

  async get(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(filter: JobListFilter): Promise<{ rows: JobRow[]; total: number }> {
    let query = this.db.selectFrom('jobs');
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /**
   * Atomically take up to `limit` due jobs of the given types: one UPDATE … RETURNING (SQLite
   * runs it under its write lock; PostgreSQL skips rows another worker is claiming).
   */
  async claim(options: {
    types: readonly string[];
    limit: number;
    workerId: string;
    now: string;
    leaseUntil: string;
  }): Promise<JobRow[]> {
    if (options.types.length === 0 || options.limit <= 0) return [];
    let due = this.db
      .selectFrom('jobs')
      .select('id')
      .where('state', '=', 'queued')
      .where('run_after', '<=', options.now)
      .where('type', 'in', options.types)
      .orderBy('run_after')
      .orderBy('created_at')
      .limit(options.limit);
    if (this.dialect === 'postgres') due = due.forUpdate().skipLocked();
    return this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        attempts: eb('attempts', '+', 1),
        started_at: options.now,
        updated_at: options.now,
        lease_expires_at: options.leaseUntil,
        locked_by: options.workerId,
      }))
      .where('id', 'in', due)
      .where('state', '=', 'queued')
      .returningAll()
      .execute();
  }

  /**
   * pg-boss delivered this job: start the next attempt, unless it was cancelled or finished
   * meanwhile or has no attempts left.
   */
  async markRunning(options: {
    id: string;
    workerId: string;
    now: string;
    leaseUntil: string;
  }): Promise<JobRow | undefined> {
    return this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        attempts: eb('attempts', '+', 1),
        started_at: options.now,
        updated_at: options.now,
        lease_expires_at: options.leaseUntil,
        locked_by: options.workerId,
      }))
      .where('id', '=', options.id)
      .where('state', 'in', ['queued', 'running'])
      .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
      .returningAll()
      .executeTakeFirst();
  }

  /** Renew the leases of the jobs this worker runs; returns the ids it still holds. */
  async heartbeat(workerId: string, ids: readonly string[], leaseUntil: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .updateTable('jobs')
      .set({ lease_expires_at: leaseUntil })
      .where('id', 'in', ids)
      .where('state', '=', 'running')
      .where('locked_by', '=', workerId)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** False when the worker no longer holds the job. */
  async saveProgress(options: {
    id: string;
    workerId: string;
    progress: number;
    message: string | null;
    now: string;
  }): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ progress: options.progress, message: options.message, updated_at: options.now })
      .where('id', '=', options.id)
      .where('state', '=', 'running')
      .where('locked_by', '=', options.workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async complete(options: {
    id: string;
    workerId: string;
    result: string | null;
    message: string | null;
    now: string;
  }): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({
        state: 'complete',
        progress: 100,
        message: options.message,
        result: options.result,
        failure_reason: null,
        finished_at: options.now,
        updated_at: options.now,
        lease_expires_at: null,
        locked_by: null,
      })
      .where('id', '=', options.id)
      .where('state', '=', 'running')
      .where('locked_by', '=', options.workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The attempt failed and another one will follow at `runAfter`. */
  async retryLater(options: {
    id: string;
    workerId: string;
    runAfter: string;
    reason: string;
    errorDetail: string | null;
    message: string;
    now: string;
  }): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({
        state: 'queued',
        run_after: options.runAfter,
        failure_reason: options.reason,
        error_detail: options.errorDetail,
        message: options.message,
        updated_at: options.now,
        lease_expires_at: null,
        locked_by: null,
      })
      .where('id', '=', options.id)
      .where('state', '=', 'running')
      .where('locked_by', '=', options.workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async fail(options: {
    id: string;
    workerId: string;
    reason: string;
    errorDetail: string | null;
    now: string;
  }): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({
        state: 'failed',
        failure_reason: options.reason,
        error_detail: options.errorDetail,
        finished_at: options.now,
        updated_at: options.now,
        lease_expires_at: null,
        locked_by: null,
      })
      .where('id', '=', options.id)
      .where('state', '=', 'running')
      .where('locked_by', '=', options.workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The worker is shutting down: back to the queue, the interrupted attempt not counted. */
  async release(options: { id: string; workerId: string; now: string }): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'queued',
        attempts: eb('attempts', '-', 1),
        run_after: options.now,
        message: 'Interrupted by a worker shutting down; waiting for another worker.',
        updated_at: options.now,
        lease_expires_at: null,
        locked_by: null,
      }))
      .where('id', '=', options.id)
      .where('state', '=', 'running')
      .where('locked_by', '=', options.workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async cancel(id: string, reason: string, now: string): Promise<JobRow | undefined> {
    return this.db
      .updateTable('jobs')
      .set({
        state: 'cancelled',
        failure_reason: reason,
        finished_at: now,
        updated_at: now,
        lease_expires_at: null,
        locked_by: null,
      })
      .where('id', '=', id)
      .where('state', 'in', ['queued', 'running'])
      .returningAll()
      .executeTakeFirst();
  }

  /** A queued job the dispatcher (pg-boss) gave up on: failed, with the reason it last had. */
  async failQueued(id: string, fallbackReason: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'failed',
        failure_reason: eb.fn.coalesce('failure_reason', eb.val(fallbackReason)),
        finished_at: now,
        updated_at: now,
      }))
      .where('id', '=', id)
      .where('state', '=', 'queued')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Running jobs whose worker stopped renewing the lease. */
  async expiredLeases(now: string, limit: number): Promise<JobRow[]> {
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', 'running')
      .where('lease_expires_at', '<', now)
      .orderBy('lease_expires_at')
      .limit(limit)
      .execute();
  }

  /**
   * Take a job back from a worker that stopped responding: queued again or failed. Conditional
   * on the very lease that expired, so a worker renewing at the same moment keeps its job.
   */
  async recoverExpired(
    row: JobRow,
    outcome:
      | { state: 'queued'; runAfter: string; reason: string; now: string }
      | { state: 'failed'; reason: string; now: string },
  ): Promise<boolean> {
    const set =
      outcome.state === 'queued'
        ? {
            state: 'queued' as const,
            run_after: outcome.runAfter,
            failure_reason: outcome.reason,
            message: 'The worker stopped responding; waiting to retry.',
          }
        : { state: 'failed' as const, failure_reason: outcome.reason, finished_at: outcome.now };
    let query = this.db
      .updateTable('jobs')
      .set({
        ...set,
        error_detail: null,
        updated_at: outcome.now,
        lease_expires_at: null,
        locked_by: null,
      })
      .where('id', '=', row.id)
      .where('state', '=', 'running');
    query =
      row.locked_by === null
        ? query.where('locked_by', 'is', null)
        : query.where('locked_by', '=', row.locked_by);
    query =
      row.lease_expires_at === null
        ? query.where('lease_expires_at', 'is', null)
        : query.where('lease_expires_at', '=', row.lease_expires_at);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Delete finished jobs older than `before`; returns how many. */
  async purgeFinished(before: string): Promise<number> {
    const states: JobState[] = ['complete', 'failed', 'cancelled'];
    const result = await this.db
      .deleteFrom('jobs')
      .where('state', 'in', states)
      .where('finished_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async getSchedule(name: string): Promise<ScheduleRow | undefined> {
    return this.db
      .selectFrom('job_schedules')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
  }

  /** Create the schedule unless another instance already did. */
  async insertSchedule(row: ScheduleRow): Promise<void> {
    await this.db
      .insertInto('job_schedules')
      .values(row)
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }

  async updateSchedule(
    name: string,
    set: { cron: string; type: string; payload: string; next_run_at: string; updated_at: string },
  ): Promise<void> {
    await this.db.updateTable('job_schedules').set(set).where('name', '=', name).execute();
  }

  async dueSchedules(now: string, names: readonly string[]): Promise<ScheduleRow[]> {
    if (names.length === 0) return [];
    return this.db
      .selectFrom('job_schedules')
      .selectAll()
      .where('next_run_at', '<=', now)
      .where('name', 'in', names)
      .execute();
  }

  /**
   * Claim one tick of a schedule: moves next_run_at forward only if nobody did since we read it.
   * True for exactly one instance per tick.
   */
  async claimTick(options: {
    name: string;
    expectedNextRunAt: string;
    nextRunAt: string;
    now: string;
  }): Promise<boolean> {
    const result = await this.db
      .updateTable('job_schedules')
      .set({ next_run_at: options.nextRunAt, last_run_at: options.now, updated_at: options.now })
      .where('name', '=', options.name)
      .where('next_run_at', '=', options.expectedNextRunAt)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
