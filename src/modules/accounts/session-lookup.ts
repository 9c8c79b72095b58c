// The session look-up of every authenticated request, on PostgreSQL: a named prepared statement
// run on the pool directly, so the server parses and plans it once per connection instead of on
// every request. The session is still read from the database on every request: a deleted session
// or a disabled user is refused by the next request, as with any other query.
import type pg from 'pg';
import type { Role } from '../../infra/db/schema.ts';
import type { SessionWithUser } from './accounts-store.ts';

export interface SessionLookup {
  find(sessionId: string): Promise<SessionWithUser | undefined>;
}

/** Same columns, same order, as the Kysely query of AccountsStore.findSessionWithUser. */
export const PG_SESSION_LOOKUP_SQL = `select s.id, s.expires_at, s.last_seen_at, u.id, u.email, u.name, u.role, u.disabled_at
from sessions s inner join users u on u.id = s.user_id
where s.id = $1`;

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

export class PgSessionLookup implements SessionLookup {
  constructor(private readonly pool: pg.Pool) {}

  async find(sessionId: string): Promise<SessionWithUser | undefined> {
    const result = await this.pool.query<Row>({
      name: 'sb_session_with_user',
      text: PG_SESSION_LOOKUP_SQL,
      values: [sessionId],
      rowMode: 'array',
    });
    const row = result.rows[0];
    return row ? toSessionWithUser(row) : undefined;
  }
}
