// Session resolution and role checks. Every /api route requires a logged-in user unless it
// declares `config: { access: 'public' }`; `access: ['admin']` narrows it to roles.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/env.ts';
import type { Role } from '../../infra/db/schema.ts';
import type { AccountsService, SessionUser } from '../../modules/accounts/accounts-service.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';

export type RouteAccess = 'public' | 'user' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    user: SessionUser | null;
  }
}

export function isSecureRequest(config: AppConfig, request: FastifyRequest): boolean {
  const mode = config.session.cookieSecure;
  return mode === 'always' || (mode === 'auto' && request.protocol === 'https');
}

export function setSessionCookie(
  config: AppConfig,
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: string,
): void {
  reply.setCookie(config.session.cookieName, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isSecureRequest(config, request),
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(
  config: AppConfig,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.clearCookie(config.session.cookieName, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isSecureRequest(config, request),
  });
}

/** The route's declared access; /api routes default to requiring a user. */
function accessOf(request: FastifyRequest): RouteAccess {
  const declared = request.routeOptions.config.access;
  if (declared) return declared;
  return request.url.startsWith('/api/') ? 'user' : 'public';
}

export function registerAuth(
  app: FastifyInstance,
  config: AppConfig,
  accounts: AccountsService,
): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request, reply) => {
    const access = accessOf(request);
    const token = request.cookies[config.session.cookieName];
    if (token) {
      const user = await accounts.authenticate(token);
      request.user = user;
      if (user?.refreshedExpiresAt) {
        setSessionCookie(config, request, reply, token, user.refreshedExpiresAt);
      }
    }
    if (access === 'public') return;
    if (!request.user) throw new UnauthorizedError();
    if (access !== 'user' && !access.includes(request.user.role)) {
      throw new ForbiddenError(`This needs the ${access.join(' or ')} role.`);
    }
  });
}

/** The logged-in user of a route that is not public (the hook above guarantees one). */
export function currentUser(request: FastifyRequest): SessionUser {
  if (!request.user) throw new UnauthorizedError();
  return request.user;
}
