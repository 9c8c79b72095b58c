// Shapes of the question bank API, inferred from the server's zod schemas (type-only imports).
import type { z } from 'zod';
import type {
  importResultSchema,
  listQuestionsResponse,
  questionEnvelope,
  questionSummarySchema,
  staffQuestionSchema,
} from '../../../src/modules/questions/questions-schemas.ts';
import type {
  QuestionStatus,
  QuestionType,
} from '../../../src/modules/questions/question-model.ts';

export type { QuestionStatus, QuestionType };
export type QuestionSummary = z.infer<typeof questionSummarySchema>;
export type QuestionList = z.infer<typeof listQuestionsResponse>;
export type StaffQuestion = z.infer<typeof staffQuestionSchema>;
export type AnyQuestion = z.infer<typeof questionEnvelope>['question'];
export type ImportResult = z.infer<typeof importResultSchema>;
export type QuestionTag = QuestionSummary['tags'][number];

export const QUESTION_TYPE_LABELS: Record<QuestionType, string> = {
  single_choice: 'Single choice',
  multiple_choice: 'Multiple choice',
  true_false: 'True/false',
  numeric: 'Numeric',
  short_answer: 'Short answer',
  written: 'Marked written',
};

export const QUESTION_STATUS_LABELS: Record<QuestionStatus, string> = {
  draft: 'Draft',
  review: 'In review',
  published: 'Published',
};

export const QUESTION_STATUS_COLORS: Record<QuestionStatus, string> = {
  draft: 'gray',
  review: 'yellow',
  published: 'teal',
};

/** The filters of the Questions page; they live in the URL so links can point at them. */
export interface QuestionListQuery {
  concept?: string | undefined;
  skill?: string | undefined;
  type?: string | undefined;
  status?: string | undefined;
  difficultyMin?: number | undefined;
  difficultyMax?: number | undefined;
  q?: string | undefined;
  importId?: string | undefined;
  archived?: boolean | undefined;
  limit: number;
  offset: number;
}
