// Users, sessions and login throttling: thin Kysely queries, one per method.
import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import type { Database, Role, UsersTable } from '../../infra/db/schema.ts';
import type { SessionLookup } from './session-lookup.ts';

export type UserRow = Selectable<UsersTable>;

export interface SessionWithUser {
  sessionId: string;
  expiresAt: string;
  lastSeenAt: string;
  userId: string;
  email: string;
  name: string;
  role: Role;
  disabledAt: string | null;
}

export interface UserListFilter {
  q?: string | undefined;
  role?: Role | undefined;
  status?: 'active' | 'disabled' | undefined;
  limit: number;
  offset: number;
}

export class AccountsStore {
  /**
   * sessionLookup: a cheaper path for findSessionWithUser outside transactions (PostgreSQL: a
   * named prepared statement on the pool); without it the Kysely query runs.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sessionLookup?: SessionLookup,
  ) {}

  withTransaction(tx: Kysely<Database>): AccountsStore {
    return new AccountsStore(tx);
  }

  async findUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async findUserById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertUser(row: UserRow): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  async updateUser(
    id: string,
    patch: Partial<Omit<UserRow, 'id' | 'created_at'>>,
  ): Promise<UserRow | undefined> {
    return this.db
      .updateTable('users')
      .set(patch)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async countUsers(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countActiveAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listUsers(filter: UserListFilter): Promise<{ rows: UserRow[]; total: number }> {
    let query = this.db.selectFrom('users');
    if (filter.q) {
      const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      query = query.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['email']), 'like', eb.val(pattern)),
          eb(eb.fn('lower', ['name']), 'like', eb.val(pattern)),
        ]),
      );
    }
    if (filter.role) query = query.where('role', '=', filter.role);
    if (filter.status === 'active') query = query.where('disabled_at', 'is', null);
    if (filter.status === 'disabled') query = query.where('disabled_at', 'is not', null);
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('email')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  async insertSession(row: {
    id: string;
    user_id: string;
    created_at: string;
    expires_at: string;
    last_seen_at: string;
    ip: string | null;
    user_agent: string | null;
  }): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  // Asked on every authenticated request: built and compiled once, run with the session id.
  private findSessionQuery?: CompiledQuery<SessionWithUser>;

  async findSessionWithUser(sessionId: string): Promise<SessionWithUser | undefined> {
    if (this.sessionLookup) return this.sessionLookup.find(sessionId);
    this.findSessionQuery ??= this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id as sessionId',
        'sessions.expires_at as expiresAt',
        'sessions.last_seen_at as lastSeenAt',
        'users.id as userId',
        'users.email as email',
        'users.name as name',
        'users.role as role',
        'users.disabled_at as disabledAt',
      ])
      .where('sessions.id', '=', '')
      .compile();
    const { rows } = await this.db.executeQuery<SessionWithUser>({
      ...this.findSessionQuery,
      parameters: [sessionId],
    });
    return rows[0];
  }

  async touchSession(sessionId: string, lastSeenAt: string, expiresAt: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
      .where('id', '=', sessionId)
      .execute();
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
  }

  async deleteSessionsOfUser(userId: string): Promise<number> {
    const result = await this.db
      .deleteFrom('sessions')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    const result = await this.db
      .deleteFrom('sessions')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async findThrottle(key: string) {
    return this.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
  }

  /**
   * Count one failed login atomically. Failures older than the window start a new count.
   * Returns the count after this failure.
   */
  async recordLoginFailure(key: string, now: string, windowStart: string): Promise<number> {
    const row = await this.db
      .insertInto('login_throttle')
      .values({ key, failures: 1, first_failure_at: now, locked_until: null })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          failures: eb
            .case()
            .when('login_throttle.first_failure_at', '<', windowStart)
            .then(1)
            .else(eb('login_throttle.failures', '+', 1))
            .end(),
          first_failure_at: eb
            .case()
            .when('login_throttle.first_failure_at', '<', windowStart)
            .then(now)
            .else(eb.ref('login_throttle.first_failure_at'))
            .end(),
        })),
      )
      .returning('failures')
      .executeTakeFirstOrThrow();
    return Number(row.failures);
  }

  async lockLogin(key: string, lockedUntil: string): Promise<void> {
    await this.db
      .updateTable('login_throttle')
      .set({ locked_until: lockedUntil })
      .where('key', '=', key)
      .execute();
  }

  async clearLoginFailures(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }
}
