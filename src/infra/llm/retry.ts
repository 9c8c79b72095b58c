// When to retry a failed provider call and how long to wait first: 429, 5xx and connection
// failures are retried with exponential backoff and jitter, or after the provider's Retry-After
// (seconds or an HTTP date) when it sends one; other 4xx answers are not retried.
import { loadedAiSdk } from './ai-sdk.ts';

export type FailureKind =
  /** 429 */
  | 'rate-limited'
  /** 5xx, 408, 409 */
  | 'server'
  /** refused, reset or dropped connection */
  | 'connection'
  /** a 2xx answer whose body was not the JSON the client expects */
  | 'malformed-response'
  /** 4xx other than 408/409/429: retrying would fail the same way */
  | 'refused';

export interface ClassifiedFailure {
  kind: FailureKind;
  retryable: boolean;
  status: number | undefined;
  /** From Retry-After / retry-after-ms, when the provider sent one. */
  retryAfterMs: number | undefined;
  /** A short reason for logs, the ledger and the typed error. */
  reason: string;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ConnectionRefused',
  'ConnectionClosed',
]);

/**
 * Retry-After as milliseconds to wait: delta seconds or an HTTP date; `retry-after-ms` (sent by
 * OpenAI) wins when present. Undefined when absent or unreadable.
 */
export function parseRetryAfter(
  headers: Record<string, string | undefined> | undefined,
  now: Date,
): number | undefined {
  if (!headers) return undefined;
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) lower[k.toLowerCase()] = v;
  const ms = lower['retry-after-ms'];
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.max(0, Number(ms));
  const value = lower['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its month ("Sun, 01 Mar 2026 12:00:07 GMT"); anything else is unreadable.
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  // Measured against the provider's own Date header when it sent one, so a skewed local clock
  // does not stretch or shorten the wait.
  const sent = lower.date ? Date.parse(lower.date) : Number.NaN;
  const reference = Number.isNaN(sent) ? now.getTime() : sent;
  return Math.max(0, date - reference);
}

function networkCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if (
      current instanceof TypeError &&
      /fetch failed|terminated|other side closed/i.test(current.message)
    ) {
      return 'connection';
    }
    current = current.cause;
  }
  return undefined;
}

function shortBody(body: string | undefined): string {
  if (!body) return '';
  let message = body;
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown } | string;
      message?: unknown;
    };
    const candidate =
      typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof candidate === 'string') message = candidate;
  } catch {
    // not JSON: keep the text
  }
  message = message.replace(/\s+/g, ' ').trim();
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

export function classifyFailure(err: unknown, now: Date): ClassifiedFailure {
  if (loadedAiSdk()?.APICallError.isInstance(err)) {
    const status = err.statusCode;
    const retryAfterMs = parseRetryAfter(err.responseHeaders, now);
    if (status === undefined) {
      return {
        kind: 'connection',
        retryable: true,
        status,
        retryAfterMs,
        reason: `could not reach the provider (${networkCode(err) ?? err.message})`,
      };
    }
    if (status >= 200 && status < 300) {
      return {
        kind: 'malformed-response',
        retryable: true,
        status,
        retryAfterMs: undefined,
        reason: `the provider's answer was not valid JSON (${err.message})`,
      };
    }
    const detail = shortBody(err.responseBody);
    if (status === 429) {
      return {
        kind: 'rate-limited',
        retryable: true,
        status,
        retryAfterMs,
        reason: `HTTP 429 rate limited${detail ? `: ${detail}` : ''}`,
      };
    }
    if (status >= 500 || status === 408 || status === 409) {
      return {
        kind: 'server',
        retryable: true,
        status,
        retryAfterMs,
        reason: `HTTP ${status}${detail ? `: ${detail}` : ''}`,
      };
    }
    const hint =
      status === 401 || status === 403
        ? ' (check the API key in the environment)'
        : status === 404
          ? ' (check the model name in config/llm.yaml and the base URL)'
          : '';
    return {
      kind: 'refused',
      retryable: false,
      status,
      retryAfterMs: undefined,
      reason: `HTTP ${status}${detail ? `: ${detail}` : ''}${hint}`,
    };
  }
  const code = networkCode(err);
  if (code) {
    return {
      kind: 'connection',
      retryable: true,
      status: undefined,
      retryAfterMs: undefined,
      reason: `the connection to the provider failed (${code})`,
    };
  }
  const name = err instanceof Error ? err.name : 'Error';
  if (/JSONParseError|InvalidResponseDataError|TypeValidationError|EmptyResponseBody/.test(name)) {
    return {
      kind: 'malformed-response',
      retryable: true,
      status: undefined,
      retryAfterMs: undefined,
      reason: `the provider's answer could not be read (${name})`,
    };
  }
  return {
    kind: 'refused',
    retryable: false,
    status: undefined,
    retryAfterMs: undefined,
    reason: err instanceof Error ? err.message : String(err),
  };
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffDelay(
  retry: number,
  settings: { baseDelayMs: number; maxDelayMs: number },
  random: () => number,
): number {
  const exp = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retry);
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** Resolves after ms, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
