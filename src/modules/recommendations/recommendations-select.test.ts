// The choosing rules on their own: target order (prerequisites, then weakest subtopic, weakest
// node, name, id), the difficulty mix around the level, exclusions and the two passes.
import { describe, expect, it } from 'vitest';
import {
  orderTargets,
  rankPool,
  selectItems,
  type PoolQuestion,
  type Target,
} from './recommendations-select.ts';

const target = (nodeId: string, combined: number | null, extra: Partial<Target> = {}): Target => ({
  nodeId,
  name: nodeId.toUpperCase(),
  kind: 'skill',
  tier: 'weak',
  combined,
  subtopicCombined: null,
  earned: 0,
  possible: 0,
  masteryPercent: null,
  ...extra,
});
const q = (id: string, difficulty: number | null, lastCorrect: boolean | null = null) => ({
  id,
  difficulty,
  lastCorrect,
});

describe('orderTargets', () => {
  it('puts prerequisites first, even through nodes that are not targets', () => {
    // p → x → d: x is not a target, p still precedes d although d is weaker.
    const order = orderTargets(
      [target('d', 10), target('p', 50)],
      [
        ['p', 'x'],
        ['x', 'd'],
      ],
      50,
    );
    expect(order.map((t) => t.nodeId)).toEqual(['p', 'd']);
  });

  it('breaks ties by subtopic, then node, then name, then id', () => {
    const order = orderTargets(
      [
        target('b', 30, { subtopicCombined: 40 }),
        target('a', 20, { subtopicCombined: 40 }),
        target('z', 50, { subtopicCombined: 10 }),
        target('m', 20, { subtopicCombined: 40, name: 'A' }),
      ],
      [],
      50,
    );
    // z: weakest subtopic; then a and m (20) before b (30); m's name "A" before a's "A"? Same
    // name: id decides (a < m).
    expect(order.map((t) => t.nodeId)).toEqual(['z', 'a', 'm', 'b']);
  });

  it('survives a cycle and maps the signal onto the 1-5 level', () => {
    const order = orderTargets(
      [target('a', 0), target('b', 100), target('u', null)],
      [
        ['a', 'b'],
        ['b', 'a'],
      ],
      25,
    );
    expect(order.map((t) => [t.nodeId, t.level])).toEqual([
      ['u', 2],
      ['a', 1],
      ['b', 5],
    ]);
  });
});

describe('rankPool', () => {
  it('alternates difficulty groups nearest the level, easier first on ties, wrong before new', () => {
    const pool: PoolQuestion[] = [
      q('q1', 3),
      q('q2', 2),
      q('q3', 4),
      q('q4', 3, false),
      q('q5', 3, true), // answered right: never chosen
      q('q6', null), // counts as 3
    ];
    expect(rankPool(pool, 3).map((x) => x.id)).toEqual(['q4', 'q2', 'q3', 'q1', 'q6']);
  });
});

describe('selectItems', () => {
  it('fills up to the size in two passes and never repeats a question', () => {
    const pools = new Map<string, PoolQuestion[]>([
      ['a', [q('a1', 1), q('a2', 1), q('a3', 1), q('a4', 1), q('shared', 1)]],
      ['b', [q('shared', 1), q('b1', 2)]],
    ]);
    const { items } = selectItems({
      targets: [target('a', 0), target('b', 10)],
      edges: [['a', 'b']],
      pools,
      overall: 50,
      size: 6,
      perTarget: 2,
    });
    // Pass 1: a1, a2 for a; shared is still free for b with b1. Pass 2: a3, a4 top a up to 4.
    expect(items.map((i) => i.questionId)).toEqual(['a1', 'a2', 'a3', 'a4', 'shared', 'b1']);
    expect(items[0]!.reason).toBe(
      'A has not been tested yet. New to you; difficulty 1 of 5, at your level.',
    );
  });
});
