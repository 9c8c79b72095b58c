// Admin user management and the audit log. Admin only.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser } from '../../platform/http/auth.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { requestMeta } from './accounts-routes.ts';
import type { AccountsService } from './accounts-service.ts';
import {
  adminUserEnvelope,
  auditQuery,
  auditResponse,
  changeRoleBody,
  createUserBody,
  listUsersQuery,
  listUsersResponse,
  resetPasswordBody,
  userIdParams,
} from './accounts-schemas.ts';

const ADMIN = { access: ['admin'] as const };

export function usersRoutes(deps: { accounts: AccountsService; audit: AuditService }) {
  const { accounts, audit } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/api/users',
      {
        config: ADMIN,
        schema: {
          tags: ['users'],
          summary: 'List users',
          querystring: listUsersQuery,
          response: { 200: listUsersResponse },
        },
      },
      async (request) => accounts.listUsers(request.query),
    );

    r.post(
      '/api/users',
      {
        config: ADMIN,
        schema: {
          tags: ['users'],
          summary: 'Create a user with a role',
          body: createUserBody,
          response: { 201: adminUserEnvelope },
        },
      },
      async (request, reply) => {
        const user = await accounts.createUser(
          currentUser(request).id,
          request.body,
          requestMeta(request),
        );
        return reply.code(201).send({ user });
      },
    );

    r.get(
      '/api/users/:id',
      {
        config: ADMIN,
        schema: {
          tags: ['users'],
          summary: 'One user',
          params: userIdParams,
          response: { 200: adminUserEnvelope },
        },
      },
      async (request) => ({ user: await accounts.getUser(request.params.id) }),
    );

    r.post(
      '/api/users/:id/password',
      {
        config: ADMIN,
        schema: {
          tags: ['users'],
          summary: "Reset a user's password; their sessions end",
          params: userIdParams,
          body: resetPasswordBody,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await accounts.resetPassword(
          currentUser(request).id,
          request.params.id,
          request.body.password,
          requestMeta(request),
        );
        return reply.code(204).send(null);
      },
    );

    for (const action of ['disable', 'enable'] as const) {
      r.post(
        `/api/users/:id/${action}`,
        {
          config: ADMIN,
          schema: {
            tags: ['users'],
            summary:
              action === 'disable'
                ? 'Disable a user; their sessions end at once'
                : 'Enable a disabled user',
            params: userIdParams,
            response: { 200: adminUserEnvelope },
          },
        },
        async (request) => ({
          user: await accounts.setDisabled(
            currentUser(request).id,
            request.params.id,
            action === 'disable',
            requestMeta(request),
          ),
        }),
      );
    }

    r.post(
      '/api/users/:id/role',
      {
        config: ADMIN,
        schema: {
          tags: ['users'],
          summary: "Change a user's role",
          params: userIdParams,
          body: changeRoleBody,
          response: { 200: adminUserEnvelope },
        },
      },
      async (request) => ({
        user: await accounts.changeRole(
          currentUser(request).id,
          request.params.id,
          request.body.role,
          requestMeta(request),
        ),
      }),
    );

    r.get(
      '/api/audit-log',
      {
        config: ADMIN,
        schema: {
          tags: ['users'],
          summary: 'Administrative actions, newest first',
          querystring: auditQuery,
          response: { 200: auditResponse },
        },
      },
      async (request) => audit.list(request.query.limit, request.query.offset),
    );
  };
}
