// Builds the gateway from AppConfig: llm.yaml, pricing.yaml and prompts/ from the configuration
// directory (checked at start-up: a broken file stops the process with a message naming the key),
// keys and base URLs from the environment, the ledger on the application database.
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { LlmEnvConfig } from '../../config/env.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../db/schema.ts';
import { loadLlmConfig } from './llm-config.ts';
import { LlmGateway } from './llm-gateway.ts';
import { loadPricing } from './pricing.ts';
import { loadPrompts } from './prompts.ts';
import { KyselyUsageLedger, type UsageLedger } from './usage-ledger.ts';

export interface CreateLlmGatewayDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  /** Replaces the database ledger (unit tests). */
  ledger?: UsageLedger;
  random?: () => number;
}

export function createLlmGateway(config: LlmEnvConfig, deps: CreateLlmGatewayDeps): LlmGateway {
  const dir = config.configDir;
  return new LlmGateway({
    settings: loadLlmConfig(path.join(dir, 'llm.yaml')),
    prompts: loadPrompts(path.join(dir, 'prompts')),
    pricing: loadPricing(path.join(dir, 'pricing.yaml')),
    ledger: deps.ledger ?? new KyselyUsageLedger(deps.db),
    credentials: {
      openaiApiKey: config.openaiApiKey,
      openaiBaseUrl: config.openaiBaseUrl,
      anthropicApiKey: config.anthropicApiKey,
      anthropicBaseUrl: config.anthropicBaseUrl,
      ollamaBaseUrl: config.ollamaBaseUrl,
    },
    dailyTokenBudgetPerUser: config.dailyTokenBudgetPerUser,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.random ? { random: deps.random } : {}),
  });
}
