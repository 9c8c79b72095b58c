// Admin routes of the LLM gateway: usage aggregates, per-user daily token budgets, the features'
// effective providers and a provider check. Admin only.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentUser } from '../../platform/http/auth.ts';
import {
  budgetUserParams,
  budgetsResponse,
  featuresResponse,
  providerCheckBody,
  providerCheckResponse,
  setBudgetBody,
  usageQuery,
  usageResponse,
  userBudgetEnvelope,
} from './llm-usage-schemas.ts';
import type { LlmUsageService } from './llm-usage-service.ts';

const ADMIN = { access: ['admin'] as const };

export function llmUsageRoutes(deps: { llmUsage: LlmUsageService }) {
  const { llmUsage } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/api/admin/llm-usage',
      {
        config: ADMIN,
        schema: {
          tags: ['llm'],
          summary: 'LLM calls, tokens, cost, errors and latency per day, model, feature or user',
          querystring: usageQuery,
          response: { 200: usageResponse },
        },
      },
      async (request) => llmUsage.usage(request.query),
    );

    r.get(
      '/api/admin/llm-budgets',
      {
        config: ADMIN,
        schema: {
          tags: ['llm'],
          summary: 'The default daily token budget and every per-user override',
          response: { 200: budgetsResponse },
        },
      },
      async () => llmUsage.budgets(),
    );

    r.get(
      '/api/admin/llm-budgets/:userId',
      {
        config: ADMIN,
        schema: {
          tags: ['llm'],
          summary: "A user's daily token budget and what they used today",
          params: budgetUserParams,
          response: { 200: userBudgetEnvelope },
        },
      },
      async (request) => ({ budget: await llmUsage.budgetOf(request.params.userId) }),
    );

    r.put(
      '/api/admin/llm-budgets/:userId',
      {
        config: ADMIN,
        schema: {
          tags: ['llm'],
          summary: "Set a user's daily token budget (0 = unlimited, null = the default)",
          params: budgetUserParams,
          body: setBudgetBody,
          response: { 200: userBudgetEnvelope },
        },
      },
      async (request) => ({
        budget: await llmUsage.setBudget(
          currentUser(request).id,
          request.params.userId,
          request.body.dailyTokens,
          request.ip ?? null,
        ),
      }),
    );

    r.delete(
      '/api/admin/llm-budgets/:userId',
      {
        config: ADMIN,
        schema: {
          tags: ['llm'],
          summary: "Remove a user's budget override: the default budget applies again",
          params: budgetUserParams,
          response: { 200: userBudgetEnvelope },
        },
      },
      async (request) => ({
        budget: await llmUsage.setBudget(
          currentUser(request).id,
          request.params.userId,
          null,
          request.ip ?? null,
        ),
      }),
    );

    r.get(
      '/api/admin/llm/features',
      {
        config: ADMIN,
        schema: {
          tags: ['llm'],
          summary: 'Each feature of config/llm.yaml with the provider and model it really uses',
          response: { 200: featuresResponse },
        },
      },
      async () => ({ features: llmUsage.features() }),
    );

    r.post(
      '/api/admin/llm/check',
      {
        config: ADMIN,
        schema: {
          tags: ['llm'],
          summary: "Run a tiny generation to check a feature's provider configuration",
          body: providerCheckBody,
          response: { 200: providerCheckResponse },
        },
      },
      async (request, reply) => {
        // A client that goes away cancels the call instead of leaving it running.
        const controller = new AbortController();
        const onClose = () => {
          if (!reply.raw.writableEnded) controller.abort();
        };
        reply.raw.once('close', onClose);
        try {
          return await llmUsage.checkProvider(
            request.body.feature,
            currentUser(request).id,
            controller.signal,
          );
        } finally {
          reply.raw.off('close', onClose);
        }
      },
    );
  };
}
