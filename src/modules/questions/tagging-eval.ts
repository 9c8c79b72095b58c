// Measuring the tagger on a labelled set: a CSV of questions with the skills they assess
// (`stem,options,skills`, lists `|`-separated, `\|` for a literal bar), ranked against a graph.
//
// precision@1: the share of questions whose first candidate is one of their gold skills.
// recall@3:    the share of all gold (question, skill) pairs found among the first three
//              candidates of their question (a question with two gold skills counts twice).
import { parse } from 'csv-parse/sync';
import type { TaggingIndex, TagCandidate } from './auto-tagger.ts';

export interface LabelledQuestion {
  line: number;
  stem: string;
  options: string[];
  feedback: string[];
  /** Gold external ids. */
  skills: string[];
}

export interface LabelledProblem {
  line: number;
  message: string;
}

const splitList = (cell: string | undefined) =>
  (cell ?? '')
    .split(/(?<!\\)\|/)
    .map((v) => v.replace(/\\\|/g, '|').trim())
    .filter((v) => v !== '');

/** Parse the labelled CSV; every problem with its line (an empty list means the file is usable). */
export function parseLabelledCsv(text: string): {
  questions: LabelledQuestion[];
  problems: LabelledProblem[];
} {
  const problems: LabelledProblem[] = [];
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true });
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return {
      questions: [],
      problems: [{ line, message: `not a readable CSV file: ${(err as Error).message}` }],
    };
  }
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const column = (name: string) => header.indexOf(name);
  const stemAt = column('stem');
  const skillsAt = column('skills');
  if (stemAt === -1 || skillsAt === -1) {
    return {
      questions: [],
      problems: [
        {
          line: 1,
          message:
            'the header must name the columns stem and skills (options and feedback are optional)',
        },
      ],
    };
  }
  const known = new Set(['stem', 'options', 'skills', 'feedback', 'answers']);
  for (const h of header) {
    if (!known.has(h)) problems.push({ line: 1, message: `unknown column "${h}"` });
  }
  const optionsAt = column('options') === -1 ? column('answers') : column('options');
  const feedbackAt = column('feedback');
  const questions: LabelledQuestion[] = [];
  records.slice(1).forEach((record, i) => {
    const line = i + 2;
    const stem = (record[stemAt] ?? '').trim();
    const skills = splitList(record[skillsAt]);
    if (stem === '') problems.push({ line, message: 'the stem is empty' });
    if (skills.length === 0) problems.push({ line, message: 'no gold skills' });
    questions.push({
      line,
      stem,
      options: optionsAt === -1 ? [] : splitList(record[optionsAt]),
      feedback: feedbackAt === -1 ? [] : splitList(record[feedbackAt]),
      skills,
    });
  });
  if (questions.length === 0 && problems.length === 0) {
    problems.push({ line: 1, message: 'the file has no questions' });
  }
  return { questions, problems };
}

export interface EvaluationMiss {
  line: number;
  stem: string;
  gold: string[];
  predicted: string[];
}

export interface EvaluationReport {
  questions: number;
  goldSkills: number;
  precisionAt1: number;
  recallAt3: number;
  /** Questions with no candidate at all. */
  unmatched: number;
  /** precision@1 among the questions whose first candidate has confidence ≥ each threshold. */
  byConfidence: Array<{ threshold: number; questions: number; precisionAt1: number | null }>;
  misses: EvaluationMiss[];
  milliseconds: number;
}

export const CONFIDENCE_THRESHOLDS = [0, 0.3, 0.5, 0.7, 0.9];

/** Rank every question and score the first candidates against the gold skills. */
export function evaluate(
  index: TaggingIndex,
  questions: readonly LabelledQuestion[],
  now: () => number = () => performance.now(),
): EvaluationReport {
  const started = now();
  let hits1 = 0;
  let found3 = 0;
  let gold = 0;
  let unmatched = 0;
  const misses: EvaluationMiss[] = [];
  const firsts: Array<{ confidence: number; hit: boolean }> = [];
  for (const q of questions) {
    const ranked: TagCandidate[] = index.rank(
      { stem: q.stem, answers: q.options, feedback: q.feedback },
      { limit: 3 },
    );
    const ids = ranked.map((c) => c.externalId);
    const goldSet = new Set(q.skills);
    gold += goldSet.size;
    const first = ranked[0];
    const hit = first !== undefined && goldSet.has(first.externalId);
    if (!first) unmatched += 1;
    if (hit) hits1 += 1;
    else misses.push({ line: q.line, stem: q.stem, gold: [...goldSet], predicted: ids });
    firsts.push({ confidence: first?.confidence ?? 0, hit });
    for (const id of goldSet) if (ids.includes(id)) found3 += 1;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  return {
    questions: questions.length,
    goldSkills: gold,
    precisionAt1: ratio(hits1, questions.length),
    recallAt3: ratio(found3, gold),
    unmatched,
    byConfidence: CONFIDENCE_THRESHOLDS.map((threshold) => {
      const above = firsts.filter((f) => f.confidence >= threshold);
      return {
        threshold,
        questions: above.length,
        precisionAt1:
          above.length === 0 ? null : ratio(above.filter((f) => f.hit).length, above.length),
      };
    }),
    misses,
    milliseconds: now() - started,
  };
}
