// The 4PL model, its information, and the parameters a question gets from its difficulty.
import { describe, expect, it } from 'vitest';
import type { QuestionDraft } from '../questions/question-model.ts';
import {
  information,
  itemParamsForQuestion,
  itemParamsSchema,
  normalCdf,
  probability,
  type QuestionForIrt,
} from './irt.ts';

const choice = (n: number): QuestionDraft['answers'] => ({
  options: Array.from({ length: n }, (_, i) => ({
    id: String.fromCharCode(97 + i),
    text: `option ${i}`,
    weight: i === 0 ? 100 : 0,
  })),
});

function question(overrides: Partial<QuestionForIrt>): QuestionForIrt {
  return { type: 'numeric', difficulty: null, irt: null, answers: { answers: [] }, ...overrides };
}

describe('4PL probability and information', () => {
  it('is halfway between c and d at θ = b, on the logistic metric (D = 1)', () => {
    const item = { a: 1.5, b: 0.4, c: 0.2, d: 0.9 };
    expect(probability(0.4, item)).toBeCloseTo(0.55, 12);
    expect(probability(1.4, { a: 1, b: 0.4, c: 0, d: 1 })).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(probability(-50, item)).toBeCloseTo(0.2, 10);
    expect(probability(50, item)).toBeCloseTo(0.9, 10);
  });

  it('equals a²PQ for a 2PL item, peaking at θ = b with a²/4', () => {
    const item = { a: 1.3, b: -0.5, c: 0, d: 1 };
    for (const theta of [-2, -0.5, 0, 1.7]) {
      const p = probability(theta, item);
      expect(information(theta, item)).toBeCloseTo(1.3 ** 2 * p * (1 - p), 12);
    }
    expect(information(-0.5, item)).toBeCloseTo(1.3 ** 2 / 4, 12);
  });

  it("matches P'² / (P(1 − P)) with a numerical derivative for a 4PL item", () => {
    const item = { a: 1.1, b: 0.3, c: 0.25, d: 0.95 };
    for (const theta of [-1.5, 0, 0.8, 2]) {
      const h = 1e-5;
      const slope = (probability(theta + h, item) - probability(theta - h, item)) / (2 * h);
      const p = probability(theta, item);
      expect(information(theta, item)).toBeCloseTo((slope * slope) / (p * (1 - p)), 7);
    }
  });

  it('refuses impossible parameters and fills c = 0, d = 1', () => {
    expect(itemParamsSchema.parse({ a: 1, b: 0 })).toEqual({ a: 1, b: 0, c: 0, d: 1 });
    for (const bad of [
      { a: 0, b: 0 },
      { a: -1, b: 0 },
      { a: 1, b: Number.NaN },
      { a: 1, b: 0, c: 1 },
      { a: 1, b: 0, c: -0.1 },
      { a: 1, b: 0, c: 0.3, d: 0.3 },
      { a: 1, b: 0, d: 1.2 },
    ]) {
      expect(itemParamsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('has a normal CDF accurate to 1e-7', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(Math.abs(normalCdf(1.96) - 0.9750021048517795)).toBeLessThan(1.5e-7);
    expect(Math.abs(normalCdf(-1) - 0.15865525393145707)).toBeLessThan(1.5e-7);
    expect(Math.abs(normalCdf(-3) - 0.0013498980316301)).toBeLessThan(1.5e-7);
  });
});

describe('parameters of a question', () => {
  it('maps difficulty 1..5 to b = (difficulty − 3) × 0.75 with a = 1', () => {
    const bs = [1, 2, 3, 4, 5].map((difficulty) => {
      const { params, source } = itemParamsForQuestion(question({ difficulty }));
      expect(source).toBe('difficulty');
      expect(params.a).toBe(1);
      expect(params.d).toBe(1);
      return params.b;
    });
    expect(bs).toEqual([-1.5, -0.75, 0, 0.75, 1.5]);
    expect(itemParamsForQuestion(question({ difficulty: null })).params.b).toBe(0);
  });

  it('gives choice questions the chance of guessing as c', () => {
    const c = (q: Partial<QuestionForIrt>) => itemParamsForQuestion(question(q)).params.c;
    expect(c({ type: 'single_choice', answers: choice(4) })).toBe(0.25);
    expect(c({ type: 'single_choice', answers: choice(5) })).toBe(0.2);
    expect(c({ type: 'true_false', answers: { correct: true } })).toBe(0.5);
    expect(c({ type: 'multiple_choice', answers: choice(4) })).toBe(0);
    expect(c({ type: 'short_answer', answers: { answers: [], caseSensitive: false } })).toBe(0);
  });

  it('uses calibrated parameters when they are a valid item, the difficulty otherwise', () => {
    const calibrated = itemParamsForQuestion(
      question({ difficulty: 5, irt: { a: 1.7, b: -0.2, c: 0.1 } }),
    );
    expect(calibrated).toEqual({ params: { a: 1.7, b: -0.2, c: 0.1, d: 1 }, source: 'calibrated' });
    // c = 1 is allowed in the bank (a sure guess) but makes an item that measures nothing.
    const degenerate = itemParamsForQuestion(
      question({ difficulty: 5, irt: { a: 1.7, b: -0.2, c: 1 } }),
    );
    expect(degenerate).toEqual({ params: { a: 1, b: 1.5, c: 0, d: 1 }, source: 'difficulty' });
  });
});
