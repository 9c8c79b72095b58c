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

/** Chronological: date, then when it was logged, then id (stable). */
function byTime(a: ResultRow, b: ResultRow): number {
  return (
    a.taken_on.localeCompare(b.taken_on) ||
    a.created_at.localeCompare(b.created_at) ||
    a.id.localeCompare(b.id)
  );
}

export function computeBaseStats(
  results: readonly ResultRow[],
  marks: readonly MarkRow[],
  questions: readonly QuestionRow[],
  questionNodes: readonly QuestionNodeRow[],
): BaseStats {
  const ordered = [...results].sort(byTime);
  const maxOf = new Map<string, number>();
  for (const q of questions) maxOf.set(`${q.paper_id}\u0000${q.number}`, q.max_marks);
  const nodesOf = new Map<string, QuestionNodeRow[]>();
  for (const n of questionNodes) {
    const key = `${n.paper_id}\u0000${n.number}`;
    const list = nodesOf.get(key);
    if (list) list.push(n);
    else nodesOf.set(key, [n]);
  }
  const marksOf = new Map<string, MarkRow[]>();
  for (const m of marks) {
    const list = marksOf.get(m.result_id);
    if (list) list.push(m);
    else marksOf.set(m.result_id, [m]);
  }

  interface Acc {
    stat: BaseNodeStat;
    /** Per result that tested it, chronological: [earned, possible]. */
    perResult: Array<[number, number]>;
    lastResult: string | null;
    evidence: BaseEvidence[];
  }
  const acc = new Map<string, Acc>();
  for (const r of ordered) {
    for (const m of marksOf.get(r.id) ?? []) {
      const key = `${r.paper_id}\u0000${m.number}`;
      const max = maxOf.get(key);
      if (max === undefined) continue;
      for (const n of nodesOf.get(key) ?? []) {
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
            perResult: [],
            lastResult: null,
            evidence: [],
          };
          acc.set(n.node_id, a);
        }
        if (n.via === 'tag') a.stat.direct = true;
        a.stat.earned += m.marks;
        a.stat.possible += max;
        a.stat.items += 1;
        if (a.lastResult !== r.id) {
          a.perResult.push([0, 0]);
          a.lastResult = r.id;
        }
        const cur = a.perResult[a.perResult.length - 1]!;
        cur[0] += m.marks;
        cur[1] += max;
        if (m.marks < max) {
          a.evidence.push({
            resultId: r.id,
            paperId: r.paper_id,
            paperTitle: r.paper_title,
            takenOn: r.taken_on,
            question: m.number,
            marks: m.marks,
            maxMarks: max,
          });
        }
      }
    }
  }
  const nodes: BaseNodeStat[] = [];
  for (const a of acc.values()) {
    const last = a.perResult[a.perResult.length - 1];
    const previous = a.perResult.length > 1 ? a.perResult[a.perResult.length - 2] : undefined;
    a.stat.lastPercent = last ? percentOf(last[0], last[1]) : 0;
    a.stat.previousPercent = previous ? percentOf(previous[0], previous[1]) : null;
    // Latest first, then the most marks lost.
    a.stat.evidence = a.evidence
      .reverse()
      .slice(0, EVIDENCE_PER_NODE * 4)
      .sort(
        (x, y) =>
          y.takenOn.localeCompare(x.takenOn) || y.maxMarks - y.marks - (x.maxMarks - x.marks),
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
