// Bayesian Knowledge Tracing: a learner either knows a skill or not (a hidden state), and answers
// correctly with probability 1 − slip when they know it and guess when they do not. After every
// first attempt the probability that they know it, P(L), is updated in two steps: the posterior
// given the answer (Bayes), then the chance to learn (or, optionally, forget) before the next
// opportunity. A learner has mastered a skill once P(L) reaches the threshold (0.95 by default).
import { z } from 'zod';

const probability = z.number().finite().min(0).max(1);

/** The four (five with forgetting) parameters of one skill. */
export const bktParamsSchema = z
  .object({
    /** P(L0): probability the skill is known before the first opportunity. */
    prior: probability,
    /** P(T): probability to learn it between two opportunities. */
    learn: probability,
    /** P(G): probability of a correct answer without knowing the skill. */
    guess: probability,
    /** P(S): probability of a wrong answer although the skill is known. */
    slip: probability,
    /** P(F): probability to forget it between two opportunities (0 in standard BKT). */
    forget: probability.default(0),
  })
  .strict();

export type BktParams = z.output<typeof bktParamsSchema>;

/** Bounds the fitting keeps guess and slip under, so "known" stays the state that answers well. */
export const bktBoundsSchema = z
  .object({
    maxGuess: z.number().finite().gt(0).max(1).default(0.3),
    maxSlip: z.number().finite().gt(0).max(1).default(0.3),
  })
  .strict();

export type BktBounds = z.output<typeof bktBoundsSchema>;

export const DEFAULT_BKT_BOUNDS: BktBounds = { maxGuess: 0.3, maxSlip: 0.3 };

/** Used for a skill until it has enough recorded learners to fit its own (see bkt-fit.ts). */
export const DEFAULT_BKT_PARAMS: BktParams = Object.freeze({
  prior: 0.3,
  learn: 0.1,
  guess: 0.2,
  slip: 0.1,
  forget: 0,
});

export const DEFAULT_MASTERY_THRESHOLD = 0.95;

export const masteryThresholdSchema = z.number().finite().gt(0).max(1);

/** Parameters from untrusted input, validated; guess and slip also checked against the bounds. */
export function parseBktParams(input: unknown, bounds?: Partial<BktBounds>): BktParams {
  const params = bktParamsSchema.parse(input);
  if (bounds) {
    const b = bktBoundsSchema.parse(bounds);
    if (params.guess > b.maxGuess || params.slip > b.maxSlip) {
      throw new z.ZodError([
        {
          code: 'custom',
          path: params.guess > b.maxGuess ? ['guess'] : ['slip'],
          message: `guess must be ≤ ${b.maxGuess} and slip ≤ ${b.maxSlip}`,
        },
      ]);
    }
  }
  return params;
}

/** P(correct) at the next opportunity when P(L) = pKnown. */
export function predictCorrect(pKnown: number, params: BktParams): number {
  return pKnown * (1 - params.slip) + (1 - pKnown) * params.guess;
}

/** P(L | answer): the posterior after observing one answer, before any learning. */
export function posteriorKnown(pKnown: number, correct: boolean, params: BktParams): number {
  const known = pKnown * (correct ? 1 - params.slip : params.slip);
  const unknown = (1 - pKnown) * (correct ? params.guess : 1 - params.guess);
  const total = known + unknown;
  // Only when the answer is impossible under the parameters (e.g. slip = 0 and a wrong answer
  // from a learner who surely knows): keep the belief rather than divide by zero.
  return total > 0 ? known / total : pKnown;
}

/** The learning (and forgetting) step between two opportunities. */
export function transitionKnown(pKnown: number, params: BktParams): number {
  return pKnown * (1 - params.forget) + (1 - pKnown) * params.learn;
}

/** What one answer did to a learner's mastery of a skill: the evidence a store records. */
export interface MasteryEvidence {
  /** P(L) before the answer. */
  pKnownBefore: number;
  /** P(correct) predicted before the answer. */
  pCorrect: number;
  /** P(L | answer), before the learning step. */
  pKnownPosterior: number;
  /** P(L) after the answer and the learning step: the learner's new state. */
  pKnownAfter: number;
  masteredBefore: boolean;
  mastered: boolean;
  /** 1 + the number of first attempts already counted. */
  opportunity: number;
}

/** A learner's state on one skill between answers. */
export interface MasteryState {
  pKnown: number;
  /** First attempts counted so far. */
  attempts: number;
}

/** The state of a learner who has not answered anything on the skill yet. */
export function initialMasteryState(params: BktParams): MasteryState {
  return { pKnown: params.prior, attempts: 0 };
}

export function isMastered(pKnown: number, threshold = DEFAULT_MASTERY_THRESHOLD): boolean {
  return pKnown >= threshold;
}

/**
 * One first attempt: state in, answer in, the new state and the evidence out. Pure; the caller
 * stores the state (`null` for a learner new to the skill starts from the prior).
 */
export function applyAnswer(
  state: MasteryState | null,
  correct: boolean,
  params: BktParams,
  threshold = DEFAULT_MASTERY_THRESHOLD,
): { state: MasteryState; evidence: MasteryEvidence } {
  const before = state ?? initialMasteryState(params);
  const pCorrect = predictCorrect(before.pKnown, params);
  const pKnownPosterior = posteriorKnown(before.pKnown, correct, params);
  const pKnownAfter = transitionKnown(pKnownPosterior, params);
  return {
    state: { pKnown: pKnownAfter, attempts: before.attempts + 1 },
    evidence: {
      pKnownBefore: before.pKnown,
      pCorrect,
      pKnownPosterior,
      pKnownAfter,
      masteredBefore: isMastered(before.pKnown, threshold),
      mastered: isMastered(pKnownAfter, threshold),
      opportunity: before.attempts + 1,
    },
  };
}

/**
 * One-step-ahead predictions along one learner's answers on one skill: entry t is P(correct)
 * before answer t, from the prior and answers 0..t−1. `pKnown`, when given, gets P(L) before each.
 */
export function predictSequence(
  answers: ArrayLike<number>,
  params: BktParams,
  out: Float64Array = new Float64Array(answers.length),
  pKnownOut?: Float64Array,
): Float64Array {
  let p = params.prior;
  for (let t = 0; t < answers.length; t++) {
    if (pKnownOut) pKnownOut[t] = p;
    out[t] = predictCorrect(p, params);
    p = transitionKnown(posteriorKnown(p, answers[t] === 1, params), params);
  }
  return out;
}
