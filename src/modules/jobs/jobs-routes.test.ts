// The /api/jobs routes through the real application on SQLite and PostgreSQL (embedded queue),
// and the live event stream on pg-boss too: who sees which jobs and which of their parts,
// cancelling, the worker check, server-sent events until a job finishes, streams that stop when
// the client goes away or the server closes, and the hostile inputs.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import type { Dialect } from '../../infra/db/database.ts';
import { until, waitForJob } from '../../infra/queue/queue-test-kit.ts';
import type { JobView } from './jobs-service.ts';
import { MAX_ACTIVE_WORKER_CHECKS } from './jobs-service.ts';
import { WORKER_CHECK_JOB } from './worker-check-job.ts';

const FAST_EVENTS = { pollMs: 40, heartbeatMs: 60_000, retryMs: 500, maxStreamsPerUser: 2 };

interface SseEvent {
  event: string;
  data: unknown;
}

/** The events of a complete text/event-stream body, comments and retry lines left out. */
function parseSse(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of body.split('\n\n')) {
    const lines = block.split('\n').filter((l) => l && !l.startsWith(':'));
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
    const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
    if (event && data !== undefined) events.push({ event, data: JSON.parse(data) as unknown });
  }
  return events;
}

/**
 * A GET on its own keep-alive socket (as a browser's EventSource would send it, but outside any
 * shared pool that may open spare sockets), read as it arrives.
 */
function openStream(port: number, urlPath: string, cookie: string) {
  return new Promise<{
    status: number;
    headers: IncomingHttpHeaders;
    received(): string;
    text(): Promise<string>;
    destroy(): void;
  }>((resolve, reject) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const req = request(
      { host: '127.0.0.1', port, path: urlPath, headers: { cookie }, agent },
      (res) => {
        let body = '';
        const ended = new Promise<string>((done) => {
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => done(body));
          res.on('close', () => done(body));
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          received: () => body,
          text: () => ended,
          destroy: () => {
            req.destroy();
            agent.destroy();
          },
        });
      },
    );
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
}

async function loggedIn(t: TestApp, role: 'learner' | 'instructor' | 'admin') {
  const user = await createUser(t.deps, { role, name: `${role} ${Math.random().toString(36)}` });
  const client = new TestClient(t.app);
  const res = await client.login(user.email, user.password);
  expect(res.statusCode).toBe(200);
  return { user, client };
}

type Actor = Awaited<ReturnType<typeof loggedIn>>;

describe.each(testDialects())('jobs API on %s (embedded queue)', (dialect: Dialect) => {
  let t: TestApp;
  let learner: Actor;
  let otherLearner: Actor;
  let instructor: Actor;
  let admin: Actor;

  beforeAll(async () => {
    t = await buildTestApp(dialect, { jobEvents: FAST_EVENTS });
    // A job type whose handler fails unexpectedly, to see who gets the internal error.
    t.deps.jobs.register({
      type: 'test.boom',
      schema: z.object({ secret: z.string() }),
      maxAttempts: 1,
      async handler() {
        throw new Error('database password rejected for user sb_internal');
      },
    });
    [learner, otherLearner, instructor, admin] = await Promise.all([
      loggedIn(t, 'learner'),
      loggedIn(t, 'learner'),
      loggedIn(t, 'instructor'),
      loggedIn(t, 'admin'),
    ]);
  });

  afterAll(async () => {
    await t?.close();
  });

  const enqueueFor = (actor: Actor | null, payload = { durationSeconds: 60, steps: 2 }) =>
    t.deps.jobs.enqueue(WORKER_CHECK_JOB, payload, { userId: actor?.user.id ?? null });

  /** Earlier tests leave long jobs queued; a worker started now must not be busy with them. */
  const cancelEverythingActive = async () => {
    for (const state of ['queued', 'running'] as const) {
      const { jobs } = await t.deps.jobs.list({ state, limit: 1000, offset: 0 });
      for (const job of jobs) await t.deps.jobs.cancel(job.id).catch(() => undefined);
    }
  };

  const jobsOf = async (actor: Actor, query = '') => {
    const res = await actor.client.get(`/api/jobs${query}`);
    expect(res.statusCode).toBe(200);
    return res.json() as { jobs: JobView[]; total: number };
  };

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await learner.client.get('/api/docs/json')).json();
    const list = doc.paths['/api/jobs'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['type', 'state', 'mine', 'limit', 'offset']),
    );
    const job = list.responses['200'].content['application/json'].schema.properties.jobs.items;
    expect(Object.keys(job.properties)).toEqual(
      expect.arrayContaining(['id', 'state', 'progress', 'failureReason', 'canCancel']),
    );
    expect(doc.paths['/api/jobs/{id}'].get).toBeDefined();
    expect(doc.paths['/api/jobs/{id}/cancel'].post).toBeDefined();
    expect(Object.keys(doc.paths['/api/jobs/{id}/events'].get.responses['200'].content)).toEqual([
      'text/event-stream',
    ]);
    const check = doc.paths['/api/jobs/worker-check'].post;
    expect(Object.keys(check.requestBody.content['application/json'].schema.properties)).toEqual([
      'durationSeconds',
      'steps',
    ]);
    // Every jobs route declares who may call it.
    const routes = t.app.routeSummaries.filter((r) => r.url.startsWith('/api/jobs'));
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const route of routes) expect(route.access, route.url).not.toBeNull();
  });

  it('asks for a login', async () => {
    const anonymous = new TestClient(t.app);
    expect((await anonymous.get('/api/jobs')).statusCode).toBe(401);
    const job = await enqueueFor(learner);
    expect((await anonymous.get(`/api/jobs/${job.id}`)).statusCode).toBe(401);
    expect((await anonymous.get(`/api/jobs/${job.id}/events`)).statusCode).toBe(401);
    expect((await anonymous.post(`/api/jobs/${job.id}/cancel`)).statusCode).toBe(401);
    expect((await anonymous.post('/api/jobs/worker-check', {})).statusCode).toBe(401);
  });

  it('shows learners their own jobs only, and staff everyone’s, with filters and pages', async () => {
    const mine = [await enqueueFor(learner), await enqueueFor(learner)];
    const theirs = await enqueueFor(otherLearner);
    const scheduled = await enqueueFor(null);

    const own = await jobsOf(learner);
    expect(own.jobs.map((j) => j.id).sort()).toEqual(
      expect.arrayContaining(mine.map((j) => j.id).sort()),
    );
    expect(own.jobs.every((j) => j.mine && j.owner?.id === learner.user.id)).toBe(true);
    expect(own.jobs.map((j) => j.id)).not.toContain(theirs.id);
    expect(own.jobs.map((j) => j.id)).not.toContain(scheduled.id);
    // mine=false cannot widen a learner's view.
    const widened = await jobsOf(learner, '?mine=false');
    expect(widened.jobs.every((j) => j.owner?.id === learner.user.id)).toBe(true);

    for (const staff of [instructor, admin]) {
      const all = await jobsOf(staff, '?limit=100');
      const ids = all.jobs.map((j) => j.id);
      expect(ids).toEqual(
        expect.arrayContaining([...mine.map((j) => j.id), theirs.id, scheduled.id]),
      );
      const other = all.jobs.find((j) => j.id === theirs.id)!;
      expect(other.owner).toEqual({ id: otherLearner.user.id, name: otherLearner.user.name });
      expect(other.mine).toBe(false);
      expect(other.canCancel).toBe(true);
      expect(all.jobs.find((j) => j.id === scheduled.id)!.owner).toBeNull();
      expect((await jobsOf(staff, '?mine=true')).jobs.every((j) => j.mine)).toBe(true);
    }

    // Newest first, paged, with the total across pages.
    const page1 = await jobsOf(admin, '?limit=2&offset=0');
    const page2 = await jobsOf(admin, '?limit=2&offset=2');
    expect(page1.jobs).toHaveLength(2);
    expect(page1.total).toBeGreaterThanOrEqual(4);
    expect(page2.total).toBe(page1.total);
    expect(page1.jobs.map((j) => j.id)).not.toContain(page2.jobs[0]?.id);
    expect(page1.jobs[0]!.createdAt >= page1.jobs[1]!.createdAt).toBe(true);

    const byType = await jobsOf(admin, '?type=system.worker-check&state=queued&limit=100');
    expect(byType.jobs.length).toBeGreaterThan(0);
    expect(byType.jobs.every((j) => j.type === WORKER_CHECK_JOB && j.state === 'queued')).toBe(
      true,
    );
    expect((await jobsOf(admin, '?type=no.such-type')).total).toBe(0);
  });

  it('hides another user’s job from a learner and its private parts from instructors', async () => {
    await cancelEverythingActive();
    const job = await t.deps.jobs.enqueue(
      'test.boom',
      { secret: 'exam answers' },
      { userId: learner.user.id },
    );
    // A learner cannot tell another user's job from a missing one.
    const peek = await otherLearner.client.get(`/api/jobs/${job.id}`);
    expect(peek.statusCode).toBe(404);
    expect(peek.headers['content-type']).toContain('application/problem+json');
    expect((await otherLearner.client.get(`/api/jobs/${job.id}/events`)).statusCode).toBe(404);
    expect(
      (await otherLearner.client.get('/api/jobs?limit=100')).json().jobs.map((j: JobView) => j.id),
    ).not.toContain(job.id);

    await t.deps.jobs.startWorker();
    try {
      await waitForJob(t.deps.jobs, job.id);
    } finally {
      await t.deps.jobs.stop();
    }

    const asOwner = (await learner.client.get(`/api/jobs/${job.id}`)).json().job as JobView;
    expect(asOwner.state).toBe('failed');
    expect(asOwner.payload).toEqual({ secret: 'exam answers' });
    expect(asOwner.failureReason).toMatch(/unexpected error/i);
    expect(asOwner.errorDetail).toBeNull();

    const asInstructor = (await instructor.client.get(`/api/jobs/${job.id}`)).json().job as JobView;
    expect(asInstructor.payload).toBeNull();
    expect(asInstructor.result).toBeNull();
    expect(asInstructor.errorDetail).toBeNull();
    expect(asInstructor.failureReason).toBe(asOwner.failureReason);
    const listed = (await instructor.client.get('/api/jobs?type=test.boom')).json()
      .jobs as JobView[];
    expect(listed.find((j) => j.id === job.id)?.payload).toBeNull();
    expect(JSON.stringify(listed)).not.toContain('exam answers');

    const asAdmin = (await admin.client.get(`/api/jobs/${job.id}`)).json().job as JobView;
    expect(asAdmin.payload).toEqual({ secret: 'exam answers' });
    expect(asAdmin.errorDetail).toContain('database password rejected');
    expect(asAdmin.canCancel).toBe(false);
  });

  it('lets owners cancel their jobs, staff cancel anyone’s (audited), and refuses the rest', async () => {
    const own = await enqueueFor(learner);
    const res = await learner.client.post(`/api/jobs/${own.id}/cancel`);
    expect(res.statusCode).toBe(200);
    expect(res.json().job).toMatchObject({
      id: own.id,
      state: 'cancelled',
      failureReason: 'Cancelled by the person who started it.',
      canCancel: false,
    });
    // Already finished: 409 with a reason, nothing changed.
    const again = await learner.client.post(`/api/jobs/${own.id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/already ended \(cancelled\)/);

    const theirs = await enqueueFor(otherLearner);
    expect((await learner.client.post(`/api/jobs/${theirs.id}/cancel`)).statusCode).toBe(404);
    expect((await t.deps.jobs.get(theirs.id))?.state).toBe('queued');

    const byInstructor = await instructor.client.post(`/api/jobs/${theirs.id}/cancel`);
    expect(byInstructor.statusCode).toBe(200);
    expect(byInstructor.json().job.failureReason).toBe(
      `Cancelled by ${instructor.user.name} (instructor).`,
    );
    const audit = await t.deps.audit.list(50, 0);
    expect(audit.entries.find((e) => e.targetId === theirs.id)).toMatchObject({
      action: 'job.cancel',
      actorId: instructor.user.id,
      details: { type: WORKER_CHECK_JOB, owner: otherLearner.user.id, state: 'queued' },
    });
    // The owner sees who cancelled it.
    expect((await otherLearner.client.get(`/api/jobs/${theirs.id}`)).json().job.state).toBe(
      'cancelled',
    );

    // Without the CSRF token nothing is cancelled.
    const guarded = await enqueueFor(learner);
    const noCsrf = await learner.client.post(`/api/jobs/${guarded.id}/cancel`, undefined, {
      csrf: false,
    });
    expect(noCsrf.statusCode).toBe(403);
    expect((await t.deps.jobs.get(guarded.id))?.state).toBe('queued');
  });

  it('answers bad ids, filters and bodies with a 400 naming the field', async () => {
    const cases: [Actor, 'GET' | 'POST', string, unknown, string][] = [
      [learner, 'GET', '/api/jobs/not-a-uuid', undefined, 'params.id'],
      [learner, 'GET', '/api/jobs/../users/events', undefined, 'params.id'],
      [learner, 'POST', '/api/jobs/12345/cancel', undefined, 'params.id'],
      [learner, 'GET', '/api/jobs?state=exploded', undefined, 'querystring.state'],
      [learner, 'GET', '/api/jobs?limit=0', undefined, 'querystring.limit'],
      [learner, 'GET', '/api/jobs?limit=100000', undefined, 'querystring.limit'],
      [learner, 'GET', '/api/jobs?offset=-1', undefined, 'querystring.offset'],
      [learner, 'GET', '/api/jobs?type=../../etc', undefined, 'querystring.type'],
      [learner, 'GET', '/api/jobs?mine=maybe', undefined, 'querystring.mine'],
      [admin, 'POST', '/api/jobs/worker-check', { durationSeconds: -1 }, 'body.durationSeconds'],
      [admin, 'POST', '/api/jobs/worker-check', { durationSeconds: 1e9 }, 'body.durationSeconds'],
      [admin, 'POST', '/api/jobs/worker-check', { durationSeconds: '5' }, 'body.durationSeconds'],
      [admin, 'POST', '/api/jobs/worker-check', { steps: 0 }, 'body.steps'],
      [admin, 'POST', '/api/jobs/worker-check', { steps: 2.5 }, 'body.steps'],
    ];
    const before = (await jobsOf(admin, '?limit=1')).total;
    for (const [actor, method, url, body, field] of cases) {
      const res = await actor.client.request(method, url, body);
      // The traversal attempt is normalised by the router; any 4xx but never a 5xx.
      if (url.includes('..')) {
        expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, url).toBeLessThan(500);
        continue;
      }
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.json()), url).toContain(field);
    }
    expect((await jobsOf(admin, '?limit=1')).total).toBe(before);
    const missing = await learner.client.get('/api/jobs/6f1c1f0e-8f1a-4c4e-9d57-000000000000');
    expect(missing.statusCode).toBe(404);
  });

  it('starts worker checks for admins only, a few at a time, dropping unknown fields', async () => {
    expect((await learner.client.post('/api/jobs/worker-check', {})).statusCode).toBe(403);
    expect((await instructor.client.post('/api/jobs/worker-check', {})).statusCode).toBe(403);

    const checker = await loggedIn(t, 'admin');
    const started: JobView[] = [];
    for (let i = 0; i < MAX_ACTIVE_WORKER_CHECKS; i++) {
      const res = await checker.client.post('/api/jobs/worker-check', {
        durationSeconds: 30,
        steps: 3,
        userId: learner.user.id,
        evil: '<script>',
      });
      expect(res.statusCode).toBe(202);
      started.push(res.json().job as JobView);
    }
    expect(started[0]).toMatchObject({
      type: WORKER_CHECK_JOB,
      state: 'queued',
      progress: 0,
      payload: { durationSeconds: 30, steps: 3 },
      owner: { id: checker.user.id },
      mine: true,
      canCancel: true,
    });
    const tooMany = await checker.client.post('/api/jobs/worker-check', {});
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json().detail).toMatch(/already have 3 worker checks/);
    expect((await jobsOf(checker, '?mine=true')).total).toBe(MAX_ACTIVE_WORKER_CHECKS);

    // Cancelling one frees a slot; defaults fill in what the body leaves out.
    await checker.client.post(`/api/jobs/${started[0]!.id}/cancel`);
    const next = await checker.client.post('/api/jobs/worker-check', {});
    expect(next.statusCode).toBe(202);
    expect(next.json().job.payload).toEqual({ durationSeconds: 10, steps: 10 });
  });

  it('streams progress as server-sent events until the job completes', async () => {
    await cancelEverythingActive();
    const res = await admin.client.post('/api/jobs/worker-check', {
      durationSeconds: 1,
      steps: 4,
    });
    const id = (res.json().job as JobView).id;
    await t.deps.jobs.startWorker();
    try {
      const stream = await admin.client.get(`/api/jobs/${id}/events`);
      expect(stream.statusCode).toBe(200);
      expect(stream.headers['content-type']).toContain('text/event-stream');
      expect(stream.headers['cache-control']).toContain('no-cache');
      expect(stream.body.startsWith('retry: 500\n\n')).toBe(true);
      const events = parseSse(stream.body);
      const jobs = events.filter((e) => e.event === 'job').map((e) => e.data as JobView);
      expect(events.at(-1)).toEqual({ event: 'end', data: { state: 'complete' } });
      expect(jobs.at(-1)).toMatchObject({ id, state: 'complete', progress: 100, canCancel: false });
      expect(jobs.at(-1)!.result).toMatchObject({ steps: 4, attempt: 1 });
      // Progress was seen moving, never backwards, and the states in their order.
      const progress = jobs.map((j) => j.progress);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
      expect(jobs.some((j) => j.state === 'running')).toBe(true);
      // Each event says something new.
      const distinct = new Set(jobs.map((j) => JSON.stringify(j)));
      expect(distinct.size).toBe(jobs.length);

      // A finished job's stream answers at once with its state and the end.
      const after = await admin.client.get(`/api/jobs/${id}/events`);
      expect(parseSse(after.body).map((e) => e.event)).toEqual(['job', 'end']);
    } finally {
      await t.deps.jobs.stop();
    }
  });

  it('ends a stream with the cancelled state when the job is cancelled', async () => {
    const job = await enqueueFor(learner);
    const stream = learner.client.get(`/api/jobs/${job.id}/events`);
    await new Promise((r) => setTimeout(r, 100));
    await admin.client.post(`/api/jobs/${job.id}/cancel`);
    const events = parseSse((await stream).body);
    expect(events.at(-1)).toEqual({ event: 'end', data: { state: 'cancelled' } });
    const last = events.filter((e) => e.event === 'job').at(-1)!.data as JobView;
    expect(last.failureReason).toBe(`Cancelled by ${admin.user.name} (admin).`);
  });

  it('stops reading the job once the client disconnects, and closes streams on shutdown', async () => {
    const job = await enqueueFor(learner);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const cookie = [...learner.client.cookies]
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('; ');
    const stream = () => openStream(port, `/api/jobs/${job.id}/events`, cookie);
    const get = vi.spyOn(t.deps.jobs, 'get');
    try {
      const first = await stream();
      expect(first.status).toBe(200);
      expect(first.headers['connection']).toBe('close');
      await until(() => first.received().includes('retry:'), 'the first bytes');
      await until(() => get.mock.calls.length >= 3, 'the stream to poll the job');
      first.destroy();
      // Give the server a moment to see the socket close, then no more reads happen.
      await new Promise((r) => setTimeout(r, 200));
      const settled = get.mock.calls.length;
      await new Promise((r) => setTimeout(r, FAST_EVENTS.pollMs * 8));
      expect(get.mock.calls.length).toBe(settled);

      // One account cannot hold more than its share of streams open (2 in this test).
      const held = [await stream(), await stream()];
      expect(held.map((r) => r.status)).toEqual([200, 200]);
      const third = await stream();
      expect(third.status).toBe(429);
      expect(third.headers['retry-after']).toBe('1');
      expect(JSON.parse(await third.text()).code).toBe('TOO_MANY_STREAMS');
      third.destroy();
      for (const h of held) h.destroy();
      // The slots free up once the client goes away.
      await until(async () => {
        const again = await stream();
        again.destroy();
        return again.status === 200;
      }, 'a stream slot to free up');
      await new Promise((r) => setTimeout(r, 200));

      // A stream still open when the server closes is ended, and close() does not wait for it.
      const open = await stream();
      expect(open.status).toBe(200);
      await until(() => open.received().includes('event: job'), 'the first event');
      const closing = Date.now();
      await t.app.close();
      expect(Date.now() - closing).toBeLessThan(2000);
      expect(parseSse(await open.text()).map((e) => e.event)).toEqual(['job']);
      const closedAt = get.mock.calls.length;
      await new Promise((r) => setTimeout(r, FAST_EVENTS.pollMs * 5));
      expect(get.mock.calls.length).toBe(closedAt);
    } finally {
      get.mockRestore();
    }
  });
});

describe.runIf(testDialects().includes('postgres'))('jobs API with JOB_QUEUE=pgboss', () => {
  let t: TestApp;
  let admin: Actor;

  beforeAll(async () => {
    t = await buildTestApp('postgres', { env: { JOB_QUEUE: 'pgboss' }, jobEvents: FAST_EVENTS });
    admin = await loggedIn(t, 'admin');
    await t.deps.jobs.startWorker();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('runs a worker check and streams it to the end', async () => {
    expect(t.deps.jobs.kind).toBe('pgboss');
    expect((await admin.client.get('/readyz')).json()).toEqual({ status: 'ok', worker: 'running' });
    const res = await admin.client.post('/api/jobs/worker-check', {
      durationSeconds: 1,
      steps: 4,
    });
    expect(res.statusCode).toBe(202);
    const id = (res.json().job as JobView).id;
    const stream = await admin.client.get(`/api/jobs/${id}/events`);
    const events = parseSse(stream.body);
    expect(events.at(-1)).toEqual({ event: 'end', data: { state: 'complete' } });
    const jobs = events.filter((e) => e.event === 'job').map((e) => e.data as JobView);
    expect(jobs.some((j) => j.state === 'running' && j.progress > 0 && j.progress < 100)).toBe(
      true,
    );
    const listed = (await admin.client.get('/api/jobs?state=complete')).json().jobs as JobView[];
    expect(listed.map((j) => j.id)).toContain(id);
  });
});
