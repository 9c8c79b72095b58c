import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createTestDatabase,
  testDialects,
  type TestDatabase,
} from '../../../test/helpers/test-db.ts';
import { parseDatabaseUrl } from '../../config/env.ts';
import { FakeClock, systemClock, type Clock } from '../../platform/clock.ts';
import { ConflictError } from '../../platform/errors.ts';
import { createDatabase, type DatabaseHandle } from '../db/database.ts';
import { JobFailure, JobPayloadError } from './job-queue.ts';
import { JobStore } from './job-store.ts';
import { PgBossJobQueue } from './pgboss-queue.ts';
import { deferred, jobsConfig, silentLogger, until, waitForJob } from './queue-test-kit.ts';

const postgres = testDialects().includes('postgres');

async function bossState(handle: DatabaseHandle, id: string): Promise<string | undefined> {
  const result = await sql<{
    state: string;
  }>`select state::text as state from pgboss.job where id = ${id}::uuid`.execute(handle.db);
  return result.rows[0]?.state;
}

describe.runIf(postgres)('pg-boss job queue on PostgreSQL', () => {
  let db: TestDatabase;
  const queues: PgBossJobQueue[] = [];
  const handles: DatabaseHandle[] = [];
  const make = (
    options: {
      clock?: Clock;
      workerId?: string;
      database?: DatabaseHandle;
      leaseMs?: number;
    } = {},
  ) => {
    const queue = new PgBossJobQueue({
      database: options.database ?? db.handle,
      clock: options.clock ?? systemClock,
      logger: silentLogger,
      config: jobsConfig({
        queue: 'pgboss',
        ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      }),
      databaseUrl: db.url,
      maintenanceIntervalMs: 60_000, // tests call runMaintenance() themselves
      ...(options.workerId ? { workerId: options.workerId } : {}),
    });
    queues.push(queue);
    return queue;
  };
  const secondHandle = () => {
    const handle = createDatabase(parseDatabaseUrl(db.url, 4));
    handles.push(handle);
    return handle;
  };

  beforeEach(async () => {
    db = await createTestDatabase('postgres');
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop()));
    await Promise.all(handles.splice(0).map((h) => h.destroy()));
    await db.drop();
  });

  const echo = {
    type: 'test.echo',
    schema: z.object({ text: z.string().min(1) }),
    async handler(
      { text }: { text: string },
      ctx: { progress(p: number, m?: string): Promise<void> },
    ) {
      await ctx.progress(50, 'halfway');
      return { echoed: text };
    },
  };

  it('runs a job through pg-boss and records it in the jobs table', async () => {
    const queue = make();
    queue.register(echo);
    await queue.startWorker();
    const job = await queue.enqueue('test.echo', { text: 'hello' });
    const done = await waitForJob(queue, job.id);
    expect(done).toMatchObject({
      state: 'complete',
      attempts: 1,
      progress: 100,
      result: { echoed: 'hello' },
    });
    expect(done.message).toBe('halfway');
    expect(await bossState(db.handle, job.id)).toBe('completed');
  });

  it('rejects an invalid payload before anything reaches pg-boss', async () => {
    const queue = make();
    queue.register(echo);
    await expect(queue.enqueue('test.echo', { text: '' })).rejects.toBeInstanceOf(JobPayloadError);
    expect((await queue.list({ limit: 10, offset: 0 })).total).toBe(0);
    const jobs = await sql<{
      n: number;
    }>`select count(*)::int as n from pgboss.job where name = 'test.echo'`.execute(db.handle.db);
    expect(jobs.rows[0]?.n).toBe(0);
  });

  it('retries through pg-boss, then ends failed with the last error and is not delivered again', async () => {
    const queue = make();
    const attempts: number[] = [];
    queue.register({
      type: 'test.flaky',
      schema: z.object({}),
      maxAttempts: 3,
      backoffMs: 0,
      async handler(_p, ctx) {
        attempts.push(ctx.attempt);
        throw new JobFailure(`Upstream said no (attempt ${ctx.attempt})`);
      },
    });
    await queue.startWorker();
    const job = await queue.enqueue('test.flaky', {});
    const failed = await waitForJob(queue, job.id, undefined, 15_000);
    expect(failed).toMatchObject({
      state: 'failed',
      attempts: 3,
      failureReason: 'Upstream said no (attempt 3)',
    });
    expect(attempts).toEqual([1, 2, 3]);
    await new Promise((r) => setTimeout(r, 1200));
    expect(attempts).toEqual([1, 2, 3]);
    expect(['failed', 'cancelled']).toContain(await bossState(db.handle, job.id));
  });

  it('cancels queued and running jobs in both records', async () => {
    const queue = make();
    const started = deferred();
    let aborted = false;
    queue.register({
      type: 'test.wait',
      schema: z.object({}),
      async handler(_p, ctx) {
        started.resolve();
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          }),
        );
      },
    });
    await queue.startWorker();
    const later = await queue.enqueue(
      'test.wait',
      {},
      { runAfter: new Date(Date.now() + 3600_000) },
    );
    expect((await queue.cancel(later.id)).state).toBe('cancelled');
    expect(await bossState(db.handle, later.id)).toBe('cancelled');

    const running = await queue.enqueue('test.wait', {});
    await started.promise;
    expect((await queue.cancel(running.id)).state).toBe('cancelled');
    await until(() => aborted, 'the handler to be aborted');
    await until(() => queue.runningJobIds().length === 0, 'the worker to be idle');
    expect((await queue.get(running.id))?.state).toBe('cancelled');
    expect(await bossState(db.handle, running.id)).toBe('cancelled');
    await expect(queue.cancel(running.id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('shares the work between two workers, each job exactly once', async () => {
    const runs = new Map<number, string[]>();
    const workers = [make({ workerId: 'w1' }), make({ workerId: 'w2', database: secondHandle() })];
    for (const [i, w] of workers.entries()) {
      w.register({
        type: 'test.count',
        schema: z.object({ n: z.number().int() }),
        async handler({ n }) {
          runs.set(n, [...(runs.get(n) ?? []), `w${i + 1}`]);
          await new Promise((r) => setTimeout(r, 5));
        },
      });
    }
    await Promise.all(workers.map((w) => w.startWorker()));
    const ids: string[] = [];
    for (let n = 0; n < 40; n++) ids.push((await workers[0]!.enqueue('test.count', { n })).id);
    for (const id of ids) expect((await waitForJob(workers[1]!, id)).state).toBe('complete');
    expect(runs.size).toBe(40);
    expect([...runs.values()].every((by) => by.length === 1)).toBe(true);
    const by = new Set([...runs.values()].flat());
    expect(by).toEqual(new Set(['w1', 'w2']));
  });

  it("takes back a dead worker's job after its lease and runs it elsewhere", async () => {
    const survivor = make({ workerId: 'survivor', leaseMs: 1000 });
    survivor.register({ ...echo, maxAttempts: 2, backoffMs: 0 });
    const job = await survivor.enqueue('test.echo', { text: 'again' });
    // What a worker does before it is killed: pg-boss hands it the job, it starts the attempt.
    const raw = new JobStore(db.handle.db, 'postgres');
    const fetched =
      await sql`update pgboss.job set state = 'active', started_on = now() where id = ${job.id}::uuid`.execute(
        db.handle.db,
      );
    expect(Number(fetched.numAffectedRows)).toBe(1);
    const started = await raw.markRunning({
      id: job.id,
      workerId: 'killed',
      now: new Date().toISOString(),
      leaseUntil: new Date(Date.now() + 1000).toISOString(),
    });
    expect(started?.attempts).toBe(1);

    await survivor.startWorker();
    await new Promise((r) => setTimeout(r, 1100));
    await survivor.runMaintenance();
    const done = await waitForJob(survivor, job.id);
    expect(done).toMatchObject({ state: 'complete', attempts: 2, result: { echoed: 'again' } });
    expect(await bossState(db.handle, job.id)).toBe('completed');
  });

  it('runs a schedule once per tick across two instances', async () => {
    const clock = new FakeClock('2026-03-02T10:00:00.000Z');
    const a = make({ clock, workerId: 'a' });
    const b = make({ clock, workerId: 'b', database: secondHandle() });
    for (const q of [a, b]) {
      q.register(echo);
      await q.schedule({
        name: 'hourly-echo',
        cron: '@hourly',
        type: 'test.echo',
        payload: { text: 'tick' },
      });
    }
    clock.set('2026-03-02T11:00:05.000Z');
    await Promise.all([a.runMaintenance(), b.runMaintenance(), b.runMaintenance()]);
    const jobs = await a.list({ limit: 10, offset: 0 });
    expect(jobs.total).toBe(1);
    expect(await bossState(db.handle, jobs.jobs[0]!.id)).toBe('created');
  });
});
