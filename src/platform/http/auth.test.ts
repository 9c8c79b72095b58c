// Role checks in isolation: a fake accounts service stands in for sessions.
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { AccountsService, SessionUser } from '../../modules/accounts/accounts-service.ts';
import { testConfig } from '../../../test/helpers/build-test-app.ts';
import { registerErrorHandling } from './error-handler.ts';
import { registerAuth } from './auth.ts';

const users: Record<string, SessionUser> = {
  'tok-learner': { id: 'l', email: 'l@x.y', name: 'L', role: 'learner', sessionId: 's1' },
  'tok-instructor': { id: 'i', email: 'i@x.y', name: 'I', role: 'instructor', sessionId: 's2' },
  'tok-admin': { id: 'a', email: 'a@x.y', name: 'A', role: 'admin', sessionId: 's3' },
};

const fakeAccounts = {
  authenticate: async (token: string) => users[token] ?? null,
} as unknown as AccountsService;

async function app() {
  const a = Fastify({ logger: false });
  registerErrorHandling(a, 1024);
  await a.register(cookie);
  registerAuth(a, testConfig(), fakeAccounts);
  a.get('/api/open', { config: { access: 'public' } }, async () => 'open');
  a.get('/api/default', async () => 'default');
  a.get('/api/staff', { config: { access: ['instructor', 'admin'] } }, async () => 'staff');
  a.get('/api/admin', { config: { access: ['admin'] } }, async () => 'admin');
  a.get('/page', async () => 'page');
  return a;
}

describe('route access', () => {
  it.each([
    ['/api/open', undefined, 200],
    ['/api/default', undefined, 401],
    ['/api/default', 'tok-learner', 200],
    ['/api/default', 'tok-unknown', 401],
    ['/api/staff', 'tok-learner', 403],
    ['/api/staff', 'tok-instructor', 200],
    ['/api/staff', 'tok-admin', 200],
    ['/api/admin', 'tok-instructor', 403],
    ['/api/admin', 'tok-admin', 200],
    ['/page', undefined, 200],
  ])('%s with %s -> %i', async (url, token, status) => {
    const a = await app();
    const res = await a.inject({
      method: 'GET',
      url,
      ...(token ? { headers: { cookie: `sb_session=${token}` } } : {}),
    });
    expect(res.statusCode).toBe(status);
  });
});
