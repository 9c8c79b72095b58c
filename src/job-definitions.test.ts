// The job definitions and schedules every process registers: the maintenance schedules run once
// per tick across instances and do their work; JOB_QUEUE=pgboss needs PostgreSQL.
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../test/helpers/build-test-app.ts';
import { createUser } from '../test/helpers/factories.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/helpers/test-db.ts';
import { ConfigError } from './config/env.ts';
import { createDeps, type Deps } from './container.ts';
import { TableJobQueue } from './infra/queue/table-queue.ts';
import { waitForJob } from './infra/queue/queue-test-kit.ts';
import { registerJobSchedules, startJobWorker } from './job-definitions.ts';
import { PURGE_JOBS_JOB, PURGE_SESSIONS_JOB } from './modules/jobs/maintenance-jobs.ts';
import { WORKER_CHECK_JOB } from './modules/jobs/worker-check-job.ts';
import { FakeClock } from './platform/clock.ts';

const silent = pino({ level: 'silent' });

function tableQueue(deps: Deps): TableJobQueue {
  if (!(deps.jobs instanceof TableJobQueue)) throw new Error('expected a table queue');
  return deps.jobs;
}

describe('job queue configuration', () => {
  it('refuses JOB_QUEUE=pgboss on SQLite with a message naming the variable', () => {
    expect(() => testConfig({ JOB_QUEUE: 'pgboss', DATABASE_URL: 'sqlite::memory:' })).toThrow(
      ConfigError,
    );
    expect(() => testConfig({ JOB_QUEUE: 'pgboss', DATABASE_URL: 'sqlite::memory:' })).toThrow(
      /JOB_QUEUE: pgboss needs PostgreSQL/,
    );
    expect(() => testConfig({ JOB_QUEUE: 'rabbit' })).toThrow(/JOB_QUEUE/);
  });

  it('uses the embedded queue by default', () => {
    const deps = createDeps(testConfig({ DATABASE_URL: 'sqlite::memory:' }), { logger: silent });
    expect(deps.jobs.kind).toBe('embedded');
    expect(deps.jobs.isWorkerRunning()).toBe(false);
    return deps.close();
  });
});

describe.each(testDialects())('maintenance jobs on %s', (dialect) => {
  let db: TestDatabase;
  let clock: FakeClock;
  let instances: Deps[];

  const instance = () => {
    const deps = createDeps(testConfig({ DATABASE_URL: db.url, SESSION_TTL_HOURS: '1' }), {
      database: db.handle,
      clock,
      logger: silent,
    });
    instances.push(deps);
    return deps;
  };
  const jobsOfType = async (deps: Deps, type: string) =>
    (await deps.jobs.list({ type, limit: 100, offset: 0 })).jobs;

  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    // 10:05 UTC: the hourly session purge is due at 10:17, the daily job purge at 03:41.
    clock = new FakeClock('2026-03-02T10:05:00.000Z');
    instances = [];
  });

  afterEach(async () => {
    for (const deps of instances) await deps.jobs.stop();
    await db.drop();
  });

  it('enqueues each scheduled tick once across several instances', async () => {
    const [a, b, c] = [instance(), instance(), instance()];
    for (const deps of [a, b, c]) await registerJobSchedules(deps.jobs);
    const tickAll = () => Promise.all([a, b, c].map((d) => tableQueue(d).runMaintenance()));

    await tickAll();
    expect(await jobsOfType(a, PURGE_SESSIONS_JOB)).toHaveLength(0);

    clock.set('2026-03-02T10:17:00.000Z');
    await tickAll();
    await tickAll();
    const first = await jobsOfType(a, PURGE_SESSIONS_JOB);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ state: 'queued', userId: null });

    // Every instance down for three hours: the missed ticks run once, not three times.
    clock.set('2026-03-02T13:30:00.000Z');
    await tickAll();
    expect(await jobsOfType(b, PURGE_SESSIONS_JOB)).toHaveLength(2);

    clock.set('2026-03-03T03:41:00.000Z');
    await tickAll();
    expect(await jobsOfType(c, PURGE_JOBS_JOB)).toHaveLength(1);
    expect(await jobsOfType(c, PURGE_SESSIONS_JOB)).toHaveLength(3);
  });

  it('purges expired sessions and finished jobs past their retention', async () => {
    const deps = instance();
    const user = await createUser(deps);
    const meta = { ip: null, userAgent: 'test' };
    await deps.accounts.logIn({ email: user.email, password: user.password }, meta);
    const countSessions = async () =>
      Number(
        (
          await deps.database.db
            .selectFrom('sessions')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await countSessions()).toBe(1);

    // A job that ended 40 days ago, one that ended yesterday, one waiting (not finished) for
    // 40 days: only the first is past the 30-day retention.
    const old = await deps.jobs.enqueue(WORKER_CHECK_JOB, {}, { userId: user.id });
    await deps.jobs.cancel(old.id);
    const waiting = await deps.jobs.enqueue(
      WORKER_CHECK_JOB,
      {},
      {
        userId: user.id,
        runAfter: new Date(clock.now().getTime() + 365 * 86_400_000),
      },
    );
    clock.advance(39 * 86_400_000);
    const recent = await deps.jobs.enqueue(WORKER_CHECK_JOB, {}, { userId: user.id });
    await deps.jobs.cancel(recent.id);
    clock.advance(86_400_000);

    const sessions = await deps.jobs.enqueue(PURGE_SESSIONS_JOB, {});
    const purge = await deps.jobs.enqueue(PURGE_JOBS_JOB, {});
    await startJobWorker(deps.jobs);

    const sessionsDone = await waitForJob(deps.jobs, sessions.id);
    expect(sessionsDone).toMatchObject({ state: 'complete', result: { deleted: 1 } });
    expect(sessionsDone.message).toBe('Deleted 1 expired session.');
    expect(await countSessions()).toBe(0);

    const purged = await waitForJob(deps.jobs, purge.id);
    expect(purged).toMatchObject({ state: 'complete', result: { deleted: 1 } });
    expect(await deps.jobs.get(old.id)).toBeUndefined();
    expect(await deps.jobs.get(recent.id)).toMatchObject({ state: 'cancelled' });
    expect(await deps.jobs.get(waiting.id)).toMatchObject({ state: 'queued' });
    expect(deps.jobs.isWorkerRunning()).toBe(true);
  });
});
