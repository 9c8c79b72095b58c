// Demo papers and results for `seed --demo` and the first start of an empty database: four
// recent maths papers over the demo knowledge graph (config/demo/graph) and five attempts by the
// demo learner, with marks drawn from fixed per-skill strengths so the dashboard has a trend, an
// improvement on a retaken paper, and weak links: *Adding fractions* loses marks because
// *Find equivalent fractions*, its prerequisite, is weak. Runs after the demo accounts and
// graph; does nothing when any paper exists. The weekly aggregate runs once so the cohort view
// has figures.
import type { Clock } from '../../platform/clock.ts';
import type { GraphService } from '../graph/graph-service.ts';
import type { TrackerService } from './tracker-service.ts';

/** How well the demo learner does on each skill (share of marks), before improving. */
const STRENGTH: Record<string, number> = {
  'identify-fractions': 0.9,
  'factors-multiples': 0.85,
  'equivalent-fractions': 0.3,
  'simplify-fractions': 0.45,
  'compare-fractions': 0.5,
  'common-multiples-lcm': 0.8,
  'add-fractions-same-denominator': 0.9,
  'add-fractions': 0.35,
  'add-mixed-numbers': 0.4,
  'mixed-improper': 0.7,
  'multiply-fractions': 0.7,
  'fraction-of-amount': 0.85,
  'decimal-place-value': 0.9,
  'fractions-to-decimals': 0.5,
  'fdp-conversion': 0.55,
  'percentage-of-amount': 0.75,
  'round-whole-numbers': 0.95,
  'place-value-digits': 0.95,
  'simplify-ratio': 0.65,
  'share-in-ratio': 0.6,
};

/** Papers: [title, year, [number, max marks, skill]…]. */
const PAPERS: Array<{ title: string; year: number; questions: Array<[string, number, string]> }> = [
  {
    title: 'June 2025 Paper 2',
    year: 2025,
    questions: [
      ['1', 2, 'place-value-digits'],
      ['2a', 2, 'identify-fractions'],
      ['2b', 3, 'equivalent-fractions'],
      ['3', 4, 'add-fractions'],
      ['4a', 2, 'simplify-fractions'],
      ['4b', 3, 'add-mixed-numbers'],
      ['5', 4, 'percentage-of-amount'],
      ['6', 4, 'share-in-ratio'],
    ],
  },
  {
    title: 'November 2024 Paper 1',
    year: 2024,
    questions: [
      ['1', 2, 'round-whole-numbers'],
      ['2', 3, 'factors-multiples'],
      ['3a', 2, 'equivalent-fractions'],
      ['3b', 3, 'compare-fractions'],
      ['4', 4, 'add-fractions'],
      ['5', 3, 'fraction-of-amount'],
      ['6', 4, 'fractions-to-decimals'],
    ],
  },
  {
    title: 'June 2024 Paper 3',
    year: 2024,
    questions: [
      ['1', 3, 'decimal-place-value'],
      ['2', 3, 'mixed-improper'],
      ['3a', 2, 'equivalent-fractions'],
      ['3b', 4, 'add-fractions'],
      ['4', 4, 'multiply-fractions'],
      ['5', 4, 'fdp-conversion'],
      ['6', 3, 'simplify-ratio'],
    ],
  },
  {
    title: 'Practice Paper A',
    year: 2025,
    questions: [
      ['1', 2, 'add-fractions-same-denominator'],
      ['2', 3, 'common-multiples-lcm'],
      ['3', 4, 'add-fractions'],
      ['4', 3, 'simplify-fractions'],
      ['5', 4, 'percentage-of-amount'],
      ['6', 3, 'equivalent-fractions'],
    ],
  },
];

/** [paper index, days ago, improvement in share of marks]. The first paper is retaken last. */
const ATTEMPTS: Array<[number, number, number]> = [
  [1, 38, 0],
  [2, 27, 0.02],
  [3, 17, 0.04],
  [0, 9, 0.05],
  [0, 2, 0.12],
];

export const DEMO_LEARNER_EMAIL = 'learner@example.com';
export const DEMO_INSTRUCTOR_EMAIL = 'instructor@example.com';

export async function seedDemoTracker(deps: {
  tracker: TrackerService;
  graph: GraphService;
  clock: Clock;
  accounts: { findUserByEmail(email: string): Promise<{ id: string } | undefined> };
}): Promise<{ status: 'skipped' } | { status: 'seeded'; papers: number; results: number }> {
  if ((await deps.tracker.listPapers({ limit: 1, offset: 0 })).total > 0) {
    return { status: 'skipped' };
  }
  const learner = await deps.accounts.findUserByEmail(DEMO_LEARNER_EMAIL);
  const instructor = await deps.accounts.findUserByEmail(DEMO_INSTRUCTOR_EMAIL);
  if (!learner || !instructor) return { status: 'skipped' };
  const wanted = [...new Set(PAPERS.flatMap((p) => p.questions.map((q) => q[2])))];
  const nodes = await deps.graph.nodesByExternalId(wanted);
  if (nodes.size !== wanted.length) return { status: 'skipped' }; // not the demo graph

  const staff = { id: instructor.id, role: 'instructor' as const };
  const paperIds: string[] = [];
  for (const p of PAPERS) {
    const paper = await deps.tracker.createPaper(staff, {
      title: p.title,
      subject: 'Mathematics',
      board: 'Demo board',
      year: p.year,
      questions: p.questions.map(([number, maxMarks, skill]) => ({
        number,
        maxMarks,
        nodes: [skill],
      })),
    });
    paperIds.push(paper.id);
  }
  const now = deps.clock.now().getTime();
  const self = { id: learner.id, role: 'learner' as const };
  let n = 0;
  for (const [paperIndex, daysAgo, better] of ATTEMPTS) {
    const p = PAPERS[paperIndex]!;
    const takenOn = new Date(now - daysAgo * 86_400_000).toISOString().slice(0, 10);
    // Stable ids (v4-shaped), so a repeated seed of the same database would find them.
    const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    await deps.tracker.putResult(self, id, {
      paperId: paperIds[paperIndex]!,
      takenOn,
      marks: p.questions.map(([number, max, skill]) => {
        const share = Math.min(1, (STRENGTH[skill] ?? 0.6) + better);
        return { question: number, marks: Math.round(share * max) };
      }),
    });
  }
  await deps.tracker.runWeeklyAggregate();
  return { status: 'seeded', papers: PAPERS.length, results: ATTEMPTS.length };
}
