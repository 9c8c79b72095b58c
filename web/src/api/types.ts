// Shapes of the SkillBridge HTTP API as the web app uses them. Request and response types are
// inferred from the server's own zod schemas (type-only imports: nothing of the server or of
// zod reaches the bundle), so a change on the server shows up here as a type error.
import type { z } from 'zod';
import type {
  adminUserSchema,
  auditResponse,
  listUsersResponse,
  publicUserSchema,
  roleSchema,
} from '../../../src/modules/accounts/accounts-schemas.ts';
import type {
  FieldError,
  ProblemDetails as ServerProblemDetails,
} from '../../../src/platform/errors.ts';

export type Role = z.infer<typeof roleSchema>;

export const ROLES = ['learner', 'instructor', 'admin'] as const satisfies readonly Role[];
// Fails to compile if the server gains a role this list does not name.
const _allRolesListed: readonly (typeof ROLES)[number][] = [] as Role[];

export const ROLE_LABELS: Record<Role, string> = {
  learner: 'Learner',
  instructor: 'Instructor',
  admin: 'Admin',
};

export type SessionUser = z.infer<typeof publicUserSchema>;
export type ManagedUser = z.infer<typeof adminUserSchema>;
export type UserList = z.infer<typeof listUsersResponse>;
export type AuditLog = z.infer<typeof auditResponse>;
export type AuditEntry = AuditLog['entries'][number];

export type UserStatus = 'active' | 'disabled';

export interface UserListQuery {
  q?: string;
  role?: Role;
  status?: UserStatus;
  limit: number;
  offset: number;
}

export interface AuditLogQuery {
  limit: number;
  offset: number;
}

export type FieldProblem = FieldError;

/** RFC 9457 problem details as the server sends them. */
export type ProblemDetails = ServerProblemDetails;
