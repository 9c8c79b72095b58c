// Admin LLM routes on both dialects: usage aggregates, budgets, and the provider check, which runs
// the real gateway against a fake OpenAI-compatible server on 127.0.0.1.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
} from '../../../test/helpers/fake-openai-server.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { createLlmConfigDir } from '../../../test/helpers/llm-config-dir.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import type { LlmCallRow } from '../../infra/llm/usage-ledger.ts';
import { KyselyUsageLedger } from '../../infra/llm/usage-ledger.ts';
import { FakeClock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';

const NOW = '2026-03-10T09:00:00.000Z';
const okAnswer = JSON.stringify({ ok: true, greeting: 'Hello admin' });

function row(overrides: Partial<LlmCallRow>): LlmCallRow {
  return {
    id: newId(),
    created_at: `${overrides.day ?? '2026-03-10'}T08:00:00.000Z`,
    day: '2026-03-10',
    provider: 'openai-compatible',
    model: 'fake-model',
    feature: 'lesson',
    operation: 'object',
    prompt_id: 'lesson',
    prompt_version: 1,
    user_id: null,
    job_id: null,
    input_tokens: 100,
    output_tokens: 50,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: 0.001,
    price_effective_from: '2024-01-01',
    latency_ms: 100,
    retries: 0,
    finish_reason: 'stop',
    status: 'ok',
    error_code: null,
    error_message: null,
    ...overrides,
  };
}

describe.each(testDialects())('admin LLM routes on %s', (dialect) => {
  let t: TestApp;
  let server: FakeOpenAiServer;
  let clock: FakeClock;
  let admin: TestClient;
  let adminUser: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    server = await startFakeOpenAiServer();
    clock = new FakeClock(NOW);
    const configDir = createLlmConfigDir({
      features: {
        default: { timeoutMs: 1_500, retries: 1 },
        // A feature on the built-in generator, to see it labelled as such.
        'offline-notes': { provider: 'offline', model: 'offline' },
        // A provider without a key: falls back to offline, and says why.
        'needs-key': { provider: 'anthropic', model: 'claude-sonnet-4' },
      },
    });
    t = await buildTestApp(dialect, {
      clock,
      env: {
        LLM_CONFIG_DIR: configDir,
        OPENAI_BASE_URL: server.baseUrl,
        OPENAI_API_KEY: 'sk-test',
        LLM_DAILY_TOKEN_BUDGET_PER_USER: '1000',
      },
    });
    adminUser = await createUser(t.deps, { role: 'admin', email: `root-${dialect}@example.com` });
    admin = new TestClient(t.app);
    expect((await admin.login(adminUser.email, adminUser.password)).statusCode).toBe(200);
  });
  afterEach(() => {
    server.reset();
  });
  afterAll(async () => {
    await t?.close();
    await server?.close();
  });

  const llmRows = () => t.db.handle.db.selectFrom('llm_calls').selectAll().execute();
  const clearLedger = () => t.db.handle.db.deleteFrom('llm_calls').execute();

  it('guards every LLM admin route: 401 logged out, 403 for learners and instructors', async () => {
    const routes = t.app.routeSummaries.filter(
      (r) => r.url.startsWith('/api/admin/llm') && r.method !== 'HEAD',
    );
    expect(routes.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'DELETE /api/admin/llm-budgets/:userId',
      'GET /api/admin/llm-budgets',
      'GET /api/admin/llm-budgets/:userId',
      'GET /api/admin/llm-usage',
      'GET /api/admin/llm/features',
      'POST /api/admin/llm/check',
      'PUT /api/admin/llm-budgets/:userId',
    ]);
    for (const r of routes) expect(r.access, r.url).toEqual(['admin']);
    const learner = await createUser(t.deps, { role: 'learner' });
    const instructor = await createUser(t.deps, { role: 'instructor' });
    const body = { feature: 'default', dailyTokens: 5 };
    for (const who of [learner, instructor]) {
      const c = new TestClient(t.app);
      await c.login(who.email, who.password);
      for (const route of routes) {
        const url = route.url.replace(':userId', who.id);
        const res = await c.request(
          route.method as 'POST',
          url,
          route.method === 'GET' ? undefined : body,
        );
        expect(res.statusCode, `${who.role} ${route.method} ${route.url}`).toBe(403);
      }
    }
    const anonymous = new TestClient(t.app);
    for (const route of routes) {
      const res = await anonymous.request(
        route.method as 'POST',
        route.url.replace(':userId', learner.id),
        route.method === 'GET' ? undefined : body,
      );
      expect(res.statusCode, `anonymous ${route.method} ${route.url}`).toBe(401);
    }
    // Nothing reached the provider and no budget was written.
    expect(server.requests).toHaveLength(0);
    expect((await admin.get('/api/admin/llm-budgets')).json().overrides).toEqual([]);
  });

  describe('usage aggregates', () => {
    let alice: Awaited<ReturnType<typeof createUser>>;
    let bob: Awaited<ReturnType<typeof createUser>>;

    beforeAll(async () => {
      await clearLedger();
      alice = await createUser(t.deps, { email: `alice-${dialect}@example.com` });
      bob = await createUser(t.deps, { email: `bob-${dialect}@example.com` });
      const ledger = new KyselyUsageLedger(t.db.handle.db);
      const rows: LlmCallRow[] = [
        // 2026-03-08: alice, lesson, 4 calls with latencies 100..400
        ...[100, 200, 300, 400].map((latency) =>
          row({ day: '2026-03-08', user_id: alice.id, latency_ms: latency }),
        ),
        // 2026-03-09: bob, tagging on another model, one failure, one unpriced call
        row({
          day: '2026-03-09',
          user_id: bob.id,
          feature: 'tagging',
          model: 'other-model',
          input_tokens: 1000,
          output_tokens: 10,
          cache_read_tokens: 400,
          cost_usd: null,
          price_effective_from: null,
          latency_ms: 900,
        }),
        row({
          day: '2026-03-09',
          user_id: bob.id,
          feature: 'tagging',
          status: 'error',
          error_code: 'LLM_TIMEOUT',
          error_message: 'took too long',
          input_tokens: 0,
          output_tokens: 0,
          cost_usd: 0,
          latency_ms: 5000,
        }),
        // 2026-03-10: a budget refusal (not an error, no latency), system work, offline
        row({
          day: '2026-03-10',
          user_id: bob.id,
          status: 'error',
          error_code: 'LLM_BUDGET_EXCEEDED',
          input_tokens: 0,
          output_tokens: 0,
          cost_usd: 0,
          latency_ms: 1,
        }),
        row({ day: '2026-03-10', user_id: null, feature: 'courseware', latency_ms: 50 }),
        row({
          day: '2026-03-10',
          user_id: alice.id,
          provider: 'offline',
          model: 'offline',
          cost_usd: 0,
          latency_ms: 2,
        }),
        // A deleted user's calls keep their history (the ledger has no foreign key).
        row({ day: '2026-03-10', user_id: '00000000-0000-4000-8000-000000000000' }),
        // Outside the range asked for.
        row({ day: '2026-02-01', user_id: alice.id, input_tokens: 99_999 }),
      ];
      for (const r of rows) await ledger.record(r);
    });

    const usage = (query: string) => admin.get(`/api/admin/llm-usage?${query}`);

    it('totals calls, errors, refusals, tokens, cost and latency percentiles over the range', async () => {
      const res = await usage('from=2026-03-08&to=2026-03-10');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ from: '2026-03-08', to: '2026-03-10', groupBy: 'day' });
      expect(body.totals).toEqual({
        calls: 10,
        errors: 1,
        // 1 error of the 9 calls that reached a provider
        errorRate: 1 / 9,
        budgetRefusals: 1,
        inputTokens: 100 * 4 + 1000 + 100 * 3,
        outputTokens: 50 * 4 + 10 + 50 * 3,
        cacheReadTokens: 400,
        cacheWriteTokens: 0,
        totalTokens: 1700 + 360,
        costUsd: 0.001 * 4 + 0.001 * 2,
        unpricedCalls: 1,
        // latencies without the refusal: 2 50 100 100 200 300 400 900 5000 (n = 9)
        p50LatencyMs: 200,
        p95LatencyMs: 5000,
      });
      // Every day of the range, in order, quiet or not.
      expect(body.groups.map((g: { key: string; calls: number }) => [g.key, g.calls])).toEqual([
        ['2026-03-08', 4],
        ['2026-03-09', 2],
        ['2026-03-10', 4],
      ]);
      expect(body.groups[0]).toMatchObject({
        p50LatencyMs: 200,
        p95LatencyMs: 400,
        costUsd: 0.004,
        errors: 0,
      });
      expect(body.groups[1]).toMatchObject({ errors: 1, errorRate: 0.5, unpricedCalls: 1 });
    });

    it('shows quiet days as zero so the chart has no gaps', async () => {
      const res = await usage('from=2026-03-05&to=2026-03-08');
      const groups = res.json().groups as { key: string; calls: number; p50LatencyMs: unknown }[];
      expect(groups.map((g) => g.key)).toEqual([
        '2026-03-05',
        '2026-03-06',
        '2026-03-07',
        '2026-03-08',
      ]);
      expect(groups[0]).toMatchObject({ calls: 0, p50LatencyMs: null });
    });

    it('groups by model, feature and user with readable labels, biggest first', async () => {
      const range = 'from=2026-03-08&to=2026-03-10';
      const byModel = (await usage(`${range}&groupBy=model`)).json();
      expect(byModel.groups.map((g: { key: string; label: string }) => [g.key, g.label])).toEqual([
        ['openai-compatible/other-model', 'other-model (openai-compatible)'],
        ['openai-compatible/fake-model', 'fake-model (openai-compatible)'],
        ['offline/offline', 'offline (offline)'],
      ]);

      const byFeature = (await usage(`${range}&groupBy=feature`)).json();
      expect(byFeature.groups.map((g: { key: string; calls: number }) => [g.key, g.calls])).toEqual(
        [
          ['tagging', 2],
          ['lesson', 7],
          ['courseware', 1],
        ],
      );

      const byUser = (await usage(`${range}&groupBy=user`)).json();
      expect(
        byUser.groups.map((g: { key: string; label: string; totalTokens: number }) => [
          g.key,
          g.label,
          g.totalTokens,
        ]),
      ).toEqual([
        [bob.id, bob.email, 1010],
        [alice.id, alice.email, 750],
        ['', 'No user (system work)', 150],
        ['00000000-0000-4000-8000-000000000000', 'Deleted user 00000000', 150],
      ]);
      const bobGroup = byUser.groups[0];
      expect(bobGroup).toMatchObject({ calls: 3, errors: 1, budgetRefusals: 1 });
      // Group totals add up to the overall totals.
      const sum = (key: string) =>
        byUser.groups.reduce((s: number, g: Record<string, number>) => s + (g[key] ?? 0), 0);
      expect(sum('calls')).toBe(byUser.totals.calls);
      expect(sum('totalTokens')).toBe(byUser.totals.totalTokens);
    });

    it('defaults to the last 30 days up to today', async () => {
      const res = await admin.get('/api/admin/llm-usage');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ from: '2026-02-09', to: '2026-03-10' });
      expect(body.groups).toHaveLength(30);
      expect(body.totals.calls).toBe(10);
    });

    it('refuses bad queries with a 400 naming the field, never a 500', async () => {
      const cases: [string, string][] = [
        ['groupBy=week', 'querystring.groupBy'],
        ["groupBy=day'--", 'querystring.groupBy'],
        ['from=2026-13-01', 'querystring.from'],
        ['from=2026-02-30', 'querystring.from'],
        ['to=yesterday', 'querystring.to'],
        ['from=2026-03-10%27%3B%20drop%20table%20llm_calls%3B--', 'querystring.from'],
        ['from=2026-03-10&to=2026-03-01', 'querystring.from'],
        ['from=2024-01-01&to=2026-03-01', 'querystring.from'],
      ];
      for (const [query, field] of cases) {
        const res = await usage(query);
        expect(res.statusCode, query).toBe(400);
        expect(res.headers['content-type'], query).toContain('application/problem+json');
        const paths = (res.json().errors ?? []).map((e: { path: string }) => e.path);
        expect(paths, query).toContain(field);
      }
      expect((await llmRows()).length).toBe(11);
    });
  });

  describe('budgets', () => {
    it('sets, lists, reads and removes a budget, auditing each change', async () => {
      const learner = await createUser(t.deps, { email: `maya-${dialect}@example.com` });
      const before = (await admin.get(`/api/admin/llm-budgets/${learner.id}`)).json().budget;
      expect(before).toMatchObject({
        userId: learner.id,
        email: learner.email,
        dailyTokens: 1000,
        overridden: false,
        usedToday: 0,
        resetsAt: '2026-03-11T00:00:00.000Z',
        updatedAt: null,
      });

      const set = await admin.request('PUT', `/api/admin/llm-budgets/${learner.id}`, {
        dailyTokens: 25_000,
      });
      expect(set.statusCode).toBe(200);
      expect(set.json().budget).toMatchObject({
        dailyTokens: 25_000,
        overridden: true,
        updatedAt: NOW,
      });

      const list = (await admin.get('/api/admin/llm-budgets')).json();
      expect(list.defaultDailyTokens).toBe(1000);
      expect(list.resetsAt).toBe('2026-03-11T00:00:00.000Z');
      expect(list.overrides).toEqual([
        expect.objectContaining({ userId: learner.id, email: learner.email, dailyTokens: 25_000 }),
      ]);

      // 0 = unlimited is a valid override, not a removal.
      const unlimited = await admin.request('PUT', `/api/admin/llm-budgets/${learner.id}`, {
        dailyTokens: 0,
      });
      expect(unlimited.json().budget).toMatchObject({ dailyTokens: 0, overridden: true });

      const removed = await admin.request('DELETE', `/api/admin/llm-budgets/${learner.id}`);
      expect(removed.statusCode).toBe(200);
      expect(removed.json().budget).toMatchObject({
        dailyTokens: 1000,
        overridden: false,
        updatedAt: null,
      });
      expect((await admin.get('/api/admin/llm-budgets')).json().overrides).toEqual([]);

      const audit = (await admin.get('/api/audit-log?limit=10')).json().entries as {
        action: string;
        targetId: string;
        details: Record<string, unknown>;
      }[];
      const mine = audit.filter((e) => e.targetId === learner.id && e.action.startsWith('llm.'));
      // (All three happened at the same instant of the test clock, so their order is not asserted.)
      expect(mine.map((e) => [e.action, e.details.from, e.details.to])).toEqual(
        expect.arrayContaining([
          ['llm.budget.set', null, 25_000],
          ['llm.budget.set', 25_000, 0],
          ['llm.budget.reset', 0, null],
        ]),
      );
      expect(mine).toHaveLength(3);
    });

    it('refuses bad budgets and unknown users with a clear 4xx, changing nothing', async () => {
      const learner = await createUser(t.deps);
      await admin.request('PUT', `/api/admin/llm-budgets/${learner.id}`, { dailyTokens: 500 });
      const bad: unknown[] = [
        { dailyTokens: -1 },
        { dailyTokens: 1.5 },
        { dailyTokens: '500' },
        { dailyTokens: 2_000_000_000 },
        {},
        { dailyTokens: { $gt: 0 } },
      ];
      for (const body of bad) {
        const res = await admin.request('PUT', `/api/admin/llm-budgets/${learner.id}`, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(
          'body.dailyTokens',
        );
      }
      const notUuid = await admin.request('PUT', '/api/admin/llm-budgets/not-a-user', {
        dailyTokens: 5,
      });
      expect(notUuid.statusCode).toBe(400);
      expect(notUuid.json().errors[0].path).toBe('params.userId');
      const ghost = '11111111-1111-4111-8111-111111111111';
      const unknown = await admin.request('PUT', `/api/admin/llm-budgets/${ghost}`, {
        dailyTokens: 5,
      });
      expect(unknown.statusCode).toBe(404);
      expect((await admin.request('DELETE', `/api/admin/llm-budgets/${ghost}`)).statusCode).toBe(
        404,
      );
      expect((await admin.get(`/api/admin/llm-budgets/${ghost}`)).statusCode).toBe(404);
      const after = (await admin.get(`/api/admin/llm-budgets/${learner.id}`)).json().budget;
      expect(after).toMatchObject({ dailyTokens: 500, overridden: true });
    });
  });

  describe('provider check', () => {
    const check = (client: TestClient, body: unknown) => client.post('/api/admin/llm/check', body);

    it('runs the provider-check prompt through the configured provider and records the call', async () => {
      await clearLedger();
      server.setFallback({
        kind: 'reply',
        content: okAnswer,
        usage: { inputTokens: 120, outputTokens: 30 },
      });
      const res = await check(admin, { feature: 'default' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        ok: true,
        feature: 'default',
        provider: 'openai-compatible',
        model: 'fake-model',
        offline: false,
        retries: 0,
        reply: { ok: true, greeting: 'Hello admin' },
        usage: { inputTokens: 120, outputTokens: 30, totalTokens: 150, costUsd: 0.00054 },
      });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.body.messages).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            content: expect.stringContaining('the SkillBridge feature "default"'),
          }),
        ]),
      );
      const rows = await llmRows();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        id: res.json().callId,
        user_id: adminUser.id,
        feature: 'default',
        prompt_id: 'provider-check',
        status: 'ok',
        input_tokens: 120,
      });
    });

    it('labels the offline generator and says why a provider fell back to it', async () => {
      const features = (await admin.get('/api/admin/llm/features')).json().features as {
        feature: string;
        offline: boolean;
        provider: string;
        configuredProvider: string;
        fallbackReason: string | null;
      }[];
      expect(features.map((f) => f.feature)).toEqual(['default', 'needs-key', 'offline-notes']);
      expect(features[0]).toMatchObject({ offline: false, provider: 'openai-compatible' });
      expect(features[1]).toMatchObject({
        offline: true,
        configuredProvider: 'anthropic',
        provider: 'offline',
        fallbackReason: 'ANTHROPIC_API_KEY is not set',
      });
      expect(features[2]).toMatchObject({ offline: true, fallbackReason: null });

      for (const feature of ['offline-notes', 'needs-key']) {
        const res = await check(admin, { feature });
        expect(res.statusCode, feature).toBe(200);
        expect(res.json(), feature).toMatchObject({
          ok: true,
          provider: 'offline',
          model: 'offline',
          offline: true,
          usage: { costUsd: 0 },
        });
      }
      expect(server.requests).toHaveLength(0);
    });

    it('reports a failing provider in the body, keeps serving, and leaves one error row per call', async () => {
      await clearLedger();
      const failures = [
        { kind: 'error', status: 500 },
        { kind: 'malformed' },
        { kind: 'reset' },
        { kind: 'hang' },
        { kind: 'reply', content: 'not json at all' },
        { kind: 'error', status: 429, headers: { 'retry-after': '30' } },
      ] as const;
      const expected = [
        'LLM_PROVIDER_ERROR',
        'LLM_PROVIDER_ERROR',
        'LLM_PROVIDER_ERROR',
        'LLM_TIMEOUT',
        'LLM_INVALID_OUTPUT',
        'LLM_RATE_LIMITED',
      ];
      for (const [i, failure] of failures.entries()) {
        server.reset();
        server.setFallback(failure);
        const res = await check(admin, { feature: 'default' });
        expect(res.statusCode, failure.kind).toBe(200);
        const body = res.json();
        expect(body, failure.kind).toMatchObject({
          ok: false,
          provider: 'openai-compatible',
          error: { code: expected[i] },
        });
        // The admin sees what went wrong, not a stack trace.
        expect(body.error.message).not.toMatch(/\bat .+\.ts:\d+/);
      }
      const rows = await llmRows();
      expect(rows.map((r) => r.error_code).sort()).toEqual([...expected].sort());
      expect(rows.every((r) => r.status === 'error')).toBe(true);
      // Still serving, and the next good answer goes through.
      server.reset();
      server.setFallback({ kind: 'reply', content: okAnswer });
      expect((await check(admin, { feature: 'default' })).json().ok).toBe(true);
      expect((await admin.get('/readyz')).statusCode).toBe(200);
    });

    it('takes the provider address from configuration only, never from the request', async () => {
      server.setFallback({ kind: 'reply', content: okAnswer });
      const res = await check(admin, {
        feature: 'default',
        baseUrl: 'http://169.254.169.254/latest',
        provider: 'openai',
        model: 'gpt-evil',
        apiKey: 'sk-attacker',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ ok: true, provider: 'openai-compatible' });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.body.model).toBe('fake-model');
      expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test');
    });

    it('refuses an unknown or malformed feature with a 400 naming body.feature', async () => {
      for (const body of [
        { feature: 'nope' },
        { feature: '' },
        { feature: '../../etc/passwd' },
        { feature: 'x'.repeat(100) },
        {},
        { feature: 42 },
      ]) {
        const res = await check(admin, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('body.feature');
      }
      const unknown = await check(admin, { feature: 'nope' });
      expect(unknown.json().detail).toBe(
        'Unknown feature "nope"; configured: default, needs-key, offline-notes.',
      );
      expect(server.requests).toHaveLength(0);
    });

    it('answers 429 with a clear message once the daily budget is spent, end to end', async () => {
      await clearLedger();
      const spender = await createUser(t.deps, { role: 'admin', email: `spender-${dialect}@x.io` });
      const c = new TestClient(t.app);
      await c.login(spender.email, spender.password);
      server.setFallback({
        kind: 'reply',
        content: okAnswer,
        usage: { inputTokens: 700, outputTokens: 400 },
      });
      // The default budget (1,000 tokens) allows the first call, which spends 1,100.
      expect((await check(c, { feature: 'default' })).json().ok).toBe(true);
      const refused = await check(c, { feature: 'default' });
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      // 09:00 UTC: fifteen hours until the budget resets.
      expect(refused.headers['retry-after']).toBe(String(15 * 3600));
      expect(refused.json()).toMatchObject({
        status: 429,
        code: 'LLM_BUDGET_EXCEEDED',
        title: 'Daily AI budget spent',
        detail:
          'You have used 1,100 of your 1,000 AI tokens for today. The budget resets at 00:00 UTC (15 h from now); an administrator can raise it.',
      });
      expect(server.requests).toHaveLength(1);

      // The offline generator is free, so it is not refused.
      expect((await check(c, { feature: 'offline-notes' })).json().ok).toBe(true);

      // The admin page shows the spend and the refusal; raising the budget lets the user go on.
      const budget = (await admin.get(`/api/admin/llm-budgets/${spender.id}`)).json().budget;
      expect(budget).toMatchObject({ dailyTokens: 1000, usedToday: 1100, overridden: false });
      const usage = (await admin.get('/api/admin/llm-usage?groupBy=user')).json();
      expect(usage.groups.find((g: { key: string }) => g.key === spender.id)).toMatchObject({
        calls: 3,
        budgetRefusals: 1,
        errors: 0,
      });
      await admin.request('PUT', `/api/admin/llm-budgets/${spender.id}`, { dailyTokens: 5000 });
      expect((await check(c, { feature: 'default' })).json().ok).toBe(true);

      // A new UTC day starts with a fresh budget.
      await admin.request('DELETE', `/api/admin/llm-budgets/${spender.id}`);
      expect((await check(c, { feature: 'default' })).statusCode).toBe(429);
      clock.advance(15 * 3600_000);
      try {
        // (The session outlived its idle timeout on the moved clock: log in again.)
        const tomorrow = new TestClient(t.app);
        await tomorrow.login(spender.email, spender.password);
        expect((await check(tomorrow, { feature: 'default' })).json().ok).toBe(true);
      } finally {
        clock.set(NOW);
      }
    });
  });
});
