// Choosing the questions of a recommendation set, free of I/O: the service feeds it the targets
// (knowledge-graph nodes to practise, with the learner's figures), the prerequisite edges among
// them and the question pool of each, and gets back the items in order, each with its reason.
//
// Order of the targets. A target's prerequisites among the targets (direct or through other
// nodes) always come before it; among the targets whose prerequisites are placed, the one in the
// weakest subtopic comes first (a skill's subtopic is its concept; a concept is its own), then the
// weakest target, then the name and the id (stable). So the weakest subtopics lead, except that a
// weak prerequisite in another subtopic (a weak link's root cause) is practised before what
// depends on it.
//
// The learner's level on a target is its combined signal (marks and BKT mastery, 0..100, the
// tracker's figure) on the bank's 1-5 difficulty scale: level = 1 + 4 × combined / 100. A target
// with no signal of its own (a prerequisite never tested) takes the signal of the weak node that
// depends on it. A question without a difficulty counts as 3.
//
// Questions. Eligible: published, auto-gradable, tagged (accepted) with the target (a concept:
// with it or anything under it), never answered by the learner or answered wrongly the last
// time, and not already chosen for an earlier target. They are grouped by difficulty and the
// groups ordered by distance from the level (ties: the easier first); the target's questions are
// taken one group after the other in turn, so a target gets a mix around its level rather than
// three of the same difficulty. Within a group: wrongly answered before never seen, then id.
// First pass: up to PER_TARGET questions per target, in target order, until SET_SIZE; when the
// set is still short, a second pass tops targets up to 2 × PER_TARGET. Within a target the
// chosen questions are shown easiest first.

export const SET_SIZE = 12;
export const PER_TARGET = 3;
export const DEFAULT_DIFFICULTY = 3;

export type Tier = 'weak' | 'prerequisite' | 'consolidate';

export interface Target {
  nodeId: string;
  name: string;
  kind: 'concept' | 'skill';
  tier: Tier;
  /** Combined signal 0..100 (null: no marks and no practice on it). */
  combined: number | null;
  /** The subtopic's combined signal (a skill's concept; a concept itself), when known. */
  subtopicCombined: number | null;
  earned: number;
  possible: number;
  /** BKT mastery shown to the learner, 0..100, when practised. */
  masteryPercent: number | null;
  /** How it relates to a weak link. */
  link?:
    | {
        role: 'root' | 'chain' | 'dependent';
        /** The weak node losing marks and its marks. */
        weakName: string;
        weakCombined: number;
        weakLost: number;
        weakPossible: number;
        rootName: string;
      }
    | undefined;
}

export interface PoolQuestion {
  id: string;
  difficulty: number | null;
  /** The learner's latest answer: null when never answered. */
  lastCorrect: boolean | null;
}

export interface SelectionInput {
  targets: Target[];
  /** [prerequisite, dependent] edges among the targets and their ancestors (any nodes). */
  edges: Array<[string, string]>;
  pools: Map<string, PoolQuestion[]>;
  /** The learner's overall level signal (0..100) for targets without one. */
  overall: number;
  size?: number;
  perTarget?: number;
  /** Strong threshold (percent), quoted in the reasons of consolidation targets. */
  strongFrom?: number;
}

export interface OrderedTarget extends Target {
  /** 1..5. */
  level: number;
}

export interface SelectedItem {
  questionId: string;
  target: OrderedTarget;
  difficulty: number | null;
  reason: string;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function marks(x: number): string {
  return Number.isInteger(x) ? String(x) : (Math.round(x * 10) / 10).toFixed(1);
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Targets in order: prerequisites first, then weakest subtopic, weakest node, name, id. */
export function orderTargets(
  targets: readonly Target[],
  edges: ReadonlyArray<readonly [string, string]>,
  overall: number,
): OrderedTarget[] {
  const ids = new Set(targets.map((t) => t.nodeId));
  // Reachability over every node given, then restricted to the targets.
  const next = new Map<string, string[]>();
  for (const [a, b] of edges) {
    const list = next.get(a);
    if (list) list.push(b);
    else next.set(a, [b]);
  }
  const mustPrecede = new Map<string, Set<string>>(); // dependent -> its prerequisites in targets
  for (const t of targets) mustPrecede.set(t.nodeId, new Set());
  for (const t of targets) {
    const seen = new Set<string>([t.nodeId]);
    const stack = [...(next.get(t.nodeId) ?? [])];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      if (ids.has(n)) mustPrecede.get(n)!.add(t.nodeId);
      stack.push(...(next.get(n) ?? []));
    }
  }
  const own = (t: Target) => t.combined ?? t.link?.weakCombined ?? overall;
  const subtopic = (t: Target) => t.subtopicCombined ?? own(t);
  const better = (a: Target, b: Target) =>
    subtopic(a) - subtopic(b) ||
    own(a) - own(b) ||
    compareText(a.name, b.name) ||
    compareText(a.nodeId, b.nodeId);
  const placed = new Set<string>();
  const remaining = [...targets];
  const out: OrderedTarget[] = [];
  while (remaining.length > 0) {
    const ready = remaining.filter((t) =>
      [...mustPrecede.get(t.nodeId)!].every((p) => placed.has(p)),
    );
    // The graph is acyclic; should a cycle slip through, the best remaining target goes next.
    const pool = ready.length > 0 ? ready : remaining;
    const best = pool.reduce((m, t) => (better(t, m) < 0 ? t : m));
    remaining.splice(remaining.indexOf(best), 1);
    placed.add(best.nodeId);
    out.push({ ...best, level: round1(1 + (4 * Math.min(100, Math.max(0, own(best)))) / 100) });
  }
  return out;
}

function nodeReason(t: OrderedTarget, strongFrom: number): string {
  let text: string;
  if (t.possible > 0) {
    text = `You lost ${marks(t.possible - t.earned)} of ${marks(t.possible)} marks on ${t.name}`;
    if (t.masteryPercent !== null) text += ` (practice mastery ${t.masteryPercent} %)`;
  } else if (t.masteryPercent !== null) {
    text = `Your practice mastery of ${t.name} is ${t.masteryPercent} %`;
  } else {
    text = `${t.name} has not been tested yet`;
  }
  const l = t.link;
  if (l?.role === 'root') {
    text += `; it is a prerequisite of ${l.weakName} (${marks(l.weakLost)} of ${marks(l.weakPossible)} marks lost there) and the earliest weak one`;
  } else if (l?.role === 'chain') {
    text += `; it lies between ${l.rootName} and ${l.weakName} in the prerequisites`;
  } else if (l?.role === 'dependent') {
    text += `; it comes after its weak prerequisite ${l.rootName}`;
  }
  if (t.tier === 'consolidate') {
    text += `; not weak, but below ${strongFrom} %: worth consolidating`;
  }
  return text;
}

function questionReason(q: PoolQuestion, level: number): string {
  const seen = q.lastCorrect === false ? 'You got this question wrong last time' : 'New to you';
  if (q.difficulty === null) return `${seen}; no difficulty set, taken as middling`;
  const diff = q.difficulty - level;
  const where =
    Math.abs(diff) < 0.5
      ? 'at your level'
      : diff < 0
        ? 'a step easier, to build up'
        : 'a step harder, to stretch you';
  return `${seen}; difficulty ${q.difficulty} of 5, ${where}`;
}

/** The questions of one target in the order they would be taken (see the header). */
export function rankPool(pool: readonly PoolQuestion[], level: number): PoolQuestion[] {
  const groups = new Map<number, PoolQuestion[]>();
  for (const q of pool) {
    if (q.lastCorrect === true) continue;
    const d = q.difficulty ?? DEFAULT_DIFFICULTY;
    const g = groups.get(d);
    if (g) g.push(q);
    else groups.set(d, [q]);
  }
  const rank = (q: PoolQuestion) => (q.lastCorrect === false ? 0 : 1);
  for (const g of groups.values()) g.sort((a, b) => rank(a) - rank(b) || compareText(a.id, b.id));
  const order = [...groups.keys()].sort(
    (a, b) => Math.abs(a - level) - Math.abs(b - level) || a - b,
  );
  const out: PoolQuestion[] = [];
  for (let round = 0; out.length < pool.length; round++) {
    let took = false;
    for (const d of order) {
      const q = groups.get(d)![round];
      if (q) {
        out.push(q);
        took = true;
      }
    }
    if (!took) break;
  }
  return out;
}

export function selectItems(input: SelectionInput): {
  targets: OrderedTarget[];
  items: SelectedItem[];
} {
  const size = input.size ?? SET_SIZE;
  const perTarget = input.perTarget ?? PER_TARGET;
  const strongFrom = input.strongFrom ?? 80;
  const targets = orderTargets(input.targets, input.edges, input.overall);
  const chosen = new Set<string>();
  const byTarget = new Map<string, Array<{ q: PoolQuestion; pick: number }>>();
  const ranked = new Map(
    targets.map((t) => [t.nodeId, rankPool(input.pools.get(t.nodeId) ?? [], t.level)]),
  );
  let total = 0;
  for (const quota of [perTarget, 2 * perTarget]) {
    for (const t of targets) {
      if (total >= size) break;
      const mine = byTarget.get(t.nodeId) ?? [];
      byTarget.set(t.nodeId, mine);
      for (const q of ranked.get(t.nodeId)!) {
        if (mine.length >= quota || total >= size) break;
        if (chosen.has(q.id)) continue;
        chosen.add(q.id);
        mine.push({ q, pick: mine.length });
        total++;
      }
    }
  }
  const items: SelectedItem[] = [];
  for (const t of targets) {
    const mine = [...(byTarget.get(t.nodeId) ?? [])].sort(
      (a, b) =>
        (a.q.difficulty ?? DEFAULT_DIFFICULTY) - (b.q.difficulty ?? DEFAULT_DIFFICULTY) ||
        a.pick - b.pick,
    );
    for (const { q } of mine) {
      items.push({
        questionId: q.id,
        target: t,
        difficulty: q.difficulty,
        reason: `${nodeReason(t, strongFrom)}. ${questionReason(q, t.level)}.`,
      });
    }
  }
  return { targets, items };
}
