// The BKT update formulas against values worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  applyAnswer,
  bktParamsSchema,
  isMastered,
  parseBktParams,
  posteriorKnown,
  predictCorrect,
  predictSequence,
  transitionKnown,
  type BktParams,
} from './bkt.ts';

const P: BktParams = { prior: 0.3, learn: 0.2, guess: 0.15, slip: 0.1, forget: 0 };

describe('BKT update', () => {
  it('predicts P(correct) = P(L)(1 − slip) + (1 − P(L)) guess', () => {
    expect(predictCorrect(0.3, P)).toBeCloseTo(0.375, 12); // 0.27 + 0.105
    expect(predictCorrect(0, P)).toBeCloseTo(0.15, 12);
    expect(predictCorrect(1, P)).toBeCloseTo(0.9, 12);
  });

  it('computes the posterior after a correct and after a wrong answer', () => {
    expect(posteriorKnown(0.3, true, P)).toBeCloseTo(0.72, 12); // 0.27 / 0.375
    expect(posteriorKnown(0.3, false, P)).toBeCloseTo(0.048, 12); // 0.03 / 0.625
  });

  it('applies learning, and forgetting when the skill has it', () => {
    expect(transitionKnown(0.72, P)).toBeCloseTo(0.776, 12); // 0.72 + 0.28 × 0.2
    expect(transitionKnown(0.048, P)).toBeCloseTo(0.2384, 12);
    expect(transitionKnown(0.72, { ...P, forget: 0.05 })).toBeCloseTo(0.74, 12); // 0.684 + 0.056
  });

  it('returns the new state and the evidence of one answer, and reaches mastery at 0.95', () => {
    const first = applyAnswer(null, true, P);
    expect(first.evidence).toEqual({
      pKnownBefore: 0.3,
      pCorrect: expect.closeTo(0.375, 12) as number,
      pKnownPosterior: expect.closeTo(0.72, 12) as number,
      pKnownAfter: expect.closeTo(0.776, 12) as number,
      masteredBefore: false,
      mastered: false,
      opportunity: 1,
    });
    expect(first.state.attempts).toBe(1);
    const second = applyAnswer(first.state, true, P);
    // 0.6984 / 0.732 = 0.954098…, then + 0.045902 × 0.2
    expect(second.evidence.pCorrect).toBeCloseTo(0.732, 12);
    expect(second.evidence.pKnownPosterior).toBeCloseTo(0.954098361, 8);
    expect(second.evidence.pKnownAfter).toBeCloseTo(0.963278689, 8);
    expect(second.evidence.mastered).toBe(true);
    expect(second.evidence.opportunity).toBe(2);
    // A stricter threshold is not reached yet; a wrong answer then takes mastery away.
    expect(applyAnswer(first.state, true, P, 0.97).evidence.mastered).toBe(false);
    const slip = applyAnswer(second.state, false, P);
    expect(slip.evidence.masteredBefore).toBe(true);
    expect(slip.evidence.mastered).toBe(false);
    expect(isMastered(0.95)).toBe(true);
    expect(isMastered(0.9499)).toBe(false);
  });

  it('keeps the belief when the answer is impossible under the parameters', () => {
    const certain = { ...P, slip: 0 };
    expect(posteriorKnown(1, false, certain)).toBe(1);
  });

  it('walks a sequence one step ahead, from the prior', () => {
    const known = new Float64Array(3);
    const pc = predictSequence([1, 0, 1], P, undefined, known);
    expect(known[0]).toBe(0.3);
    expect(known[1]).toBeCloseTo(0.776, 12);
    expect(pc[0]).toBeCloseTo(0.375, 12);
    expect(pc[1]).toBeCloseTo(0.732, 12);
  });
});

describe('BKT parameters', () => {
  it('accepts probabilities and defaults forget to 0', () => {
    expect(bktParamsSchema.parse({ prior: 0.3, learn: 0.2, guess: 0.15, slip: 0.1 })).toEqual(P);
  });

  it.each([
    [{ prior: 1.2, learn: 0.2, guess: 0.1, slip: 0.1 }],
    [{ prior: 0.3, learn: -0.1, guess: 0.1, slip: 0.1 }],
    [{ prior: Number.NaN, learn: 0.2, guess: 0.1, slip: 0.1 }],
    [{ prior: 0.3, learn: 0.2, guess: 0.1 }],
    [{ prior: '0.3', learn: 0.2, guess: 0.1, slip: 0.1 }],
    [{ prior: 0.3, learn: 0.2, guess: 0.1, slip: 0.1, extra: 1 }],
  ])('rejects %j', (input) => {
    expect(() => parseBktParams(input)).toThrow();
  });

  it('checks guess and slip against bounds when asked', () => {
    const wild = { prior: 0.3, learn: 0.2, guess: 0.45, slip: 0.1 };
    expect(parseBktParams(wild).guess).toBe(0.45);
    expect(() => parseBktParams(wild, { maxGuess: 0.3 })).toThrow(/guess must be ≤ 0.3/);
    expect(() => parseBktParams({ ...wild, guess: 0.1, slip: 0.35 }, {})).toThrow(/slip ≤ 0.3/);
  });
});
