// The question model shared by the store, the importers, the exporters and the routes.
//
// A question is one row; what differs by type (options, accepted answers, numeric answers, marks)
// is one JSON document, `answers`, validated by the zod schema of its type on every write and
// every read. Options are always read and written with their question and never queried on their
// own, so a JSON document keeps one shape on both databases and round-trips through GIFT and CSV
// unchanged. Weights are percentages of the question's marks, as in Moodle: 100 is fully right,
// 0 is wrong, negative values penalise.
import { z } from 'zod';

export const QUESTION_TYPES = [
  'single_choice',
  'multiple_choice',
  'true_false',
  'numeric',
  'short_answer',
  'written',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const QUESTION_TYPE_LABELS: Record<QuestionType, string> = {
  single_choice: 'Single choice',
  multiple_choice: 'Multiple choice',
  true_false: 'True/false',
  numeric: 'Numeric',
  short_answer: 'Short answer',
  written: 'Marked written',
};

export const QUESTION_STATUSES = ['draft', 'review', 'published'] as const;
export type QuestionStatus = (typeof QUESTION_STATUSES)[number];

export const TEXT_FORMATS = ['markdown', 'html'] as const;
export type QuestionTextFormat = (typeof TEXT_FORMATS)[number];

/** Limits that keep one question a reasonable size. */
export const LIMITS = {
  title: 200,
  stem: 20_000,
  feedback: 5_000,
  option: 2_000,
  options: 26,
  answers: 20,
  source: 300,
  category: 300,
} as const;

const weight = z
  .number({ message: 'must be a number' })
  .min(-100, { message: 'must be between -100 and 100 (percent)' })
  .max(100, { message: 'must be between -100 and 100 (percent)' });
const feedback = z.string().max(LIMITS.feedback).optional();
const finite = z.number({ message: 'must be a number' }).finite();

export const choiceOptionSchema = z.object({
  /** Stable within the question: a, b, c … in the order given. */
  id: z.string().regex(/^[a-z]$/, { message: 'must be a single letter a-z' }),
  text: z.string().trim().min(1, { message: 'must not be empty' }).max(LIMITS.option),
  weight,
  feedback,
});
export type ChoiceOption = z.infer<typeof choiceOptionSchema>;

const distinctIds = (options: ChoiceOption[]) =>
  new Set(options.map((o) => o.id)).size === options.length;

export const singleChoiceAnswers = z
  .object({
    options: z
      .array(choiceOptionSchema)
      .min(2, { message: 'needs at least 2 options' })
      .max(26, { message: 'at most 26 options' }),
  })
  .refine((a) => a.options.some((o) => o.weight === 100), {
    message: 'one option must be correct (weight 100)',
    path: ['options'],
  })
  .refine((a) => distinctIds(a.options), { message: 'option ids repeat', path: ['options'] });

export const multipleChoiceAnswers = z
  .object({
    options: z
      .array(choiceOptionSchema)
      .min(2, { message: 'needs at least 2 options' })
      .max(26, { message: 'at most 26 options' }),
  })
  .refine((a) => Math.abs(positiveSum(a.options) - 100) <= 1, {
    message: 'the weights of the correct options must add up to 100',
    path: ['options'],
  })
  .refine((a) => distinctIds(a.options), { message: 'option ids repeat', path: ['options'] });

export function positiveSum(options: { weight: number }[]): number {
  return options.reduce((sum, o) => sum + Math.max(0, o.weight), 0);
}

export const trueFalseAnswers = z.object({
  correct: z.boolean(),
  /** Shown when the learner picks the right value. */
  feedbackCorrect: feedback,
  /** Shown when the learner picks the wrong value. */
  feedbackWrong: feedback,
});

export const numericAnswerSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('tolerance'),
    value: finite,
    tolerance: finite.min(0, { message: 'must not be negative' }),
    weight,
    feedback,
  }),
  z
    .object({
      kind: z.literal('range'),
      min: finite,
      max: finite,
      weight,
      feedback,
    })
    .refine((r) => r.min <= r.max, { message: 'min must not be above max', path: ['max'] }),
]);
export type NumericAnswer = z.infer<typeof numericAnswerSchema>;

export const numericAnswers = z
  .object({
    answers: z
      .array(numericAnswerSchema)
      .min(1, { message: 'needs at least one answer' })
      .max(LIMITS.answers),
  })
  .refine((a) => a.answers.some((x) => x.weight === 100), {
    message: 'one answer must be fully correct (weight 100)',
    path: ['answers'],
  });

export const shortAnswerSchema = z.object({
  text: z.string().trim().min(1, { message: 'must not be empty' }).max(LIMITS.option),
  weight,
  feedback,
});

export const shortAnswerAnswers = z
  .object({
    answers: z
      .array(shortAnswerSchema)
      .min(1, { message: 'needs at least one answer' })
      .max(LIMITS.answers),
    /** false (the default, as in Moodle): "Paris" matches "paris". */
    caseSensitive: z.boolean().default(false),
  })
  .refine((a) => a.answers.some((x) => x.weight === 100), {
    message: 'one accepted answer must be fully correct (weight 100)',
    path: ['answers'],
  });

export const writtenAnswers = z.object({
  maxMarks: z.number().positive({ message: 'must be above 0' }).max(1000),
  /** What a marker looks for (markdown); never shown to learners. */
  markScheme: z.string().max(LIMITS.stem).optional(),
});

export const answersByType = {
  single_choice: singleChoiceAnswers,
  multiple_choice: multipleChoiceAnswers,
  true_false: trueFalseAnswers,
  numeric: numericAnswers,
  short_answer: shortAnswerAnswers,
  written: writtenAnswers,
} as const;

export type AnswersOf<T extends QuestionType> = z.infer<(typeof answersByType)[T]>;

/**
 * The options of a choice question whose answer is not chosen yet (no option with credit): what
 * OCR ingestion drafts from a printed question. Allowed only while such a question is a draft;
 * it must have its correct option before review or publishing.
 */
export const unansweredChoiceAnswers = z
  .object({
    options: z
      .array(choiceOptionSchema)
      .min(2, { message: 'needs at least 2 options' })
      .max(26, { message: 'at most 26 options' }),
  })
  .refine((a) => a.options.every((o) => o.weight <= 0), {
    message: 'an option has credit, so the answer is chosen',
    path: ['options'],
  })
  .refine((a) => distinctIds(a.options), { message: 'option ids repeat', path: ['options'] });

/** A single or multiple choice question none of whose options has credit yet. */
export function isUnansweredChoice(type: QuestionType, answers: unknown): boolean {
  return (
    (type === 'single_choice' || type === 'multiple_choice') &&
    unansweredChoiceAnswers.safeParse(answers).success
  );
}

/** Type and answers together, as one discriminated value. */
export type TypedAnswers = {
  [T in QuestionType]: { type: T; answers: AnswersOf<T> };
}[QuestionType];

/** A question's content: what importers produce and the create/update routes accept. */
export interface QuestionDraft {
  type: QuestionType;
  title: string | null;
  stem: string;
  format: QuestionTextFormat;
  generalFeedback: string | null;
  answers: TypedAnswers['answers'];
  difficulty: number | null;
  irt: { a: number; b: number; c: number } | null;
  maxMarks: number;
  source: string | null;
  category: string | null;
  status: QuestionStatus;
}

export const difficultySchema = z
  .number()
  .int({ message: 'must be a whole number from 1 (easiest) to 5 (hardest)' })
  .min(1, { message: 'must be from 1 (easiest) to 5 (hardest)' })
  .max(5, { message: 'must be from 1 (easiest) to 5 (hardest)' });

export const irtSchema = z.object({
  /** Discrimination. */
  a: z.number().finite().positive({ message: 'must be above 0' }).max(10),
  /** Difficulty on the ability scale. */
  b: z.number().finite().min(-10).max(10),
  /** Guessing: the chance of a right answer by luck. */
  c: z.number().finite().min(0).max(1),
});

/** Everything but answers, checked the same way by the routes and the importers. */
export const questionFieldsSchema = z.object({
  type: z.enum(QUESTION_TYPES, { message: `must be one of ${QUESTION_TYPES.join(', ')}` }),
  title: z.string().trim().max(LIMITS.title).nullable().default(null),
  stem: z
    .string()
    .trim()
    .min(1, { message: 'must not be empty: write the question' })
    .max(LIMITS.stem),
  format: z.enum(TEXT_FORMATS).default('markdown'),
  generalFeedback: z.string().max(LIMITS.feedback).nullable().default(null),
  difficulty: difficultySchema.nullable().default(null),
  irt: irtSchema.nullable().default(null),
  maxMarks: z.number().positive({ message: 'must be above 0' }).max(1000).default(1),
  source: z.string().trim().max(LIMITS.source).nullable().default(null),
  category: z.string().trim().max(LIMITS.category).nullable().default(null),
  status: z.enum(QUESTION_STATUSES).default('draft'),
});

export interface DraftIssue {
  path: string;
  message: string;
}

/**
 * Check a candidate question; returns the normalised draft or the problems, each with a path
 * like `answers.options.1.text`. Written questions take their marks from answers.maxMarks.
 */
export function validateDraft(
  input: Record<string, unknown>,
  options: {
    /** Accept a draft choice question without a correct option yet (see unansweredChoiceAnswers). */
    allowUnansweredDraft?: boolean;
  } = {},
): { ok: true; draft: QuestionDraft } | { ok: false; issues: DraftIssue[] } {
  const fields = questionFieldsSchema.safeParse(input);
  if (!fields.success) return { ok: false, issues: toIssues(fields.error) };
  const schema = answersByType[fields.data.type];
  let answers = schema.safeParse(input.answers ?? {});
  if (
    !answers.success &&
    options.allowUnansweredDraft === true &&
    fields.data.status === 'draft' &&
    isUnansweredChoice(fields.data.type, input.answers)
  ) {
    answers = unansweredChoiceAnswers.safeParse(input.answers);
  }
  if (!answers.success) return { ok: false, issues: toIssues(answers.error, 'answers') };
  const maxMarks =
    fields.data.type === 'written'
      ? (answers.data as AnswersOf<'written'>).maxMarks
      : fields.data.maxMarks;
  return {
    ok: true,
    draft: {
      ...fields.data,
      title: fields.data.title === '' ? null : fields.data.title,
      source: fields.data.source === '' ? null : fields.data.source,
      category: fields.data.category === '' ? null : fields.data.category,
      generalFeedback: fields.data.generalFeedback === '' ? null : fields.data.generalFeedback,
      answers: answers.data,
      maxMarks,
    },
  };
}

function toIssues(error: z.ZodError, prefix?: string): DraftIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { path: path || '(question)', message: issue.message };
  });
}

/** Parse stored answers JSON of a known type; a row that fails this is a bug, not user input. */
export function parseStoredAnswers(type: QuestionType, json: string): TypedAnswers['answers'] {
  const value: unknown = JSON.parse(json);
  // A draft choice question may be stored before its answer is chosen (OCR ingestion).
  if (isUnansweredChoice(type, value)) return unansweredChoiceAnswers.parse(value);
  return answersByType[type].parse(value);
}

/** Letters for option ids: a, b, c … */
export function optionId(index: number): string {
  return String.fromCharCode(97 + index);
}
