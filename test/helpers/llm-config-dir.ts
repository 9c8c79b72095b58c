// An LLM_CONFIG_DIR for tests and benchmarks: the repository's prompts, a price for the fake
// server's model, and an llm.yaml whose features the caller chooses (e.g. the fake
// OpenAI-compatible server for `default`, the offline generator for another feature).
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './server-process.ts';

export interface FeatureYaml {
  provider: string;
  model: string;
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  retries?: number;
  concurrency?: number;
}

export interface LlmConfigDirOptions {
  /** `default` is completed with sensible values; others inherit from it. */
  features?: Record<string, Partial<FeatureYaml>>;
  concurrency?: number;
  retry?: { baseDelayMs: number; maxDelayMs: number };
}

/** USD per million tokens for `fake-model` on openai-compatible (input, output, cache read). */
export const FAKE_MODEL_PRICE = { input: 2, output: 10, cacheRead: 0.5 };

function yamlOf(value: Record<string, unknown>, indent = ''): string {
  return Object.entries(value)
    .map(([key, v]) =>
      v !== null && typeof v === 'object'
        ? `${indent}${key}:\n${yamlOf(v as Record<string, unknown>, `${indent}  `)}`
        : `${indent}${key}: ${JSON.stringify(v)}\n`,
    )
    .join('');
}

export function createLlmConfigDir(options: LlmConfigDirOptions = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-llm-config-'));
  cpSync(path.join(REPO_ROOT, 'config', 'prompts'), path.join(dir, 'prompts'), {
    recursive: true,
  });
  const { default: defaultFeature, ...others } = options.features ?? {};
  const file = {
    concurrency: options.concurrency ?? 16,
    retry: options.retry ?? { baseDelayMs: 10, maxDelayMs: 50 },
    features: {
      default: {
        provider: 'openai-compatible',
        model: 'fake-model',
        temperature: 0.2,
        maxTokens: 256,
        timeoutMs: 5_000,
        retries: 1,
        concurrency: 8,
        ...defaultFeature,
      },
      ...others,
    },
  };
  writeFileSync(path.join(dir, 'llm.yaml'), yamlOf(file));
  writeFileSync(
    path.join(dir, 'pricing.yaml'),
    [
      'currency: USD',
      'prices:',
      '  - provider: openai-compatible',
      '    model: fake-model',
      '    effective_from: 2024-01-01',
      `    input: ${FAKE_MODEL_PRICE.input}`,
      `    output: ${FAKE_MODEL_PRICE.output}`,
      `    cache_read: ${FAKE_MODEL_PRICE.cacheRead}`,
      '',
    ].join('\n'),
  );
  return dir;
}
