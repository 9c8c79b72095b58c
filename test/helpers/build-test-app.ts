// buildTestApp: the real application on a per-file test database, driven with app.inject.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type AppConfig } from '../../src/config/env.ts';
import { createDeps, type Deps } from '../../src/container.ts';
import type { Dialect } from '../../src/infra/db/database.ts';
import type { JobEventOptions } from '../../src/modules/jobs/job-events.ts';
import type { Clock } from '../../src/platform/clock.ts';
import { createTestDatabase, type TestDatabase } from './test-db.ts';

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  config: AppConfig;
  db: TestDatabase;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  webRoot?: string;
  jobEvents?: JobEventOptions;
}

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'test-secret-0123456789abcdef0123456789',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'sb-test-')),
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export async function buildTestApp(
  dialect: Dialect,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const db = await createTestDatabase(dialect);
  const config = testConfig({ ...options.env, DATABASE_URL: db.url });
  const deps = createDeps(config, {
    database: db.handle,
    logger: pino({ level: 'silent' }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await buildApp(deps, { webRoot: options.webRoot, jobEvents: options.jobEvents });
  await app.ready();
  return {
    app,
    deps,
    config,
    db,
    async close() {
      await app.close();
      // A test may have started the worker (or pg-boss's connections by enqueueing).
      await deps.jobs.stop();
      await db.drop();
    },
  };
}
