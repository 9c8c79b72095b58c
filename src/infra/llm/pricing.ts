// config/pricing.yaml: USD per million tokens per provider and model, each price with the date
// it took effect. A call is priced with the entry in effect on the day it was made, so adding a
// new price never changes the cost of calls already recorded.
import { z } from 'zod';
import { ConfigError } from '../../config/env.ts';
import { PROVIDERS, type ProviderName } from './llm-config.ts';
import { displayPath, parseYamlWith, readYamlFile } from './yaml-file.ts';

const perMillion = z
  .number({ message: 'must be a price in USD per million tokens' })
  .min(0, 'must not be negative')
  .max(100_000);

const priceEntry = z.strictObject({
  provider: z.enum(PROVIDERS, { message: `must be one of ${PROVIDERS.join(', ')}` }),
  /** A model id, or `*` for every model of the provider (e.g. local Ollama models cost nothing). */
  model: z.string().trim().min(1),
  effective_from: z.iso.date({ message: 'must be a date written YYYY-MM-DD' }),
  input: perMillion,
  output: perMillion,
  /** Cached input read; defaults to the input price. */
  cache_read: perMillion.optional(),
  /** Input written to the cache; defaults to the input price. */
  cache_write: perMillion.optional(),
});

const pricingFileSchema = z.strictObject({
  currency: z.literal('USD', { message: 'only USD is supported' }).default('USD'),
  prices: z.array(priceEntry).default([]),
});

export interface Price {
  provider: ProviderName;
  model: string;
  effectiveFrom: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface TokenCounts {
  /** All input tokens, cached ones included (as providers report them). */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface CallCost {
  costUsd: number | null;
  /** The effective_from of the price used; null when no price applies. */
  priceEffectiveFrom: string | null;
}

export class PriceTable {
  private readonly byModel = new Map<string, Price[]>();

  constructor(prices: readonly Price[]) {
    for (const p of prices) {
      const key = `${p.provider}\u0000${p.model}`;
      const list = this.byModel.get(key) ?? [];
      if (list.some((q) => q.effectiveFrom === p.effectiveFrom)) {
        throw new ConfigError(
          `pricing: ${p.provider} ${p.model} has two prices effective from ${p.effectiveFrom}`,
        );
      }
      list.push(p);
      // Newest first, so lookup takes the first entry not later than the call.
      list.sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
      this.byModel.set(key, list);
    }
  }

  /** The price in effect on `day` (YYYY-MM-DD): the exact model first, then the provider's `*`. */
  priceFor(provider: ProviderName, model: string, day: string): Price | undefined {
    for (const m of [model, '*']) {
      const list = this.byModel.get(`${provider}\u0000${m}`);
      const found = list?.find((p) => p.effectiveFrom <= day);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Cost of one call. Input tokens include the cached ones, so the uncached part is priced at the
   * input rate and the cached parts at their own rates. Offline calls cost nothing; a model with
   * no price gets null (shown as "unpriced", never as free).
   */
  cost(provider: ProviderName, model: string, day: string, tokens: TokenCounts): CallCost {
    if (provider === 'offline') return { costUsd: 0, priceEffectiveFrom: null };
    const price = this.priceFor(provider, model, day);
    if (!price) return { costUsd: null, priceEffectiveFrom: null };
    const uncached = Math.max(
      0,
      tokens.inputTokens - tokens.cacheReadTokens - tokens.cacheWriteTokens,
    );
    const micro =
      uncached * price.input +
      tokens.cacheReadTokens * price.cacheRead +
      tokens.cacheWriteTokens * price.cacheWrite +
      tokens.outputTokens * price.output;
    // Rounded to a billionth of a dollar so sums do not collect float noise.
    return {
      costUsd: Math.round((micro / 1_000_000) * 1e9) / 1e9,
      priceEffectiveFrom: price.effectiveFrom,
    };
  }
}

export function loadPricing(file: string): PriceTable {
  const parsed = parseYamlWith(file, pricingFileSchema, readYamlFile(file));
  try {
    return new PriceTable(
      parsed.prices.map((p) => ({
        provider: p.provider,
        model: p.model,
        effectiveFrom: p.effective_from,
        input: p.input,
        output: p.output,
        cacheRead: p.cache_read ?? p.input,
        cacheWrite: p.cache_write ?? p.input,
      })),
    );
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new ConfigError(
        `Invalid ${displayPath(file)}: ${err.message.replace('pricing: ', '')}`,
      );
    }
    throw err;
  }
}
