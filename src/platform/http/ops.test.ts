// Metrics, OpenAPI and logging, as an operator sees them.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { createDeps } from '../../container.ts';
import { redactPaths } from '../logger.ts';
import { buildTestApp, testConfig, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { createTestDatabase } from '../../../test/helpers/test-db.ts';

describe('metrics and API documentation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('exposes request durations by route pattern and status, and process metrics', async () => {
    const c = new TestClient(t.app);
    await c.get('/api/me');
    await c.get('/livez');
    const res = await c.get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/me",status_code="401"\}/,
    );
    expect(res.body).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/livez",status_code="200"\} 1/,
    );
    expect(res.body).toContain('process_resident_memory_bytes');
    expect(res.body).toContain('nodejs_eventloop_lag_seconds');
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await new TestClient(t.app).get('/api/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const signup = doc.paths['/api/auth/signup'].post;
    const schema = signup.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(['email', 'name', 'password']);
    expect(doc.paths['/api/users'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['q', 'role', 'status', 'limit', 'offset']),
    );
    expect(doc.paths['/api/users/{id}/role']).toBeDefined();
    const ui = await new TestClient(t.app).get('/api/docs/');
    expect([200, 302]).toContain(ui.statusCode);
  });
});

describe('metrics token', () => {
  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    const t = await buildTestApp('sqlite', { env: { METRICS_TOKEN: 'a-long-metrics-token' } });
    try {
      expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401);
      const ok = await t.app.inject({
        url: '/metrics',
        headers: { authorization: 'Bearer a-long-metrics-token' },
      });
      expect(ok.statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('logging', () => {
  it('carries the request id in every request line and never logs secrets', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line));
        cb();
      },
    });
    const db = await createTestDatabase('sqlite');
    const config = testConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'info' });
    const logger = pino(
      { level: 'info', redact: { paths: redactPaths, censor: '[redacted]' } },
      sink,
    );
    const deps = createDeps(config, { database: db.handle, logger });
    const app = await buildApp(deps);
    try {
      const user = await createUser(deps, { password: 'very secret passphrase' });
      const c = new TestClient(app);
      await c.login(user.email, 'very secret passphrase');
      await c.login(user.email, 'wrong secret passphrase');
      await c.get('/api/me');
      const text = JSON.stringify(lines);
      expect(text).not.toContain('secret passphrase');
      for (const value of c.cookies.values()) expect(text).not.toContain(value);
      const requestLines = lines.filter((l) => l.req || l.res || l.code);
      expect(requestLines.length).toBeGreaterThan(6);
      for (const line of requestLines) expect(line.reqId).toEqual(expect.any(String));
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
