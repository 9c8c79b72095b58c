// EM fitting: recovery of known parameters from simulated learners, determinism, bounds and the
// minimum-data rule.
import { describe, expect, it } from 'vitest';
import { DEFAULT_BKT_PARAMS, type BktParams } from './bkt.ts';
import { fitSkill, fitSkills, groupBySkill, logLikelihood, predictResponses } from './bkt-fit.ts';
import { maxParamError, simulateResponses } from './bkt-synthetic.ts';

const TRUTH: BktParams = { prior: 0.3, learn: 0.2, guess: 0.15, slip: 0.1, forget: 0 };

describe('BKT fit by EM', () => {
  it.each([1, 2, 3])(
    'recovers prior .30, learn .20, guess .15, slip .10 within ±0.03 from 1000 learners × 20 answers (data seed %i)',
    (seed) => {
      const data = simulateResponses(TRUTH, { learners: 1000, answersPerLearner: 20, seed });
      const fit = fitSkills(data, { restarts: 5, seed: 42 }).get('skill')!;
      expect(fit.source).toBe('fitted');
      expect(fit.learners).toBe(1000);
      expect(fit.responses).toBe(20_000);
      const error = maxParamError(fit.params, TRUTH);
      console.log(
        `synthetic recovery (data seed ${seed}): max parameter error ${error.toFixed(4)}`,
      );
      expect(error).toBeLessThanOrEqual(0.03);
      // EM's answer is at least as likely as the truth it was generated from.
      const grouped = groupBySkill(data).get('skill')!;
      expect(fit.logLikelihood).toBeGreaterThanOrEqual(logLikelihood(grouped, TRUTH) - 1e-6);
    },
  );

  it('gives the same parameters for the same data and seed, and other starts for another seed', () => {
    const data = groupBySkill(
      simulateResponses(TRUTH, { learners: 200, answersPerLearner: 10, seed: 9 }),
    ).get('skill')!;
    const a = fitSkill(data, { seed: 5 });
    const b = fitSkill(data, { seed: 5 });
    expect(b.params).toEqual(a.params);
    const c = fitSkill(data, { seed: 6, restarts: 1, maxIterations: 1 });
    const d = fitSkill(data, { seed: 7, restarts: 1, maxIterations: 1 });
    expect(c.params).not.toEqual(d.params);
  });

  it('keeps guess and slip under their bounds', () => {
    const sloppy = { prior: 0.4, learn: 0.1, guess: 0.45, slip: 0.4, forget: 0 };
    const data = simulateResponses(sloppy, { learners: 300, answersPerLearner: 15, seed: 4 });
    const fit = fitSkills(data, { bounds: { maxGuess: 0.3, maxSlip: 0.25 } }).get('skill')!;
    expect(fit.params.guess).toBeLessThanOrEqual(0.3);
    expect(fit.params.slip).toBeLessThanOrEqual(0.25);
    expect(fit.params.forget).toBe(0);
  });

  it('fits forgetting when asked', () => {
    const forgetful = { ...TRUTH, learn: 0.3, forget: 0.1 };
    const data = simulateResponses(forgetful, { learners: 1000, answersPerLearner: 20, seed: 8 });
    const without = fitSkills(data).get('skill')!;
    const withForgets = fitSkills(data, { forgets: true }).get('skill')!;
    expect(without.params.forget).toBe(0);
    expect(withForgets.params.forget).toBeGreaterThan(0.05);
    expect(withForgets.params.forget).toBeLessThan(0.15);
    expect(withForgets.logLikelihood).toBeGreaterThan(without.logLikelihood);
  });

  it('keeps the defaults for a skill with fewer learners than the minimum', () => {
    const few = simulateResponses(TRUTH, { learners: 49, answersPerLearner: 20, seed: 3 });
    const many = simulateResponses(TRUTH, {
      learners: 50,
      answersPerLearner: 20,
      seed: 3,
      skill: 'other',
    });
    const fits = fitSkills([...few, ...many]);
    expect(fits.get('skill')).toMatchObject({
      source: 'default',
      learners: 49,
      params: DEFAULT_BKT_PARAMS,
      iterations: 0,
    });
    expect(fits.get('other')?.source).toBe('fitted');
    expect(fitSkills(few, { minLearners: 10 }).get('skill')?.source).toBe('fitted');
  });

  it('fits a skill independently of the other skills in the data', () => {
    const a = simulateResponses(TRUTH, {
      learners: 80,
      answersPerLearner: 8,
      seed: 11,
      skill: 'a',
    });
    const b = simulateResponses(TRUTH, {
      learners: 80,
      answersPerLearner: 8,
      seed: 12,
      skill: 'b',
    });
    expect(fitSkills([...a, ...b]).get('a')!.params).toEqual(fitSkills(a).get('a')!.params);
  });

  it('predicts each learner and skill from the prior, one step ahead, in the rows’ order', () => {
    const rows = [
      { learner: 'x', skill: 's', correct: 1 as const },
      { learner: 'y', skill: 's', correct: 0 as const },
      { learner: 'x', skill: 't', correct: 1 as const },
      { learner: 'x', skill: 's', correct: 1 as const },
    ];
    const { pCorrect, pKnown } = predictResponses(rows, (s) => (s === 's' ? TRUTH : undefined));
    expect([...pKnown.slice(0, 3)]).toEqual([0.3, 0.3, DEFAULT_BKT_PARAMS.prior]);
    expect(pKnown[3]).toBeCloseTo(0.776, 12);
    expect(pCorrect[3]).toBeCloseTo(0.732, 12);
  });
});
