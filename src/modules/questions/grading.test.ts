import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../platform/errors.ts';
import { correctAnswerText, gradeResponse, learnerResponseSchema } from './grading.ts';
import type { TypedAnswers } from './question-model.ts';

const single: TypedAnswers = {
  type: 'single_choice',
  answers: {
    options: [
      { id: 'a', text: '3/4', weight: 100, feedback: 'Yes: 6/8 simplifies to 3/4.' },
      { id: 'b', text: '6/4', weight: 0, feedback: 'Check the denominator.' },
      { id: 'c', text: '2/3', weight: 0 },
    ],
  },
};

const multiple: TypedAnswers = {
  type: 'multiple_choice',
  answers: {
    options: [
      { id: 'a', text: '2', weight: 50 },
      { id: 'b', text: '3', weight: 50 },
      { id: 'c', text: '4', weight: -50, feedback: '4 is not prime.' },
      { id: 'd', text: '9', weight: -50 },
    ],
  },
};

describe('gradeResponse', () => {
  it('single choice: the weight of the chosen option, with its feedback', () => {
    expect(gradeResponse(single, { type: 'single_choice', optionId: 'a' })).toEqual({
      score: 1,
      correct: true,
      feedback: ['Yes: 6/8 simplifies to 3/4.'],
    });
    expect(gradeResponse(single, { type: 'single_choice', optionId: 'c' })).toEqual({
      score: 0,
      correct: false,
      feedback: [],
    });
  });

  it('multiple choice: weights add up, negative ones subtract, the total is clamped to 0..1', () => {
    const g = (ids: string[]) =>
      gradeResponse(multiple, { type: 'multiple_choice', optionIds: ids });
    expect(g(['a', 'b'])).toMatchObject({ score: 1, correct: true });
    expect(g(['a'])).toMatchObject({ score: 0.5, correct: false });
    expect(g(['a', 'b', 'c'])).toMatchObject({
      score: 0.5,
      correct: false,
      feedback: ['4 is not prime.'],
    });
    expect(g(['c', 'd'])).toMatchObject({ score: 0, correct: false });
    // Choosing an option twice does not count it twice.
    expect(g(['a', 'a'])).toMatchObject({ score: 0.5 });
    expect(g([])).toMatchObject({ score: 0, correct: false });
  });

  it('multiple choice with thirds: 33 + 33 + 34 is full credit', () => {
    const q: TypedAnswers = {
      type: 'multiple_choice',
      answers: {
        options: [
          { id: 'a', text: 'x', weight: 33.333 },
          { id: 'b', text: 'y', weight: 33.333 },
          { id: 'c', text: 'z', weight: 33.333 },
          { id: 'd', text: 'w', weight: -100 },
        ],
      },
    };
    expect(gradeResponse(q, { type: 'multiple_choice', optionIds: ['a', 'b', 'c'] }).correct).toBe(
      true,
    );
  });

  it('true/false picks the matching feedback', () => {
    const q: TypedAnswers = {
      type: 'true_false',
      answers: { correct: false, feedbackCorrect: 'Right.', feedbackWrong: 'It is false.' },
    };
    expect(gradeResponse(q, { type: 'true_false', value: false })).toEqual({
      score: 1,
      correct: true,
      feedback: ['Right.'],
    });
    expect(gradeResponse(q, { type: 'true_false', value: true })).toEqual({
      score: 0,
      correct: false,
      feedback: ['It is false.'],
    });
  });

  it('numeric: tolerance and range, the best-weighted match wins', () => {
    const q: TypedAnswers = {
      type: 'numeric',
      answers: {
        answers: [
          { kind: 'tolerance', value: 0.3, tolerance: 0, weight: 100 },
          { kind: 'range', min: 0.2, max: 0.4, weight: 50, feedback: 'Close: give it exactly.' },
        ],
      },
    };
    expect(gradeResponse(q, { type: 'numeric', value: 0.1 + 0.2 })).toMatchObject({
      score: 1,
      correct: true,
    });
    expect(gradeResponse(q, { type: 'numeric', value: 0.35 })).toEqual({
      score: 0.5,
      correct: false,
      feedback: ['Close: give it exactly.'],
    });
    expect(gradeResponse(q, { type: 'numeric', value: 7 })).toMatchObject({ score: 0 });
  });

  it('short answer: whitespace and case folded unless case-sensitive, * is a wildcard', () => {
    const q: TypedAnswers = {
      type: 'short_answer',
      answers: {
        caseSensitive: false,
        answers: [
          { text: 'common denominator', weight: 100 },
          { text: '*denominator*', weight: 50 },
        ],
      },
    };
    const g = (text: string) => gradeResponse(q, { type: 'short_answer', text });
    expect(g('  Common   Denominator ')).toMatchObject({ score: 1, correct: true });
    expect(g('the lowest denominator')).toMatchObject({ score: 0.5 });
    expect(g('numerator')).toMatchObject({ score: 0 });
    // Regular-expression characters in an answer are literal.
    expect(g('.*')).toMatchObject({ score: 0 });
    const strict: TypedAnswers = {
      type: 'short_answer',
      answers: { caseSensitive: true, answers: [{ text: 'NaCl', weight: 100 }] },
    };
    expect(gradeResponse(strict, { type: 'short_answer', text: 'nacl' }).correct).toBe(false);
    expect(gradeResponse(strict, { type: 'short_answer', text: 'NaCl' }).correct).toBe(true);
  });

  it('refuses a response of another type, an unknown option and written questions', () => {
    expect(() => gradeResponse(single, { type: 'true_false', value: true })).toThrow(
      /response.type: must be single_choice/,
    );
    expect(() => gradeResponse(single, { type: 'single_choice', optionId: 'z' })).toThrow(
      ValidationError,
    );
    expect(() =>
      gradeResponse(
        { type: 'written', answers: { maxMarks: 4 } },
        { type: 'short_answer', text: 'essay' },
      ),
    ).toThrow(/marked by a person/);
  });

  it('the response schema refuses hostile shapes', () => {
    expect(learnerResponseSchema.safeParse({ type: 'numeric', value: 'NaN' }).success).toBe(false);
    expect(learnerResponseSchema.safeParse({ type: 'single_choice', optionId: 'ab' }).success).toBe(
      false,
    );
    expect(
      learnerResponseSchema.safeParse({ type: 'short_answer', text: 'x'.repeat(2001) }).success,
    ).toBe(false);
    expect(learnerResponseSchema.safeParse({ type: 'written', text: 'x' }).success).toBe(false);
  });
});

describe('correctAnswerText', () => {
  it('names the full-credit answer', () => {
    expect(correctAnswerText(single)).toBe('3/4');
    expect(correctAnswerText(multiple)).toBe('2; 3');
  });
});
