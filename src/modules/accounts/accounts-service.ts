// Accounts: sign-up, login with throttling, sessions, password changes, and admin user management.
import type { Kysely } from 'kysely';
import type { AppConfig } from '../../config/env.ts';
import { isUniqueViolation, withTransaction } from '../../infra/db/database.ts';
import type { Database, Role } from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import {
  ConflictError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
} from '../../platform/errors.ts';
import { hashToken, newId, newToken } from '../../platform/ids.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { AccountsStore, type UserListFilter, type UserRow } from './accounts-store.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { checkPassword } from './password-policy.ts';
import type { SessionLookup } from './session-lookup.ts';

export const ROLES: readonly Role[] = ['learner', 'instructor', 'admin'];

/** The user as every other part of the application sees it. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface AdminUserView extends PublicUser {
  disabledAt: string | null;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface SessionUser extends PublicUser {
  sessionId: string;
  /** Set when the session's expiry was pushed forward and the cookie should be re-sent. */
  refreshedExpiresAt?: string;
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface NewSession {
  user: PublicUser;
  token: string;
  expiresAt: string;
}

const INVALID_CREDENTIALS = 'The email or password is incorrect.';
/** Sessions are touched at most this often, so reading a page does not write on every request. */
const SESSION_TOUCH_INTERVAL_MS = 60_000;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function emailTaken(byAdmin = false): ConflictError {
  return new ConflictError(
    byAdmin
      ? 'A user with this email already exists; find them in the user list instead.'
      : 'An account with this email already exists. Log in instead, or use another email.',
    'EMAIL_TAKEN',
  );
}

/** Two requests creating the same email race: the unique index decides, the loser gets a 409. */
async function mapUniqueViolation<T>(work: Promise<T>, byAdmin = false): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(byAdmin);
    throw err;
  }
}

function toPublicUser(row: UserRow): PublicUser {
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

function toAdminView(row: UserRow): AdminUserView {
  return {
    ...toPublicUser(row),
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

export class AccountsService {
  private readonly store: AccountsStore;
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    sessionLookup?: SessionLookup,
  ) {
    this.store = new AccountsStore(db, sessionLookup);
    // Ready before the first login with an unknown email, so that one is not slower either.
    this.dummyHash = hasher.hash(newToken());
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }

  private assertPassword(password: string, email?: string, name?: string, field = 'password') {
    const reason = checkPassword(password, {
      minLength: this.config.passwordMinLength,
      email,
      name,
    });
    if (reason) throw new ValidationError(reason, [{ path: field, message: reason }]);
  }

  /** Validate and hash outside any transaction: hashing is slow and must not hold a connection. */
  private async prepareNewUser(
    input: { email: string; name: string; password: string; role: Role },
    byAdmin: boolean,
  ): Promise<UserRow> {
    const email = normaliseEmail(input.email);
    const name = input.name.trim();
    this.assertPassword(input.password, email, name);
    if (await this.store.findUserByEmail(email)) throw emailTaken(byAdmin);
    const now = this.nowIso();
    return {
      id: newId(),
      email,
      name,
      password_hash: await this.hasher.hash(input.password),
      role: input.role,
      created_at: now,
      updated_at: now,
      password_changed_at: now,
      disabled_at: null,
      last_login_at: null,
    };
  }

  private async startSession(
    store: AccountsStore,
    userId: string,
    meta: RequestMeta,
  ): Promise<{ token: string; expiresAt: string }> {
    const token = newToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.session.ttlMs).toISOString();
    await store.insertSession({
      id: hashToken(token),
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 512) ?? null,
    });
    return { token, expiresAt };
  }

  /** Self-service sign-up: always a learner, whatever the request body says. */
  async signUp(
    input: { email: string; name: string; password: string },
    meta: RequestMeta,
  ): Promise<NewSession> {
    const row = await this.prepareNewUser({ ...input, role: 'learner' }, false);
    return mapUniqueViolation(
      withTransaction(this.db, async (tx) => {
        const store = this.store.withTransaction(tx);
        await store.insertUser(row);
        const session = await this.startSession(store, row.id, meta);
        return { user: toPublicUser(row), ...session };
      }),
    );
  }

  async logIn(input: { email: string; password: string }, meta: RequestMeta): Promise<NewSession> {
    const email = normaliseEmail(input.email);
    const key = email;
    const now = this.clock.now();
    const throttle = await this.store.findThrottle(key);
    if (throttle?.locked_until && new Date(throttle.locked_until) > now) {
      throw this.lockedError(new Date(throttle.locked_until).getTime() - now.getTime());
    }

    const user = await this.store.findUserByEmail(email);
    // Verify against a dummy hash for unknown emails so both paths take the same time.
    const ok = user
      ? await this.hasher.verify(user.password_hash, input.password)
      : await this.hasher.verify(await this.getDummyHash(), input.password).then(() => false);

    if (!user || !ok || user.disabled_at) {
      if (!user || !ok) await this.recordFailure(key);
      // A disabled account with the right password gets the same answer as a wrong password.
      throw new UnauthorizedError(INVALID_CREDENTIALS, 'INVALID_CREDENTIALS');
    }

    return withTransaction(this.db, async (tx) => {
      const store = this.store.withTransaction(tx);
      await store.clearLoginFailures(key);
      await store.updateUser(user.id, { last_login_at: now.toISOString() });
      const session = await this.startSession(store, user.id, meta);
      return { user: toPublicUser(user), ...session };
    });
  }

  private lockedError(remainingMs: number): TooManyRequestsError {
    const minutes = Math.max(1, Math.ceil(remainingMs / 60_000));
    return new TooManyRequestsError(
      `Too many failed login attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an administrator to reset your password.`,
      remainingMs / 1000,
      'LOGIN_LOCKED',
    );
  }

  private async recordFailure(key: string): Promise<void> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - this.config.login.lockoutMs).toISOString();
    const failures = await this.store.recordLoginFailure(key, now.toISOString(), windowStart);
    if (failures >= this.config.login.maxFailures) {
      const lockedUntil = new Date(now.getTime() + this.config.login.lockoutMs);
      await this.store.lockLogin(key, lockedUntil.toISOString());
      throw this.lockedError(this.config.login.lockoutMs);
    }
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(newToken());
    return this.dummyHash;
  }

  async logOut(token: string): Promise<void> {
    await this.store.deleteSession(hashToken(token));
  }

  /** The user behind a session cookie, or null when the session is unknown, expired or disabled. */
  async authenticate(token: string): Promise<SessionUser | null> {
    const sessionId = hashToken(token);
    const row = await this.store.findSessionWithUser(sessionId);
    if (!row) return null;
    const now = this.clock.now();
    if (new Date(row.expiresAt) <= now) {
      await this.store.deleteSession(sessionId);
      return null;
    }
    if (row.disabledAt) return null;
    const user: SessionUser = {
      id: row.userId,
      email: row.email,
      name: row.name,
      role: row.role,
      sessionId,
    };
    if (now.getTime() - new Date(row.lastSeenAt).getTime() >= SESSION_TOUCH_INTERVAL_MS) {
      const expiresAt = new Date(now.getTime() + this.config.session.ttlMs).toISOString();
      await this.store.touchSession(sessionId, now.toISOString(), expiresAt);
      user.refreshedExpiresAt = expiresAt;
    }
    return user;
  }

  async getUser(id: string): Promise<AdminUserView> {
    const row = await this.store.findUserById(id);
    if (!row) throw new NotFoundError('No user with this id.', 'USER_NOT_FOUND');
    return toAdminView(row);
  }

  /** Change one's own password: every session ends, and a fresh one is returned for this browser. */
  async changeOwnPassword(
    userId: string,
    input: { currentPassword: string; newPassword: string },
    meta: RequestMeta,
  ): Promise<NewSession> {
    const row = await this.store.findUserById(userId);
    if (!row) throw new UnauthorizedError();
    if (!(await this.hasher.verify(row.password_hash, input.currentPassword))) {
      throw new ValidationError('The current password is incorrect.', [
        { path: 'currentPassword', message: 'The current password is incorrect.' },
      ]);
    }
    this.assertPassword(input.newPassword, row.email, row.name, 'newPassword');
    const passwordHash = await this.hasher.hash(input.newPassword);
    return withTransaction(this.db, async (tx) => {
      const store = this.store.withTransaction(tx);
      const now = this.nowIso();
      await store.updateUser(userId, {
        password_hash: passwordHash,
        password_changed_at: now,
        updated_at: now,
      });
      await store.deleteSessionsOfUser(userId);
      await this.audit.record(
        {
          actorId: userId,
          action: 'user.password_changed',
          targetType: 'user',
          targetId: userId,
          ip: meta.ip,
        },
        tx,
      );
      const session = await this.startSession(store, userId, meta);
      return { user: toPublicUser(row), ...session };
    });
  }

  // --- Admin user management -------------------------------------------------------------------

  async listUsers(filter: UserListFilter): Promise<{ users: AdminUserView[]; total: number }> {
    const { rows, total } = await this.store.listUsers(filter);
    return { users: rows.map(toAdminView), total };
  }

  async createUser(
    actorId: string | null,
    input: { email: string; name: string; password: string; role: Role },
    meta: RequestMeta,
  ): Promise<AdminUserView> {
    const row = await this.prepareNewUser(input, true);
    return mapUniqueViolation(
      withTransaction(this.db, async (tx) => {
        await this.store.withTransaction(tx).insertUser(row);
        await this.audit.record(
          {
            actorId,
            action: 'user.created',
            targetType: 'user',
            targetId: row.id,
            details: { email: row.email, role: row.role },
            ip: meta.ip,
          },
          tx,
        );
        return toAdminView(row);
      }),
      true,
    );
  }

  async resetPassword(
    actorId: string,
    userId: string,
    password: string,
    meta: RequestMeta,
  ): Promise<void> {
    const row = await this.store.findUserById(userId);
    if (!row) throw new NotFoundError('No user with this id.', 'USER_NOT_FOUND');
    this.assertPassword(password, row.email, row.name);
    const passwordHash = await this.hasher.hash(password);
    await withTransaction(this.db, async (tx) => {
      const store = this.store.withTransaction(tx);
      const now = this.nowIso();
      await store.updateUser(userId, {
        password_hash: passwordHash,
        password_changed_at: now,
        updated_at: now,
      });
      const ended = await store.deleteSessionsOfUser(userId);
      await store.clearLoginFailures(row.email);
      await this.audit.record(
        {
          actorId,
          action: 'user.password_reset',
          targetType: 'user',
          targetId: userId,
          details: { email: row.email, sessionsEnded: ended },
          ip: meta.ip,
        },
        tx,
      );
    });
  }

  async setDisabled(
    actorId: string,
    userId: string,
    disabled: boolean,
    meta: RequestMeta,
  ): Promise<AdminUserView> {
    return withTransaction(this.db, async (tx) => {
      const store = this.store.withTransaction(tx);
      const row = await store.findUserById(userId);
      if (!row) throw new NotFoundError('No user with this id.', 'USER_NOT_FOUND');
      if (disabled && userId === actorId) {
        throw new ConflictError('You cannot disable your own account.', 'CANNOT_DISABLE_SELF');
      }
      if (disabled && row.role === 'admin' && !row.disabled_at) {
        await this.assertAnotherAdmin(store);
      }
      const now = this.nowIso();
      const updated = await store.updateUser(userId, {
        disabled_at: disabled ? (row.disabled_at ?? now) : null,
        updated_at: now,
      });
      const ended = disabled ? await store.deleteSessionsOfUser(userId) : 0;
      await this.audit.record(
        {
          actorId,
          action: disabled ? 'user.disabled' : 'user.enabled',
          targetType: 'user',
          targetId: userId,
          details: { email: row.email, ...(disabled ? { sessionsEnded: ended } : {}) },
          ip: meta.ip,
        },
        tx,
      );
      return toAdminView(updated ?? row);
    });
  }

  async changeRole(
    actorId: string,
    userId: string,
    role: Role,
    meta: RequestMeta,
  ): Promise<AdminUserView> {
    return withTransaction(this.db, async (tx) => {
      const store = this.store.withTransaction(tx);
      const row = await store.findUserById(userId);
      if (!row) throw new NotFoundError('No user with this id.', 'USER_NOT_FOUND');
      if (row.role === role) return toAdminView(row);
      if (row.role === 'admin' && !row.disabled_at) await this.assertAnotherAdmin(store);
      const updated = await store.updateUser(userId, { role, updated_at: this.nowIso() });
      await this.audit.record(
        {
          actorId,
          action: 'user.role_changed',
          targetType: 'user',
          targetId: userId,
          details: { email: row.email, from: row.role, to: role },
          ip: meta.ip,
        },
        tx,
      );
      return toAdminView(updated ?? row);
    });
  }

  private async assertAnotherAdmin(store: AccountsStore): Promise<void> {
    if ((await store.countActiveAdmins()) <= 1) {
      throw new ConflictError(
        'This is the last active administrator; make another user an admin first.',
        'LAST_ADMIN',
      );
    }
  }

  async countUsers(): Promise<number> {
    return this.store.countUsers();
  }

  async findUserByEmail(email: string): Promise<PublicUser | undefined> {
    const row = await this.store.findUserByEmail(normaliseEmail(email));
    return row ? toPublicUser(row) : undefined;
  }

  async purgeExpiredSessions(): Promise<number> {
    return this.store.deleteExpiredSessions(this.nowIso());
  }
}
