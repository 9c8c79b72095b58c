// Request and response schemas of the accounts routes. Objects strip unknown keys, so a body
// can never set a field the route does not name (no mass assignment).
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from './password-policy.ts';

export const roleSchema = z.enum(['learner', 'instructor', 'admin']);

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ message: 'must be a valid email address' }));
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(120, 'must be at most 120 characters');
const password = z
  .string()
  .min(1, 'must not be empty')
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);

export const signUpBody = z.object({ email, name, password });
export const logInBody = z.object({ email: z.string().trim().min(1).max(254), password });
export const changePasswordBody = z.object({ currentPassword: password, newPassword: password });

export const publicUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
});

export const userEnvelope = z.object({ user: publicUserSchema });

export const csrfResponse = z.object({ token: z.string() });

export const adminUserSchema = publicUserSchema.extend({
  disabledAt: z.string().nullable(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});

export const listUsersQuery = z.object({
  q: z.string().trim().max(200).optional(),
  role: roleSchema.optional(),
  status: z.enum(['active', 'disabled']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const listUsersResponse = z.object({
  users: z.array(adminUserSchema),
  total: z.number().int(),
});

export const createUserBody = z.object({ email, name, password, role: roleSchema });
export const resetPasswordBody = z.object({ password });
export const changeRoleBody = z.object({ role: roleSchema });
export const userIdParams = z.object({ id: z.uuid({ message: 'must be a user id (UUID)' }) });
export const adminUserEnvelope = z.object({ user: adminUserSchema });

export const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const auditResponse = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      actorId: z.string().nullable(),
      actorEmail: z.string().nullable(),
      action: z.string(),
      targetType: z.string().nullable(),
      targetId: z.string().nullable(),
      details: z.record(z.string(), z.unknown()).nullable(),
      ip: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
  total: z.number().int(),
});
