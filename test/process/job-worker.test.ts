// `skillbridge worker` as real processes sharing one database: kill -9 a worker in the middle of
// its jobs and start another; after the lease (JOB_LEASE_SECONDS=2) the jobs run again and
// complete, or end failed with a reason once their attempts are used up; none is left running.
// SIGTERM stops a worker gracefully: its running job goes back to the queue, the attempt not
// counted. On SQLite (a file), PostgreSQL with the embedded queue, and PostgreSQL with pg-boss.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeps, createReadyDeps, type Deps } from '../../src/container.ts';
import type { JobRecord } from '../../src/infra/queue/job-queue.ts';
import { until, waitForJob } from '../../src/infra/queue/queue-test-kit.ts';
import { WORKER_CHECK_JOB } from '../../src/modules/jobs/worker-check-job.ts';
import { testConfig } from '../helpers/build-test-app.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/test-db.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';

const SECRET = 'process-test-secret-0123456789abcdef';

interface Variant {
  name: string;
  dialect: 'sqlite' | 'postgres';
  queue: 'embedded' | 'pgboss';
}

const variants: Variant[] = [
  { name: 'SQLite file, embedded queue', dialect: 'sqlite', queue: 'embedded' },
  ...(testDialects().includes('postgres')
    ? ([
        { name: 'PostgreSQL, embedded queue', dialect: 'postgres', queue: 'embedded' },
        { name: 'PostgreSQL, pg-boss', dialect: 'postgres', queue: 'pgboss' },
      ] as const)
    : []),
];

describe.each(variants)('skillbridge worker processes on $name', (variant) => {
  let dataDir: string;
  let databaseUrl: string;
  let pg: TestDatabase | undefined;
  /** This test's own view of the database: enqueues and reads jobs, never runs them. */
  let deps: Deps;
  const workers: WorkerProcess[] = [];

  const env = () => ({
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: SECRET,
    JOB_QUEUE: variant.queue,
    JOB_LEASE_SECONDS: '2',
    JOB_POLL_INTERVAL_MS: '100',
    SHUTDOWN_TIMEOUT_MS: '4000',
  });
  const worker = async () => {
    const w = await startWorkerProcess({ env: env() });
    workers.push(w);
    return w;
  };
  const job = async (id: string): Promise<JobRecord> => {
    const found = await deps.jobs.get(id);
    if (!found) throw new Error(`job ${id} is gone`);
    return found;
  };
  const runningWithProgress = (attempt: number) => (j: JobRecord) =>
    j.state === 'running' && j.attempts === attempt && j.progress > 0;

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-worker-'));
    const logger = pino({ level: 'silent' });
    if (variant.dialect === 'sqlite') {
      databaseUrl = `sqlite:${path.join(dataDir, 'skillbridge.db')}`;
      const config = testConfig({ DATABASE_URL: databaseUrl, JOB_QUEUE: variant.queue });
      deps = await createReadyDeps(config, { logger });
    } else {
      pg = await createTestDatabase('postgres');
      databaseUrl = pg.url;
      const config = testConfig({ DATABASE_URL: databaseUrl, JOB_QUEUE: variant.queue });
      deps = createDeps(config, { database: pg.handle, logger });
    }
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
    if (pg) {
      await deps.jobs.stop();
      await pg.drop();
      pg = undefined;
    } else {
      await deps.close();
    }
  });

  it('runs the jobs of a killed worker again, or fails them once no attempt is left', async () => {
    // The long job will be interrupted twice (its 2 attempts); the short one once.
    const long = await deps.jobs.enqueue(WORKER_CHECK_JOB, { durationSeconds: 30, steps: 60 });
    const short = await deps.jobs.enqueue(WORKER_CHECK_JOB, { durationSeconds: 2, steps: 4 });

    const first = await worker();
    await waitForJob(deps.jobs, long.id, runningWithProgress(1), 20_000);
    await waitForJob(deps.jobs, short.id, runningWithProgress(1), 20_000);
    await first.kill();
    // Nobody renews the leases now, but until someone notices the jobs still look running.
    expect((await job(long.id)).state).toBe('running');
    expect((await job(short.id)).state).toBe('running');

    const second = await worker();
    const shortDone = await waitForJob(deps.jobs, short.id, undefined, 30_000);
    expect(shortDone).toMatchObject({ state: 'complete', attempts: 2, progress: 100 });
    expect(shortDone.result).toMatchObject({ steps: 4, attempt: 2 });
    await waitForJob(deps.jobs, long.id, runningWithProgress(2), 20_000);
    await second.kill();

    await worker();
    const longDone = await waitForJob(deps.jobs, long.id, undefined, 30_000);
    expect(longDone.state).toBe('failed');
    expect(longDone.attempts).toBe(2);
    expect(longDone.failureReason).toBe(
      'The worker running this job stopped responding, and all 2 attempts are used up.',
    );
    expect(longDone.finishedAt).not.toBeNull();
    const { total } = await deps.jobs.list({ state: 'running', limit: 1, offset: 0 });
    expect(total).toBe(0);
  }, 120_000);

  it('puts the running job back in the queue on SIGTERM and exits 0', async () => {
    const long = await deps.jobs.enqueue(WORKER_CHECK_JOB, { durationSeconds: 30, steps: 60 });
    const w = await worker();
    await waitForJob(deps.jobs, long.id, runningWithProgress(1), 20_000);
    const stoppedAt = Date.now();
    const code = await w.stop();
    expect(code).toBe(0);
    // A third of SHUTDOWN_TIMEOUT_MS of grace, then the abort: well inside the timeout.
    expect(Date.now() - stoppedAt).toBeLessThan(4000);
    const released = await job(long.id);
    expect(released).toMatchObject({ state: 'queued', attempts: 0 });
    expect(released.message).toMatch(/Interrupted by a worker shutting down/);

    // The next worker takes it from where the queue stands: a fresh first attempt.
    await worker();
    await until(async () => (await job(long.id)).attempts === 1, 'the job to run again', 20_000);
    expect((await job(long.id)).state).toBe('running');
  }, 90_000);
});
