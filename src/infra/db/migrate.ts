import type SqliteDatabase from 'better-sqlite3';
import { Migrator } from 'kysely';
import type { DatabaseHandle } from './database.ts';
import { StaticMigrationProvider } from './migrations/index.ts';

/**
 * Kysely's SQLite adapter takes no lock, so two processes starting on one file (server and
 * worker) could both apply a migration. Run the whole migration in one IMMEDIATE transaction on
 * the connection Kysely uses: the second process waits, then finds nothing left to do.
 */
async function withSqliteWriteLock<T extends { error?: unknown }>(
  conn: SqliteDatabase.Database,
  run: () => Promise<T>,
): Promise<T> {
  const previousTimeout = conn.pragma('busy_timeout', { simple: true }) as number;
  conn.pragma('busy_timeout = 60000');
  conn.exec('BEGIN IMMEDIATE');
  let committed = false;
  try {
    const result = await run();
    if (!result.error) {
      conn.exec('COMMIT');
      committed = true;
    }
    return result;
  } finally {
    if (!committed && conn.inTransaction) conn.exec('ROLLBACK');
    conn.pragma(`busy_timeout = ${previousTimeout}`);
  }
}

export interface MigrationReport {
  applied: string[];
}

/** Bring the schema up to date. Safe to run at every start-up and from several processes. */
export async function migrateToLatest(handle: DatabaseHandle): Promise<MigrationReport> {
  const migrator = new Migrator({
    db: handle.db,
    provider: new StaticMigrationProvider({ dialect: handle.dialect }),
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results } = handle.sqlite
    ? await withSqliteWriteLock(handle.sqlite, () => migrator.migrateToLatest())
    : await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed ? ` (${failed.migrationName})` : '';
    throw new Error(`Database migration failed${name}: ${String(error)}`, { cause: error });
  }
  return { applied: (results ?? []).map((r) => r.migrationName) };
}
