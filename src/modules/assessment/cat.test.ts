// The adaptive test engine: EAP against a published reference value and a brute-force integral,
// item selection, exposure control, the stopping rule, per-area estimates and the mastery they
// seed, and a small simulation.
import { describe, expect, it } from 'vitest';
import {
  areaEstimates,
  catConfig,
  eligibleItems,
  initialMastery,
  nextItem,
  normalDraw,
  quadratureGrid,
  seedMastery,
  seededRandom,
  shouldStop,
  simulateTest,
  startTest,
  stopReason,
  summarise,
  update,
  type CatItem,
  type CatState,
} from './cat.ts';
import { information, probability, type ItemParams } from './irt.ts';

function item(id: string, params: Partial<ItemParams>, extra: Partial<CatItem> = {}): CatItem {
  return {
    id,
    params: { a: 1, b: 0, c: 0, d: 1, ...params },
    skillIds: ['s1'],
    area: null,
    ...extra,
  };
}

function answer(state: CatState, items: readonly [CatItem, boolean][]): CatState {
  return items.reduce((s, [i, correct]) => update(s, i, correct), state);
}

/** Posterior mean and SD by the trapezoidal rule on [-10, 10] with 20 001 points. */
function bruteForce(responses: readonly [ItemParams, boolean][], mean = 0, sd = 1) {
  let z = 0;
  let m1 = 0;
  let m2 = 0;
  const n = 20_001;
  for (let i = 0; i < n; i++) {
    const t = -10 + (20 * i) / (n - 1);
    let w = Math.exp(-0.5 * ((t - mean) / sd) ** 2);
    for (const [p, correct] of responses) {
      const pr = probability(t, p);
      w *= correct ? pr : 1 - pr;
    }
    if (i === 0 || i === n - 1) w /= 2;
    z += w;
    m1 += w * t;
    m2 += w * t * t;
  }
  return { theta: m1 / z, se: Math.sqrt(m2 / z - (m1 / z) ** 2) };
}

describe('EAP estimate', () => {
  it('starts at θ = 0 with SE 1 (the standard normal prior)', () => {
    const state = startTest();
    expect(state.theta).toBeCloseTo(0, 10);
    expect(state.se).toBeCloseTo(1, 4);
  });

  it('gives θ ≈ −1.649 after two wrong answers to easy 3PL items, as jsCAT and catR do', () => {
    const state = answer(startTest(), [
      [item('x', { a: 1, b: -4, c: 0.5 }), false],
      [item('y', { a: 1, b: -3, c: 0.5 }), false],
    ]);
    // D = 1, standard normal prior, 121 points from −6 to 6.
    expect(Math.abs(state.theta - -1.6494)).toBeLessThan(1e-3);
    expect(state.se).toBeCloseTo(0.8956, 3);
    // A grid that stops at ±4 misses the reference by more than 1e-3: the tail matters here.
    const narrow = answer(startTest(catConfig({ grid: quadratureGrid(-4, 4, 81) })), [
      [item('x', { a: 1, b: -4, c: 0.5 }), false],
      [item('y', { a: 1, b: -3, c: 0.5 }), false],
    ]);
    expect(Math.abs(narrow.theta - -1.6494)).toBeGreaterThan(5e-3);
  });

  it('agrees with a brute-force integral of the posterior for mixed 2PL, 3PL and 4PL items', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 5; round++) {
      const responses: [ItemParams, boolean][] = Array.from({ length: 3 + round * 4 }, () => [
        {
          a: 0.5 + 1.5 * random(),
          b: 3 * normalDraw(random) * 0.7,
          c: random() < 0.5 ? 0 : 0.25 * random(),
          d: random() < 0.7 ? 1 : 0.9 + 0.1 * random(),
        },
        random() < 0.6,
      ]);
      const state = answer(
        startTest(),
        responses.map(([p, correct], i) => [item(`i${i}`, p), correct]),
      );
      const exact = bruteForce(responses);
      expect(Math.abs(state.theta - exact.theta)).toBeLessThan(1e-3);
      expect(Math.abs(state.se - exact.se)).toBeLessThan(1e-3);
    }
  });

  it('uses the configured prior', () => {
    const config = catConfig({ priorMean: 0.5, priorSd: 0.8 });
    const responses: [ItemParams, boolean][] = [
      [{ a: 1.2, b: 0.3, c: 0, d: 1 }, true],
      [{ a: 0.9, b: 1.1, c: 0.2, d: 1 }, false],
    ];
    const state = answer(
      startTest(config),
      responses.map(([p, c], i) => [item(`i${i}`, p), c]),
    );
    const exact = bruteForce(responses, 0.5, 0.8);
    expect(state.theta).toBeCloseTo(exact.theta, 3);
    expect(state.se).toBeCloseTo(exact.se, 3);
  });

  it('moves up after right answers and down after wrong ones, with a shrinking SE', () => {
    const pool = [-1, 0, 1].map((b, i) => item(`i${i}`, { b }));
    const right = answer(startTest(), [[pool[1]!, true]]);
    const wrong = answer(startTest(), [[pool[1]!, false]]);
    expect(right.theta).toBeGreaterThan(0.3);
    expect(wrong.theta).toBeCloseTo(-right.theta, 10);
    const more = answer(right, [
      [pool[2]!, true],
      [pool[0]!, false],
    ]);
    expect(more.se).toBeLessThan(right.se);
    expect(right.se).toBeLessThan(1);
  });

  it('does not underflow on a test longer than a likelihood product can hold', () => {
    // 0.5^1200 is below the smallest double: without working in logs the posterior is 0/0.
    const pool = Array.from({ length: 1200 }, (_, i) => item(`i${i}`, { a: 2.5, b: 0 }));
    const state = answer(
      startTest(catConfig({ maxItems: 2000 })),
      pool.map((i, n) => [i, n % 2 === 0]),
    );
    expect(Math.abs(state.theta)).toBeLessThan(0.01);
    expect(state.se).toBeGreaterThan(0);
    expect(state.se).toBeLessThan(0.1);
  });

  it('refuses an item answered twice', () => {
    const i = item('x', {});
    expect(() => update(update(startTest(), i, true), i, false)).toThrow(/already answered/);
  });
});

describe('item selection', () => {
  const pool = [
    item('easy', { a: 1.4, b: -2 }),
    item('middle-weak', { a: 0.6, b: 0 }),
    item('middle', { a: 1.2, b: 0.1 }),
    item('hard', { a: 1.4, b: 2 }),
    item('other-skill', { a: 3, b: 0 }, { skillIds: ['s2'] }),
  ];

  it('picks the most informative unused item at θ̂', () => {
    const config = catConfig({ exposureK: 1 });
    const state = startTest(config);
    const best = [...pool].sort((x, y) => information(0, y.params) - information(0, x.params))[0]!;
    expect(best.id).toBe('other-skill');
    expect(nextItem(state, pool)?.id).toBe('other-skill');

    const afterWrong = answer(state, [[pool[2]!, false]]);
    const low = nextItem(afterWrong, pool.slice(0, 4));
    const expected = pool
      .slice(0, 4)
      .filter((i) => i.id !== 'middle')
      .sort(
        (x, y) => information(afterWrong.theta, y.params) - information(afterWrong.theta, x.params),
      )[0]!;
    expect(low?.id).toBe(expected.id);
    expect(low?.id).not.toBe('hard');

    const afterRight = answer(state, [
      [pool[2]!, true],
      [pool[1]!, true],
    ]);
    expect(nextItem(afterRight, pool.slice(0, 4))?.id).toBe('hard');
  });

  it('only uses items of the target skills and never an item twice', () => {
    const state = startTest(catConfig({ exposureK: 1, targetSkills: new Set(['s1']) }));
    expect(eligibleItems(state, pool).map((i) => i.id)).not.toContain('other-skill');
    expect(nextItem(state, pool)?.id).toBe('middle');
    let s = state;
    const seen: string[] = [];
    for (;;) {
      const next = nextItem(s, pool);
      if (!next) break;
      seen.push(next.id);
      s = update(s, next, true);
    }
    expect(seen.sort()).toEqual(['easy', 'hard', 'middle', 'middle-weak']);
  });

  it('spreads the first items over the k most informative with exposure control', () => {
    const bank = Array.from({ length: 40 }, (_, i) =>
      item(`i${i}`, { a: 0.8 + (i % 10) * 0.1, b: ((i * 7) % 13) / 4 - 1.5 }),
    );
    const top = [...bank]
      .sort((x, y) => information(0, y.params) - information(0, x.params))
      .slice(0, 5)
      .map((i) => i.id);
    const firsts = (k: number, seed: number) => {
      const random = seededRandom(seed);
      const counts = new Map<string, number>();
      for (let run = 0; run < 500; run++) {
        const first = nextItem(startTest(catConfig({ exposureK: k })), bank, random)!.id;
        counts.set(first, (counts.get(first) ?? 0) + 1);
      }
      return counts;
    };
    expect([...firsts(1, 3).keys()]).toEqual([top[0]]);
    const spread = firsts(5, 3);
    expect([...spread.keys()].sort()).toEqual([...top].sort());
    // Each of the five is drawn about 100 times in 500.
    for (const n of spread.values()) expect(n).toBeGreaterThan(60);
    expect(firsts(5, 3)).toEqual(spread);
  });

  it('returns null when the pool is used up', () => {
    expect(nextItem(startTest(), [])).toBeNull();
  });
});

describe('stopping rule', () => {
  const bank = Array.from({ length: 80 }, (_, i) => item(`i${i}`, { a: 1.8, b: (i % 9) / 2 - 2 }));

  it('does not stop before the first answer', () => {
    const state = startTest(catConfig({ targetSe: 5 }));
    expect(stopReason(state, bank)).toBeNull();
    expect(shouldStop(update(state, bank[0]!, true), bank)).toBe(true);
  });

  it('stops as soon as SE ≤ the target, not one item earlier', () => {
    let state = startTest(catConfig({ exposureK: 1, targetSe: 0.4 }));
    const ses: number[] = [];
    while (!shouldStop(state, bank)) {
      state = update(state, nextItem(state, bank)!, state.responses.length % 2 === 0);
      ses.push(state.se);
    }
    expect(stopReason(state, bank)).toBe('se_reached');
    expect(ses.at(-1)).toBeLessThanOrEqual(0.4);
    expect(ses.slice(0, -1).every((se) => se > 0.4)).toBe(true);
  });

  it('stops at the maximum number of items, and when the pool is exhausted', () => {
    const random = seededRandom(5);
    const capped = simulateTest(0.5, bank, catConfig({ targetSe: 0.01, maxItems: 7 }), random);
    expect(capped).toMatchObject({ length: 7, stop: 'max_items' });
    const small = bank.slice(0, 4);
    const exhausted = simulateTest(0.5, small, catConfig({ targetSe: 0.01 }), random);
    expect(exhausted).toMatchObject({ length: 4, stop: 'pool_exhausted' });
    const none = simulateTest(0.5, bank, catConfig({ targetSkills: new Set(['nothing']) }), random);
    expect(none).toMatchObject({ length: 0, stop: 'pool_exhausted' });
    expect(none.theta).toBeCloseTo(0, 10);
  });

  it('refuses a configuration that could never stop sensibly', () => {
    expect(() => catConfig({ targetSe: 0 })).toThrow(/targetSe/);
    expect(() => catConfig({ maxItems: 0 })).toThrow(/maxItems/);
    expect(() => catConfig({ exposureK: 1.5 })).toThrow(/exposureK/);
  });
});

describe('per-area estimates and initial mastery', () => {
  const fractions = [-1, -0.5, 0, 0.5, 1].map((b, i) =>
    item(`f${i}`, { b }, { area: 'fractions', skillIds: [`add-fractions`] }),
  );
  const algebra = [-1, 0, 1].map((b, i) =>
    item(`g${i}`, { b: b + 1 }, { area: 'algebra', skillIds: ['solve-linear'] }),
  );

  it('estimates each area from its own answers, and falls back to the overall θ̂', () => {
    const state = answer(startTest(), [
      ...fractions.map((i): [CatItem, boolean] => [i, true]),
      ...algebra.map((i): [CatItem, boolean] => [i, false]),
    ]);
    const byArea = new Map(areaEstimates(state, ['geometry']).map((e) => [e.area, e]));
    const fractionsOnly = answer(
      startTest(),
      fractions.map((i) => [i, true]),
    );
    expect(byArea.get('fractions')).toMatchObject({ answered: 5, source: 'area' });
    expect(byArea.get('fractions')!.theta).toBeCloseTo(fractionsOnly.theta, 12);
    expect(byArea.get('fractions')!.se).toBeCloseTo(fractionsOnly.se, 12);
    expect(byArea.get('algebra')!.theta).toBeLessThan(0);
    expect(byArea.get('fractions')!.theta).toBeGreaterThan(state.theta);
    expect(byArea.get('geometry')).toEqual({
      area: 'geometry',
      theta: state.theta,
      se: state.se,
      answered: 0,
      source: 'overall',
    });
  });

  it('maps θ to P(L) = Φ((θ − b_skill)/√(SE² + 1)), kept within [0.02, 0.98]', () => {
    expect(initialMastery({ theta: 0, se: 0.5 }, 0)).toBeCloseTo(0.5, 6);
    // (1 − 0) / √(0.75² + 1) = 0.8 → Φ(0.8) = 0.78814
    expect(initialMastery({ theta: 1, se: 0.75 }, 0)).toBeCloseTo(0.78814, 4);
    expect(initialMastery({ theta: 1, se: 0.75 }, 1)).toBeCloseTo(0.5, 6);
    expect(initialMastery({ theta: 6, se: 0.2 })).toBe(0.98);
    expect(initialMastery({ theta: -6, se: 0.2 })).toBe(0.02);
    const ps = [-2, -1, 0, 1, 2].map((theta) => initialMastery({ theta, se: 0.3 }));
    expect([...ps].sort((x, y) => x - y)).toEqual(ps);
  });

  it('seeds the mastery of each tested skill from its area and the difficulty of its items', () => {
    const pool = [...fractions, ...algebra];
    const state = answer(startTest(), [
      ...fractions.map((i): [CatItem, boolean] => [i, true]),
      ...algebra.map((i): [CatItem, boolean] => [i, false]),
    ]);
    const seeded = seedMastery(state, pool, [
      { skillId: 'add-fractions', area: 'fractions' },
      { skillId: 'solve-linear', area: 'algebra' },
      { skillId: 'angles', area: 'geometry' },
    ]);
    const estimates = new Map(areaEstimates(state).map((e) => [e.area, e]));
    expect(seeded.get('add-fractions')).toBeCloseTo(
      initialMastery(estimates.get('fractions')!, 0),
      12,
    );
    expect(seeded.get('solve-linear')).toBeCloseTo(
      initialMastery(estimates.get('algebra')!, 1),
      12,
    );
    expect(seeded.get('add-fractions')!).toBeGreaterThan(0.6);
    expect(seeded.get('solve-linear')!).toBeLessThan(0.3);
    expect(seeded.get('angles')).toBeCloseTo(initialMastery(state, 0), 12);
  });
});

describe('simulation', () => {
  it('recovers true abilities on a small 2PL bank, reproducibly for a seed', () => {
    const random = seededRandom(2024);
    const bank = Array.from({ length: 120 }, (_, i) =>
      item(`i${i}`, { a: Math.max(0.3, 1.2 + 0.25 * normalDraw(random)), b: normalDraw(random) }),
    );
    const thetas = Array.from({ length: 60 }, () => normalDraw(random));
    const run = (seed: number) => {
      const r = seededRandom(seed);
      return thetas.map((t) => simulateTest(t, bank, catConfig(), r));
    };
    const tests = run(9);
    const summary = summarise(tests);
    expect(summary.rmse_theta).toBeLessThan(0.4);
    expect(summary.mean_length).toBeGreaterThan(10);
    expect(summary.mean_length).toBeLessThan(35);
    expect(summary.reached_se_fraction).toBeGreaterThan(0.9);
    for (const t of tests)
      expect(t.stop === 'se_reached' ? t.se <= 0.3 : t.length === 60).toBe(true);
    expect(summarise(run(9))).toEqual(summary);
    expect(summarise(run(10))).not.toEqual(summary);
  });

  it('summarises lengths, error and the share that reached the SE', () => {
    const summary = summarise([
      { trueTheta: 0, theta: 0.3, se: 0.29, length: 10, stop: 'se_reached' },
      { trueTheta: 1, theta: 0.6, se: 0.35, length: 60, stop: 'max_items' },
      { trueTheta: -1, theta: -1, se: 0.3, length: 20, stop: 'se_reached' },
      { trueTheta: 2, theta: 2, se: 0.3, length: 15, stop: 'se_reached' },
    ]);
    expect(summary).toEqual({
      mean_length: 26.25,
      median_length: 17.5,
      rmse_theta: Math.sqrt((0.09 + 0.16) / 4),
      reached_se_fraction: 0.75,
    });
  });
});
