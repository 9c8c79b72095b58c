// The tracker's arithmetic, free of I/O: result statistics per knowledge-graph node (what the
// dashboard cache holds), the combination of exam marks with BKT mastery, and weak-link tracing
// through the prerequisite graph. The service feeds it rows and graph look-ups.
//
// Combined signal (0..1) of a node, used for "weak", "strong" and the order of every list:
//   combined = (nT · p + nM · m) / (nT + nM)
//   p  = marks earned / marks available on paper questions testing the node, nT = those question
//        attempts (each attempt of a question counts once);
//   m  = the BKT mastery `confidence` of the skill (pKnown lowered while a review is overdue),
//        nM = min(first attempts counted, 20); a placement seed without practice counts as 3;
//        a bare prior counts 0 (it is not evidence about this learner).
// A node with neither signal is unknown: it is neither weak nor strong. Weak: combined < 0.6;
// strong: combined >= 0.8.
//
// Weak-link tracing: from each weak node with marks lost on papers, walk the prerequisite edges
// backwards, passing through prerequisites that are weak or unknown and stopping at strong ones
// (a strong prerequisite is not the cause). The root cause is the weak prerequisite reached
// farthest back (most steps; ties: the lower combined signal, then the name); when none is
// weak the node itself is its root cause. The chain lists the nodes from the root to the node.

export const WEAK_BELOW = 0.6;
export const STRONG_FROM = 0.8;
/** Practice evidence counted at most this many times against exam marks. */
export const MASTERY_WEIGHT_CAP = 20;
export const PLACEMENT_WEIGHT = 3;
export const EVIDENCE_PER_NODE = 10;

export interface ResultRow {
  id: string;
  paper_id: string;
  paper_title: string;
  taken_on: string;
  score: number;
  max_score: number;
  created_at: string;
}
export interface MarkRow {
  result_id: string;
  number: string;
  marks: number;
}
export interface QuestionRow {
  paper_id: string;
  number: string;
  max_marks: number;
}
export interface QuestionNodeRow {
  paper_id: string;
  number: string;
  node_id: string;
  kind: 'concept' | 'skill';
  via: 'tag' | 'parent';
}

export interface BaseResult {
  id: string;
  paperId: string;
  paperTitle: string;
  takenOn: string;
  score: number;
  maxScore: number;
}

export interface BaseEvidence {
  resultId: string;
  paperId: string;
  paperTitle: string;
  takenOn: string;
  question: string;
  marks: number;
  maxMarks: number;
}

export interface BaseNodeStat {
  nodeId: string;
  kind: 'concept' | 'skill';
  /** Tested directly by a question (not only through one of its skills). */
  direct: boolean;
  earned: number;
  possible: number;
  items: number;
  /** Percent (0..100) in the latest and the previous attempt that tested it. */
  lastPercent: number;
  previousPercent: number | null;
  /** Questions where marks were lost, latest attempt first. */
  evidence: BaseEvidence[];
}

/** What the dashboard cache stores per learner: everything that depends only on results. */
export interface BaseStats {
  results: BaseResult[];
  nodes: BaseNodeStat[];
}

export function percentOf(earned: number, possible: number): number {
  return possible > 0 ? round1((100 * earned) / possible) : 0;
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * Order of two YYYY-MM-DD dates (takenOn is validated to that form): code-unit order, which for
 * strings of one fixed digits-and-hyphens form is the calendar order and what localeCompare
 * gives, without its cost.
 */
function compareDates(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Chronological: date, then when it was logged, then id (stable). */
function byTime(a: ResultRow, b: ResultRow): number {
  return (
    compareDates(a.taken_on, b.taken_on) ||
    a.created_at.localeCompare(b.created_at) ||
    a.id.localeCompare(b.id)
  );
}

/**
 * The statistics of every node the learner's questions test. One pass over the marks; per node
 * it keeps running sums, the last two results that tested it, and where marks were lost as
 * positions (only the few shown become evidence objects), so a learner with 500 results costs
 * a few milliseconds and little garbage.
 */
export function computeBaseStats(
  results: readonly ResultRow[],
  marks: readonly MarkRow[],
  questions: readonly QuestionRow[],
  questionNodes: readonly QuestionNodeRow[],
): BaseStats {
  const ordered = [...results].sort(byTime);
  // paper -> question number -> max marks and the nodes it tests.
  const papers = new Map<
    string,
    Map<string, { max: number | undefined; nodes: QuestionNodeRow[] }>
  >();
  const question = (paperId: string, number: string) => {
    let byNumber = papers.get(paperId);
    if (!byNumber) {
      byNumber = new Map();
      papers.set(paperId, byNumber);
    }
    let q = byNumber.get(number);
    if (!q) {
      q = { max: undefined, nodes: [] };
      byNumber.set(number, q);
    }
    return q;
  };
  for (const q of questions) question(q.paper_id, q.number).max = q.max_marks;
  for (const n of questionNodes) question(n.paper_id, n.number).nodes.push(n);
  const marksOf = new Map<string, MarkRow[]>();
  for (const m of marks) {
    const list = marksOf.get(m.result_id);
    if (list) list.push(m);
    else marksOf.set(m.result_id, [m]);
  }

  interface Acc {
    stat: BaseNodeStat;
    /** The latest result that tested it and its [earned, possible]; the one before. */
    lastResult: ResultRow | null;
    last: [number, number];
    previous: [number, number] | null;
    /** Marks lost, chronological: the result, the mark row and the question's max. */
    lostIn: ResultRow[];
    lostMark: MarkRow[];
    lostMax: number[];
  }
  const acc = new Map<string, Acc>();
  for (const r of ordered) {
    const byNumber = papers.get(r.paper_id);
    if (!byNumber) continue;
    for (const m of marksOf.get(r.id) ?? []) {
      const q = byNumber.get(m.number);
      const max = q?.max;
      if (q === undefined || max === undefined) continue;
      for (const n of q.nodes) {
        let a = acc.get(n.node_id);
        if (!a) {
          a = {
            stat: {
              nodeId: n.node_id,
              kind: n.kind,
              direct: false,
              earned: 0,
              possible: 0,
              items: 0,
              lastPercent: 0,
              previousPercent: null,
              evidence: [],
            },
            lastResult: null,
            last: [0, 0],
            previous: null,
            lostIn: [],
            lostMark: [],
            lostMax: [],
          };
          acc.set(n.node_id, a);
        }
        if (n.via === 'tag') a.stat.direct = true;
        a.stat.earned += m.marks;
        a.stat.possible += max;
        a.stat.items += 1;
        if (a.lastResult !== r) {
          if (a.lastResult !== null) a.previous = a.last;
          a.last = [0, 0];
          a.lastResult = r;
        }
        a.last[0] += m.marks;
        a.last[1] += max;
        if (m.marks < max) {
          a.lostIn.push(r);
          a.lostMark.push(m);
          a.lostMax.push(max);
        }
      }
    }
  }
  const nodes: BaseNodeStat[] = [];
  for (const a of acc.values()) {
    a.stat.lastPercent = a.lastResult ? percentOf(a.last[0], a.last[1]) : 0;
    a.stat.previousPercent = a.previous ? percentOf(a.previous[0], a.previous[1]) : null;
    // The latest EVIDENCE_PER_NODE * 4 losses, latest first, then by date and the most marks
    // lost (a stable sort: ties stay latest first).
    const recent: BaseEvidence[] = [];
    for (let i = a.lostIn.length - 1; i >= 0 && recent.length < EVIDENCE_PER_NODE * 4; i--) {
      const r = a.lostIn[i]!;
      const m = a.lostMark[i]!;
      recent.push({
        resultId: r.id,
        paperId: r.paper_id,
        paperTitle: r.paper_title,
        takenOn: r.taken_on,
        question: m.number,
        marks: m.marks,
        maxMarks: a.lostMax[i]!,
      });
    }
    a.stat.evidence = recent
      .sort(
        (x, y) =>
          compareDates(y.takenOn, x.takenOn) || y.maxMarks - y.marks - (x.maxMarks - x.marks),
      )
      .slice(0, EVIDENCE_PER_NODE);
    a.stat.earned = Math.round(a.stat.earned * 1000) / 1000;
    nodes.push(a.stat);
  }
  nodes.sort((x, y) => x.nodeId.localeCompare(y.nodeId));
  return {
    results: ordered.map((r) => ({
      id: r.id,
      paperId: r.paper_id,
      paperTitle: r.paper_title,
      takenOn: r.taken_on,
      score: r.score,
      maxScore: r.max_score,
    })),
    nodes,
  };
}

export interface MasteryInput {
  pKnown: number;
  confidence: number;
  mastered: boolean;
  attempts: number;
  source: string;
}

/** How much practice evidence counts against exam marks (see the header). */
export function masteryWeight(m: MasteryInput | null | undefined): number {
  if (!m) return 0;
  if (m.attempts > 0) return Math.min(m.attempts, MASTERY_WEIGHT_CAP);
  return m.source === 'placement' ? PLACEMENT_WEIGHT : 0;
}

/** The combined signal (0..1), or null when there is no evidence of either kind. */
export function combine(
  tracker: { earned: number; possible: number; items: number } | null | undefined,
  mastery: MasteryInput | null | undefined,
): number | null {
  const nT = tracker && tracker.possible > 0 ? tracker.items : 0;
  const p = tracker && tracker.possible > 0 ? tracker.earned / tracker.possible : 0;
  const nM = masteryWeight(mastery);
  if (nT + nM === 0) return null;
  return (nT * p + nM * (mastery?.confidence ?? 0)) / (nT + nM);
}

export interface TraceOutcome {
  rootId: string;
  depth: number;
  /** Root cause first, the weak node last. */
  chain: string[];
}

/**
 * Root causes of weak nodes (see the header). `edges` are direct prerequisite edges
 * [prerequisite, dependent] among the weak nodes and their ancestors; `signal` gives each node's
 * combined signal or null (unknown); `name` breaks ties.
 */
export function traceRootCauses(
  weakIds: readonly string[],
  edges: ReadonlyArray<readonly [string, string]>,
  signal: (id: string) => number | null,
  name: (id: string) => string,
): Map<string, TraceOutcome> {
  const prerequisitesOf = new Map<string, string[]>();
  for (const [source, target] of edges) {
    const list = prerequisitesOf.get(target);
    if (list) list.push(source);
    else prerequisitesOf.set(target, [source]);
  }
  for (const list of prerequisitesOf.values()) list.sort();
  const out = new Map<string, TraceOutcome>();
  for (const start of weakIds) {
    const previous = new Map<string, string>([[start, start]]);
    const depthOf = new Map<string, number>([[start, 0]]);
    let frontier = [start];
    let best: { id: string; depth: number; s: number } | null = null;
    for (let depth = 1; frontier.length > 0 && depth <= 100; depth++) {
      const next: string[] = [];
      for (const v of frontier) {
        for (const p of prerequisitesOf.get(v) ?? []) {
          if (previous.has(p)) continue;
          const s = signal(p);
          if (s !== null && s >= WEAK_BELOW) continue; // strong enough: not the cause
          previous.set(p, v);
          depthOf.set(p, depth);
          next.push(p);
          if (s === null) continue; // unknown: pass through, never the root
          if (
            !best ||
            depth > best.depth ||
            (depth === best.depth &&
              (s < best.s || (s === best.s && name(p).localeCompare(name(best.id)) < 0)))
          ) {
            best = { id: p, depth, s };
          }
        }
      }
      frontier = next;
    }
    if (!best) {
      out.set(start, { rootId: start, depth: 0, chain: [start] });
      continue;
    }
    const chain = [best.id];
    for (let at = best.id; at !== start;) {
      at = previous.get(at) ?? start;
      chain.push(at);
    }
    out.set(start, { rootId: best.id, depth: best.depth, chain });
  }
  return out;
}

/** Monday of the week of a YYYY-MM-DD date, as YYYY-MM-DD. */
export function weekOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  d.setUTCDate(d.getUTCDate() - day);
  return d.toISOString().slice(0, 10);
}

/**
 * The cache's text form of BaseStats, about a quarter of plain JSON (the dashboard cache row of
 * a learner with 500 results: ~50 KB instead of ~200 KB, which PostgreSQL writes, compresses and
 * reads back several times faster): papers listed once, results and nodes as arrays, evidence
 * naming its result by position instead of repeating the result's paper and date.
 *   { f: 2, papers: [[id, title]], results: [[id, paper#, takenOn, score, maxScore]],
 *     nodes: [[nodeId, kind, direct 0|1, earned, possible, items, lastPercent, previousPercent,
 *              [[result#, question, marks, maxMarks]]]] }
 */
const CACHE_FORMAT = 2;
type PackedResult = [string, number, string, number, number];
type PackedEvidence = [number, string, number, number];
type PackedNode = [
  string,
  'concept' | 'skill',
  0 | 1,
  number,
  number,
  number,
  number,
  number | null,
  PackedEvidence[],
];
interface PackedStats {
  f: typeof CACHE_FORMAT;
  papers: Array<[string, string]>;
  results: PackedResult[];
  nodes: PackedNode[];
}

export function packBaseStats(stats: BaseStats): string {
  const paperIndex = new Map<string, number>();
  const papers: Array<[string, string]> = [];
  const resultIndex = new Map<string, number>();
  const results = stats.results.map((r, i): PackedResult => {
    let p = paperIndex.get(r.paperId);
    if (p === undefined) {
      p = papers.length;
      paperIndex.set(r.paperId, p);
      papers.push([r.paperId, r.paperTitle]);
    }
    resultIndex.set(r.id, i);
    return [r.id, p, r.takenOn, r.score, r.maxScore];
  });
  const nodes = stats.nodes.map((n): PackedNode => [
    n.nodeId,
    n.kind,
    n.direct ? 1 : 0,
    n.earned,
    n.possible,
    n.items,
    n.lastPercent,
    n.previousPercent,
    n.evidence.map((e): PackedEvidence => {
      const i = resultIndex.get(e.resultId);
      // Evidence always comes from the learner's results; anything else cannot be packed.
      if (i === undefined) throw new Error(`evidence names result ${e.resultId}, not listed`);
      return [i, e.question, e.marks, e.maxMarks];
    }),
  ]);
  const packed: PackedStats = { f: CACHE_FORMAT, papers, results, nodes };
  return JSON.stringify(packed);
}

/** BaseStats from packBaseStats' text; null for any other form (an older cache row: recompute). */
export function unpackBaseStats(text: string): BaseStats | null {
  const packed = JSON.parse(text) as Partial<PackedStats> | null;
  if (packed === null || typeof packed !== 'object' || packed.f !== CACHE_FORMAT) return null;
  const papers = packed.papers ?? [];
  const results: BaseResult[] = (packed.results ?? []).map(([id, p, takenOn, score, maxScore]) => ({
    id,
    paperId: papers[p]![0],
    paperTitle: papers[p]![1],
    takenOn,
    score,
    maxScore,
  }));
  const nodes: BaseNodeStat[] = (packed.nodes ?? []).map(
    ([nodeId, kind, direct, earned, possible, items, lastPercent, previousPercent, evidence]) => ({
      nodeId,
      kind,
      direct: direct === 1,
      earned,
      possible,
      items,
      lastPercent,
      previousPercent,
      evidence: evidence.map(([i, question, marks, maxMarks]) => {
        const r = results[i]!;
        return {
          resultId: r.id,
          paperId: r.paperId,
          paperTitle: r.paperTitle,
          takenOn: r.takenOn,
          question,
          marks,
          maxMarks,
        };
      }),
    }),
  );
  return { results, nodes };
}
