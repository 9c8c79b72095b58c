// Re-ranking of the offline tagger's candidates by a language model, through the LLM gateway
// (feature `tagging`, prompt config/prompts/tagging.v2.yaml, structured output checked by zod).
// The model sees only the top candidates and must answer with their ids: any other id is
// discarded. Used only when the `tagging` feature has a real provider; a failure is the caller's
// cue to keep the offline ranking.
import { z } from 'zod';
import type { LlmGateway } from '../../infra/llm/llm-gateway.ts';
import type { TagCandidate } from './auto-tagger.ts';

export const TAGGING_FEATURE = 'tagging';
export const TAGGING_PROMPT = 'tagging.v2';
/** How many offline candidates the model chooses from. */
export const RERANK_CANDIDATES = 8;

export const rerankSchema = z.object({
  skills: z
    .array(
      z.object({
        id: z.string().max(200),
        confidence: z.number().min(0).max(1),
        reason: z.string().max(500),
      }),
    )
    .max(10),
});

export interface RerankedCandidate extends TagCandidate {
  /** The model's one-sentence reason (untrusted text). */
  modelReason: string;
}

export interface RerankOutcome {
  candidates: RerankedCandidate[];
  /** Ids the model named that were not among the candidates (discarded). */
  discarded: string[];
}

export interface RerankContext {
  userId: string | null;
  jobId: string | null;
  signal?: AbortSignal | undefined;
}

/** Whether the gateway would send `tagging` calls to a real provider (not the offline generator). */
export function rerankingAvailable(llm: LlmGateway): boolean {
  const feature = llm.describeFeatures().find((f) => f.feature === TAGGING_FEATURE);
  const fallback = llm.describeFeatures().find((f) => f.feature === 'default');
  return !(feature ?? fallback)?.offline;
}

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * Ask the model to order the candidates. Throws the gateway's typed errors (provider failure,
 * timeout, budget, invalid output); returns no candidates when the model named none of them.
 */
export async function rerankWithLlm(
  llm: LlmGateway,
  questionText: string,
  candidates: readonly TagCandidate[],
  context: RerankContext,
): Promise<RerankOutcome> {
  const offered = candidates.slice(0, RERANK_CANDIDATES);
  const byId = new Map(offered.map((c) => [c.externalId, c]));
  const result = await llm.generateObject({
    feature: TAGGING_FEATURE,
    prompt: TAGGING_PROMPT,
    variables: {
      question: oneLine(questionText, 4000),
      candidates: offered.map((c) => `${c.externalId}: ${oneLine(c.name, 200)}`).join('\n'),
    },
    schema: rerankSchema,
    schemaName: 'tagging',
    userId: context.userId,
    jobId: context.jobId,
    ...(context.signal ? { signal: context.signal } : {}),
  });
  const discarded: string[] = [];
  const seen = new Set<string>();
  const reranked: RerankedCandidate[] = [];
  for (const choice of result.object.skills) {
    const candidate = byId.get(choice.id.trim());
    if (!candidate) {
      discarded.push(choice.id.slice(0, 200));
      continue;
    }
    if (seen.has(candidate.externalId)) continue;
    seen.add(candidate.externalId);
    reranked.push({
      ...candidate,
      confidence: Math.round(choice.confidence * 1000) / 1000,
      modelReason: oneLine(choice.reason, 300),
    });
  }
  return { candidates: reranked, discarded };
}
