// The LLM gateway: the one way SkillBridge calls a language model. Per call it renders a
// versioned prompt, checks the user's daily token budget, waits for a per-feature and a global
// concurrency slot, calls the provider with a deadline, retries transient failures (honouring
// Retry-After) and schema failures (once), and records one ledger row with tokens, cost, latency
// and outcome. Callers get the validated object or text, or one of the typed errors of
// llm-errors.ts; nothing else escapes.
import { performance } from 'node:perf_hooks';
import type { FinishReason, LanguageModel, LanguageModelUsage } from 'ai';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Database } from '../db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import {
  featureSettings,
  type LlmFileConfig,
  type ProviderName,
  type ResolvedFeatureSettings,
} from './llm-config.ts';
import {
  LlmAbortedError,
  LlmBudgetExceededError,
  LlmInvalidOutputError,
  LlmProviderError,
  LlmRateLimitedError,
  LlmTimeoutError,
} from './llm-errors.ts';
import { loadAiSdk, type AiSdk } from './ai-sdk.ts';
import { estimateTokens, OFFLINE_MODEL, OfflineGenerator } from './offline-generator.ts';
import type { PriceTable } from './pricing.ts';
import type { PromptRegistry, PromptVariables, RenderedPrompt } from './prompts.ts';
import { ProviderRegistry, type LlmCredentials, type RemoteProvider } from './providers.ts';
import { backoffDelay, classifyFailure, sleep, type ClassifiedFailure } from './retry.ts';
import { Semaphore, type Release } from './semaphore.ts';
import type { BudgetOverride, LlmCallRow, UsageLedger } from './usage-ledger.ts';

// The SDK would print its warnings (e.g. an unsupported setting) with console.warn; the gateway
// logs them through pino instead.
globalThis.AI_SDK_LOG_WARNINGS = false;

export interface GenerateRequest {
  /** A feature of config/llm.yaml (`lesson`, `tagging`, …); unknown names use `default`. */
  feature: string;
  /** `name.vN` for that version of config/prompts/name.vN.yaml, or `name` for its newest. */
  prompt: string;
  variables?: PromptVariables;
  /** Whose budget pays; null for system work. */
  userId?: string | null;
  jobId?: string | null;
  /** Cancels the call (and any wait) when it fires. */
  signal?: AbortSignal;
}

export interface GenerateObjectRequest<T> extends GenerateRequest {
  schema: z.ZodType<T>;
  /** Sent to providers that name the structured output (OpenAI); defaults to `response`. */
  schemaName?: string;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  totalTokens: number;
  /** USD; null when config/pricing.yaml has no price for the model. */
  costUsd: number | null;
}

export interface LlmCallInfo {
  callId: string;
  feature: string;
  provider: ProviderName;
  model: string;
  /** True when the built-in offline generator answered: show it as such. */
  offline: boolean;
  promptId: string;
  usage: LlmUsage;
  latencyMs: number;
  retries: number;
  finishReason: string | null;
}

export interface GenerateObjectResult<T> extends LlmCallInfo {
  object: T;
}

export interface GenerateTextResult extends LlmCallInfo {
  text: string;
}

export interface FeatureView {
  feature: string;
  /** Where the settings come from: the feature's own entry or `default`. */
  source: string;
  configuredProvider: ProviderName;
  provider: ProviderName;
  model: string;
  offline: boolean;
  /** Why a configured provider is not used (no key…). */
  fallbackReason: string | null;
  temperature: number;
  maxTokens: number;
  timeoutMs: number;
  retries: number;
  concurrency: number;
}

export interface UserBudget {
  /** 0 = unlimited. */
  dailyTokens: number;
  /** Whether dailyTokens comes from an administrator's override. */
  overridden: boolean;
  usedToday: number;
  /** Next UTC midnight. */
  resetsAt: string;
}

export interface LlmGatewayOptions {
  settings: LlmFileConfig;
  prompts: PromptRegistry;
  pricing: PriceTable;
  ledger: UsageLedger;
  credentials: LlmCredentials;
  /** LLM_DAILY_TOKEN_BUDGET_PER_USER; 0 = unlimited. */
  dailyTokenBudgetPerUser: number;
  clock: Clock;
  logger: Logger;
  /** Jitter source; tests pass a fixed one. */
  random?: () => number;
}

/** Why the gateway aborted a call itself: its deadline passed. */
class DeadlineReached extends Error {
  override name = 'DeadlineReached';
}

interface ResolvedCall {
  settings: ResolvedFeatureSettings;
  provider: ProviderName;
  model: string;
}

interface Attempt<T> {
  value: T;
  finishReason: FinishReason;
  usage: LanguageModelUsage;
}

interface Tally {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  retries: number;
  finishReason: string | null;
}

type Operation<T> = { kind: 'object'; schema: z.ZodType<T>; schemaName: string } | { kind: 'text' };

function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function nextUtcMidnight(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
}

function findZodError(err: unknown): z.ZodError | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    if (current instanceof z.ZodError) return current;
    current = current.cause;
  }
  return undefined;
}

/** "answer.steps: expected array" for schema failures, or why the JSON could not be read. */
function describeInvalidOutput(err: unknown, finishReason: string | undefined): string {
  const zodError = findZodError(err);
  let reason: string;
  if (zodError) {
    reason = zodError.issues
      .slice(0, 3)
      .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
      .join('; ');
  } else if (err instanceof Error && /could not parse/i.test(err.message)) {
    reason = 'the answer was not valid JSON';
  } else {
    reason = err instanceof Error ? err.message : String(err);
  }
  if (finishReason === 'length') reason += ' (the answer was cut off at maxTokens)';
  return reason;
}

export class LlmGateway {
  private readonly settings: LlmFileConfig;
  private readonly prompts: PromptRegistry;
  private readonly pricing: PriceTable;
  private readonly ledger: UsageLedger;
  private readonly providers: ProviderRegistry;
  private readonly offline = new OfflineGenerator();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly defaultBudget: number;
  private readonly global: Semaphore;
  private readonly featureSlots = new Map<string, Semaphore>();
  private readonly warned = new Set<string>();

  constructor(options: LlmGatewayOptions) {
    this.settings = options.settings;
    this.prompts = options.prompts;
    this.pricing = options.pricing;
    this.ledger = options.ledger;
    this.providers = new ProviderRegistry(options.credentials);
    this.clock = options.clock;
    this.logger = options.logger.child({ component: 'llm' });
    this.random = options.random ?? Math.random;
    this.defaultBudget = options.dailyTokenBudgetPerUser;
    this.global = new Semaphore(options.settings.concurrency);
  }

  /** Structured output validated against `schema` (retried once when it does not match). */
  async generateObject<T>(request: GenerateObjectRequest<T>): Promise<GenerateObjectResult<T>> {
    const { info, value } = await this.run<T>(request, {
      kind: 'object',
      schema: request.schema,
      schemaName: request.schemaName ?? 'response',
    });
    return { ...info, object: value };
  }

  async generateText(request: GenerateRequest): Promise<GenerateTextResult> {
    const { info, value } = await this.run<string>(request, { kind: 'text' });
    return { ...info, text: value };
  }

  /** Every feature of llm.yaml with the provider it really uses, for the admin pages. */
  describeFeatures(): FeatureView[] {
    const names = ['default', ...Object.keys(this.settings.features).sort()];
    return names.map((name) => {
      const call = this.resolve(name);
      const availability = this.providers.availability(call.settings.provider);
      return {
        feature: name,
        source: call.settings.source,
        configuredProvider: call.settings.provider,
        provider: call.provider,
        model: call.model,
        offline: call.provider === 'offline',
        fallbackReason: availability.available ? null : availability.reason,
        temperature: call.settings.temperature,
        maxTokens: call.settings.maxTokens,
        timeoutMs: call.settings.timeoutMs,
        retries: call.settings.retries,
        concurrency: call.settings.concurrency,
      };
    });
  }

  hasFeature(name: string): boolean {
    return name === 'default' || name in this.settings.features;
  }

  get defaultDailyTokenBudget(): number {
    return this.defaultBudget;
  }

  async budgetFor(userId: string): Promise<UserBudget> {
    const now = this.clock.now();
    const { override, used } = await this.ledger.budgetState(userId, utcDay(now));
    return {
      dailyTokens: override ?? this.defaultBudget,
      overridden: override !== undefined,
      usedToday: used,
      resetsAt: nextUtcMidnight(now).toISOString(),
    };
  }

  listBudgetOverrides(): Promise<BudgetOverride[]> {
    return this.ledger.listBudgetOverrides();
  }

  /** Set (or with null, remove) a user's daily token budget; pass the transaction of the audit. */
  setBudgetOverride(
    userId: string,
    dailyTokens: number | null,
    updatedBy: string | null,
    tx?: Kysely<Database>,
  ): Promise<void> {
    return this.ledger.setBudgetOverride(
      userId,
      dailyTokens,
      updatedBy,
      this.clock.now().toISOString(),
      tx,
    );
  }

  private warnOnce(key: string, message: string, details: Record<string, unknown>): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(details, message);
  }

  private resolve(feature: string): ResolvedCall {
    const settings = featureSettings(this.settings, feature);
    const availability = this.providers.availability(settings.provider);
    if (!availability.available) {
      return { settings, provider: 'offline', model: OFFLINE_MODEL };
    }
    return {
      settings,
      provider: settings.provider,
      model: settings.provider === 'offline' ? OFFLINE_MODEL : settings.model,
    };
  }

  private slotsFor(settings: ResolvedFeatureSettings): Semaphore {
    // Features without an entry share the `default` entry's limit.
    let slots = this.featureSlots.get(settings.source);
    if (!slots) {
      slots = new Semaphore(settings.concurrency);
      this.featureSlots.set(settings.source, slots);
    }
    return slots;
  }

  private async run<T>(
    request: GenerateRequest,
    operation: Operation<T>,
  ): Promise<{ info: LlmCallInfo; value: T }> {
    const started = performance.now();
    const startedAt = this.clock.now();
    const call = this.resolve(request.feature);
    if (call.provider !== call.settings.provider) {
      const availability = this.providers.availability(call.settings.provider);
      this.warnOnce(
        `fallback:${call.settings.source}`,
        'LLM feature falls back to the offline generator',
        {
          feature: request.feature,
          configured: call.settings.provider,
          reason: availability.available ? undefined : availability.reason,
        },
      );
    }
    // A missing or unknown variable is a programming error: it throws before anything is recorded.
    const prompt = this.prompts.get(request.prompt).render(request.variables);
    const callId = newId();
    const tally: Tally = {
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      retries: 0,
      finishReason: null,
    };
    let failure: AppError | undefined;
    try {
      if (request.userId && call.provider !== 'offline') {
        await this.checkBudget(request.userId, startedAt);
      }
      const value =
        call.provider === 'offline'
          ? this.runOffline(call, prompt, operation, tally)
          : await this.runRemote(call, prompt, operation, tally, request.signal);
      const info = await this.finish(
        callId,
        request,
        call,
        prompt,
        operation,
        tally,
        startedAt,
        started,
      );
      return { info, value };
    } catch (err) {
      failure =
        err instanceof AppError
          ? err
          : new LlmProviderError(
              { feature: request.feature, provider: call.provider, model: call.model },
              'an unexpected error occurred while calling the provider',
              { cause: err },
            );
      if (!(err instanceof AppError)) {
        this.logger.error({ err, feature: request.feature, callId }, 'unexpected LLM call failure');
      }
      await this.finish(
        callId,
        request,
        call,
        prompt,
        operation,
        tally,
        startedAt,
        started,
        failure,
      );
      throw failure;
    }
  }

  private async checkBudget(userId: string, now: Date): Promise<void> {
    let limit: number;
    let used: number;
    try {
      // One read of the override and the day's tokens: the whole cost of budgets per call.
      const state = await this.ledger.budgetState(userId, utcDay(now));
      limit = state.override ?? this.defaultBudget;
      used = state.used;
    } catch (err) {
      // The budget protects spending but must not take the feature down with the database.
      this.logger.error({ err, userId }, 'could not read the LLM budget; allowing the call');
      return;
    }
    if (limit !== 0 && used >= limit) {
      throw new LlmBudgetExceededError({ used, limit, resetsAt: nextUtcMidnight(now), now });
    }
  }

  private runOffline<T>(
    call: ResolvedCall,
    prompt: RenderedPrompt,
    operation: Operation<T>,
    tally: Tally,
  ): T {
    const request = {
      feature: call.settings.feature,
      promptId: prompt.id,
      system: prompt.system,
      user: prompt.user,
      maxTokens: call.settings.maxTokens,
    };
    tally.inputTokens = estimateTokens((prompt.system ?? '') + prompt.user);
    tally.finishReason = 'stop';
    if (operation.kind === 'text') {
      const text = this.offline.text(request);
      tally.outputTokens = estimateTokens(text);
      return text as T;
    }
    const { value, text } = this.offline.object(operation.schema, request);
    tally.outputTokens = estimateTokens(text);
    const parsed = operation.schema.safeParse(value);
    if (!parsed.success) {
      throw new LlmInvalidOutputError(
        { feature: call.settings.feature, provider: 'offline', model: OFFLINE_MODEL },
        `the offline generator cannot satisfy this schema (${describeInvalidOutput(parsed.error, undefined)})`,
      );
    }
    return parsed.data;
  }

  private addUsage(tally: Tally, usage: LanguageModelUsage | undefined): void {
    if (!usage) return;
    tally.inputTokens += usage.inputTokens ?? 0;
    tally.outputTokens += usage.outputTokens ?? 0;
    tally.cacheReadTokens += usage.inputTokenDetails?.cacheReadTokens ?? 0;
    tally.cacheWriteTokens += usage.inputTokenDetails?.cacheWriteTokens ?? 0;
  }

  private async acquireSlots(settings: ResolvedFeatureSettings, signal: AbortSignal) {
    // The feature's slot first, so a call waiting on its feature's limit holds no global slot.
    const releaseFeature = await this.slotsFor(settings).acquire(signal);
    let releaseGlobal: Release;
    try {
      releaseGlobal = await this.global.acquire(signal);
    } catch (err) {
      releaseFeature();
      throw err;
    }
    return () => {
      releaseGlobal();
      releaseFeature();
    };
  }

  private async attempt<T>(
    ai: AiSdk,
    model: LanguageModel,
    call: ResolvedCall,
    prompt: RenderedPrompt,
    operation: Operation<T>,
    signal: AbortSignal,
  ): Promise<Attempt<T>> {
    const common = {
      model,
      ...(prompt.system === undefined ? {} : { system: prompt.system }),
      prompt: prompt.user,
      temperature: call.settings.temperature,
      maxOutputTokens: call.settings.maxTokens,
      // The gateway retries itself, so it can honour Retry-After and count the retries.
      maxRetries: 0,
      abortSignal: signal,
      // OpenAI's strict mode refuses optional properties; the gateway validates with zod anyway.
      providerOptions: {
        openai: { strictJsonSchema: false },
        openaiCompatible: { strictJsonSchema: false },
      },
    };
    if (operation.kind === 'text') {
      const result = await ai.generateText(common);
      this.logWarnings(call, result.warnings);
      // T is string for text operations.
      return {
        value: result.text as T,
        finishReason: result.finishReason,
        usage: result.totalUsage,
      };
    }
    const result = await ai.generateText({
      ...common,
      output: ai.Output.object({ schema: operation.schema, name: operation.schemaName }),
    });
    this.logWarnings(call, result.warnings);
    return { value: result.output, finishReason: result.finishReason, usage: result.totalUsage };
  }

  private logWarnings(call: ResolvedCall, warnings: readonly unknown[] | undefined): void {
    if (!warnings || warnings.length === 0) return;
    this.warnOnce(`sdk:${call.provider}:${call.model}`, 'LLM provider warnings', {
      provider: call.provider,
      model: call.model,
      warnings,
    });
  }

  private async runRemote<T>(
    call: ResolvedCall,
    prompt: RenderedPrompt,
    operation: Operation<T>,
    tally: Tally,
    callerSignal: AbortSignal | undefined,
  ): Promise<T> {
    const ctx = { feature: call.settings.feature, provider: call.provider, model: call.model };
    const ai = await loadAiSdk();
    const model = await this.providers.model(call.provider as RemoteProvider, call.model);
    const timeoutMs = call.settings.timeoutMs;
    const deadline = performance.now() + timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DeadlineReached()), timeoutMs);
    const onCallerAbort = () => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) onCallerAbort();
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const signal = controller.signal;

    const aborted = (cause: unknown): AppError =>
      signal.reason instanceof DeadlineReached
        ? new LlmTimeoutError(ctx, timeoutMs, { cause })
        : new LlmAbortedError(ctx, { cause });

    let schemaRetried = false;
    let transportRetries = 0;
    try {
      for (;;) {
        let release: () => void;
        try {
          release = await this.acquireSlots(call.settings, signal);
        } catch (err) {
          throw aborted(err);
        }
        let failure: ClassifiedFailure;
        try {
          const result = await this.attempt(ai, model, call, prompt, operation, signal);
          this.addUsage(tally, result.usage);
          tally.finishReason = result.finishReason;
          return result.value;
        } catch (err) {
          if (ai.NoObjectGeneratedError.isInstance(err)) {
            // The provider answered: its tokens are spent whether or not the answer was usable.
            this.addUsage(tally, err.usage);
            tally.finishReason = err.finishReason ?? null;
            if (schemaRetried) {
              throw new LlmInvalidOutputError(ctx, describeInvalidOutput(err, err.finishReason), {
                cause: err,
              });
            }
            schemaRetried = true;
            tally.retries += 1;
            this.logger.info(
              { feature: ctx.feature, reason: describeInvalidOutput(err, err.finishReason) },
              'LLM answer did not match the schema; retrying once',
            );
            continue;
          }
          if (signal.aborted) throw aborted(err);
          failure = classifyFailure(err, this.clock.now());
        } finally {
          release();
        }

        const exhausted = !failure.retryable || transportRetries >= call.settings.retries;
        if (!exhausted) {
          const delay =
            failure.retryAfterMs ??
            backoffDelay(transportRetries, this.settings.retry, this.random);
          if (performance.now() + delay < deadline) {
            this.logger.info(
              { feature: ctx.feature, reason: failure.reason, delayMs: Math.round(delay) },
              'LLM call failed; retrying',
            );
            transportRetries += 1;
            tally.retries += 1;
            try {
              await sleep(delay, signal);
            } catch (err) {
              throw aborted(err);
            }
            continue;
          }
        }
        throw this.failureError(ctx, failure);
      }
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private failureError(
    ctx: { feature: string; provider: string; model: string },
    failure: ClassifiedFailure,
  ): AppError {
    if (failure.kind === 'rate-limited') {
      return new LlmRateLimitedError(ctx, failure.retryAfterMs);
    }
    return new LlmProviderError(ctx, failure.reason, { providerStatus: failure.status });
  }

  /** Writes the ledger row. Never throws: a lost row is logged, the call's outcome stands. */
  private async finish<T>(
    callId: string,
    request: GenerateRequest,
    call: ResolvedCall,
    prompt: RenderedPrompt,
    operation: Operation<T>,
    tally: Tally,
    startedAt: Date,
    started: number,
    failure?: AppError,
  ): Promise<LlmCallInfo> {
    const latencyMs = Math.max(0, Math.round(performance.now() - started));
    const day = utcDay(startedAt);
    const cost = this.pricing.cost(call.provider, call.model, day, tally);
    if (cost.costUsd === null && tally.inputTokens + tally.outputTokens > 0) {
      this.warnOnce(`price:${call.provider}:${call.model}`, 'LLM model has no price', {
        provider: call.provider,
        model: call.model,
        hint: 'add it to config/pricing.yaml; its calls are recorded without a cost',
      });
    }
    const row: LlmCallRow = {
      id: callId,
      created_at: startedAt.toISOString(),
      day,
      provider: call.provider,
      model: call.model,
      feature: request.feature,
      operation: operation.kind,
      prompt_id: prompt.name,
      prompt_version: prompt.version,
      user_id: request.userId ?? null,
      job_id: request.jobId ?? null,
      input_tokens: tally.inputTokens,
      output_tokens: tally.outputTokens,
      cache_read_tokens: tally.cacheReadTokens,
      cache_write_tokens: tally.cacheWriteTokens,
      cost_usd: cost.costUsd,
      price_effective_from: cost.priceEffectiveFrom,
      latency_ms: latencyMs,
      retries: tally.retries,
      finish_reason: tally.finishReason,
      status: failure ? 'error' : 'ok',
      error_code: failure?.code ?? null,
      error_message: failure ? failure.message.slice(0, 1000) : null,
    };
    try {
      await this.ledger.record(row);
    } catch (err) {
      this.logger.error({ err, callId, feature: request.feature }, 'could not record an LLM call');
    }
    return {
      callId,
      feature: request.feature,
      provider: call.provider,
      model: call.model,
      offline: call.provider === 'offline',
      promptId: prompt.id,
      usage: {
        inputTokens: tally.inputTokens,
        outputTokens: tally.outputTokens,
        cacheReadTokens: tally.cacheReadTokens,
        cacheWriteTokens: tally.cacheWriteTokens,
        totalTokens: tally.inputTokens + tally.outputTokens,
        costUsd: cost.costUsd,
      },
      latencyMs,
      retries: tally.retries,
      finishReason: tally.finishReason,
    };
  }
}
