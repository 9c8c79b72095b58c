// Job definitions known to this process, with defaults filled in, and payload validation.
import type { z } from 'zod';
import type { FieldError } from '../../platform/errors.ts';
import {
  JobPayloadError,
  UnknownJobTypeError,
  type JobContext,
  type JobDefinition,
} from './job-queue.ts';

/** Job types are dotted lower-case words, which also makes them valid pg-boss queue names. */
export const JOB_TYPE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

export interface ResolvedDefinition {
  type: string;
  schema: z.ZodType<unknown>;
  handler(payload: unknown, ctx: JobContext): Promise<unknown>;
  maxAttempts: number;
  backoffMs: number;
  leaseMs: number;
  timeoutMs: number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 3600_000;
/** Retries never wait longer than this, however many attempts came before. */
export const MAX_BACKOFF_MS = 3600_000;

export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)',
    message: issue.message,
  }));
}

/** Delay before the attempt after `attempts` failed ones: backoff, doubling, capped. */
export function retryDelayMs(backoffMs: number, attempts: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(backoffMs * 2 ** exponent, MAX_BACKOFF_MS);
}

export class JobRegistry {
  private readonly definitions = new Map<string, ResolvedDefinition>();

  constructor(private readonly defaultLeaseMs: number) {}

  register<P, R>(definition: JobDefinition<P, R>): ResolvedDefinition {
    if (!JOB_TYPE_PATTERN.test(definition.type)) {
      throw new Error(
        `Job type "${definition.type}" must be dotted lower-case words (e.g. ocr.recognize)`,
      );
    }
    if (this.definitions.has(definition.type)) {
      throw new Error(`Job type "${definition.type}" is already registered`);
    }
    const maxAttempts = definition.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const backoffMs = definition.backoffMs ?? DEFAULT_BACKOFF_MS;
    const leaseMs = definition.leaseMs ?? this.defaultLeaseMs;
    const timeoutMs = definition.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new Error(`${definition.type}: maxAttempts must be a positive integer`);
    }
    if (backoffMs < 0 || leaseMs < 1000 || timeoutMs < 1) {
      throw new Error(`${definition.type}: backoffMs, leaseMs (≥ 1 s) or timeoutMs out of range`);
    }
    const resolved: ResolvedDefinition = {
      type: definition.type,
      schema: definition.schema as z.ZodType<unknown>,
      // The schema has parsed the payload into P before the handler sees it.
      handler: (payload, ctx) => definition.handler(payload as P, ctx),
      maxAttempts,
      backoffMs,
      leaseMs,
      timeoutMs,
    };
    this.definitions.set(definition.type, resolved);
    return resolved;
  }

  get(type: string): ResolvedDefinition {
    const definition = this.definitions.get(type);
    if (!definition) throw new UnknownJobTypeError(type);
    return definition;
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  /** The payload as the schema outputs it, or JobPayloadError naming each bad field. */
  validate(type: string, payload: unknown): unknown {
    const parsed = this.get(type).schema.safeParse(payload);
    if (!parsed.success) throw new JobPayloadError(type, zodFieldErrors(parsed.error));
    // Stored as JSON: what the handler later receives must survive the round trip.
    return JSON.parse(JSON.stringify(parsed.data ?? null)) as unknown;
  }
}
