// Shapes of the auto-tagging API, inferred from the server's zod schemas (type-only imports).
import type { z } from 'zod';
import type {
  autoTagBody,
  bulkDecisionBody,
  bulkDecisionResponse,
  decisionResponse,
  listSuggestionsResponse,
  suggestionSchema,
} from '../../../src/modules/questions/tagging-schemas.ts';

export type Suggestion = z.infer<typeof suggestionSchema>;
export type SuggestionList = z.infer<typeof listSuggestionsResponse>;
export type AutoTagInput = z.input<typeof autoTagBody>;
export type BulkDecisionInput = z.input<typeof bulkDecisionBody>;
export type BulkDecisionResult = z.infer<typeof bulkDecisionResponse>;
export type DecisionResult = z.infer<typeof decisionResponse>;

export interface SuggestionListQuery {
  minConfidence?: number | undefined;
  maxConfidence?: number | undefined;
  importId?: string | undefined;
  node?: string | undefined;
  questionId?: string | undefined;
  source?: 'offline' | 'llm' | undefined;
  limit: number;
  offset: number;
}

/** What a finished questions.auto-tag job returns (its `result`). */
export interface AutoTagResult {
  questions: number;
  tagged: number;
  suggestions: number;
  unmatched: number;
  keptDecisions: number;
  mode: 'offline' | 'llm';
  reranked: number;
  fallbacks: number;
  discardedIds: number;
  importId: string | null;
}
