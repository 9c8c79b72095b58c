// Fitting a skill's BKT parameters from recorded first attempts: expectation–maximisation
// (Baum–Welch) on the two-state hidden Markov model, with a scaled forward–backward pass over
// each learner's sequence, several random starts from a seeded generator (the same data and seed
// always give the same parameters), guess and slip kept under their bounds, and forgetting
// optional. A skill with fewer than `minLearners` distinct learners keeps the default parameters:
// with little data EM fits noise (a handful of learners can make any prior look right).
//
// Sequences live in typed arrays (answers as bytes, one offset per learner) and the pass reuses
// two buffers, so a fit allocates nothing per iteration.
import {
  DEFAULT_BKT_BOUNDS,
  DEFAULT_BKT_PARAMS,
  type BktBounds,
  type BktParams,
  predictCorrect,
  posteriorKnown,
  transitionKnown,
} from './bkt.ts';

/** One first attempt, in time order within its learner and skill. */
export interface BktResponse {
  learner: string;
  skill: string;
  correct: 0 | 1;
}

/** Every learner's answers on one skill, concatenated: learner i has answers[starts[i]..starts[i+1]). */
export interface SkillSequences {
  skill: string;
  answers: Uint8Array;
  starts: Int32Array;
}

export interface FitOptions {
  /** Random starts of EM; the best log-likelihood wins. */
  restarts: number;
  seed: number;
  maxIterations: number;
  /** Stop when an iteration improves the log-likelihood by less than this fraction of it. */
  tolerance: number;
  /** Fit P(F) too; otherwise it stays 0 (standard BKT). */
  forgets: boolean;
  bounds: BktBounds;
  /** Fewer distinct learners than this on a skill: the skill keeps `defaults`. */
  minLearners: number;
  defaults: BktParams;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = {
  restarts: 5,
  seed: 42,
  maxIterations: 200,
  tolerance: 1e-7,
  forgets: false,
  bounds: DEFAULT_BKT_BOUNDS,
  minLearners: 50,
  defaults: DEFAULT_BKT_PARAMS,
};

export interface SkillFit {
  skill: string;
  params: BktParams;
  /** `default` when the skill had fewer than minLearners learners. */
  source: 'fitted' | 'default';
  learners: number;
  responses: number;
  /** Natural-log likelihood of the skill's answers under `params`. */
  logLikelihood: number;
  /** EM iterations of the winning start (0 for defaults). */
  iterations: number;
}

/** mulberry32: small, fast and seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Groups responses by skill, then by learner, keeping each learner's order. */
export function groupBySkill(responses: Iterable<BktResponse>): Map<string, SkillSequences> {
  const bySkill = new Map<string, Map<string, number[]>>();
  for (const r of responses) {
    let learners = bySkill.get(r.skill);
    if (!learners) bySkill.set(r.skill, (learners = new Map()));
    let answers = learners.get(r.learner);
    if (!answers) learners.set(r.learner, (answers = []));
    answers.push(r.correct);
  }
  const out = new Map<string, SkillSequences>();
  for (const [skill, learners] of bySkill) {
    let total = 0;
    for (const a of learners.values()) total += a.length;
    const answers = new Uint8Array(total);
    const starts = new Int32Array(learners.size + 1);
    let i = 0;
    let k = 0;
    for (const a of learners.values()) {
      starts[k++] = i;
      for (const x of a) answers[i++] = x;
    }
    starts[k] = i;
    out.set(skill, { skill, answers, starts });
  }
  return out;
}

// Parameters are kept a hair inside (0, 1) during EM so that no answer becomes impossible and
// the log-likelihood stays finite.
const EPS = 1e-9;
const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

/** Log-likelihood of a skill's sequences (forward pass only). */
export function logLikelihood(data: SkillSequences, p: BktParams): number {
  const { answers, starts } = data;
  let ll = 0;
  for (let s = 0; s + 1 < starts.length; s++) {
    let pk = p.prior;
    for (let t = starts[s]!; t < starts[s + 1]!; t++) {
      const correct = answers[t] === 1;
      const pc = predictCorrect(pk, p);
      ll += Math.log(correct ? pc : 1 - pc);
      pk = transitionKnown(posteriorKnown(pk, correct, p), p);
    }
  }
  return ll;
}

/** Buffers for one pass, sized to the longest sequence. */
interface Scratch {
  known: Float64Array;
  scale: Float64Array;
}

function scratchFor(data: SkillSequences): Scratch {
  let longest = 0;
  for (let s = 0; s + 1 < data.starts.length; s++) {
    longest = Math.max(longest, data.starts[s + 1]! - data.starts[s]!);
  }
  return { known: new Float64Array(longest), scale: new Float64Array(longest) };
}

/**
 * One EM iteration: the E-step over every sequence, the M-step into `next`. Returns the
 * log-likelihood of the data under `p` (the parameters before the step).
 */
function emStep(
  data: SkillSequences,
  p: BktParams,
  next: BktParams,
  scratch: Scratch,
  options: Pick<FitOptions, 'forgets' | 'bounds'>,
): number {
  const { answers, starts } = data;
  const { known, scale } = scratch;
  const learn = p.learn;
  const forget = p.forget;
  const g = p.guess;
  const sl = p.slip;
  let priorSum = 0;
  let xiLearn = 0; // expected unknown → known transitions
  let fromUnknown = 0; // expected time in "unknown" before a transition
  let xiForget = 0;
  let fromKnown = 0;
  let unknownTotal = 0;
  let unknownCorrect = 0;
  let knownTotal = 0;
  let knownWrong = 0;
  let ll = 0;
  let product = 1;
  const sequences = starts.length - 1;
  for (let s = 0; s < sequences; s++) {
    const begin = starts[s]!;
    const length = starts[s + 1]! - begin;
    if (length === 0) continue;
    // Forward, scaled: known[t] = P(known at t | answers 0..t), scale[t] = P(answer t | 0..t−1).
    let a1 = p.prior;
    for (let t = 0; t < length; t++) {
      const o = answers[begin + t]!;
      const e0 = o === 1 ? g : 1 - g;
      const e1 = o === 1 ? 1 - sl : sl;
      const u = (1 - a1) * e0;
      const k = a1 * e1;
      const c = u + k;
      const post = k / c;
      known[t] = post;
      scale[t] = c;
      product *= c;
      if (product < 1e-250) {
        ll += Math.log(product);
        product = 1;
      }
      a1 = post * (1 - forget) + (1 - post) * learn;
    }
    // Backward, scaled: b0, b1 = β̂ at t + 1; gamma and xi accumulated on the way.
    let b0 = 1;
    let b1 = 1;
    {
      const t = length - 1;
      const o = answers[begin + t]!;
      const k = known[t]!;
      unknownTotal += 1 - k;
      knownTotal += k;
      if (o === 1) unknownCorrect += 1 - k;
      else knownWrong += k;
      if (t === 0) priorSum += k;
    }
    for (let t = length - 2; t >= 0; t--) {
      const o = answers[begin + t + 1]!;
      const e0 = o === 1 ? g : 1 - g;
      const e1 = o === 1 ? 1 - sl : sl;
      const c = scale[t + 1]!;
      const w0 = (e0 * b0) / c;
      const w1 = (e1 * b1) / c;
      const k = known[t]!;
      const u = 1 - k;
      // xi(i → j) = α̂_t(i) A_ij e_j β̂_{t+1}(j) / c_{t+1}
      const xiUU = u * (1 - learn) * w0;
      const xiUK = u * learn * w1;
      const xiKU = k * forget * w0;
      const xiKK = k * (1 - forget) * w1;
      const gu = xiUU + xiUK;
      const gk = xiKU + xiKK;
      xiLearn += xiUK;
      fromUnknown += gu;
      xiForget += xiKU;
      fromKnown += gk;
      const ot = answers[begin + t]!;
      unknownTotal += gu;
      knownTotal += gk;
      if (ot === 1) unknownCorrect += gu;
      else knownWrong += gk;
      if (t === 0) priorSum += gk;
      b0 = (1 - learn) * w0 + learn * w1;
      b1 = forget * w0 + (1 - forget) * w1;
    }
  }
  ll += Math.log(product);
  // M-step. The expected complete-data log-likelihood is concave in each parameter separately,
  // so clipping the unconstrained maximiser to the bound is the constrained maximiser.
  next.prior = clamp(priorSum / Math.max(sequences, 1), EPS, 1 - EPS);
  next.learn = fromUnknown > 0 ? clamp(xiLearn / fromUnknown, EPS, 1 - EPS) : p.learn;
  next.forget = options.forgets && fromKnown > 0 ? clamp(xiForget / fromKnown, EPS, 1 - EPS) : 0;
  next.guess =
    unknownTotal > 0
      ? clamp(unknownCorrect / unknownTotal, EPS, options.bounds.maxGuess)
      : Math.min(p.guess, options.bounds.maxGuess);
  next.slip =
    knownTotal > 0
      ? clamp(knownWrong / knownTotal, EPS, options.bounds.maxSlip)
      : Math.min(p.slip, options.bounds.maxSlip);
  return ll;
}

function randomStart(random: () => number, options: FitOptions): BktParams {
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  return {
    prior: between(0.05, 0.95),
    learn: between(0.02, 0.5),
    guess: between(0.02, options.bounds.maxGuess),
    slip: between(0.02, options.bounds.maxSlip),
    forget: options.forgets ? between(0.001, 0.1) : 0,
  };
}

/** EM from one start until the log-likelihood stops improving. */
function runEm(
  data: SkillSequences,
  start: BktParams,
  scratch: Scratch,
  options: FitOptions,
): { params: BktParams; logLikelihood: number; iterations: number } {
  let current = { ...start };
  let next = { ...start };
  let previous = -Infinity;
  let iterations = 0;
  while (iterations < options.maxIterations) {
    const ll = emStep(data, current, next, scratch, options);
    iterations++;
    const improvement = ll - previous;
    [current, next] = [next, current];
    // EM never lowers the likelihood; a negative "improvement" is rounding at convergence.
    if (improvement < options.tolerance * Math.abs(ll)) break;
    previous = ll;
  }
  return { params: current, logLikelihood: logLikelihood(data, current), iterations };
}

/** Fits one skill's parameters (always, whatever the number of learners). */
export function fitSkill(
  data: SkillSequences,
  options: Partial<FitOptions> = {},
): Omit<SkillFit, 'source'> {
  const opts = { ...DEFAULT_FIT_OPTIONS, ...options };
  const random = seededRandom(opts.seed);
  const scratch = scratchFor(data);
  let best: { params: BktParams; logLikelihood: number; iterations: number } | undefined;
  for (let r = 0; r < Math.max(1, opts.restarts); r++) {
    const result = runEm(data, randomStart(random, opts), scratch, opts);
    if (!best || result.logLikelihood > best.logLikelihood) best = result;
  }
  return {
    skill: data.skill,
    params: best!.params,
    learners: data.starts.length - 1,
    responses: data.answers.length,
    logLikelihood: best!.logLikelihood,
    iterations: best!.iterations,
  };
}

/**
 * Fits every skill with at least `minLearners` learners; the others get the defaults. Each skill's
 * random starts come from the seed and the skill's name, so a skill's fit does not depend on
 * which other skills are in the data.
 */
export function fitSkills(
  responses: Iterable<BktResponse> | Map<string, SkillSequences>,
  options: Partial<FitOptions> = {},
): Map<string, SkillFit> {
  const opts = { ...DEFAULT_FIT_OPTIONS, ...options };
  const grouped = responses instanceof Map ? responses : groupBySkill(responses);
  const fits = new Map<string, SkillFit>();
  for (const [skill, data] of grouped) {
    const learners = data.starts.length - 1;
    if (learners < opts.minLearners) {
      fits.set(skill, {
        skill,
        params: { ...opts.defaults },
        source: 'default',
        learners,
        responses: data.answers.length,
        logLikelihood: logLikelihood(data, opts.defaults),
        iterations: 0,
      });
      continue;
    }
    const fit = fitSkill(data, { ...opts, seed: skillSeed(opts.seed, skill) });
    fits.set(skill, { ...fit, source: 'fitted' });
  }
  return fits;
}

/** FNV-1a of the skill name mixed with the seed. */
function skillSeed(seed: number, skill: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < skill.length; i++) {
    h ^= skill.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * One-step-ahead P(correct) for each response, in the given order: every (learner, skill) starts
 * at its skill's prior and is updated after each of its answers. Skills without parameters use
 * `fallback`.
 */
export function predictResponses(
  responses: readonly BktResponse[],
  paramsFor: (skill: string) => BktParams | undefined,
  fallback: BktParams = DEFAULT_BKT_PARAMS,
): { pCorrect: Float64Array; pKnown: Float64Array } {
  const pCorrect = new Float64Array(responses.length);
  const pKnown = new Float64Array(responses.length);
  const state = new Map<string, number>();
  const cache = new Map<string, BktParams>();
  for (let i = 0; i < responses.length; i++) {
    const r = responses[i]!;
    let params = cache.get(r.skill);
    if (!params) cache.set(r.skill, (params = paramsFor(r.skill) ?? fallback));
    const key = `${r.skill}\u0000${r.learner}`;
    const before = state.get(key) ?? params.prior;
    pKnown[i] = before;
    pCorrect[i] = predictCorrect(before, params);
    state.set(key, transitionKnown(posteriorKnown(before, r.correct === 1, params), params));
  }
  return { pCorrect, pKnown };
}
