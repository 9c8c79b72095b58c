// The gateway against a real HTTP server on 127.0.0.1, through the real AI SDK provider clients.
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
} from '../../../test/helpers/fake-openai-server.ts';
import {
  createTestDatabase,
  testDialects,
  type TestDatabase,
} from '../../../test/helpers/test-db.ts';
import { FakeClock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { llmFileSchema } from './llm-config.ts';
import {
  LlmAbortedError,
  LlmBudgetExceededError,
  LlmInvalidOutputError,
  LlmProviderError,
  LlmRateLimitedError,
  LlmTimeoutError,
} from './llm-errors.ts';
import { LlmGateway } from './llm-gateway.ts';
import { PriceTable } from './pricing.ts';
import { loadPrompts, PromptError } from './prompts.ts';
import type { LlmCredentials } from './providers.ts';
import { InMemoryUsageLedger, KyselyUsageLedger, type UsageLedger } from './usage-ledger.ts';

const prompts = loadPrompts(path.resolve(import.meta.dirname, '../../../config/prompts'));
const pricing = new PriceTable([
  {
    provider: 'openai-compatible',
    model: 'fake-model',
    effectiveFrom: '2025-01-01',
    input: 2,
    output: 10,
    cacheRead: 0.5,
    cacheWrite: 2.5,
  },
  {
    provider: 'anthropic',
    model: 'claude-fake',
    effectiveFrom: '2025-01-01',
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
  },
]);

const check = { ok: z.boolean(), greeting: z.string() };
const checkSchema = z.object(check);
const okAnswer = JSON.stringify({ ok: true, greeting: 'Hello there' });
const variables = { feature: 'test' };

interface Harness {
  gateway: LlmGateway;
  ledger: InMemoryUsageLedger;
  logs: string[];
  clock: FakeClock;
}

function baseFeature(timeoutMs = 5_000) {
  return {
    provider: 'openai-compatible' as const,
    model: 'fake-model',
    temperature: 0.2,
    maxTokens: 256,
    timeoutMs,
    retries: 2,
    concurrency: 8,
  };
}

function harness(
  server: FakeOpenAiServer,
  options: {
    features?: Record<string, unknown>;
    concurrency?: number;
    credentials?: Partial<LlmCredentials>;
    budget?: number;
    ledger?: UsageLedger;
  } = {},
): Harness {
  const logs: string[] = [];
  const ledger = new InMemoryUsageLedger();
  const clock = new FakeClock('2026-03-01T10:00:00.000Z');
  const settings = llmFileSchema.parse({
    concurrency: options.concurrency ?? 32,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    features: { default: baseFeature(), ...options.features },
  });
  const gateway = new LlmGateway({
    settings,
    prompts,
    pricing,
    ledger: options.ledger ?? ledger,
    credentials: {
      openaiApiKey: 'sk-test',
      openaiBaseUrl: server.baseUrl,
      anthropicApiKey: 'sk-ant-test',
      anthropicBaseUrl: server.baseUrl,
      ollamaBaseUrl: server.rootUrl,
      ...options.credentials,
    },
    dailyTokenBudgetPerUser: options.budget ?? 0,
    clock,
    logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
    random: () => 0.5,
  });
  return { gateway, ledger, logs, clock };
}

/** Waits (bounded) until the server has seen every aborted request close. */
async function settledServer(server: FakeOpenAiServer): Promise<void> {
  for (let i = 0; i < 150 && server.inFlight > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected the call to fail');
}

describe('LLM gateway against a fake OpenAI-compatible server', () => {
  let server: FakeOpenAiServer;

  beforeAll(async () => {
    server = await startFakeOpenAiServer();
  });
  afterEach(() => {
    server.reset();
  });
  afterAll(async () => {
    await server.close();
  });

  it('returns a validated object with usage and cost, and records one row', async () => {
    const h = harness(server);
    server.queue({
      kind: 'reply',
      content: okAnswer,
      usage: { inputTokens: 1000, outputTokens: 200, cacheReadTokens: 400 },
    });
    const result = await h.gateway.generateObject({
      feature: 'default',
      prompt: 'provider-check.v1',
      variables,
      schema: checkSchema,
      userId: 'user-1',
      jobId: 'job-1',
    });
    expect(result.object).toEqual({ ok: true, greeting: 'Hello there' });
    expect(result).toMatchObject({
      provider: 'openai-compatible',
      model: 'fake-model',
      offline: false,
      promptId: 'provider-check.v1',
      retries: 0,
      finishReason: 'stop',
    });
    // 600 uncached × 2 + 400 cached × 0.5 + 200 out × 10, per million.
    expect(result.usage).toEqual({
      inputTokens: 1000,
      outputTokens: 200,
      cacheReadTokens: 400,
      cacheWriteTokens: 0,
      totalTokens: 1200,
      costUsd: 0.0034,
    });

    const sent = server.requests[0];
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe('Bearer sk-test');
    expect(sent?.body).toMatchObject({
      model: 'fake-model',
      temperature: 0.2,
      max_tokens: 256,
      response_format: { type: 'json_schema', json_schema: { name: 'response' } },
    });
    const messages = sent?.body.messages as { role: string; content: string }[];
    expect(messages[0]).toMatchObject({ role: 'system' });
    expect(messages[1]?.content).toContain('the SkillBridge feature "test"');

    expect(h.ledger.rows).toHaveLength(1);
    expect(h.ledger.rows[0]).toMatchObject({
      id: result.callId,
      created_at: '2026-03-01T10:00:00.000Z',
      day: '2026-03-01',
      provider: 'openai-compatible',
      model: 'fake-model',
      feature: 'default',
      operation: 'object',
      prompt_id: 'provider-check',
      prompt_version: 1,
      user_id: 'user-1',
      job_id: 'job-1',
      input_tokens: 1000,
      output_tokens: 200,
      cache_read_tokens: 400,
      cache_write_tokens: 0,
      cost_usd: 0.0034,
      price_effective_from: '2025-01-01',
      retries: 0,
      finish_reason: 'stop',
      status: 'ok',
      error_code: null,
      error_message: null,
    });
  });

  it('drives the real openai, anthropic and ollama clients too', async () => {
    const h = harness(server, {
      features: {
        gpt: { provider: 'openai', model: 'gpt-4o-mini' },
        claude: { provider: 'anthropic', model: 'claude-fake' },
        local: { provider: 'ollama', model: 'llama3.1:8b' },
      },
    });
    server.setFallback({
      kind: 'reply',
      content: okAnswer,
      usage: { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 300, cacheWriteTokens: 200 },
    });
    for (const feature of ['gpt', 'claude', 'local']) {
      const result = await h.gateway.generateObject({
        feature,
        prompt: 'provider-check',
        variables,
        schema: checkSchema,
      });
      expect(result.object, feature).toEqual({ ok: true, greeting: 'Hello there' });
    }
    const [gpt, claude, local] = server.requests;
    expect(gpt?.path).toBe('/v1/chat/completions');
    expect(gpt?.body.model).toBe('gpt-4o-mini');
    expect(claude?.path).toBe('/v1/messages');
    expect(claude?.headers['x-api-key']).toBe('sk-ant-test');
    expect(claude?.body.model).toBe('claude-fake');
    expect(local?.path).toBe('/v1/chat/completions');
    expect(local?.headers.authorization).toBeUndefined();

    const [gptRow, claudeRow, localRow] = h.ledger.rows;
    expect(gptRow).toMatchObject({ provider: 'openai', cache_read_tokens: 300, cost_usd: null });
    // Anthropic reports cache reads and writes apart; the ledger keeps both and prices each.
    expect(claudeRow).toMatchObject({
      provider: 'anthropic',
      input_tokens: 1000,
      cache_read_tokens: 300,
      cache_write_tokens: 200,
    });
    // 500 × 3 + 300 × 0.3 + 200 × 3.75 + 100 × 15, per million
    expect(claudeRow?.cost_usd).toBeCloseTo(0.00384, 9);
    expect(localRow).toMatchObject({ provider: 'ollama', model: 'llama3.1:8b' });
  });

  it('retries an answer that fails the schema once, then fails with a typed error and a row', async () => {
    const h = harness(server);
    server.queue(
      { kind: 'reply', content: 'Sure! Here is your JSON: {ok: yes}', usage: { outputTokens: 9 } },
      { kind: 'reply', content: JSON.stringify({ ok: 'yes' }), usage: { outputTokens: 7 } },
    );
    const err = await rejection(
      h.gateway.generateObject({
        feature: 'default',
        prompt: 'provider-check',
        variables,
        schema: checkSchema,
        userId: 'user-1',
      }),
    );
    expect(err).toBeInstanceOf(LlmInvalidOutputError);
    expect(err.statusCode).toBe(502);
    expect(err.code).toBe('LLM_INVALID_OUTPUT');
    expect(err.message).toMatch(/not in the expected shape, twice/);
    expect(err.message).toMatch(/ok: Invalid input: expected boolean/);
    expect(server.requests).toHaveLength(2);
    expect(h.ledger.rows).toHaveLength(1);
    expect(h.ledger.rows[0]).toMatchObject({
      status: 'error',
      error_code: 'LLM_INVALID_OUTPUT',
      retries: 1,
      // Both answers were paid for.
      input_tokens: 24,
      output_tokens: 16,
    });
    expect(h.ledger.rows[0]?.error_message).toMatch(/expected boolean/);
  });

  it('accepts the retry when the second answer matches', async () => {
    const h = harness(server);
    server.queue({ kind: 'reply', content: '{"ok": true' }, { kind: 'reply', content: okAnswer });
    const result = await h.gateway.generateObject({
      feature: 'default',
      prompt: 'provider-check',
      variables,
      schema: checkSchema,
    });
    expect(result.object.ok).toBe(true);
    expect(result.retries).toBe(1);
    expect(h.ledger.rows[0]).toMatchObject({ status: 'ok', retries: 1 });
  });

  it('waits as long as Retry-After says (seconds and HTTP date) after a 429', async () => {
    const h = harness(server);
    server.queue(
      { kind: 'error', status: 429, headers: { 'retry-after': '1' } },
      {
        kind: 'error',
        status: 429,
        // Far enough ahead that, after the first 1 s wait and truncation to whole seconds, the
        // date is still at least one second after the server's Date header.
        headers: { 'retry-after': new Date(Date.now() + 3_000).toUTCString() },
      },
      { kind: 'reply', content: 'fine' },
    );
    const started = performance.now();
    const result = await h.gateway.generateText({
      feature: 'default',
      prompt: 'provider-check',
      variables,
    });
    expect(result.text).toBe('fine');
    expect(result.retries).toBe(2);
    const [first, second, third] = server.requests.map((r) => r.at);
    // The backoff alone would be ~10 ms; the provider asked for 1 s, then for a date 1–2 s after
    // its own Date header
    // (HTTP dates and the server's Date header have whole seconds).
    expect((second as number) - (first as number)).toBeGreaterThanOrEqual(950);
    expect((third as number) - (second as number)).toBeGreaterThanOrEqual(900);
    expect(performance.now() - started).toBeLessThan(8_000);
  });

  it('fails at once with LlmRateLimitedError when Retry-After is beyond the timeout', async () => {
    const h = harness(server, { features: { default: baseFeature(2_000) } });
    server.queue({ kind: 'error', status: 429, headers: { 'retry-after': '120' } });
    const started = performance.now();
    const err = await rejection(
      h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables }),
    );
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(err).toBeInstanceOf(LlmRateLimitedError);
    expect(err.statusCode).toBe(503);
    expect(err.headers['retry-after']).toBe('120');
    expect(err.message).toMatch(/Try again in 2 min/);
    expect(server.requests).toHaveLength(1);
    expect(h.ledger.rows[0]).toMatchObject({ status: 'error', error_code: 'LLM_RATE_LIMITED' });
  });

  it('retries a 500 with backoff, then fails with LlmProviderError', async () => {
    const h = harness(server);
    server.setFallback({ kind: 'error', status: 500, body: { error: { message: 'overloaded' } } });
    const err = await rejection(
      h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables }),
    );
    expect(err).toBeInstanceOf(LlmProviderError);
    expect(err.statusCode).toBe(502);
    expect((err as LlmProviderError).providerStatus).toBe(500);
    expect(err.message).toMatch(/HTTP 500: overloaded/);
    // One attempt and the feature's two retries.
    expect(server.requests).toHaveLength(3);
    expect(h.ledger.rows[0]).toMatchObject({
      status: 'error',
      error_code: 'LLM_PROVIDER_ERROR',
      retries: 2,
    });
  });

  it('does not retry a 400 or a 401', async () => {
    const h = harness(server);
    server.queue({ kind: 'error', status: 401 });
    const err = await rejection(
      h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables }),
    );
    expect(err).toBeInstanceOf(LlmProviderError);
    expect(err.message).toMatch(/HTTP 401.*check the API key/);
    server.queue({ kind: 'error', status: 400 });
    await rejection(
      h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables }),
    );
    expect(server.requests).toHaveLength(2);
  });

  it('recovers from a reset connection or a malformed body on retry', async () => {
    const h = harness(server);
    server.queue({ kind: 'reset' }, { kind: 'malformed' }, { kind: 'reply', content: 'after all' });
    const result = await h.gateway.generateText({
      feature: 'default',
      prompt: 'provider-check',
      variables,
    });
    expect(result.text).toBe('after all');
    expect(result.retries).toBe(2);
  });

  it('turns persistent resets and malformed bodies into LlmProviderError', async () => {
    const h = harness(server);
    server.setFallback({ kind: 'reset' });
    const reset = await rejection(
      h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables }),
    );
    expect(reset).toBeInstanceOf(LlmProviderError);
    expect(reset.message).toMatch(/could not reach the provider|connection/);
    server.setFallback({ kind: 'malformed' });
    const malformed = await rejection(
      h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables }),
    );
    expect(malformed).toBeInstanceOf(LlmProviderError);
    expect(malformed.message).toMatch(/not valid JSON/);
    expect(h.ledger.rows.map((r) => r.error_code)).toEqual([
      'LLM_PROVIDER_ERROR',
      'LLM_PROVIDER_ERROR',
    ]);
  });

  it('gives up after timeoutMs with LlmTimeoutError and releases the request', async () => {
    const h = harness(server, { features: { default: baseFeature(300) } });
    server.queue({ kind: 'hang' });
    const started = performance.now();
    const err = await rejection(
      h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables }),
    );
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(LlmTimeoutError);
    expect(err.statusCode).toBe(504);
    expect(err.message).toMatch(/did not answer within 300 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(3_000);
    expect(h.ledger.rows[0]).toMatchObject({ error_code: 'LLM_TIMEOUT' });
    // The client closed its request: the server sees nothing left in flight.
    await settledServer(server);
    expect(server.inFlight).toBe(0);
  });

  it('stops when the caller aborts', async () => {
    const h = harness(server);
    server.queue({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await rejection(
      h.gateway.generateText({
        feature: 'default',
        prompt: 'provider-check',
        variables,
        signal: controller.signal,
      }),
    );
    expect(err).toBeInstanceOf(LlmAbortedError);
    expect(h.ledger.rows[0]).toMatchObject({ error_code: 'LLM_ABORTED' });
  });

  it('survives a burst of every kind of failure: typed errors, one row each, slots released', async () => {
    const h = harness(server, {
      features: { default: { ...baseFeature(1_500), concurrency: 3, retries: 1 } },
    });
    const kinds = ['reset', 'malformed', 'error500', 'error429', 'hang', 'bad', 'ok'] as const;
    server.setFallback((req) => {
      const marker = (req.body.messages as { content: string }[])[1]?.content ?? '';
      const kind = kinds.find((k) => marker.includes(`"${k}-`)) ?? 'ok';
      switch (kind) {
        case 'reset':
          return { kind: 'reset' };
        case 'malformed':
          return { kind: 'malformed' };
        case 'error500':
          return { kind: 'error', status: 500 };
        case 'error429':
          return { kind: 'error', status: 429, headers: { 'retry-after': '0' } };
        case 'hang':
          return { kind: 'hang' };
        case 'bad':
          return { kind: 'reply', content: '[1, 2' };
        default:
          return { kind: 'reply', content: okAnswer, latencyMs: 20 };
      }
    });
    const calls = kinds.flatMap((kind) =>
      [1, 2].map((n) =>
        h.gateway.generateObject({
          feature: 'default',
          prompt: 'provider-check',
          variables: { feature: `${kind}-${n}` },
          schema: checkSchema,
        }),
      ),
    );
    const settled = await Promise.allSettled(calls);
    const outcomes = settled.map((s) =>
      s.status === 'fulfilled' ? 'ok' : (s.reason as AppError).code,
    );
    expect(outcomes).toEqual([
      'LLM_PROVIDER_ERROR',
      'LLM_PROVIDER_ERROR',
      'LLM_PROVIDER_ERROR',
      'LLM_PROVIDER_ERROR',
      'LLM_PROVIDER_ERROR',
      'LLM_PROVIDER_ERROR',
      'LLM_RATE_LIMITED',
      'LLM_RATE_LIMITED',
      'LLM_TIMEOUT',
      'LLM_TIMEOUT',
      'LLM_INVALID_OUTPUT',
      'LLM_INVALID_OUTPUT',
      'ok',
      'ok',
    ]);
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(AppError);
    }
    expect(h.ledger.rows).toHaveLength(calls.length);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    // Every slot came back: three more calls run side by side.
    await settledServer(server);
    server.reset();
    server.setFallback({ kind: 'reply', content: okAnswer, latencyMs: 150 });
    const started = performance.now();
    await Promise.all(
      [1, 2, 3].map(() =>
        h.gateway.generateObject({
          feature: 'default',
          prompt: 'provider-check',
          variables,
          schema: checkSchema,
        }),
      ),
    );
    expect(server.maxInFlight).toBe(3);
    expect(performance.now() - started).toBeLessThan(1_400);
  });

  it('keeps at most `concurrency` calls of a feature in flight, measured by the server', async () => {
    const h = harness(server, {
      features: { default: { ...baseFeature(), concurrency: 3 } },
    });
    server.setFallback({ kind: 'reply', content: 'x', latencyMs: 60 });
    await Promise.all(
      Array.from({ length: 12 }, () =>
        h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables }),
      ),
    );
    expect(server.requests).toHaveLength(12);
    expect(server.maxInFlight).toBe(3);
  });

  it('keeps at most the global concurrency in flight across features', async () => {
    const h = harness(server, {
      concurrency: 4,
      features: {
        default: { ...baseFeature(), concurrency: 5 },
        lesson: { concurrency: 5 },
      },
    });
    server.setFallback({ kind: 'reply', content: 'x', latencyMs: 60 });
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        h.gateway.generateText({
          feature: i % 2 === 0 ? 'default' : 'lesson',
          prompt: 'provider-check',
          variables,
        }),
      ),
    );
    expect(server.maxInFlight).toBe(4);
  });

  it('refuses a user whose daily token budget is spent with a 429 saying when it resets', async () => {
    const h = harness(server, { budget: 100 });
    server.setFallback({
      kind: 'reply',
      content: 'x',
      usage: { inputTokens: 80, outputTokens: 30 },
    });
    const call = (userId: string) =>
      h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables, userId });
    await call('spender'); // 110 tokens: the call that crosses the budget still completes
    const err = await rejection(call('spender'));
    expect(err).toBeInstanceOf(LlmBudgetExceededError);
    expect(err.statusCode).toBe(429);
    expect(err.message).toBe(
      'You have used 110 of your 100 AI tokens for today. The budget resets at 00:00 UTC (14 h from now); an administrator can raise it.',
    );
    expect(err.headers['retry-after']).toBe(String(14 * 3600));
    expect(server.requests).toHaveLength(1);
    expect(h.ledger.rows[1]).toMatchObject({
      status: 'error',
      error_code: 'LLM_BUDGET_EXCEEDED',
      input_tokens: 0,
    });
    // Others are not affected; an override lifts the limit; system work has no budget.
    await call('someone-else');
    await h.gateway.setBudgetOverride('spender', 0, 'admin-1');
    await call('spender');
    await h.gateway.setBudgetOverride('spender', 150, 'admin-1');
    await expect(call('spender')).rejects.toBeInstanceOf(LlmBudgetExceededError);
    await h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables });
    expect(await h.gateway.budgetFor('spender')).toEqual({
      dailyTokens: 150,
      overridden: true,
      usedToday: 220,
      resetsAt: '2026-03-02T00:00:00.000Z',
    });
    // A new UTC day starts with a fresh budget.
    h.clock.advance(14 * 3600_000);
    await call('spender');
  });

  it('falls back to the offline generator when the provider has no key, warning once', async () => {
    const h = harness(server, {
      features: { gpt: { provider: 'openai', model: 'gpt-4.1' } },
      credentials: { openaiApiKey: undefined },
      budget: 1,
    });
    for (let i = 0; i < 3; i++) {
      const result = await h.gateway.generateObject({
        feature: 'gpt',
        prompt: 'provider-check',
        variables,
        schema: checkSchema,
        userId: 'learner',
      });
      expect(result).toMatchObject({ provider: 'offline', model: 'offline', offline: true });
      expect(checkSchema.safeParse(result.object).success).toBe(true);
      expect(result.usage.costUsd).toBe(0);
    }
    expect(server.requests).toHaveLength(0);
    const warnings = h.logs.filter((l) => l.includes('falls back to the offline generator'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('OPENAI_API_KEY is not set');
    expect(h.ledger.rows.map((r) => [r.provider, r.cost_usd, r.status])).toEqual([
      ['offline', 0, 'ok'],
      ['offline', 0, 'ok'],
      ['offline', 0, 'ok'],
    ]);
    const gpt = h.gateway.describeFeatures().find((f) => f.feature === 'gpt');
    expect(gpt).toMatchObject({
      configuredProvider: 'openai',
      provider: 'offline',
      offline: true,
      fallbackReason: 'OPENAI_API_KEY is not set',
    });
  });

  it('reports a schema the offline generator cannot satisfy as invalid output', async () => {
    const h = harness(server, { features: { default: { ...baseFeature(), provider: 'offline' } } });
    const err = await rejection(
      h.gateway.generateObject({
        feature: 'default',
        prompt: 'provider-check',
        variables,
        schema: z.object({ code: z.string().regex(/^[A-Z]{3}-\d{4}$/) }),
      }),
    );
    expect(err).toBeInstanceOf(LlmInvalidOutputError);
    expect(err.message).toMatch(/offline generator cannot satisfy this schema \(code:/);
    expect(h.ledger.rows[0]).toMatchObject({ provider: 'offline', status: 'error' });
  });

  it('never fails a call because the ledger could not be written', async () => {
    const broken: UsageLedger = {
      ...new InMemoryUsageLedger(),
      tokensUsed: () => Promise.reject(new Error('database is down')),
      budgetOverride: () => Promise.reject(new Error('database is down')),
      budgetState: () => Promise.reject(new Error('database is down')),
      record: () => Promise.reject(new Error('database is down')),
      listBudgetOverrides: () => Promise.resolve([]),
      setBudgetOverride: () => Promise.resolve(),
    };
    const h = harness(server, { ledger: broken, budget: 10 });
    server.queue({ kind: 'reply', content: 'still works' });
    const result = await h.gateway.generateText({
      feature: 'default',
      prompt: 'provider-check',
      variables,
      userId: 'u',
    });
    expect(result.text).toBe('still works');
    expect(h.logs.some((l) => l.includes('could not record an LLM call'))).toBe(true);
    expect(h.logs.some((l) => l.includes('could not read the LLM budget'))).toBe(true);
  });

  it('uses `default` for an unknown feature but records the name used', async () => {
    const h = harness(server);
    server.queue({ kind: 'reply', content: 'x' });
    const result = await h.gateway.generateText({
      feature: 'not-in-the-file',
      prompt: 'provider-check',
      variables,
    });
    expect(result.provider).toBe('openai-compatible');
    expect(h.ledger.rows[0]?.feature).toBe('not-in-the-file');
  });

  it('throws PromptError for a missing variable before calling anyone', async () => {
    const h = harness(server);
    await expect(
      h.gateway.generateText({ feature: 'default', prompt: 'provider-check', variables: {} }),
    ).rejects.toBeInstanceOf(PromptError);
    expect(server.requests).toHaveLength(0);
    expect(h.ledger.rows).toHaveLength(0);
  });
});

describe.each(testDialects())('LLM usage ledger on %s', (dialect) => {
  let server: FakeOpenAiServer;
  let db: TestDatabase;

  beforeAll(async () => {
    server = await startFakeOpenAiServer();
    db = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await server.close();
    await db?.drop();
  });

  it('records successful and failed calls with every field, and sums today’s tokens', async () => {
    const ledger = new KyselyUsageLedger(db.handle.db);
    const h = harness(server, { ledger, budget: 1_000 });
    server.queue(
      {
        kind: 'reply',
        content: okAnswer,
        usage: { inputTokens: 500, outputTokens: 50, cacheReadTokens: 100 },
      },
      { kind: 'reply', content: 'nope' },
      { kind: 'reply', content: 'still nope' },
    );
    const ok = await h.gateway.generateObject({
      feature: 'tagging',
      prompt: 'provider-check',
      variables,
      schema: checkSchema,
      userId: 'u-ledger',
      jobId: 'job-9',
    });
    await expect(
      h.gateway.generateObject({
        feature: 'tagging',
        prompt: 'provider-check',
        variables,
        schema: checkSchema,
        userId: 'u-ledger',
      }),
    ).rejects.toBeInstanceOf(LlmInvalidOutputError);

    const rows = await db.handle.db
      .selectFrom('llm_calls')
      .selectAll()
      .orderBy('status', 'desc')
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      id: ok.callId,
      created_at: '2026-03-01T10:00:00.000Z',
      day: '2026-03-01',
      provider: 'openai-compatible',
      model: 'fake-model',
      feature: 'tagging',
      operation: 'object',
      prompt_id: 'provider-check',
      prompt_version: 1,
      user_id: 'u-ledger',
      job_id: 'job-9',
      input_tokens: 500,
      output_tokens: 50,
      cache_read_tokens: 100,
      cache_write_tokens: 0,
      cost_usd: 0.00135,
      price_effective_from: '2025-01-01',
      latency_ms: expect.any(Number),
      retries: 0,
      finish_reason: 'stop',
      status: 'ok',
      error_code: null,
      error_message: null,
    });
    expect(rows[1]).toMatchObject({
      status: 'error',
      error_code: 'LLM_INVALID_OUTPUT',
      retries: 1,
      input_tokens: 24,
      output_tokens: 16,
      job_id: null,
    });
    expect(await ledger.tokensUsed('u-ledger', '2026-03-01')).toBe(550 + 40);
    expect(await ledger.tokensUsed('u-ledger', '2026-03-02')).toBe(0);
  });

  it('keeps budget overrides: set, change, list and remove', async () => {
    const ledger = new KyselyUsageLedger(db.handle.db);
    const user = { id: 'budget-user', email: 'budget@example.com' };
    await db.handle.db
      .insertInto('users')
      .values({
        id: user.id,
        email: user.email,
        name: 'Budget',
        password_hash: 'x',
        role: 'learner',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
        password_changed_at: '2026-01-01T00:00:00.000Z',
      })
      .execute();
    expect(await ledger.budgetOverride(user.id)).toBeUndefined();
    await ledger.setBudgetOverride(user.id, 5_000, null, '2026-03-01T10:00:00.000Z');
    await ledger.setBudgetOverride(user.id, 7_500, null, '2026-03-01T11:00:00.000Z');
    expect(await ledger.budgetOverride(user.id)).toBe(7_500);
    expect(await ledger.listBudgetOverrides()).toEqual([
      {
        userId: user.id,
        dailyTokens: 7_500,
        updatedAt: '2026-03-01T11:00:00.000Z',
        updatedBy: null,
      },
    ]);
    await ledger.setBudgetOverride(user.id, null, null, '2026-03-01T12:00:00.000Z');
    expect(await ledger.budgetOverride(user.id)).toBeUndefined();
  });
});
