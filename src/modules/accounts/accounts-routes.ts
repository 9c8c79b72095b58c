// Sign-up, login, logout, the current user and their password.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppConfig } from '../../config/env.ts';
import { TooManyRequestsError } from '../../platform/errors.ts';
import { clearSessionCookie, currentUser, setSessionCookie } from '../../platform/http/auth.ts';
import type { AccountsService, RequestMeta } from './accounts-service.ts';
import {
  changePasswordBody,
  csrfResponse,
  logInBody,
  publicUserSchema,
  signUpBody,
  userEnvelope,
} from './accounts-schemas.ts';

export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null };
}

export function accountsRoutes(deps: { config: AppConfig; accounts: AccountsService }) {
  const { config, accounts } = deps;
  const authRateLimit = {
    max: config.login.rateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request: FastifyRequest, context: { ttl: number }) =>
      new TooManyRequestsError(
        'Too many attempts from this address; wait a minute and try again.',
        context.ttl / 1000,
        'RATE_LIMITED',
      ),
  };

  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/api/auth/csrf',
      {
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Get a CSRF token to send in x-csrf-token',
          response: { 200: csrfResponse },
        },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'no-store');
        return { token: reply.generateCsrf() };
      },
    );

    r.post(
      '/api/auth/signup',
      {
        config: { access: 'public', rateLimit: authRateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Create a learner account and log in',
          body: signUpBody,
          response: { 201: userEnvelope },
        },
      },
      async (request, reply) => {
        const session = await accounts.signUp(request.body, requestMeta(request));
        setSessionCookie(config, request, reply, session.token, session.expiresAt);
        return reply.code(201).send({ user: session.user });
      },
    );

    r.post(
      '/api/auth/login',
      {
        config: { access: 'public', rateLimit: authRateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Log in with email and password',
          body: logInBody,
          response: { 200: userEnvelope },
        },
      },
      async (request, reply) => {
        const session = await accounts.logIn(request.body, requestMeta(request));
        // The session this browser had before (if any) ends: one live session per cookie.
        const previous = request.cookies[config.session.cookieName];
        if (previous) await accounts.logOut(previous);
        // A fresh session id at every login: any id known before login is useless after it.
        setSessionCookie(config, request, reply, session.token, session.expiresAt);
        return { user: session.user };
      },
    );

    r.post(
      '/api/auth/logout',
      {
        config: { access: 'public' },
        schema: { tags: ['auth'], summary: 'End this session', response: { 204: z.null() } },
      },
      async (request, reply) => {
        const token = request.cookies[config.session.cookieName];
        if (token) await accounts.logOut(token);
        clearSessionCookie(config, request, reply);
        return reply.code(204).send(null);
      },
    );

    r.get(
      '/api/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'The logged-in user',
          response: { 200: publicUserSchema },
        },
      },
      async (request) => {
        const { id, email, name, role } = currentUser(request);
        return { id, email, name, role };
      },
    );

    r.post(
      '/api/me/password',
      {
        config: { rateLimit: authRateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Change your password; every other session ends',
          body: changePasswordBody,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        const session = await accounts.changeOwnPassword(
          currentUser(request).id,
          request.body,
          requestMeta(request),
        );
        setSessionCookie(config, request, reply, session.token, session.expiresAt);
        return reply.code(204).send(null);
      },
    );
  };
}
