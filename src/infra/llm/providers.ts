// The real providers, through the Vercel AI SDK. Base URLs and keys come only from AppConfig (the
// environment), never from llm.yaml in the repository and never from a request. A feature whose
// provider has no key (or base URL) configured falls back to the offline generator.
// The provider packages are imported when a feature first uses one, like the SDK (ai-sdk.ts).
import type { LanguageModel } from 'ai';
import type { ProviderName } from './llm-config.ts';

export interface LlmCredentials {
  openaiApiKey: string | undefined;
  /** OpenAI or any OpenAI-compatible server (vLLM, LiteLLM, LM Studio…). */
  openaiBaseUrl: string | undefined;
  anthropicApiKey: string | undefined;
  anthropicBaseUrl: string | undefined;
  /** e.g. http://127.0.0.1:11434; its OpenAI-compatible endpoint /v1 is used. */
  ollamaBaseUrl: string | undefined;
}

export type RemoteProvider = Exclude<ProviderName, 'offline'>;

export type Availability = { available: true } | { available: false; reason: string };

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com/v1';

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Ollama's OpenAI-compatible API lives under /v1; accept the server's root URL as well. */
export function ollamaApiUrl(base: string): string {
  const trimmed = withoutTrailingSlash(base);
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

export class ProviderRegistry {
  private readonly models = new Map<string, LanguageModel>();

  constructor(private readonly credentials: LlmCredentials) {}

  availability(provider: ProviderName): Availability {
    const c = this.credentials;
    switch (provider) {
      case 'offline':
        return { available: true };
      case 'openai':
        return c.openaiApiKey
          ? { available: true }
          : { available: false, reason: 'OPENAI_API_KEY is not set' };
      case 'anthropic':
        return c.anthropicApiKey
          ? { available: true }
          : { available: false, reason: 'ANTHROPIC_API_KEY is not set' };
      case 'ollama':
        return c.ollamaBaseUrl
          ? { available: true }
          : { available: false, reason: 'OLLAMA_BASE_URL is not set' };
      case 'openai-compatible':
        return c.openaiBaseUrl
          ? { available: true }
          : { available: false, reason: 'OPENAI_BASE_URL is not set' };
    }
  }

  /** The AI SDK model for a provider that is available (check availability() first). */
  async model(provider: RemoteProvider, modelId: string): Promise<LanguageModel> {
    const key = `${provider}\u0000${modelId}`;
    let model = this.models.get(key);
    if (!model) {
      model = await this.create(provider, modelId);
      this.models.set(key, model);
    }
    return model;
  }

  private async create(provider: RemoteProvider, modelId: string): Promise<LanguageModel> {
    const c = this.credentials;
    // Every setting is passed explicitly, so the SDK never falls back to reading process.env.
    switch (provider) {
      case 'openai': {
        const { createOpenAI } = await import('@ai-sdk/openai');
        // Chat Completions: the API every OpenAI-compatible server implements as well.
        return createOpenAI({
          apiKey: c.openaiApiKey ?? '',
          baseURL: withoutTrailingSlash(c.openaiBaseUrl ?? OPENAI_DEFAULT_BASE_URL),
        }).chat(modelId);
      }
      case 'anthropic': {
        const { createAnthropic } = await import('@ai-sdk/anthropic');
        return createAnthropic({
          apiKey: c.anthropicApiKey ?? '',
          baseURL: withoutTrailingSlash(c.anthropicBaseUrl ?? ANTHROPIC_DEFAULT_BASE_URL),
        })(modelId);
      }
      case 'ollama': {
        const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
        return createOpenAICompatible({
          name: 'ollama',
          baseURL: ollamaApiUrl(c.ollamaBaseUrl ?? ''),
          supportsStructuredOutputs: true,
        }).chatModel(modelId);
      }
      case 'openai-compatible': {
        const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
        return createOpenAICompatible({
          name: 'openai-compatible',
          baseURL: withoutTrailingSlash(c.openaiBaseUrl ?? ''),
          ...(c.openaiApiKey ? { apiKey: c.openaiApiKey } : {}),
          supportsStructuredOutputs: true,
        }).chatModel(modelId);
      }
    }
  }
}
