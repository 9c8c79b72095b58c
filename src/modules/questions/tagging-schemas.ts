// Request and response schemas of auto-tagging: starting a tagging job and the instructors'
// review queue of suggested tags.
import { z } from 'zod';
import { questionFilterQuery } from './questions-schemas.ts';

const questionId = z.uuid({ message: 'must be a question id (UUID)' });
const confidence = z.coerce
  .number({ message: 'must be a number from 0 to 1' })
  .min(0, { message: 'must be from 0 to 1' })
  .max(1, { message: 'must be from 0 to 1' });
const nodeRef = z.string().trim().min(1).max(200);

/** The filters of the Questions list, without paging: "every question the list shows". */
export const autoTagFilterSchema = questionFilterQuery.omit({ archived: true });

/** What a tagging job tags: named questions, one import, or what the list's filters match. */
export const autoTagBody = z
  .object({
    questionIds: z
      .array(questionId)
      .min(1, { message: 'name at least one question' })
      .max(5000, { message: 'at most 5000 questions at once; use a filter or an import' })
      .optional(),
    importId: z.uuid({ message: 'must be an import id (UUID)' }).optional(),
    filter: z.record(z.string(), z.string()).optional().describe('The Questions list’s query'),
    maxSuggestions: z.number().int().min(1).max(5).optional(),
  })
  .refine(
    (b) =>
      [b.questionIds !== undefined, b.importId !== undefined, b.filter !== undefined].filter(
        Boolean,
      ).length === 1,
    { message: 'give exactly one of questionIds, importId or filter', path: ['questionIds'] },
  );
export type AutoTagBody = z.infer<typeof autoTagBody>;

export const suggestionQuery = z.object({
  minConfidence: confidence.optional(),
  maxConfidence: confidence.optional(),
  importId: z.uuid({ message: 'must be an import id (UUID)' }).optional(),
  node: nodeRef.optional().describe('A concept (with its subtree) or skill: id or external id'),
  questionId: questionId.optional(),
  source: z.enum(['offline', 'llm'], { message: 'must be offline or llm' }).optional(),
});
export type SuggestionQuery = z.infer<typeof suggestionQuery>;

export const listSuggestionsQuery = suggestionQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListSuggestionsQuery = z.infer<typeof listSuggestionsQuery>;

export const suggestionParams = z.object({
  id: questionId,
  nodeId: z.string().min(1).max(200),
});

export const decisionBody = z.object({
  decision: z.enum(['accepted', 'rejected'], { message: 'must be accepted or rejected' }),
});

export const bulkDecisionBody = z.object({
  decision: z.enum(['accepted', 'rejected'], { message: 'must be accepted or rejected' }),
  /** Every suggestion at or above this confidence within the filter. */
  threshold: z
    .number({ message: 'must be a number from 0 to 1' })
    .min(0, { message: 'must be from 0 to 1' })
    .max(1, { message: 'must be from 0 to 1' }),
  filter: suggestionQuery.omit({ minConfidence: true }).default({}),
});

export const suggestionSchema = z.object({
  questionId: z.string(),
  questionExcerpt: z.string(),
  questionType: z.string(),
  questionStatus: z.string(),
  importId: z.string().nullable(),
  node: z.object({
    id: z.string(),
    externalId: z.string().nullable(),
    name: z.string().nullable(),
    kind: z.enum(['concept', 'skill']).nullable(),
  }),
  confidence: z.number().nullable(),
  reason: z.string().nullable(),
  /** The reason as sanitised HTML (an AI-written reason is untrusted text). */
  reasonHtml: z.string(),
  source: z.enum(['offline', 'llm', 'manual']),
  createdAt: z.string(),
});

export const listSuggestionsResponse = z.object({
  suggestions: z.array(suggestionSchema),
  total: z.number().int(),
  /** How many suggestions of the filter are at or above each tenth of confidence (0, 0.1 … 1). */
  atOrAbove: z.array(z.object({ threshold: z.number(), count: z.number().int() })),
});

export const decisionResponse = z.object({
  questionId: z.string(),
  nodeId: z.string(),
  status: z.enum(['accepted', 'rejected']),
  decidedAt: z.string(),
});

export const bulkDecisionResponse = z.object({
  updated: z.number().int(),
  status: z.enum(['accepted', 'rejected']),
});
