// The offline question tagger: ranks knowledge-graph nodes for a question with BM25 (hand-written,
// no dependency), and says how sure it is and why. Pure: no database, no clock, no network.
//
// What is ranked. The most specific nodes: every skill, and every concept that has nothing under
// it. A concept is never proposed beside its skills: the question bank's concept filter already
// includes a concept's whole subtree, so an accepted skill tag puts the question under its
// concept and every concept above it. Each node is one document made of weighted fields (a
// simple BM25F): its name (×3), its description (×1), its parent concept's name (×1.5) and the
// names of the concepts above that (×0.75). Sibling skills share their ancestors' words, which
// tell subjects apart; their own names and descriptions tell siblings apart.
//
// The query. The question's title and stem (weight 1), its options and accepted answers (0.5) and
// its feedback (0.5), analysed like the nodes (tagging-text.ts). A word counts once, with the
// highest weight it appears with.
//
// Confidence, in 0..1, is the product of two parts:
//  - share: how clearly the node beats the others. Scores relative to the best one (r = s/s₁)
//    go through a softmax with temperature 0.1 over every node that matched: a lone winner gets
//    ~1, two nodes with equal scores ~0.5 each, a runner-up at 80 % of the best ~0.12.
//  - strength: how much evidence there is at all, 1 − exp(−s₁ / S₀), where S₀ is the mean idf of
//    the graph's vocabulary (about the score of one ordinary matching word): one weak match gives
//    ~0.35, three good ones ~0.95.
// The reason lists the matched words and where each was found (name, description, concept),
// and which of them were read from the question's mathematics rather than written.
import { analyse, type Term } from './tagging-text.ts';

export interface TaggingNode {
  /** Internal id (graph_nodes.id). */
  id: string;
  externalId: string;
  kind: 'concept' | 'skill';
  name: string;
  description: string;
  /** The parent concept (for a skill: its concept). */
  parentId: string | null;
}

export interface TaggingQuestion {
  title?: string | null | undefined;
  stem: string;
  /** Option texts, accepted answers, numbers as written. */
  answers?: readonly string[] | undefined;
  /** General and per-answer feedback. */
  feedback?: readonly string[] | undefined;
}

export type MatchField = 'name' | 'description' | 'ancestor';

export interface MatchedTerm {
  term: string;
  /** The question's word for it, as written. */
  word: string;
  /** Read from the question's mathematics (3/4 → "fraction"), not written as a word. */
  notation: boolean;
  fields: MatchField[];
  /** This term's part of the score. */
  contribution: number;
}

export interface TagCandidate {
  nodeId: string;
  externalId: string;
  name: string;
  kind: 'concept' | 'skill';
  score: number;
  /** 0..1, see the header. */
  confidence: number;
  reason: string;
  matches: MatchedTerm[];
}

export interface RankOptions {
  /** How many candidates to return (default 5). */
  limit?: number;
}

export const FIELD_WEIGHTS = { name: 3, description: 1, parent: 1.5, ancestor: 0.75 } as const;
export const QUERY_WEIGHTS = { stem: 1, answers: 0.5, feedback: 0.5 } as const;
const K1 = 1.2;
const B = 0.75;
const SHARE_TEMPERATURE = 0.1;
/** Names of ancestors beyond this depth add nothing (and bound hostile data). */
const MAX_ANCESTORS = 20;

const FIELD_BIT: Record<MatchField, number> = { name: 1, description: 2, ancestor: 4 };

interface Posting {
  doc: number;
  tf: number;
  fields: number;
}

interface Document {
  node: TaggingNode;
  /** Ancestor concept names, nearest first (for the reason). */
  ancestors: string[];
  /** Which ancestor holds a stem first (for the reason). */
  ancestorOf: Map<string, string>;
}

export class TaggingIndex {
  private readonly postings = new Map<string, Posting[]>();
  private readonly idf = new Map<string, number>();
  private readonly docs: Document[] = [];
  /** BM25 length normalisation per document. */
  private readonly norm: Float64Array;
  /** S₀ of the strength part of the confidence. */
  readonly referenceScore: number;

  constructor(nodes: readonly TaggingNode[]) {
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const hasChildren = new Set<string>();
    for (const n of nodes)
      if (n.parentId !== null && byId.has(n.parentId)) hasChildren.add(n.parentId);
    const lengths: number[] = [];
    for (const node of nodes) {
      if (node.kind === 'concept' && hasChildren.has(node.id)) continue;
      const counts = new Map<string, { tf: number; fields: number }>();
      const add = (terms: Term[], weight: number, field: MatchField) => {
        for (const t of terms) {
          const entry = counts.get(t.stem) ?? { tf: 0, fields: 0 };
          entry.tf += weight;
          entry.fields |= FIELD_BIT[field];
          counts.set(t.stem, entry);
        }
      };
      add(analyse(node.name), FIELD_WEIGHTS.name, 'name');
      add(analyse(node.description), FIELD_WEIGHTS.description, 'description');
      const ancestors: string[] = [];
      const ancestorOf = new Map<string, string>();
      const seen = new Set([node.id]);
      let parent = node.parentId === null ? undefined : byId.get(node.parentId);
      while (parent && !seen.has(parent.id) && ancestors.length < MAX_ANCESTORS) {
        seen.add(parent.id);
        const terms = analyse(parent.name);
        add(
          terms,
          ancestors.length === 0 ? FIELD_WEIGHTS.parent : FIELD_WEIGHTS.ancestor,
          'ancestor',
        );
        for (const t of terms) if (!ancestorOf.has(t.stem)) ancestorOf.set(t.stem, parent.name);
        ancestors.push(parent.name);
        parent = parent.parentId === null ? undefined : byId.get(parent.parentId);
      }
      const doc = this.docs.length;
      this.docs.push({ node, ancestors, ancestorOf });
      let length = 0;
      for (const [stem, entry] of counts) {
        length += entry.tf;
        const list = this.postings.get(stem) ?? [];
        list.push({ doc, tf: entry.tf, fields: entry.fields });
        this.postings.set(stem, list);
      }
      lengths.push(length);
    }
    const n = this.docs.length;
    const average = lengths.reduce((a, b) => a + b, 0) / Math.max(1, n);
    this.norm = Float64Array.from(lengths, (l) => K1 * (1 - B + (B * l) / (average || 1)));
    let idfSum = 0;
    for (const [stem, list] of this.postings) {
      const value = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      this.idf.set(stem, value);
      idfSum += value;
    }
    this.referenceScore = this.idf.size > 0 ? idfSum / this.idf.size : 1;
  }

  /** How many nodes can be proposed. */
  get size(): number {
    return this.docs.length;
  }

  /** External ids of the nodes the index can propose. */
  externalIds(): string[] {
    return this.docs.map((d) => d.node.externalId);
  }

  /** The question's weighted terms: each stem once, with its best weight and first word. */
  static queryTerms(
    question: TaggingQuestion,
  ): Map<string, { weight: number; word: string; notation: boolean }> {
    const terms = new Map<string, { weight: number; word: string; notation: boolean }>();
    const add = (texts: readonly (string | null | undefined)[], weight: number) => {
      for (const text of texts) {
        if (!text) continue;
        for (const t of analyse(text)) {
          const current = terms.get(t.stem);
          if (!current) {
            terms.set(t.stem, { weight, word: t.surface, notation: t.notation });
            continue;
          }
          if (current.weight < weight) current.weight = weight;
          // A word the question wrote explains a match better than one read from notation.
          if (current.notation && !t.notation) {
            current.word = t.surface;
            current.notation = false;
          }
        }
      }
    };
    add([question.title, question.stem], QUERY_WEIGHTS.stem);
    add(question.answers ?? [], QUERY_WEIGHTS.answers);
    add(question.feedback ?? [], QUERY_WEIGHTS.feedback);
    return terms;
  }

  /** Nodes for the question, best first, with confidence and reason; empty when nothing matches. */
  rank(question: TaggingQuestion, options: RankOptions = {}): TagCandidate[] {
    const limit = Math.max(1, options.limit ?? 5);
    const query = TaggingIndex.queryTerms(question);
    const scores = new Map<number, number>();
    const contributions = new Map<number, Array<{ stem: string; value: number; fields: number }>>();
    for (const [stem, { weight }] of query) {
      const list = this.postings.get(stem);
      if (!list) continue;
      const idf = this.idf.get(stem) ?? 0;
      for (const p of list) {
        const value = weight * idf * ((p.tf * (K1 + 1)) / (p.tf + (this.norm[p.doc] ?? K1)));
        scores.set(p.doc, (scores.get(p.doc) ?? 0) + value);
        const parts = contributions.get(p.doc) ?? [];
        parts.push({ stem, value, fields: p.fields });
        contributions.set(p.doc, parts);
      }
    }
    const ranked = [...scores]
      .filter(([, s]) => s > 0)
      .sort(
        (a, b) =>
          b[1] - a[1] ||
          (this.docs[a[0]]?.node.externalId ?? '').localeCompare(
            this.docs[b[0]]?.node.externalId ?? '',
          ),
      );
    const best = ranked[0]?.[1];
    if (best === undefined) return [];
    let denominator = 0;
    for (const [, s] of ranked) denominator += Math.exp((s / best - 1) / SHARE_TEMPERATURE);
    const strength = 1 - Math.exp(-best / this.referenceScore);
    return ranked.slice(0, limit).map(([doc, score]) => {
      const d = this.docs[doc] as Document;
      const share = Math.exp((score / best - 1) / SHARE_TEMPERATURE) / denominator;
      const matches = (contributions.get(doc) ?? [])
        .sort((a, b) => b.value - a.value)
        .map((c) => ({
          term: c.stem,
          word: query.get(c.stem)?.word ?? c.stem,
          notation: query.get(c.stem)?.notation ?? false,
          fields: (Object.keys(FIELD_BIT) as MatchField[]).filter(
            (f) => (c.fields & FIELD_BIT[f]) !== 0,
          ),
          contribution: round(c.value, 3),
        }));
      return {
        nodeId: d.node.id,
        externalId: d.node.externalId,
        name: d.node.name,
        kind: d.node.kind,
        score: round(score, 3),
        confidence: round(Math.min(1, Math.max(0, share * strength)), 3),
        reason: describeMatches(matches, d),
        matches,
      };
    });
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const join = (words: string[]) => {
  const quoted = words.map((w) => `“${w}”`);
  return quoted.length <= 1
    ? (quoted[0] ?? '')
    : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1) ?? ''}`;
};

/** “solve”, plus “two” and “step” read from the maths, */
const quoteList = (matches: MatchedTerm[]) => {
  const written = join(matches.filter((m) => !m.notation).map((m) => m.word));
  const maths = join(matches.filter((m) => m.notation).map((m) => m.word));
  if (maths === '') return written;
  return written === ''
    ? `${maths} read from the maths,`
    : `${written}, plus ${maths} read from the maths,`;
};

/** "Matched “simplest” and “fraction” in the name; “denominator” in the description; …". */
function describeMatches(matches: MatchedTerm[], doc: Document): string {
  const own = { name: [] as MatchedTerm[], description: [] as MatchedTerm[] };
  const byAncestor = new Map<string, MatchedTerm[]>();
  for (const m of matches.slice(0, 8)) {
    if (m.fields.includes('name')) own.name.push(m);
    else if (m.fields.includes('description')) own.description.push(m);
    else {
      const ancestor = doc.ancestorOf.get(m.term) ?? doc.ancestors[0] ?? 'its concept';
      byAncestor.set(ancestor, [...(byAncestor.get(ancestor) ?? []), m]);
    }
  }
  const parts: string[] = [];
  const what = doc.node.kind === 'skill' ? 'skill' : 'concept';
  if (own.name.length > 0) parts.push(`${quoteList(own.name)} in the ${what} name`);
  if (own.description.length > 0) parts.push(`${quoteList(own.description)} in its description`);
  for (const [ancestor, words] of byAncestor) {
    parts.push(`${quoteList(words)} in the concept “${ancestor}”`);
  }
  return parts.length > 0 ? `Matched ${parts.join('; ')}.` : 'No words in common.';
}
