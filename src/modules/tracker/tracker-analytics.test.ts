// The tracker's arithmetic without a database: node statistics from result rows (last and
// previous attempt, evidence order) and the packed form the dashboard cache stores.
import { describe, expect, it } from 'vitest';
import {
  computeBaseStats,
  packBaseStats,
  unpackBaseStats,
  type MarkRow,
  type QuestionNodeRow,
  type QuestionRow,
  type ResultRow,
} from './tracker-analytics.ts';

const questions: QuestionRow[] = [
  { paper_id: 'p1', number: '1', max_marks: 4 },
  { paper_id: 'p1', number: '2', max_marks: 2 },
  { paper_id: 'p2', number: '1', max_marks: 5 },
];
const questionNodes: QuestionNodeRow[] = [
  { paper_id: 'p1', number: '1', node_id: 's1', kind: 'skill', via: 'tag' },
  { paper_id: 'p1', number: '1', node_id: 'c1', kind: 'concept', via: 'parent' },
  { paper_id: 'p1', number: '2', node_id: 's2', kind: 'skill', via: 'tag' },
  { paper_id: 'p1', number: '2', node_id: 'c1', kind: 'concept', via: 'parent' },
  { paper_id: 'p2', number: '1', node_id: 's1', kind: 'skill', via: 'tag' },
];
const result = (id: string, paper: string, takenOn: string): ResultRow => ({
  id,
  paper_id: paper,
  paper_title: paper === 'p1' ? 'Paper one' : 'Paper two',
  taken_on: takenOn,
  score: 0,
  max_score: 0,
  created_at: `${takenOn}T10:00:00.000Z`,
});
// Listed out of order: the statistics follow the dates.
const results = [
  result('r3', 'p2', '2026-03-10'),
  result('r1', 'p1', '2026-03-01'),
  result('r2', 'p1', '2026-03-05'),
];
const marks: MarkRow[] = [
  { result_id: 'r1', number: '1', marks: 1 },
  { result_id: 'r1', number: '2', marks: 2 },
  { result_id: 'r2', number: '1', marks: 4 },
  { result_id: 'r2', number: '2', marks: 0 },
  { result_id: 'r3', number: '1', marks: 2.5 },
];

describe('computeBaseStats', () => {
  const stats = computeBaseStats(results, marks, questions, questionNodes);
  const node = (id: string) => stats.nodes.find((n) => n.nodeId === id)!;

  it('orders results by date and sums each node over every question testing it', () => {
    expect(stats.results.map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
    expect(stats.nodes.map((n) => n.nodeId)).toEqual(['c1', 's1', 's2']);
    expect(node('s1')).toMatchObject({ earned: 7.5, possible: 13, items: 3, direct: true });
    expect(node('c1')).toMatchObject({ earned: 7, possible: 12, items: 4, direct: false });
  });

  it('takes the last and the previous attempt that tested the node', () => {
    // s1: r3 2.5/5, before it r2 4/4. c1 is not on p2: r2 4/6, before it r1 3/6.
    expect(node('s1')).toMatchObject({ lastPercent: 50, previousPercent: 100 });
    expect(node('c1')).toMatchObject({ lastPercent: 66.7, previousPercent: 50 });
    expect(node('s2')).toMatchObject({ lastPercent: 0, previousPercent: 100 });
  });

  it('lists lost marks latest first, with the result they come from', () => {
    expect(node('s1').evidence).toEqual([
      {
        resultId: 'r3',
        paperId: 'p2',
        paperTitle: 'Paper two',
        takenOn: '2026-03-10',
        question: '1',
        marks: 2.5,
        maxMarks: 5,
      },
      expect.objectContaining({ resultId: 'r1', question: '1', marks: 1, maxMarks: 4 }),
    ]);
    expect(node('c1').evidence.map((e) => [e.resultId, e.question])).toEqual([
      ['r2', '2'],
      ['r1', '1'],
    ]);
  });

  it('puts the question with more marks lost first within one date', () => {
    const one = [result('r1', 'p1', '2026-03-01')];
    const out = computeBaseStats(
      one,
      [
        { result_id: 'r1', number: '1', marks: 3 },
        { result_id: 'r1', number: '2', marks: 0 },
      ],
      questions,
      questionNodes,
    );
    const evidence = out.nodes.find((n) => n.nodeId === 'c1')!.evidence;
    expect(evidence.map((e) => [e.question, e.maxMarks - e.marks])).toEqual([
      ['2', 2],
      ['1', 1],
    ]);
  });

  it('keeps at most ten pieces of evidence per node, the latest', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      result(`m${i}`, 'p2', `2026-01-${String(i + 1).padStart(2, '0')}`),
    );
    const out = computeBaseStats(
      many,
      many.map((r) => ({ result_id: r.id, number: '1', marks: 1 })),
      questions,
      questionNodes,
    );
    const evidence = out.nodes.find((n) => n.nodeId === 's1')!.evidence;
    expect(evidence.map((e) => e.takenOn)).toEqual(
      Array.from({ length: 10 }, (_, i) => `2026-01-${30 - i}`),
    );
  });
});

describe('packed cache form', () => {
  it('reads back exactly what was packed, and is much smaller than plain JSON', () => {
    const stats = computeBaseStats(results, marks, questions, questionNodes);
    const packed = packBaseStats(stats);
    expect(unpackBaseStats(packed)).toEqual(stats);
    expect(JSON.stringify(unpackBaseStats(packed))).toBe(JSON.stringify(stats));
    expect(packed.length).toBeLessThan(JSON.stringify(stats).length * 0.6);
  });

  it('reads an empty learner', () => {
    expect(unpackBaseStats(packBaseStats({ results: [], nodes: [] }))).toEqual({
      results: [],
      nodes: [],
    });
  });

  it('answers null for a row in the earlier plain-JSON form, so it is recomputed', () => {
    const stats = computeBaseStats(results, marks, questions, questionNodes);
    expect(unpackBaseStats(JSON.stringify(stats))).toBeNull();
    expect(unpackBaseStats('null')).toBeNull();
    expect(unpackBaseStats('{"f":1}')).toBeNull();
  });
});
