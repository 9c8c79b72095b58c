// Request and response schemas of the /api/questions routes. Answers are checked by the schema
// of the question's type in the service (question-model.ts), so errors name the exact field.
import { z } from 'zod';
import {
  QUESTION_STATUSES,
  QUESTION_TYPES,
  TEXT_FORMATS,
  irtSchema,
  type QuestionStatus,
  type QuestionType,
} from './question-model.ts';

export const questionTypeSchema = z.enum(QUESTION_TYPES, {
  message: `must be one of ${QUESTION_TYPES.join(', ')}`,
});
export const questionStatusSchema = z.enum(QUESTION_STATUSES, {
  message: `must be one of ${QUESTION_STATUSES.join(', ')}`,
});

export const questionIdParams = z.object({
  id: z.uuid({ message: 'must be a question id (UUID)' }),
});

/** "a,b" → ["a","b"], each checked against the allowed values. */
function commaList<T extends string>(values: readonly T[], what: string) {
  return z
    .string()
    .max(500)
    .transform((s, ctx) => {
      const items = s
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      for (const item of items) {
        if (!(values as readonly string[]).includes(item)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${item}" is not a ${what}; use ${values.join(', ')} (comma-separated)`,
          });
          return z.NEVER;
        }
      }
      return items as T[];
    });
}

const booleanQuery = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const difficultyQuery = z.coerce
  .number({ message: 'must be a number from 1 to 5' })
  .int({ message: 'must be a whole number from 1 to 5' })
  .min(1, { message: 'must be from 1 to 5' })
  .max(5, { message: 'must be from 1 to 5' });

export const questionFilterQuery = z.object({
  concept: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('A concept (graph node id or external id): its questions and its subtree’s'),
  skill: z.string().trim().min(1).max(200).optional().describe('A skill (node id or external id)'),
  type: commaList<QuestionType>(QUESTION_TYPES, 'question type').optional(),
  status: commaList<QuestionStatus>(QUESTION_STATUSES, 'status').optional(),
  difficultyMin: difficultyQuery.optional(),
  difficultyMax: difficultyQuery.optional(),
  q: z.string().max(200, { message: 'must be at most 200 characters' }).optional(),
  category: z.string().trim().min(1).max(300).optional(),
  importId: z.uuid({ message: 'must be an import id (UUID)' }).optional(),
  archived: booleanQuery.optional().describe('true: the archived questions instead'),
});
export type QuestionFilterQuery = z.infer<typeof questionFilterQuery>;

export const listQuestionsQuery = questionFilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListQuestionsQuery = z.infer<typeof listQuestionsQuery>;

export const exportQuery = questionFilterQuery.extend({
  format: z.enum(['gift', 'csv'], { message: 'must be gift or csv' }),
});

const answersInput = z
  .record(z.string(), z.unknown())
  .describe(
    'By type — single_choice/multiple_choice: {options:[{id,text,weight,feedback?}]}; true_false: {correct, feedbackCorrect?, feedbackWrong?}; numeric: {answers:[{kind:"tolerance",value,tolerance,weight}|{kind:"range",min,max,weight}]}; short_answer: {answers:[{text,weight,feedback?}], caseSensitive}; written: {maxMarks, markScheme?}',
  );

export const createQuestionBody = z.object({
  type: questionTypeSchema,
  title: z.string().max(200).nullable().optional(),
  stem: z.string().max(20_000),
  format: z.enum(TEXT_FORMATS).optional(),
  generalFeedback: z.string().max(5000).nullable().optional(),
  answers: answersInput,
  difficulty: z.number().nullable().optional(),
  irt: irtSchema.nullable().optional(),
  maxMarks: z.number().optional(),
  source: z.string().max(300).nullable().optional(),
  category: z.string().max(300).nullable().optional(),
  status: questionStatusSchema.optional(),
});
export type CreateQuestionBody = z.infer<typeof createQuestionBody>;

export const updateQuestionBody = createQuestionBody.partial();
export type UpdateQuestionBody = z.infer<typeof updateQuestionBody>;

export const statusBody = z.object({ status: questionStatusSchema });
export const bulkStatusBody = z.object({
  ids: z
    .array(z.uuid({ message: 'must be a question id (UUID)' }))
    .min(1, { message: 'name at least one question' })
    .max(1000, { message: 'at most 1000 questions at once' }),
  status: questionStatusSchema,
});

export const previewBody = z.object({
  text: z.string().max(20_000),
  format: z.enum(TEXT_FORMATS).default('markdown'),
});

export const addTagBody = z.object({
  node: z.string().trim().min(1).max(200).describe('Graph node id or external id'),
});
export const tagParams = questionIdParams.extend({ nodeId: z.string().min(1).max(200) });

export const importFormatSchema = z.enum(['gift', 'csv'], { message: 'must be gift or csv' });
export const importOptionsQuery = z.object({
  format: importFormatSchema.optional(),
  fileName: z.string().max(255).optional(),
  status: questionStatusSchema.optional(),
  dryRun: booleanQuery.optional(),
});
export const importJsonBody = z.object({
  format: importFormatSchema.optional().describe('Default: from the file name, else gift'),
  fileName: z.string().max(255).optional(),
  content: z.string().describe('The file as text (UTF-8)'),
  status: questionStatusSchema.optional().describe('Status of the new questions (default draft)'),
  dryRun: z.boolean().optional().describe('Check only: report what would be imported'),
});

// ---------------------------------------------------------------------------------------------
// Responses

export const tagSchema = z.object({
  nodeId: z.string(),
  externalId: z.string().nullable(),
  name: z.string().nullable(),
  kind: z.enum(['concept', 'skill']).nullable(),
  status: z.enum(['suggested', 'accepted', 'rejected']),
  confidence: z.number().nullable(),
  reason: z.string().nullable(),
  source: z.enum(['offline', 'llm', 'manual']),
});

/** What every list shows: no answers, no feedback, whoever asks. */
export const questionSummarySchema = z.object({
  id: z.string(),
  type: questionTypeSchema,
  title: z.string().nullable(),
  excerpt: z.string(),
  difficulty: z.number().nullable(),
  maxMarks: z.number(),
  status: questionStatusSchema,
  category: z.string().nullable(),
  source: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  archivedAt: z.string().nullable(),
  tags: z.array(tagSchema),
});

export const listQuestionsResponse = z.object({
  questions: z.array(questionSummarySchema),
  total: z.number().int(),
  /** The concept or skill filter, resolved (null when no such node exists). */
  node: z
    .object({ id: z.string(), externalId: z.string(), name: z.string(), kind: z.string() })
    .nullable(),
});

const renderedOption = z.object({
  id: z.string(),
  text: z.string(),
  feedback: z.string().nullable(),
});

/** Full question for instructors and admins: answers, feedback, rendered HTML. */
export const staffQuestionSchema = z.object({
  view: z.literal('staff'),
  id: z.string(),
  type: questionTypeSchema,
  title: z.string().nullable(),
  stem: z.string(),
  format: z.enum(TEXT_FORMATS),
  generalFeedback: z.string().nullable(),
  answers: z.record(z.string(), z.unknown()),
  difficulty: z.number().nullable(),
  irt: irtSchema.nullable(),
  maxMarks: z.number(),
  source: z.string().nullable(),
  category: z.string().nullable(),
  status: questionStatusSchema,
  importId: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
  archivedAt: z.string().nullable(),
  tags: z.array(tagSchema),
  rendered: z.object({
    stem: z.string(),
    generalFeedback: z.string().nullable(),
    options: z.array(renderedOption),
    answerFeedback: z.array(z.string().nullable()),
    feedbackCorrect: z.string().nullable(),
    feedbackWrong: z.string().nullable(),
    markScheme: z.string().nullable(),
  }),
});

/** A published question as a learner may see it before answering: no answers, no feedback. */
export const learnerQuestionSchema = z.object({
  view: z.literal('learner'),
  id: z.string(),
  type: questionTypeSchema,
  title: z.string().nullable(),
  stemHtml: z.string(),
  options: z.array(z.object({ id: z.string(), html: z.string() })),
  maxMarks: z.number(),
  difficulty: z.number().nullable(),
});

export const questionEnvelope = z.object({
  question: z.discriminatedUnion('view', [staffQuestionSchema, learnerQuestionSchema]),
});
export const staffQuestionEnvelope = z.object({ question: staffQuestionSchema });

export const importProblemSchema = z.object({ line: z.number().int(), message: z.string() });
export const importResultSchema = z.object({
  dryRun: z.boolean(),
  importId: z.string().nullable(),
  format: importFormatSchema,
  imported: z.number().int(),
  byType: z.record(z.string(), z.number().int()),
  tagged: z.number().int(),
  warnings: z.array(importProblemSchema),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const bulkStatusResponse = z.object({ updated: z.number().int() });
export const previewResponse = z.object({ html: z.string() });
