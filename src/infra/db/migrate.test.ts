import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../config/env.ts';
import { pgUrlFor, uniqueDbName, withPgAdmin } from '../../../test/helpers/pg-admin.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { createDatabase, type DatabaseHandle } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { StaticMigrationProvider } from './migrations/index.ts';

async function emptyDatabase(dialect: 'sqlite' | 'postgres') {
  if (dialect === 'sqlite') {
    const handle = createDatabase(parseDatabaseUrl('sqlite::memory:', 1));
    return { handle, drop: () => handle.destroy() };
  }
  const name = uniqueDbName('sb_mig');
  await withPgAdmin((c) => c.query(`create database "${name}"`));
  const handle = createDatabase(parseDatabaseUrl(pgUrlFor(name), 4));
  return {
    handle,
    drop: async () => {
      await handle.destroy();
      await withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

/** An empty database that several connections can share: a file for SQLite. */
async function emptyDatabaseUrl(dialect: 'sqlite' | 'postgres') {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-mig-'));
    return { url: `sqlite:${path.join(dir, 'db.sqlite')}`, drop: async () => undefined };
  }
  const name = uniqueDbName('sb_mig');
  await withPgAdmin((c) => c.query(`create database "${name}"`));
  return {
    url: pgUrlFor(name),
    drop: () => withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`)),
  };
}

function runCli(args: string[], databaseUrl: string) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'sb-cli-')),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

async function tableNames(handle: DatabaseHandle) {
  return (await handle.db.introspection.getTables()).map((t) => t.name).sort();
}

describe.each(testDialects())('migrations on %s', (dialect) => {
  it('run from empty, then again as a no-op', async () => {
    const { handle, drop } = await emptyDatabase(dialect);
    try {
      const first = await migrateToLatest(handle);
      expect(first.applied).toContain('0001-accounts');
      expect(await tableNames(handle)).toEqual(
        expect.arrayContaining(['audit_log', 'login_throttle', 'sessions', 'users']),
      );
      const second = await migrateToLatest(handle);
      expect(second.applied).toEqual([]);
    } finally {
      await drop();
    }
  });

  it('run once when several processes start at the same time', async () => {
    const { url, drop } = await emptyDatabaseUrl(dialect);
    try {
      const runs = await Promise.all([1, 2, 3].map(() => runCli(['migrate'], url)));
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      const handle = createDatabase(parseDatabaseUrl(url, 1));
      try {
        const applied = await sql<{ name: string }>`select name from schema_migrations`.execute(
          handle.db,
        );
        // Every registered migration exactly once, whatever migrations later work adds.
        const registered = Object.keys(
          await new StaticMigrationProvider({ dialect }).getMigrations(),
        ).sort();
        expect(applied.rows.map((r) => r.name).sort()).toEqual(registered);
      } finally {
        await handle.destroy();
      }
    } finally {
      await drop();
    }
  }, 60_000);

  it('enforces foreign keys and unique emails', async () => {
    const { handle, drop } = await emptyDatabase(dialect);
    try {
      await migrateToLatest(handle);
      const now = new Date().toISOString();
      await expect(
        handle.db
          .insertInto('sessions')
          .values({
            id: 'x',
            user_id: 'missing',
            created_at: now,
            expires_at: now,
            last_seen_at: now,
            ip: null,
            user_agent: null,
          })
          .execute(),
      ).rejects.toThrow();
      const user = {
        id: 'u1',
        email: 'a@b.c',
        name: 'A',
        password_hash: 'h',
        role: 'learner' as const,
        created_at: now,
        updated_at: now,
        password_changed_at: now,
        disabled_at: null,
        last_login_at: null,
      };
      await handle.db.insertInto('users').values(user).execute();
      await expect(
        handle.db
          .insertInto('users')
          .values({ ...user, id: 'u2' })
          .execute(),
      ).rejects.toThrow();
      const row = await handle.db
        .selectFrom('users')
        .select('created_at')
        .executeTakeFirstOrThrow();
      expect(row.created_at).toBe(now);
      await sql`select 1`.execute(handle.db);
    } finally {
      await drop();
    }
  });
});
