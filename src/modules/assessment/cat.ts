// The computerized adaptive test (CAT) behind the placement test, on plain data: no database, no
// clock, randomness only from the function passed in.
//
// - Ability θ has a normal prior (standard normal by default). After each answer θ̂ is the EAP
//   (posterior mean) and its SE the posterior standard deviation, both by summing over a fixed
//   grid of 121 points from −6 to 6 (step 0.1). With D = 1 (irt.ts) this is the convention of
//   jsCAT and catR: two wrong answers to (a=1, b=−4, c=0.5) and (a=1, b=−3, c=0.5) give
//   θ̂ = −1.649. (A grid from −4 to 4 gives −1.642 instead: it cuts off the left tail.)
// - The next item is the one with maximum Fisher information at θ̂ among the unused items of the
//   target skills; for exposure control ("randomesque") it is drawn at random among the k most
//   informative, so the first items of every test are not always the same few.
// - The test stops when SE ≤ the target, at the maximum number of items, or when no item is left.
import { information, normalCdf, probability, type ItemParams } from './irt.ts';

export interface CatItem {
  id: string;
  params: ItemParams;
  /** The skills the item tests: the test uses it when one of them is a target skill. */
  skillIds: readonly string[];
  /** The skill area the item counts towards for per-area estimates (e.g. its concept). */
  area: string | null;
}

export interface QuadratureGrid {
  points: readonly number[];
}

export interface CatConfig {
  /** Stop once the posterior SD of θ is at most this. */
  targetSe: number;
  /** Stop after this many items whatever the SE. */
  maxItems: number;
  /** Randomesque exposure control: draw the next item among the k most informative (1 = none). */
  exposureK: number;
  priorMean: number;
  priorSd: number;
  /** Items of these skills only; null for every item of the pool. */
  targetSkills: ReadonlySet<string> | null;
  grid: QuadratureGrid;
}

export interface CatResponse {
  itemId: string;
  params: ItemParams;
  area: string | null;
  correct: boolean;
}

export interface CatState {
  readonly config: CatConfig;
  readonly responses: readonly CatResponse[];
  /** Log-likelihood of the answers so far at each grid point. */
  readonly logLikelihood: readonly number[];
  /** EAP estimate of θ. */
  readonly theta: number;
  /** Posterior standard deviation of θ. */
  readonly se: number;
}

export const DEFAULT_CAT_CONFIG = {
  targetSe: 0.3,
  maxItems: 60,
  exposureK: 3,
  priorMean: 0,
  priorSd: 1,
} as const;

/** Evenly spaced points from `from` to `to` inclusive. */
export function quadratureGrid(from = -6, to = 6, count = 121): QuadratureGrid {
  if (!(count >= 2) || !(to > from)) throw new RangeError('a grid needs two points or more');
  const step = (to - from) / (count - 1);
  return { points: Array.from({ length: count }, (_, i) => from + i * step) };
}

export const DEFAULT_GRID = quadratureGrid();

export function catConfig(overrides: Partial<CatConfig> = {}): CatConfig {
  const config: CatConfig = {
    ...DEFAULT_CAT_CONFIG,
    targetSkills: null,
    grid: DEFAULT_GRID,
    ...overrides,
  };
  if (!(config.targetSe > 0)) throw new RangeError('targetSe must be above 0');
  if (!Number.isInteger(config.maxItems) || config.maxItems < 1) {
    throw new RangeError('maxItems must be a whole number of 1 or more');
  }
  if (!Number.isInteger(config.exposureK) || config.exposureK < 1) {
    throw new RangeError('exposureK must be a whole number of 1 or more');
  }
  if (!(config.priorSd > 0)) throw new RangeError('priorSd must be above 0');
  return config;
}

export interface Posterior {
  theta: number;
  se: number;
}

/**
 * EAP: the mean and standard deviation of prior × likelihood over the grid. Log-likelihoods are
 * shifted by their maximum before exponentiating, so long tests do not underflow.
 */
export function eap(
  grid: QuadratureGrid,
  logLikelihood: readonly number[],
  priorMean: number,
  priorSd: number,
): Posterior {
  const logs = grid.points.map((t, i) => {
    const z = (t - priorMean) / priorSd;
    return -0.5 * z * z + (logLikelihood[i] ?? 0);
  });
  const max = Math.max(...logs);
  let sum = 0;
  let first = 0;
  let second = 0;
  grid.points.forEach((t, i) => {
    const w = Math.exp(logs[i]! - max);
    sum += w;
    first += w * t;
    second += w * t * t;
  });
  const theta = first / sum;
  return { theta, se: Math.sqrt(Math.max(0, second / sum - theta * theta)) };
}

function logLikelihoodOf(grid: QuadratureGrid, responses: readonly CatResponse[]): number[] {
  const ll = grid.points.map(() => 0);
  for (const r of responses) addAnswer(grid, ll, r.params, r.correct);
  return ll;
}

function addAnswer(grid: QuadratureGrid, ll: number[], params: ItemParams, correct: boolean) {
  grid.points.forEach((t, i) => {
    const p = probability(t, params);
    ll[i]! += Math.log(Math.max(correct ? p : 1 - p, Number.MIN_VALUE));
  });
}

/** A test before its first answer: θ̂ and SE are the prior's. */
export function startTest(config: CatConfig = catConfig()): CatState {
  const logLikelihood = config.grid.points.map(() => 0);
  const posterior = eap(config.grid, logLikelihood, config.priorMean, config.priorSd);
  return { config, responses: [], logLikelihood, ...posterior };
}

/** The state after one more answer. */
export function update(state: CatState, item: CatItem, correct: boolean): CatState {
  if (state.responses.some((r) => r.itemId === item.id)) {
    throw new RangeError(`item ${item.id} was already answered in this test`);
  }
  const logLikelihood = [...state.logLikelihood];
  addAnswer(state.config.grid, logLikelihood, item.params, correct);
  const { config } = state;
  return {
    config,
    responses: [
      ...state.responses,
      { itemId: item.id, params: item.params, area: item.area, correct },
    ],
    logLikelihood,
    ...eap(config.grid, logLikelihood, config.priorMean, config.priorSd),
  };
}

/** The unused items of the target skills. */
export function eligibleItems(state: CatState, pool: readonly CatItem[]): CatItem[] {
  const used = new Set(state.responses.map((r) => r.itemId));
  const targets = state.config.targetSkills;
  return pool.filter(
    (item) => !used.has(item.id) && (targets === null || item.skillIds.some((s) => targets.has(s))),
  );
}

/**
 * The next item: maximum information at θ̂ among the eligible items, drawn uniformly among the
 * `exposureK` most informative (ties broken by pool order); null when none is left.
 */
export function nextItem(
  state: CatState,
  pool: readonly CatItem[],
  random: () => number = Math.random,
): CatItem | null {
  const ranked = eligibleItems(state, pool)
    .map((item, order) => ({ item, order, info: information(state.theta, item.params) }))
    .sort((x, y) => y.info - x.info || x.order - y.order);
  if (ranked.length === 0) return null;
  const k = Math.min(state.config.exposureK, ranked.length);
  const pick = k === 1 ? 0 : Math.min(k - 1, Math.floor(random() * k));
  return ranked[pick]!.item;
}

export type StopReason = 'se_reached' | 'max_items' | 'pool_exhausted';

/** Why the test should stop now, or null to go on. */
export function stopReason(state: CatState, pool: readonly CatItem[]): StopReason | null {
  if (state.responses.length > 0 && state.se <= state.config.targetSe) return 'se_reached';
  if (state.responses.length >= state.config.maxItems) return 'max_items';
  if (eligibleItems(state, pool).length === 0) return 'pool_exhausted';
  return null;
}

export function shouldStop(state: CatState, pool: readonly CatItem[]): boolean {
  return stopReason(state, pool) !== null;
}

export interface AreaEstimate extends Posterior {
  area: string;
  /** Answers to items of the area; 0 when the estimate is the overall θ̂. */
  answered: number;
  source: 'area' | 'overall';
}

/**
 * θ per skill area: the EAP over the answers to the items of that area alone (same prior and
 * grid), or the overall θ̂ and SE for an area (of `areas`) the test asked nothing of.
 */
export function areaEstimates(state: CatState, areas: readonly string[] = []): AreaEstimate[] {
  const byArea = new Map<string, CatResponse[]>();
  for (const r of state.responses) {
    if (r.area === null) continue;
    byArea.set(r.area, [...(byArea.get(r.area) ?? []), r]);
  }
  const { grid, priorMean, priorSd } = state.config;
  const names = [...new Set([...byArea.keys(), ...areas])].sort();
  return names.map((area) => {
    const responses = byArea.get(area);
    if (!responses) {
      return { area, theta: state.theta, se: state.se, answered: 0, source: 'overall' };
    }
    const posterior = eap(grid, logLikelihoodOf(grid, responses), priorMean, priorSd);
    return { area, ...posterior, answered: responses.length, source: 'area' };
  });
}

/** P(L) is kept inside these bounds so that knowledge tracing can still move it either way. */
export const MASTERY_BOUNDS = { min: 0.02, max: 0.98 } as const;

/**
 * The initial BKT mastery P(L) of a skill from the θ estimate of its area:
 *   P(L) = Φ((θ̂ − b_skill) / √(SE² + σ²)),
 * the chance that the learner's ability is above the skill's difficulty b_skill when θ is
 * N(θ̂, SE²) and skills of an area spread around it with SD σ (1 by default). b_skill is the mean
 * b of the skill's items (0 when unknown). Clamped to MASTERY_BOUNDS.
 */
export function initialMastery(estimate: Posterior, skillDifficulty = 0, sigma = 1): number {
  const p = normalCdf(
    (estimate.theta - skillDifficulty) / Math.sqrt(estimate.se ** 2 + sigma ** 2),
  );
  return Math.min(MASTERY_BOUNDS.max, Math.max(MASTERY_BOUNDS.min, p));
}

/** Mean b of the pool's items of a skill, or 0 when it has none. */
export function skillDifficulty(pool: readonly CatItem[], skillId: string): number {
  const bs = pool.filter((i) => i.skillIds.includes(skillId)).map((i) => i.params.b);
  return bs.length === 0 ? 0 : bs.reduce((s, b) => s + b, 0) / bs.length;
}

export interface SkillToSeed {
  skillId: string;
  area: string;
}

/** Initial P(L) of each skill tested, from its area's estimate and the difficulty of its items. */
export function seedMastery(
  state: CatState,
  pool: readonly CatItem[],
  skills: readonly SkillToSeed[],
): Map<string, number> {
  const estimates = new Map(
    areaEstimates(
      state,
      skills.map((s) => s.area),
    ).map((e) => [e.area, e]),
  );
  return new Map(
    skills.map((s) => [
      s.skillId,
      initialMastery(estimates.get(s.area) ?? state, skillDifficulty(pool, s.skillId)),
    ]),
  );
}

/** mulberry32: a small seedable PRNG for simulations and tests. */
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

/** A standard normal draw (Box–Muller) from a uniform source. */
export function normalDraw(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export interface SimulatedTest {
  trueTheta: number;
  theta: number;
  se: number;
  length: number;
  stop: StopReason;
}

/** One simulated test: answers drawn from the model at the simulee's true θ. */
export function simulateTest(
  trueTheta: number,
  pool: readonly CatItem[],
  config: CatConfig,
  random: () => number,
): SimulatedTest {
  let state = startTest(config);
  for (;;) {
    const stop = stopReason(state, pool);
    if (stop) {
      const { theta, se } = state;
      return { trueTheta, theta, se, length: state.responses.length, stop };
    }
    const item = nextItem(state, pool, random);
    if (!item) throw new Error('unreachable: no item although the pool is not exhausted');
    state = update(state, item, random() < probability(trueTheta, item.params));
  }
}

export interface SimulationSummary {
  mean_length: number;
  median_length: number;
  rmse_theta: number;
  reached_se_fraction: number;
}

/** The figures `skillbridge cat-sim` prints, over a set of simulated tests. */
export function summarise(tests: readonly SimulatedTest[]): SimulationSummary {
  if (tests.length === 0) throw new RangeError('no simulated tests');
  const lengths = tests.map((t) => t.length).sort((x, y) => x - y);
  const mid = Math.floor(lengths.length / 2);
  const median = lengths.length % 2 === 1 ? lengths[mid]! : (lengths[mid - 1]! + lengths[mid]!) / 2;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    mean_length: mean(lengths),
    median_length: median,
    rmse_theta: Math.sqrt(mean(tests.map((t) => (t.theta - t.trueTheta) ** 2))),
    reached_se_fraction: tests.filter((t) => t.stop === 'se_reached').length / tests.length,
  };
}
