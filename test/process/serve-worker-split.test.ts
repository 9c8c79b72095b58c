// `skillbridge serve` works jobs itself; `serve --no-worker` does not, and a separate
// `skillbridge worker` process on the same database does: real processes, readiness and start-up
// output saying which is which. SQLite file, and PostgreSQL with pg-boss.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgUrlFor, uniqueDbName, withPgAdmin } from '../helpers/pg-admin.ts';
import { startServer } from '../helpers/server-process.ts';
import { testDialects } from '../helpers/test-db.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';

const DEMO_PASSWORD = 'split-demo-pass-1';

async function adminSession(url: string) {
  const csrf = await fetch(`${url}/api/auth/csrf`);
  let cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { token } = (await csrf.json()) as { token: string };
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
    body: JSON.stringify({ email: 'admin@example.com', password: DEMO_PASSWORD }),
  });
  expect(login.status).toBe(200);
  cookie +=
    '; ' +
    login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  return {
    get: (p: string) => fetch(`${url}${p}`, { headers: { cookie } }),
    post: (p: string, body: unknown) =>
      fetch(`${url}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
        body: JSON.stringify(body),
      }),
  };
}

type Session = Awaited<ReturnType<typeof adminSession>>;

async function jobState(session: Session, id: string): Promise<string> {
  const res = await session.get(`/api/jobs/${id}`);
  return ((await res.json()) as { job: { state: string } }).job.state;
}

async function waitForState(session: Session, id: string, state: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await jobState(session, id);
    if (last === state) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} is ${last}, not ${state}`);
}

const setups = [
  { name: 'SQLite, embedded queue', postgres: false },
  ...(testDialects().includes('postgres') ? [{ name: 'PostgreSQL, pg-boss', postgres: true }] : []),
];

describe.each(setups)('serve and worker processes on $name', ({ postgres }) => {
  it('runs jobs in serve by default, and only in the worker with --no-worker', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-split-'));
    const dbName = uniqueDbName('sb_split');
    const env: Record<string, string> = { DATA_DIR: dataDir, DEMO_PASSWORD };
    if (postgres) {
      await withPgAdmin((c) => c.query(`create database "${dbName}"`));
      Object.assign(env, { DATABASE_URL: pgUrlFor(dbName), JOB_QUEUE: 'pgboss' });
    }
    try {
      // API and worker in one process.
      const both = await startServer({ env });
      try {
        expect(both.output()).toMatch(/background worker: on \((embedded|pgboss) queue/);
        expect(await (await fetch(`${both.url}/readyz`)).json()).toEqual({
          status: 'ok',
          worker: 'running',
        });
        const session = await adminSession(both.url);
        const res = await session.post('/api/jobs/worker-check', { durationSeconds: 0, steps: 1 });
        expect(res.status).toBe(202);
        const { job } = (await res.json()) as { job: { id: string } };
        await waitForState(session, job.id, 'complete');
      } finally {
        expect(await both.stop()).toBe(0);
      }

      // API only: a job waits until a worker process takes it.
      const api = await startServer({ env, args: ['serve', '--no-worker'] });
      try {
        expect(api.output()).toContain('background worker: off (--no-worker)');
        expect(await (await fetch(`${api.url}/readyz`)).json()).toEqual({
          status: 'ok',
          worker: 'off',
        });
        const session = await adminSession(api.url);
        const res = await session.post('/api/jobs/worker-check', { durationSeconds: 0, steps: 1 });
        const { job } = (await res.json()) as { job: { id: string } };
        await new Promise((r) => setTimeout(r, 1500));
        expect(await jobState(session, job.id)).toBe('queued');

        const worker = await startWorkerProcess({ env });
        try {
          expect(worker.output()).toContain('worker started (no HTTP server)');
          await waitForState(session, job.id, 'complete');
        } finally {
          expect(await worker.stop()).toBe(0);
        }
      } finally {
        expect(await api.stop()).toBe(0);
      }
    } finally {
      if (postgres) {
        await withPgAdmin((c) => c.query(`drop database if exists "${dbName}" with (force)`));
      }
    }
  }, 120_000);
});
