// Kysely over better-sqlite3 (embedded default) or node-postgres (scale-out), chosen by DATABASE_URL.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { DatabaseConfig } from '../../config/env.ts';
import type { Database } from './schema.ts';
import { pgDriver } from './pg-driver.ts';
import { OnDemandCheckpointer } from './sqlite-checkpointer.ts';

export type Dialect = DatabaseConfig['dialect'];
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: Dialect;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  destroy(): Promise<void>;
  /** The raw SQLite connection, for online backup and integrity checks; undefined on PostgreSQL. */
  sqlite?: SqliteDatabase.Database;
  /** Checkpoints the SQLite WAL off the request path once asked to; undefined in memory and on PostgreSQL. */
  checkpointer?: OnDemandCheckpointer | undefined;
  /** The PostgreSQL pool behind Kysely, for named prepared statements; undefined on SQLite. */
  pgPool?: pg.Pool;
}

const PG_OIDS = { int8: 20, json: 114, jsonb: 3802, timestamptz: 1184, timestamp: 1114 } as const;

/** Same value shapes as SQLite: ISO timestamps, JSON as text, counts as numbers. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    switch (oid) {
      case PG_OIDS.int8:
        return (v: string) => Number(v);
      case PG_OIDS.json:
      case PG_OIDS.jsonb:
        return (v: string) => v;
      case PG_OIDS.timestamptz:
        return (v: string) => new Date(v).toISOString();
      case PG_OIDS.timestamp:
        return (v: string) => new Date(v + 'Z').toISOString();
      default:
        return pgDriver().types.getTypeParser(oid, format);
    }
  },
};

export function openSqlite(file: string): SqliteDatabase.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const conn = new SqliteDatabase(file);
  conn.pragma('journal_mode = WAL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 5000');
  // In WAL mode NORMAL keeps every committed transaction across a process crash (kill -9);
  // only an OS crash or power loss can lose the last transactions.
  conn.pragma('synchronous = NORMAL');
  return conn;
}

export function createDatabase(config: DatabaseConfig, logger?: Logger): DatabaseHandle {
  if (config.dialect === 'sqlite') {
    const conn = openSqlite(config.file);
    // Kysely's SQLite driver prepares every statement anew; reuse them by SQL text instead.
    const statements = new Map<string, SqliteDatabase.Statement>();
    const database = {
      prepare(text: string) {
        let statement = statements.get(text);
        if (!statement) {
          if (statements.size >= 500) statements.clear();
          statement = conn.prepare(text);
          statements.set(text, statement);
        }
        return statement;
      },
      close: () => conn.close(),
    };
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    const checkpointer =
      config.file === ':memory:'
        ? undefined
        : new OnDemandCheckpointer(conn, config.file, {
            onError: (message) =>
              logger?.warn({ err: message }, 'SQLite WAL checkpoint failed; it is retried'),
          });
    return {
      db,
      dialect: 'sqlite',
      sqlite: conn,
      checkpointer,
      async ping() {
        await sql`select 1`.execute(db);
      },
      async destroy() {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  const pool = new (pgDriver().Pool)({
    connectionString: config.url,
    max: config.poolMax,
    types: pgTypes,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (e.g. PostgreSQL restarted) emits 'error' on the pool;
  // without a listener that would crash the process. The pool replaces the client by itself.
  pool.on('error', (err) => {
    logger?.error({ err }, 'PostgreSQL pool client error; the connection will be replaced');
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    pgPool: pool,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async destroy() {
      await db.destroy();
    },
  };
}

/** Run fn in one transaction; every multi-row write goes through here. */
export function withTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

/** True when err is a unique-constraint violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
