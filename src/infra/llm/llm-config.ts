// config/llm.yaml: which provider and model each feature uses, with its sampling, time and
// concurrency limits. Validated with zod at start-up; a feature the file does not name uses
// `default`, and a feature naming only some settings takes the rest from `default`.
import { z } from 'zod';
import { parseYamlWith, readYamlFile } from './yaml-file.ts';

export const PROVIDERS = ['offline', 'openai', 'anthropic', 'ollama', 'openai-compatible'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

const FEATURE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

const featureFields = {
  provider: z.enum(PROVIDERS, {
    message: `must be one of ${PROVIDERS.join(', ')}`,
  }),
  model: z.string().trim().min(1, 'must name a model').max(200),
  temperature: z
    .number({ message: 'must be a number' })
    .min(0, 'must be between 0 and 2')
    .max(2, 'must be between 0 and 2'),
  maxTokens: z
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000_000),
  timeoutMs: z
    .number({ message: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(100, 'must be at least 100 ms')
    .max(3_600_000, 'must be at most one hour'),
  retries: z
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(10, 'must be at most 10'),
  concurrency: z
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000),
};

const fullFeature = z.strictObject(featureFields);
const partialFeature = z.strictObject(featureFields).partial();

export type FeatureSettings = z.infer<typeof fullFeature>;

export const llmFileSchema = z
  .strictObject({
    /** Calls in flight at once across every feature of this process. */
    concurrency: z.number().int().min(1).max(10_000).default(16),
    retry: z
      .strictObject({
        /** First backoff delay; doubles per retry, with jitter. */
        baseDelayMs: z.number().int().min(0).max(60_000).default(500),
        /** Upper bound of one backoff delay. */
        maxDelayMs: z.number().int().min(0).max(600_000).default(10_000),
      })
      .default({ baseDelayMs: 500, maxDelayMs: 10_000 }),
    features: z
      .record(z.string(), z.unknown(), { message: 'must be a map of feature names' })
      .refine((f) => 'default' in f, { message: 'must contain a `default` feature' }),
  })
  .transform((file, ctx) => {
    const features: Record<string, Partial<FeatureSettings>> = {};
    let base: FeatureSettings | undefined;
    for (const [name, value] of Object.entries(file.features)) {
      if (!FEATURE_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['features', name],
          message: 'feature names are lower-case letters, digits and dashes',
        });
        continue;
      }
      const schema = name === 'default' ? fullFeature : partialFeature;
      const parsed = schema.safeParse(value ?? {});
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          ctx.addIssue({
            code: 'custom',
            path: ['features', name, ...issue.path],
            message: issue.message,
          });
        }
        continue;
      }
      if (name === 'default') base = parsed.data as FeatureSettings;
      else features[name] = parsed.data;
    }
    if (!base) return z.NEVER;
    for (const [name, own] of Object.entries(features)) {
      if (
        own.provider &&
        own.provider !== base.provider &&
        own.provider !== 'offline' &&
        !own.model
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['features', name, 'model'],
          message: `required when the feature uses another provider (${own.provider}) than default (${base.provider})`,
        });
      }
    }
    return { concurrency: file.concurrency, retry: file.retry, default: base, features };
  });

export type LlmFileConfig = z.output<typeof llmFileSchema>;

export interface ResolvedFeatureSettings extends FeatureSettings {
  /** The name the caller used (recorded in the ledger). */
  feature: string;
  /** The entry of llm.yaml the settings came from: the feature itself, or `default`. */
  source: string;
}

/** The settings of one feature: its own entry over `default`, or `default` alone. */
export function featureSettings(config: LlmFileConfig, feature: string): ResolvedFeatureSettings {
  const own = config.features[feature];
  if (!own) return { ...config.default, feature, source: 'default' };
  // Switching to another provider requires a model (checked at load), except for the offline
  // generator, which has a single one.
  const model = own.model ?? (own.provider === 'offline' ? 'offline' : config.default.model);
  return { ...config.default, ...own, model, feature, source: feature };
}

export function loadLlmConfig(file: string): LlmFileConfig {
  return parseYamlWith(file, llmFileSchema, readYamlFile(file));
}
