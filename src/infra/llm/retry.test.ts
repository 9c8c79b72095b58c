import { APICallError } from 'ai';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAiSdk } from './ai-sdk.ts';
import { backoffDelay, classifyFailure, parseRetryAfter, sleep } from './retry.ts';
import { Semaphore } from './semaphore.ts';

const now = new Date('2026-03-01T12:00:00.000Z');

function apiError(statusCode: number | undefined, headers: Record<string, string> = {}) {
  return new APICallError({
    message: 'failed',
    url: 'http://127.0.0.1/v1/chat/completions',
    requestBodyValues: {},
    ...(statusCode === undefined ? {} : { statusCode }),
    responseHeaders: headers,
    responseBody: JSON.stringify({ error: { message: 'slow down' } }),
  });
}

describe('Retry-After', () => {
  it('reads delta seconds, HTTP dates and retry-after-ms', () => {
    expect(parseRetryAfter({ 'retry-after': '3' }, now)).toBe(3000);
    expect(parseRetryAfter({ 'Retry-After': '0.5' }, now)).toBe(500);
    expect(parseRetryAfter({ 'retry-after': 'Sun, 01 Mar 2026 12:00:07 GMT' }, now)).toBe(7000);
    expect(parseRetryAfter({ 'retry-after': 'Sun, 01 Mar 2026 11:00:00 GMT' }, now)).toBe(0);
    // Against the provider's Date header when there is one (our clock may be off).
    expect(
      parseRetryAfter(
        { 'retry-after': 'Sun, 01 Mar 2026 09:00:04 GMT', date: 'Sun, 01 Mar 2026 09:00:01 GMT' },
        now,
      ),
    ).toBe(3000);
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': '-4' }, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('failure classification', () => {
  // The gateway loads the SDK before its first provider call, as here.
  beforeAll(async () => {
    await loadAiSdk();
  });

  it('retries 429, 5xx and connection failures but not other 4xx', () => {
    const limited = classifyFailure(apiError(429, { 'retry-after': '2' }), now);
    expect(limited).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 2000 });
    expect(limited.reason).toContain('slow down');
    expect(classifyFailure(apiError(503), now)).toMatchObject({ kind: 'server', retryable: true });
    expect(classifyFailure(apiError(undefined), now)).toMatchObject({
      kind: 'connection',
      retryable: true,
    });
    const refused = classifyFailure(apiError(401), now);
    expect(refused).toMatchObject({ kind: 'refused', retryable: false, status: 401 });
    expect(refused.reason).toContain('check the API key');
    expect(classifyFailure(apiError(400), now).retryable).toBe(false);
    expect(classifyFailure(apiError(404), now).reason).toContain('check the model name');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyFailure(new TypeError('fetch failed', { cause: reset }), now)).toMatchObject({
      kind: 'connection',
      retryable: true,
    });
    expect(classifyFailure(new Error('something else'), now).retryable).toBe(false);
  });
});

describe('backoff', () => {
  it('doubles from the base delay with jitter and stays under the cap', () => {
    const settings = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, settings, () => 0)).toBe(50);
    expect(backoffDelay(0, settings, () => 1)).toBe(100);
    expect(backoffDelay(2, settings, () => 1)).toBe(400);
    expect(backoffDelay(10, settings, () => 1)).toBe(1000);
    expect(backoffDelay(10, settings, () => 0)).toBe(500);
  });

  it('sleep ends early, rejecting, when the signal aborts', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(sleep(5_000, controller.signal)).rejects.toThrow('stop');
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('Semaphore', () => {
  it('admits at most `limit` holders, in arrival order', async () => {
    const s = new Semaphore(2);
    const order: number[] = [];
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const waiting = [3, 4].map((n) => s.acquire().then((release) => (order.push(n), release)));
    expect(s.inUse).toBe(2);
    expect(s.waiting).toBe(2);
    r1();
    r1(); // a second release of the same slot is ignored
    const r3 = await waiting[0];
    expect(order).toEqual([3]);
    expect(s.inUse).toBe(2);
    r2();
    const r4 = await waiting[1];
    expect(order).toEqual([3, 4]);
    r3?.();
    r4?.();
    expect(s.inUse).toBe(0);
  });

  it('drops a waiter whose signal aborts, so it never takes a slot later', async () => {
    const s = new Semaphore(1);
    const held = await s.acquire();
    const controller = new AbortController();
    const waiter = s.acquire(controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiter).rejects.toThrow('gone');
    expect(s.waiting).toBe(0);
    held();
    expect(s.inUse).toBe(0);
    await expect(s.acquire(controller.signal)).rejects.toThrow('gone');
  });
});
