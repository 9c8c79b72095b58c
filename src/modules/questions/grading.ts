// Automatic grading of a learner's response to a bank question, with Moodle's semantics: option
// and answer weights are percentages of the question's credit, a multiple-choice score is the sum
// of the chosen options' weights (wrong options may carry negative weight) clamped to 0..1, and a
// numeric or short answer takes the best-weighted accepted answer it matches. Written questions
// need a person to mark them and are never graded here.
import { z } from 'zod';
import { ValidationError } from '../../platform/errors.ts';
import type { AnswersOf, QuestionType, TypedAnswers } from './question-model.ts';

const MAX_TEXT = 2000;

export const learnerResponseSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('single_choice'),
    optionId: z.string().regex(/^[a-z]$/, { message: 'must be an option id (a letter a-z)' }),
  }),
  z.object({
    type: z.literal('multiple_choice'),
    optionIds: z
      .array(z.string().regex(/^[a-z]$/, { message: 'must be an option id (a letter a-z)' }))
      .max(26, { message: 'at most 26 options' }),
  }),
  z.object({ type: z.literal('true_false'), value: z.boolean() }),
  z.object({ type: z.literal('numeric'), value: z.number().finite() }),
  z.object({
    type: z.literal('short_answer'),
    text: z.string().max(MAX_TEXT, { message: `must be at most ${MAX_TEXT} characters` }),
  }),
]);

export type LearnerResponse = z.infer<typeof learnerResponseSchema>;

export interface Grade {
  /** Share of the question's credit, 0..1. */
  score: number;
  /** Full credit (within rounding of the weights). */
  correct: boolean;
  /** Feedback written for what the learner chose, in order; may be empty. */
  feedback: string[];
}

export type GradableType = Exclude<QuestionType, 'written'>;

export function isAutoGradable(type: QuestionType): type is GradableType {
  return type !== 'written';
}

/** Weights are whole percentages; a sum within half a percent of 100 is full credit. */
const FULL_CREDIT = 0.995;

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function grade(score: number, feedback: (string | undefined)[]): Grade {
  const s = clamp01(score);
  return {
    score: s >= FULL_CREDIT ? 1 : Math.round(s * 1000) / 1000,
    correct: s >= FULL_CREDIT,
    feedback: feedback.filter((f): f is string => typeof f === 'string' && f.trim() !== ''),
  };
}

/** How short answers are compared: trimmed, inner whitespace collapsed, case folded unless asked. */
function normaliseText(text: string, caseSensitive: boolean): string {
  const t = text.normalize('NFC').trim().replace(/\s+/g, ' ');
  return caseSensitive ? t : t.toLocaleLowerCase('en');
}

/** Moodle's `*` wildcard in accepted short answers: any run of characters. */
function shortAnswerMatches(accepted: string, given: string, caseSensitive: boolean): boolean {
  const a = normaliseText(accepted, caseSensitive);
  const g = normaliseText(given, caseSensitive);
  if (!a.includes('*')) return a === g;
  const pattern = a
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`, 'su').test(g);
}

function numericMatches(answer: AnswersOf<'numeric'>['answers'][number], value: number): boolean {
  if (answer.kind === 'tolerance') {
    // A little slack for binary floating point: 0.1 + 0.2 is within 0 of 0.3.
    return Math.abs(value - answer.value) <= answer.tolerance + 1e-9 * Math.abs(answer.value);
  }
  return value >= answer.min && value <= answer.max;
}

/**
 * Grade one response. The response's type must be the question's (400 otherwise, naming it);
 * option ids that the question does not have are refused the same way, so a typo never counts as
 * a wrong answer.
 */
export function gradeResponse(question: TypedAnswers, response: LearnerResponse): Grade {
  if (!isAutoGradable(question.type)) {
    throw invalid('questionId', 'This question is marked by a person and cannot be answered here');
  }
  if (response.type !== question.type) {
    throw invalid('response.type', `must be ${question.type} for this question`);
  }
  switch (question.type) {
    case 'single_choice': {
      const r = response as Extract<LearnerResponse, { type: 'single_choice' }>;
      const option = question.answers.options.find((o) => o.id === r.optionId);
      if (!option) throw unknownOption(r.optionId);
      return grade(option.weight / 100, [option.feedback]);
    }
    case 'multiple_choice': {
      const r = response as Extract<LearnerResponse, { type: 'multiple_choice' }>;
      const chosen = [...new Set(r.optionIds)];
      const options = chosen.map((id) => {
        const option = question.answers.options.find((o) => o.id === id);
        if (!option) throw unknownOption(id);
        return option;
      });
      const score = options.reduce((sum, o) => sum + o.weight, 0) / 100;
      return grade(
        score,
        options.map((o) => o.feedback),
      );
    }
    case 'true_false': {
      const r = response as Extract<LearnerResponse, { type: 'true_false' }>;
      const right = r.value === question.answers.correct;
      return grade(right ? 1 : 0, [
        right ? question.answers.feedbackCorrect : question.answers.feedbackWrong,
      ]);
    }
    case 'numeric': {
      const r = response as Extract<LearnerResponse, { type: 'numeric' }>;
      const best = bestMatch(question.answers.answers, (a) => numericMatches(a, r.value));
      return best ? grade(best.weight / 100, [best.feedback]) : grade(0, []);
    }
    case 'short_answer': {
      const r = response as Extract<LearnerResponse, { type: 'short_answer' }>;
      const { caseSensitive } = question.answers;
      const best = bestMatch(question.answers.answers, (a) =>
        shortAnswerMatches(a.text, r.text, caseSensitive),
      );
      return best ? grade(best.weight / 100, [best.feedback]) : grade(0, []);
    }
  }
}

function bestMatch<T extends { weight: number }>(
  answers: readonly T[],
  matches: (a: T) => boolean,
): T | undefined {
  let best: T | undefined;
  for (const a of answers) if (matches(a) && (!best || a.weight > best.weight)) best = a;
  return best;
}

function unknownOption(id: string): ValidationError {
  return invalid('response', `this question has no option "${id}"`);
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`${path}: ${message}`, [{ path, message }]);
}

/** The correct answer in words, for feedback after an answer (never before). */
export function correctAnswerText(question: TypedAnswers): string | null {
  switch (question.type) {
    case 'single_choice':
      return question.answers.options.find((o) => o.weight === 100)?.text ?? null;
    case 'multiple_choice':
      return question.answers.options
        .filter((o) => o.weight > 0)
        .map((o) => o.text)
        .join('; ');
    case 'true_false':
      return question.answers.correct ? 'True' : 'False';
    case 'numeric': {
      const a = question.answers.answers.find((x) => x.weight === 100);
      if (!a) return null;
      return a.kind === 'tolerance'
        ? a.tolerance > 0
          ? `${a.value} (± ${a.tolerance})`
          : String(a.value)
        : `between ${a.min} and ${a.max}`;
    }
    case 'short_answer':
      return question.answers.answers.find((x) => x.weight === 100)?.text ?? null;
    case 'written':
      return null;
  }
}
