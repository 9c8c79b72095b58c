import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/env.ts';
import { FakeClock } from '../../platform/clock.ts';
import { createLlmGateway } from './create-llm-gateway.ts';
import { featureSettings, loadLlmConfig } from './llm-config.ts';
import { InMemoryUsageLedger } from './usage-ledger.ts';

const REPO_CONFIG = path.resolve(import.meta.dirname, '../../../config');

function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-llm-config-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const DEFAULT = `
features:
  default:
    provider: offline
    model: offline
    temperature: 0.3
    maxTokens: 2048
    timeoutMs: 60000
    retries: 2
    concurrency: 4
`;

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('config/llm.yaml', () => {
  it('ships a valid file whose every feature uses the offline generator', () => {
    const config = loadLlmConfig(path.join(REPO_CONFIG, 'llm.yaml'));
    expect(config.default.provider).toBe('offline');
    for (const name of Object.keys(config.features)) {
      expect(featureSettings(config, name).provider).toBe('offline');
    }
    expect(Object.keys(config.features)).toEqual(
      expect.arrayContaining(['lesson', 'tagging', 'courseware']),
    );
  });

  it('merges a feature over default and sends unknown features to default', () => {
    const file = writeTemp(
      'llm.yaml',
      `${DEFAULT}
  lesson:
    maxTokens: 4096
  tagging:
    provider: openai
    model: gpt-4.1-mini
    temperature: 0
`,
    );
    const config = loadLlmConfig(file);
    expect(featureSettings(config, 'lesson')).toMatchObject({
      provider: 'offline',
      maxTokens: 4096,
      temperature: 0.3,
      source: 'lesson',
    });
    expect(featureSettings(config, 'tagging')).toMatchObject({
      provider: 'openai',
      model: 'gpt-4.1-mini',
      temperature: 0,
      retries: 2,
    });
    expect(featureSettings(config, 'never-configured')).toMatchObject({
      feature: 'never-configured',
      source: 'default',
      maxTokens: 2048,
    });
    expect(config.concurrency).toBe(16);
    expect(config.retry).toEqual({ baseDelayMs: 500, maxDelayMs: 10_000 });
  });

  it('refuses a broken file with messages that name the key', () => {
    const file = writeTemp(
      'llm.yaml',
      `${DEFAULT}
  lesson:
    temperature: 7
    provider: gemini
    maxTokns: 10
  tagging:
    provider: anthropic
  Bad_Name: {}
`,
    );
    const err = errorOf(() => loadLlmConfig(file));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('llm.yaml');
    expect(err.message).toMatch(/features\.lesson\.temperature: must be between 0 and 2/);
    expect(err.message).toMatch(/features\.lesson\.provider: must be one of offline, openai/);
    expect(err.message).toMatch(/features\.lesson: .*maxTokns/);
    expect(err.message).toMatch(
      /features\.tagging\.model: required when the feature uses another provider/,
    );
    expect(err.message).toMatch(/features\.Bad_Name: feature names are lower-case/);
  });

  it('refuses provider addresses and keys in llm.yaml: they come from the environment only', () => {
    const file = writeTemp(
      'llm.yaml',
      `baseUrl: http://169.254.169.254/
${DEFAULT}
  lesson:
    provider: openai
    model: gpt-4o-mini
    baseURL: http://attacker.example/v1
    apiKey: sk-in-the-repository
`,
    );
    const err = errorOf(() => loadLlmConfig(file));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('(top level): Unrecognized key: "baseUrl"');
    expect(err.message).toContain('features.lesson: Unrecognized keys: "baseURL", "apiKey"');
  });

  it('requires a complete default feature', () => {
    const missing = errorOf(() =>
      loadLlmConfig(writeTemp('llm.yaml', 'features:\n  lesson: {}\n')),
    );
    expect(missing.message).toMatch(/features: must contain a `default` feature/);
    const partial = errorOf(() =>
      loadLlmConfig(writeTemp('llm.yaml', 'features:\n  default:\n    provider: offline\n')),
    );
    expect(partial.message).toMatch(/features\.default\.model/);
    expect(partial.message).toMatch(/features\.default\.timeoutMs/);
  });

  it('reports YAML syntax errors with the line, and a missing file by name', () => {
    const syntax = errorOf(() =>
      loadLlmConfig(writeTemp('llm.yaml', 'features:\n  default: [unclosed\n')),
    );
    expect(syntax).toBeInstanceOf(ConfigError);
    expect(syntax.message).toMatch(/llm\.yaml \(line \d+, column \d+\): not valid YAML/);
    const missing = errorOf(() => loadLlmConfig('/nonexistent/llm.yaml'));
    expect(missing.message).toBe('/nonexistent/llm.yaml: file not found');
  });

  it('stops start-up (createLlmGateway) when LLM_CONFIG_DIR holds a broken file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-llm-dir-'));
    mkdirSync(path.join(dir, 'prompts'));
    writeFileSync(path.join(dir, 'llm.yaml'), `${DEFAULT.replace('retries: 2', 'retries: -1')}`);
    writeFileSync(path.join(dir, 'pricing.yaml'), 'prices: []\n');
    const config = loadConfig({
      SESSION_SECRET: 'x'.repeat(32),
      DATA_DIR: dir,
      LLM_CONFIG_DIR: dir,
    });
    expect(config.llm.configDir).toBe(dir);
    const deps = {
      db: undefined as never,
      clock: new FakeClock(),
      logger: pino({ level: 'silent' }),
    };
    const err = errorOf(() =>
      createLlmGateway(config.llm, { ...deps, ledger: new InMemoryUsageLedger() }),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/features\.default\.retries: must be 0 or more/);
  });

  it('takes keys and base URLs from the environment only, and checks the URLs', () => {
    const base = { SESSION_SECRET: 'x'.repeat(32), DATA_DIR: os.tmpdir() };
    const config = loadConfig({
      ...base,
      OPENAI_API_KEY: 'sk-test',
      OLLAMA_BASE_URL: 'http://127.0.0.1:11434',
      LLM_DAILY_TOKEN_BUDGET_PER_USER: '50000',
    });
    expect(config.llm).toMatchObject({
      openaiApiKey: 'sk-test',
      ollamaBaseUrl: 'http://127.0.0.1:11434',
      anthropicApiKey: undefined,
      dailyTokenBudgetPerUser: 50_000,
      configDir: REPO_CONFIG,
    });
    expect(() => loadConfig({ ...base, OPENAI_BASE_URL: 'file:///etc/passwd' })).toThrow(
      /OPENAI_BASE_URL: must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => loadConfig({ ...base, LLM_DAILY_TOKEN_BUDGET_PER_USER: '-5' })).toThrow(
      /LLM_DAILY_TOKEN_BUDGET_PER_USER/,
    );
  });
});
