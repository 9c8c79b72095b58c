// A fresh, migrated database per test file, on either dialect.
import { inject } from 'vitest';
import { createDatabase, type DatabaseHandle, type Dialect } from '../../src/infra/db/database.ts';
import { migrateToLatest } from '../../src/infra/db/migrate.ts';
import { parseDatabaseUrl } from '../../src/config/env.ts';
import { pgUrlFor, uniqueDbName, withPgAdmin } from './pg-admin.ts';

export interface TestDatabase {
  handle: DatabaseHandle;
  url: string;
  drop(): Promise<void>;
}

/** The dialects this run can test: SQLite always, PostgreSQL when the global setup found it. */
export function testDialects(): Dialect[] {
  return inject('pgTemplate') ? ['sqlite', 'postgres'] : ['sqlite'];
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const url = 'sqlite::memory:';
    const handle = createDatabase(parseDatabaseUrl(url, 1));
    await migrateToLatest(handle);
    return { handle, url, drop: () => handle.destroy() };
  }
  const template = inject('pgTemplate');
  if (!template) throw new Error('PostgreSQL template database is not available');
  const name = uniqueDbName('sb_t');
  await withPgAdmin(async (c) => {
    // Cloning fails while another session briefly holds the template; retry a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`create database "${name}" template "${template}"`);
        return;
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  const url = pgUrlFor(name);
  const handle = createDatabase(parseDatabaseUrl(url, 5));
  return {
    handle,
    url,
    async drop() {
      await handle.destroy();
      await withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
