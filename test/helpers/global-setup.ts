// Once per test run: a migrated PostgreSQL template database that every test file clones.
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config/env.ts';
import { createDatabase } from '../../src/infra/db/database.ts';
import { migrateToLatest } from '../../src/infra/db/migrate.ts';
import { pgAvailable, pgUrlFor, uniqueDbName, withPgAdmin } from './pg-admin.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string | null;
  }
}

export default async function setup(project: TestProject) {
  if (!(await pgAvailable())) {
    if (process.env.CI === 'true') {
      throw new Error(
        'PostgreSQL is not reachable at TEST_PG_URL / 127.0.0.1:5432 and CI=true: PostgreSQL tests must run in CI.',
      );
    }
    console.warn('PostgreSQL not reachable: PostgreSQL variants of database tests are skipped.');
    project.provide('pgTemplate', null);
    return;
  }
  const template = uniqueDbName('sb_tpl');
  await withPgAdmin((c) => c.query(`create database "${template}"`));
  const config = loadConfig({ DATABASE_URL: pgUrlFor(template), SESSION_SECRET: 'x'.repeat(32) });
  const handle = createDatabase(config.database);
  await migrateToLatest(handle);
  await handle.destroy();
  project.provide('pgTemplate', template);

  return async () => {
    await withPgAdmin((c) => c.query(`drop database if exists "${template}" with (force)`));
  };
}
