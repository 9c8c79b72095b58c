import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createTestDatabase,
  testDialects,
  type TestDatabase,
} from '../../../test/helpers/test-db.ts';
import { parseDatabaseUrl } from '../../config/env.ts';
import { FakeClock } from '../../platform/clock.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { createDatabase, type Dialect } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { EmbeddedJobQueue } from './embedded-queue.ts';
import { UNEXPECTED_FAILURE } from './job-executor.ts';
import { JobFailure, JobPayloadError, type JobQueue } from './job-queue.ts';
import { JobStore } from './job-store.ts';
import {
  deferred,
  jobsConfig,
  silentLogger,
  until,
  waitForJob,
  type QueueFactoryOptions,
} from './queue-test-kit.ts';

function embedded(options: QueueFactoryOptions): EmbeddedJobQueue {
  return new EmbeddedJobQueue({
    database: options.database,
    clock: options.clock,
    logger: silentLogger,
    config: jobsConfig(options.config),
    databaseUrl: options.databaseUrl,
    ...(options.workerId ? { workerId: options.workerId } : {}),
    maintenanceIntervalMs: 60_000, // tests call runMaintenance() themselves
  });
}

const echo = {
  type: 'test.echo',
  schema: z.object({ text: z.string().min(1).max(100), times: z.number().int().min(1).default(1) }),
  async handler(payload: { text: string; times: number }) {
    return { echoed: payload.text.repeat(payload.times) };
  },
};

/** Two handles on one database, as two processes would have. */
async function sharedDatabase(dialect: Dialect, db: TestDatabase) {
  if (dialect === 'postgres') {
    const second = createDatabase(parseDatabaseUrl(db.url, 4));
    return { first: db.handle, second, close: () => second.destroy() };
  }
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-jobs-')), 'jobs.db');
  const first = createDatabase(parseDatabaseUrl(`sqlite:${file}`, 1));
  await migrateToLatest(first);
  const second = createDatabase(parseDatabaseUrl(`sqlite:${file}`, 1));
  return {
    first,
    second,
    close: async () => {
      await first.destroy();
      await second.destroy();
    },
  };
}

describe.each(testDialects())('embedded job queue on %s', (dialect) => {
  let db: TestDatabase;
  let clock: FakeClock;
  const queues: JobQueue[] = [];
  const make = (options: Partial<QueueFactoryOptions> = {}) => {
    const queue = embedded({ database: db.handle, clock, databaseUrl: db.url, ...options });
    queues.push(queue);
    return queue;
  };

  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    clock = new FakeClock('2026-03-02T10:00:00.000Z');
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop()));
    await db.drop();
  });

  it('runs an enqueued job to complete with its result, times and progress', async () => {
    const queue = make();
    queue.register(echo);
    await queue.startWorker();
    const job = await queue.enqueue('test.echo', { text: 'ab', times: 2 });
    expect(job).toMatchObject({ state: 'queued', attempts: 0, maxAttempts: 3, progress: 0 });
    const done = await waitForJob(queue, job.id);
    expect(done).toMatchObject({
      state: 'complete',
      progress: 100,
      attempts: 1,
      result: { echoed: 'abab' },
      payload: { text: 'ab', times: 2 },
      failureReason: null,
      createdAt: '2026-03-02T10:00:00.000Z',
      startedAt: '2026-03-02T10:00:00.000Z',
      finishedAt: '2026-03-02T10:00:00.000Z',
    });
  });

  it('validates the payload at enqueue and stores nothing when it is wrong', async () => {
    const queue = make();
    queue.register(echo);
    const error = await queue.enqueue('test.echo', { text: '', times: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobPayloadError);
    expect((error as JobPayloadError).statusCode).toBe(400);
    expect((error as JobPayloadError).errors?.map((e) => e.path).sort()).toEqual(['text', 'times']);
    await expect(queue.enqueue('test.echo', 'not an object')).rejects.toBeInstanceOf(
      JobPayloadError,
    );
    await expect(queue.enqueue('test.unknown', {})).rejects.toThrow(/No job type "test.unknown"/);
    expect((await queue.list({ limit: 10, offset: 0 })).total).toBe(0);
  });

  it('retries with exponential backoff, then ends failed with the last error', async () => {
    const queue = make();
    const attempts: number[] = [];
    queue.register({
      type: 'test.flaky',
      schema: z.object({}),
      maxAttempts: 3,
      backoffMs: 1000,
      async handler(_payload, ctx) {
        attempts.push(ctx.attempt);
        throw new JobFailure(`The service answered 503 (attempt ${ctx.attempt})`);
      },
    });
    await queue.startWorker();
    const job = await queue.enqueue('test.flaky', {});

    const first = await waitForJob(queue, job.id, (j) => j.state === 'queued' && j.attempts === 1);
    expect(first.runAfter).toBe('2026-03-02T10:00:01.000Z');
    expect(first.failureReason).toBe('The service answered 503 (attempt 1)');
    expect(first.message).toMatch(/Attempt 1 of 3 failed; retrying in 1 s/);
    // Not before its time.
    await new Promise((r) => setTimeout(r, 200));
    expect(attempts).toEqual([1]);

    clock.advance(1000);
    const second = await waitForJob(queue, job.id, (j) => j.state === 'queued' && j.attempts === 2);
    expect(second.runAfter).toBe('2026-03-02T10:00:03.000Z'); // 2 s after the second attempt
    clock.advance(1999);
    await new Promise((r) => setTimeout(r, 200));
    expect(attempts).toEqual([1, 2]);

    clock.advance(1);
    const failed = await waitForJob(queue, job.id);
    expect(failed).toMatchObject({
      state: 'failed',
      attempts: 3,
      failureReason: 'The service answered 503 (attempt 3)',
      errorDetail: null,
      finishedAt: '2026-03-02T10:00:03.000Z',
    });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('fails at once on a non-retryable failure, and hides unexpected errors behind a readable reason', async () => {
    const queue = make();
    queue.register({
      type: 'test.bad-image',
      schema: z.object({}),
      async handler() {
        throw new JobFailure('The image could not be read: it is not a PNG or JPEG file.', {
          retryable: false,
        });
      },
    });
    queue.register({
      type: 'test.crash',
      schema: z.object({}),
      maxAttempts: 1,
      async handler() {
        throw new TypeError(
          "Cannot read properties of undefined (reading 'x')\n    at secret.ts:1",
        );
      },
    });
    await queue.startWorker();
    const bad = await waitForJob(queue, (await queue.enqueue('test.bad-image', {})).id);
    expect(bad).toMatchObject({
      state: 'failed',
      attempts: 1,
      failureReason: 'The image could not be read: it is not a PNG or JPEG file.',
    });
    const crash = await waitForJob(queue, (await queue.enqueue('test.crash', {})).id);
    expect(crash.state).toBe('failed');
    expect(crash.failureReason).toBe(UNEXPECTED_FAILURE);
    expect(crash.errorDetail).toBe("TypeError: Cannot read properties of undefined (reading 'x')");
    expect(crash.failureReason).not.toMatch(/secret\.ts|at /);
  });

  it('cancels a queued job before it runs', async () => {
    const queue = make();
    let ran = false;
    queue.register({
      type: 'test.later',
      schema: z.object({}),
      async handler() {
        ran = true;
      },
    });
    await queue.startWorker();
    const job = await queue.enqueue(
      'test.later',
      {},
      { runAfter: new Date('2026-03-02T11:00:00Z') },
    );
    const cancelled = await queue.cancel(job.id, 'Cancelled by Ada.');
    expect(cancelled).toMatchObject({ state: 'cancelled', failureReason: 'Cancelled by Ada.' });
    clock.advance(3600_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(ran).toBe(false);
    expect((await queue.get(job.id))?.state).toBe('cancelled');
    await expect(queue.cancel(job.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(queue.cancel('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('cancels a running job: the handler is aborted and the job stays cancelled', async () => {
    const queue = make();
    const started = deferred();
    let sawAbort = false;
    queue.register({
      type: 'test.long',
      schema: z.object({}),
      async handler(_payload, ctx) {
        await ctx.progress(30, 'Working');
        started.resolve();
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve();
          });
        });
        return { finished: true }; // a handler that returns anyway must not complete the job
      },
    });
    await queue.startWorker();
    const job = await queue.enqueue('test.long', {});
    await started.promise;
    await waitForJob(queue, job.id, (j) => j.progress === 30);
    const cancelled = await queue.cancel(job.id);
    expect(cancelled.state).toBe('cancelled');
    await until(() => sawAbort, 'the handler to see the abort');
    await until(
      () => queue instanceof EmbeddedJobQueue && queue.runningJobIds().length === 0,
      'idle',
    );
    expect(await queue.get(job.id)).toMatchObject({
      state: 'cancelled',
      result: null,
      progress: 30,
    });
  });

  it('notices a cancel made by another process through the lease heartbeat', async () => {
    const shared = await sharedDatabase(dialect, db);
    try {
      // No LISTEN/NOTIFY here: the heartbeat alone must find out.
      const worker = make({
        database: shared.first,
        databaseUrl: undefined,
        config: { leaseMs: 1500 },
      });
      const api = make({ database: shared.second, databaseUrl: undefined });
      let aborted = false;
      for (const q of [worker, api]) {
        q.register({
          type: 'test.wait',
          schema: z.object({}),
          async handler(_p, ctx) {
            await new Promise<void>((resolve) =>
              ctx.signal.addEventListener('abort', () => {
                aborted = true;
                resolve();
              }),
            );
          },
        });
      }
      await worker.startWorker();
      const job = await api.enqueue('test.wait', {});
      await waitForJob(api, job.id, (j) => j.state === 'running');
      await api.cancel(job.id);
      await until(() => aborted, 'the worker to abort the cancelled job', 5000);
      await worker.stop();
      expect((await api.get(job.id))?.state).toBe('cancelled');
    } finally {
      await Promise.all(queues.splice(0).map((q) => q.stop()));
      await shared.close();
    }
  });

  it('throttles progress writes and keeps the last value', async () => {
    const writes: number[] = [];
    const queue = make();
    const store = (queue as unknown as { store: JobStore }).store;
    const original = store.saveProgress.bind(store);
    store.saveProgress = async (options) => {
      writes.push(options.progress);
      return original(options);
    };
    const release = deferred();
    queue.register({
      type: 'test.chatty',
      schema: z.object({}),
      async handler(_p, ctx) {
        for (let i = 1; i <= 1000; i++) await ctx.progress(i / 10, `step ${i}`);
        await release.promise;
      },
    });
    await queue.startWorker();
    const job = await queue.enqueue('test.chatty', {});
    const seen = await waitForJob(
      queue,
      job.id,
      (j) => j.progress === 100 && j.state === 'running',
    );
    expect(seen.message).toBe('step 1000');
    // 1000 reports within a few milliseconds: the first write and the trailing one.
    expect(writes.length).toBeLessThanOrEqual(3);
    release.resolve();
    expect((await waitForJob(queue, job.id)).state).toBe('complete');
  });

  it('recovers the job of a worker that died: retried after the lease, or failed when no attempts remain', async () => {
    const queue = make({ workerId: 'survivor' });
    queue.register({ ...echo, maxAttempts: 2, backoffMs: 500, leaseMs: 5000 });
    queue.register({
      type: 'test.once',
      schema: z.object({}),
      maxAttempts: 1,
      leaseMs: 5000,
      async handler() {},
    });
    const retried = await queue.enqueue('test.echo', { text: 'x' });
    const single = await queue.enqueue('test.once', {});
    // A worker claims both and is killed: it never renews its lease nor reports anything.
    const store = new JobStore(db.handle.db, dialect);
    const claimed = await store.claim({
      types: ['test.echo', 'test.once'],
      limit: 10,
      workerId: 'killed-worker',
      now: clock.now().toISOString(),
      leaseUntil: new Date(clock.now().getTime() + 5000).toISOString(),
    });
    expect(claimed).toHaveLength(2);

    await queue.startWorker();
    await queue.runMaintenance();
    expect((await queue.get(retried.id))?.state).toBe('running'); // lease still valid

    clock.advance(5001);
    await queue.runMaintenance();
    const requeued = await queue.get(retried.id);
    expect(requeued).toMatchObject({ state: 'queued', attempts: 1 });
    expect(requeued?.failureReason).toMatch(/stopped responding \(attempt 1 of 2\)/);
    const failed = await queue.get(single.id);
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed?.failureReason).toMatch(/stopped responding, and all 1 attempts are used up/);

    clock.advance(500);
    const done = await waitForJob(queue, retried.id);
    expect(done).toMatchObject({ state: 'complete', attempts: 2, result: { echoed: 'x' } });
  });

  it('puts running jobs back in the queue on shutdown without counting the attempt', async () => {
    const queue = make();
    const started = deferred();
    queue.register({
      type: 'test.slow',
      schema: z.object({}),
      async handler(_p, ctx) {
        started.resolve();
        await new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
    });
    await queue.startWorker();
    const job = await queue.enqueue('test.slow', {});
    await started.promise;
    await queue.stop({ graceMs: 100 });
    const after = await queue.get(job.id);
    expect(after).toMatchObject({ state: 'queued', attempts: 0 });
    expect(after?.message).toMatch(/worker shutting down/);
  });

  it('runs many jobs with several workers sharing the database, each exactly once', async () => {
    const shared = await sharedDatabase(dialect, db);
    try {
      const runs = new Map<number, number>();
      const workers = [
        make({ database: shared.first, workerId: 'w1' }),
        make({ database: shared.second, workerId: 'w2' }),
      ];
      for (const w of workers) {
        w.register({
          type: 'test.count',
          schema: z.object({ n: z.number().int() }),
          async handler({ n }) {
            runs.set(n, (runs.get(n) ?? 0) + 1);
          },
        });
      }
      const ids: string[] = [];
      for (let n = 0; n < 60; n++) ids.push((await workers[0]!.enqueue('test.count', { n })).id);
      await Promise.all(workers.map((w) => w.startWorker()));
      for (const id of ids) expect((await waitForJob(workers[1]!, id)).state).toBe('complete');
      expect(runs.size).toBe(60);
      expect([...runs.values()].every((count) => count === 1)).toBe(true);
    } finally {
      await Promise.all(queues.splice(0).map((q) => q.stop()));
      await shared.close();
    }
  });

  it('runs a schedule once per tick across two instances sharing one database', async () => {
    // On SQLite both instances use one connection: two better-sqlite3 connections in one thread
    // would block each other on the tick's transaction (separate processes just wait their turn).
    const shared =
      dialect === 'postgres'
        ? await sharedDatabase(dialect, db)
        : { first: db.handle, second: db.handle, close: async () => undefined };
    try {
      const a = make({ database: shared.first, workerId: 'a' });
      const b = make({ database: shared.second, workerId: 'b' });
      for (const q of [a, b]) {
        q.register(echo);
        await q.schedule({
          name: 'weekly-echo',
          cron: '0 3 * * mon',
          type: 'test.echo',
          payload: { text: 'weekly' },
        });
      }
      // 2026-03-02 is a Monday, 10:00: the next tick is the following Monday at 03:00.
      const store = new JobStore(shared.first.db, dialect);
      expect((await store.getSchedule('weekly-echo'))?.next_run_at).toBe(
        '2026-03-09T03:00:00.000Z',
      );

      await Promise.all([a.runMaintenance(), b.runMaintenance()]);
      expect((await a.list({ limit: 10, offset: 0 })).total).toBe(0);

      clock.set('2026-03-09T03:00:30.000Z');
      await Promise.all([a.runMaintenance(), b.runMaintenance(), a.runMaintenance()]);
      const first = await a.list({ limit: 10, offset: 0 });
      expect(first.total).toBe(1);
      expect(first.jobs[0]).toMatchObject({
        type: 'test.echo',
        payload: { text: 'weekly', times: 1 },
        userId: null,
      });
      expect((await store.getSchedule('weekly-echo'))?.next_run_at).toBe(
        '2026-03-16T03:00:00.000Z',
      );

      // Every instance down for three weeks: one catch-up run, not three.
      clock.set('2026-04-01T12:00:00.000Z');
      await Promise.all([b.runMaintenance(), a.runMaintenance()]);
      expect((await a.list({ limit: 10, offset: 0 })).total).toBe(2);
      expect((await store.getSchedule('weekly-echo'))?.next_run_at).toBe(
        '2026-04-06T03:00:00.000Z',
      );
    } finally {
      await Promise.all(queues.splice(0).map((q) => q.stop()));
      await shared.close();
    }
  });

  it('lists with filters, newest first', async () => {
    const queue = make();
    queue.register(echo);
    queue.register({ type: 'test.other', schema: z.object({}), async handler() {} });
    await queue.enqueue('test.echo', { text: 'a' });
    clock.advance(1000);
    const second = await queue.enqueue('test.other', {});
    clock.advance(1000);
    const third = await queue.enqueue('test.echo', { text: 'b' });
    await queue.cancel(third.id);
    const all = await queue.list({ limit: 2, offset: 0 });
    expect(all.total).toBe(3);
    expect(all.jobs.map((j) => j.id)).toEqual([third.id, second.id]);
    expect((await queue.list({ type: 'test.echo', limit: 10, offset: 0 })).total).toBe(2);
    expect((await queue.list({ state: 'cancelled', limit: 10, offset: 0 })).jobs[0]?.id).toBe(
      third.id,
    );
    expect(
      (await queue.list({ userId: '00000000-0000-4000-8000-000000000000', limit: 10, offset: 0 }))
        .total,
    ).toBe(0);
  });
});
