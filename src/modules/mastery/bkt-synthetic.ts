// Answers simulated from known BKT parameters, to check that fitting recovers them (tests and
// the benchmark).
import type { BktParams } from './bkt.ts';
import { seededRandom, type BktResponse } from './bkt-fit.ts';

export interface SimulationOptions {
  learners: number;
  answersPerLearner: number;
  seed: number;
  skill?: string;
}

/** Each learner answers the skill `answersPerLearner` times; learners come one after another. */
export function simulateResponses(params: BktParams, options: SimulationOptions): BktResponse[] {
  const random = seededRandom(options.seed);
  const skill = options.skill ?? 'skill';
  const out: BktResponse[] = [];
  for (let l = 0; l < options.learners; l++) {
    const learner = `${skill}-learner-${l}`;
    let known = random() < params.prior;
    for (let t = 0; t < options.answersPerLearner; t++) {
      const correct = known ? random() >= params.slip : random() < params.guess;
      out.push({ learner, skill, correct: correct ? 1 : 0 });
      known = known ? random() >= params.forget : random() < params.learn;
    }
  }
  return out;
}

/** The largest absolute difference between two parameter sets. */
export function maxParamError(a: BktParams, b: BktParams): number {
  return Math.max(
    Math.abs(a.prior - b.prior),
    Math.abs(a.learn - b.learn),
    Math.abs(a.guess - b.guess),
    Math.abs(a.slip - b.slip),
    Math.abs(a.forget - b.forget),
  );
}
