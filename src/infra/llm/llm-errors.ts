// Typed errors of the LLM gateway. Every failure a caller can see is one of these, so routes and
// jobs map them to an HTTP status or a job failure reason without knowing which provider failed.
import { AppError } from '../../platform/errors.ts';

export type LlmErrorCode =
  | 'LLM_TIMEOUT'
  | 'LLM_RATE_LIMITED'
  | 'LLM_PROVIDER_ERROR'
  | 'LLM_INVALID_OUTPUT'
  | 'LLM_BUDGET_EXCEEDED'
  | 'LLM_ABORTED';

interface CallContext {
  feature: string;
  provider: string;
  model: string;
}

function where(ctx: CallContext): string {
  return `feature "${ctx.feature}", ${ctx.provider} model ${ctx.model}`;
}

/** The provider did not answer within the feature's timeoutMs (all attempts and waits included). */
export class LlmTimeoutError extends AppError {
  constructor(ctx: CallContext, timeoutMs: number, options: { cause?: unknown } = {}) {
    super(
      504,
      'LLM_TIMEOUT',
      'The AI provider took too long to answer',
      `The AI provider did not answer within ${formatMs(timeoutMs)} (${where(ctx)}). Try again in a moment; if it keeps happening, raise timeoutMs for this feature in config/llm.yaml or choose a faster model.`,
      options,
    );
  }
}

/** The provider kept answering 429 (or asked us to wait longer than the call may take). */
export class LlmRateLimitedError extends AppError {
  readonly retryAfterMs: number | undefined;
  constructor(
    ctx: CallContext,
    retryAfterMs: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    const wait = retryAfterMs === undefined ? 'a moment' : formatMs(Math.max(1000, retryAfterMs));
    super(
      503,
      'LLM_RATE_LIMITED',
      'The AI provider is rate limiting us',
      `The AI provider refused more requests for now (${where(ctx)}). Try again in ${wait}; if it keeps happening, lower the concurrency for this feature in config/llm.yaml or raise the account's limits with the provider.`,
      {
        ...options,
        headers: { 'retry-after': String(Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000))) },
      },
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** Any other provider failure: 5xx, refused request, connection reset, malformed response. */
export class LlmProviderError extends AppError {
  readonly providerStatus: number | undefined;
  constructor(
    ctx: CallContext,
    reason: string,
    options: { cause?: unknown; providerStatus?: number | undefined } = {},
  ) {
    super(
      502,
      'LLM_PROVIDER_ERROR',
      'The AI provider failed',
      `The AI provider failed (${where(ctx)}): ${reason}`,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.providerStatus = options.providerStatus;
  }
}

/** The model's answer did not match the schema, also on the one retry. */
export class LlmInvalidOutputError extends AppError {
  constructor(ctx: CallContext, reason: string, options: { cause?: unknown } = {}) {
    super(
      502,
      'LLM_INVALID_OUTPUT',
      'The AI answer was not usable',
      `The AI model answered, but not in the expected shape, twice (${where(ctx)}): ${reason}. Try again; if it keeps happening, choose a more capable model for this feature in config/llm.yaml.`,
      options,
    );
  }
}

/** The user spent their daily token budget. */
export class LlmBudgetExceededError extends AppError {
  readonly resetsAt: string;
  constructor(args: { used: number; limit: number; resetsAt: Date; now: Date }) {
    const seconds = Math.max(1, Math.ceil((args.resetsAt.getTime() - args.now.getTime()) / 1000));
    super(
      429,
      'LLM_BUDGET_EXCEEDED',
      'Daily AI budget spent',
      `You have used ${args.used.toLocaleString('en-US')} of your ${args.limit.toLocaleString('en-US')} AI tokens for today. The budget resets at ${args.resetsAt.toISOString().slice(11, 16)} UTC (${formatMs(seconds * 1000)} from now); an administrator can raise it.`,
      { headers: { 'retry-after': String(seconds) } },
    );
    this.resetsAt = args.resetsAt.toISOString();
  }
}

/** The caller's AbortSignal fired (the request went away, the job was cancelled). */
export class LlmAbortedError extends AppError {
  constructor(ctx: CallContext, options: { cause?: unknown } = {}) {
    super(
      499,
      'LLM_ABORTED',
      'AI call cancelled',
      `The AI call was cancelled before it finished (${where(ctx)}).`,
      options,
    );
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 90) return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
