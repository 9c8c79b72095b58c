// The questions.auto-tag job definition: its payload schema and how it ends when tagging cannot
// succeed (no graph yet): failed at once with a reason a person can act on, not retried.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.ts';
import type { LlmGateway } from '../../infra/llm/llm-gateway.ts';
import { JobFailure, type JobContext, type JobQueue } from '../../infra/queue/job-queue.ts';
import { FakeClock } from '../../platform/clock.ts';
import { emptyGraphLookup } from './graph-lookup.ts';
import { autoTagPayloadSchema, createAutoTagJob } from './questions-jobs.ts';
import type { QuestionsService } from './questions-service.ts';
import { TaggingService } from './tagging-service.ts';

const ID = '0190a3c4-0000-7000-8000-000000000001';

describe('questions.auto-tag job', () => {
  it('takes exactly one of questionIds, importId or filter', () => {
    expect(autoTagPayloadSchema.safeParse({ questionIds: [ID] }).success).toBe(true);
    expect(autoTagPayloadSchema.safeParse({ importId: ID }).success).toBe(true);
    expect(autoTagPayloadSchema.safeParse({ filter: { q: 'ratio' } }).success).toBe(true);
    expect(autoTagPayloadSchema.safeParse({}).success).toBe(false);
    expect(autoTagPayloadSchema.safeParse({ importId: ID, questionIds: [ID] }).success).toBe(false);
    expect(autoTagPayloadSchema.safeParse({ questionIds: ['x'] }).success).toBe(false);
    expect(autoTagPayloadSchema.safeParse({ importId: ID, maxSuggestions: 9 }).success).toBe(false);
  });

  it('fails at once, without retrying, when the graph has no skills', async () => {
    const tagging = new TaggingService({
      // Never reached: the run stops before reading questions.
      db: {} as Kysely<Database>,
      clock: new FakeClock(),
      graph: emptyGraphLookup,
      questions: {} as QuestionsService,
      llm: { describeFeatures: () => [] } as unknown as LlmGateway,
      jobs: {} as JobQueue,
    });
    const job = createAutoTagJob({ tagging });
    const ctx = {
      job: { id: 'job-1', userId: 'u-1' },
      attempt: 1,
      progress: async () => {},
      signal: new AbortController().signal,
      log: pino({ level: 'silent' }),
    } as unknown as JobContext;
    const error = await job.handler({ importId: ID }, ctx).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(JobFailure);
    expect((error as JobFailure).retryable).toBe(false);
    expect((error as JobFailure).message).toMatch(/no skills yet: import the curriculum first/);
  });
});
