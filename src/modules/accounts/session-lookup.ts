// The session look-up of every authenticated request. Requests that arrive in the same turn of
// the event loop are looked up together, in one query with the list of session ids run at the end
// of that turn: with many requests in flight that is one statement (on PostgreSQL one round trip,
// a named prepared statement parsed and planned once per connection) for a whole batch instead of
// one per request. Nothing is cached: every request's session is read from the database after the
// request arrived, so a deleted session or a disabled user is refused by the next request. On
// SQLite the query goes through Kysely, so it waits for a transaction in progress like any other.
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';
import type { DatabaseHandle } from '../../infra/db/database.ts';
import type { Database, Role } from '../../infra/db/schema.ts';
import type { SessionWithUser } from './accounts-store.ts';

export interface SessionLookup {
  find(sessionId: string): Promise<SessionWithUser | undefined>;
}

/** Same columns, same order, as the Kysely query of AccountsStore.findSessionWithUser. */
export const PG_SESSION_LOOKUP_SQL = `select s.id, s.expires_at, s.last_seen_at, u.id, u.email, u.name, u.role, u.disabled_at
from sessions s inner join users u on u.id = s.user_id
where s.id = any($1::text[])`;

/** The same on SQLite, the ids as one JSON array (one statement whatever the batch size). */
const SQLITE_SESSION_LOOKUP = sql<SessionWithUser>`select s.id as "sessionId", s.expires_at as "expiresAt",
s.last_seen_at as "lastSeenAt", u.id as "userId", u.email as email, u.name as name, u.role as role,
u.disabled_at as "disabledAt"
from sessions s inner join users u on u.id = s.user_id
where s.id in (select value from json_each(${''}))`;

/** At most this many session ids in one query; a larger turn is split. */
export const MAX_BATCH = 128;

type Row = [string, string, string, string, string, string, Role, string | null];

export function toSessionWithUser(row: Row): SessionWithUser {
  return {
    sessionId: row[0],
    expiresAt: row[1],
    lastSeenAt: row[2],
    userId: row[3],
    email: row[4],
    name: row[5],
    role: row[6],
    disabledAt: row[7],
  };
}

interface Waiter {
  resolve(row: SessionWithUser | undefined): void;
  reject(err: unknown): void;
}

type BatchQuery = (ids: string[]) => Promise<SessionWithUser[]>;

export function pgSessionQuery(pool: pg.Pool): BatchQuery {
  return async (ids) => {
    const result = await pool.query<Row>({
      name: 'sb_sessions_with_users',
      text: PG_SESSION_LOOKUP_SQL,
      values: [ids],
      rowMode: 'array',
    });
    return result.rows.map(toSessionWithUser);
  };
}

export function sqliteSessionQuery(db: Kysely<Database>): BatchQuery {
  let compiled: CompiledQuery<SessionWithUser> | undefined;
  return async (ids) => {
    compiled ??= SQLITE_SESSION_LOOKUP.compile(db);
    const { rows } = await db.executeQuery<SessionWithUser>({
      ...compiled,
      parameters: [JSON.stringify(ids)],
    });
    return rows;
  };
}

export class BatchedSessionLookup implements SessionLookup {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;
  private readonly flushNow = () => this.flush();

  constructor(private readonly query: BatchQuery) {}

  find(sessionId: string): Promise<SessionWithUser | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(sessionId);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(sessionId, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: every request parsed in it is in the batch.
        setImmediate(this.flushNow);
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    const ids = [...batch.keys()];
    for (let i = 0; i < ids.length; i += MAX_BATCH) {
      void this.run(ids.slice(i, i + MAX_BATCH), batch);
    }
  }

  private async run(ids: string[], batch: Map<string, Waiter[]>): Promise<void> {
    try {
      const found = new Map<string, SessionWithUser>();
      for (const row of await this.query(ids)) found.set(row.sessionId, row);
      for (const id of ids) {
        const row = found.get(id);
        for (const w of batch.get(id)!) w.resolve(row);
      }
    } catch (err) {
      for (const id of ids) for (const w of batch.get(id)!) w.reject(err);
    }
  }
}

export class PgSessionLookup extends BatchedSessionLookup {
  constructor(pool: pg.Pool) {
    super(pgSessionQuery(pool));
  }
}

export function createSessionLookup(database: DatabaseHandle): SessionLookup {
  return database.pgPool
    ? new PgSessionLookup(database.pgPool)
    : new BatchedSessionLookup(sqliteSessionQuery(database.db));
}
