// The session look-up of every authenticated request, on PostgreSQL. Requests that arrive in the
// same turn of the event loop are looked up together: one named prepared statement (parsed and
// planned once per connection) with the array of session ids, run at the end of that turn. With
// many requests in flight this is one round trip for a whole batch instead of one per request,
// which is what the database (on the same cores as the server, or across a network) pays for.
// Nothing is cached: every request's session is read from the database after the request
// arrived, so a deleted session or a disabled user is refused by the next request.
import type pg from 'pg';
import type { Role } from '../../infra/db/schema.ts';
import type { SessionWithUser } from './accounts-store.ts';

export interface SessionLookup {
  find(sessionId: string): Promise<SessionWithUser | undefined>;
}

/** Same columns, same order, as the Kysely query of AccountsStore.findSessionWithUser. */
export const PG_SESSION_LOOKUP_SQL = `select s.id, s.expires_at, s.last_seen_at, u.id, u.email, u.name, u.role, u.disabled_at
from sessions s inner join users u on u.id = s.user_id
where s.id = any($1::text[])`;

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

export class PgSessionLookup implements SessionLookup {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;
  private readonly flushNow = () => this.flush();

  constructor(private readonly pool: pg.Pool) {}

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
      const result = await this.pool.query<Row>({
        name: 'sb_sessions_with_users',
        text: PG_SESSION_LOOKUP_SQL,
        values: [ids],
        rowMode: 'array',
      });
      const found = new Map<string, SessionWithUser>();
      for (const row of result.rows) found.set(row[0], toSessionWithUser(row));
      for (const id of ids) {
        const row = found.get(id);
        for (const w of batch.get(id)!) w.resolve(row);
      }
    } catch (err) {
      for (const id of ids) for (const w of batch.get(id)!) w.reject(err);
    }
  }
}
