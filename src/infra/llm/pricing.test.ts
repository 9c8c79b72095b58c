import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPricing, PriceTable } from './pricing.ts';

const table = new PriceTable([
  {
    provider: 'openai',
    model: 'gpt-x',
    effectiveFrom: '2025-01-01',
    input: 2,
    output: 8,
    cacheRead: 0.5,
    cacheWrite: 2,
  },
  {
    provider: 'openai',
    model: 'gpt-x',
    effectiveFrom: '2025-06-01',
    input: 1,
    output: 4,
    cacheRead: 0.25,
    cacheWrite: 1,
  },
  {
    provider: 'anthropic',
    model: 'claude-y',
    effectiveFrom: '2025-01-01',
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
  },
  {
    provider: 'ollama',
    model: '*',
    effectiveFrom: '2020-01-01',
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
  },
]);

const tokens = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadTokens: cacheRead,
  cacheWriteTokens: cacheWrite,
});

describe('pricing', () => {
  it('prices uncached input, cached reads and writes and output at their own rates', () => {
    // 1,000,000 input of which 200,000 read from and 100,000 written to the cache; 500,000 out.
    const cost = table.cost('anthropic', 'claude-y', '2025-03-03', tokens(1e6, 5e5, 2e5, 1e5));
    // 700k × 3 + 200k × 0.3 + 100k × 3.75 + 500k × 15, per million
    expect(cost.costUsd).toBeCloseTo(2.1 + 0.06 + 0.375 + 7.5, 9);
    expect(cost.priceEffectiveFrom).toBe('2025-01-01');
  });

  it('uses the price in effect on the day of the call, so old calls keep old prices', () => {
    const before = table.cost('openai', 'gpt-x', '2025-05-31', tokens(1000, 1000));
    const after = table.cost('openai', 'gpt-x', '2025-06-01', tokens(1000, 1000));
    expect(before).toEqual({ costUsd: 0.01, priceEffectiveFrom: '2025-01-01' });
    expect(after).toEqual({ costUsd: 0.005, priceEffectiveFrom: '2025-06-01' });
    // Before the first price there is no price at all.
    expect(table.cost('openai', 'gpt-x', '2024-12-31', tokens(1000, 1000)).costUsd).toBeNull();
  });

  it('gives unknown models no cost (not zero), offline zero, and wildcard models their price', () => {
    expect(table.cost('openai', 'gpt-unknown', '2025-07-01', tokens(10, 10))).toEqual({
      costUsd: null,
      priceEffectiveFrom: null,
    });
    expect(table.cost('offline', 'offline', '2025-07-01', tokens(10, 10)).costUsd).toBe(0);
    expect(table.cost('ollama', 'llama3.1:8b', '2025-07-01', tokens(10, 10)).costUsd).toBe(0);
  });

  it('rounds to a billionth of a dollar', () => {
    const cost = table.cost('openai', 'gpt-x', '2025-07-01', tokens(1, 1));
    expect(cost.costUsd).toBe(0.000005);
  });

  it('loads the shipped price table and refuses a broken one naming the entry', () => {
    const shipped = loadPricing(path.resolve(import.meta.dirname, '../../../config/pricing.yaml'));
    expect(shipped.priceFor('openai', 'gpt-4o-mini', '2026-01-01')?.input).toBe(0.15);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-pricing-'));
    const file = path.join(dir, 'pricing.yaml');
    writeFileSync(
      file,
      'prices:\n  - { provider: openai, model: a, effective_from: 2025-13-01, input: -1, output: 1 }\n',
    );
    expect(() => loadPricing(file)).toThrow(/prices\.0\.effective_from: must be a date/);
    expect(() => loadPricing(file)).toThrow(/prices\.0\.input: must not be negative/);
    writeFileSync(
      file,
      'prices:\n  - { provider: openai, model: a, effective_from: 2025-01-01, input: 1, output: 1 }\n  - { provider: openai, model: a, effective_from: 2025-01-01, input: 2, output: 2 }\n',
    );
    expect(() => loadPricing(file)).toThrow(/openai a has two prices effective from 2025-01-01/);
  });
});
