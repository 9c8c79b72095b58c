// Item response theory for the placement test: the four-parameter logistic model (4PL; 2PL and
// 3PL are special cases), its Fisher information, and the parameters an uncalibrated question
// gets from its 1..5 difficulty.
//
// Convention: the logistic metric, D = 1 (no 1.702 scaling constant), as in jsCAT and catR's
// default: P(θ) = c + (d − c) / (1 + exp(−a(θ − b))). Calibrations done on the normal-ogive metric
// (D = 1.702) must multiply their a by 1.702 before they are stored.
import { z } from 'zod';
import type { QuestionDraft } from '../questions/question-model.ts';

/** The scaling constant of the logistic: 1 (the logistic metric). */
export const IRT_SCALING = 1;

export const itemParamsSchema = z
  .object({
    /** Discrimination: how sharply the chance of a right answer rises around b. */
    a: z.number().finite().positive({ message: 'a must be above 0' }),
    /** Difficulty: the ability at which the chance is halfway between c and d. */
    b: z.number().finite(),
    /** Lower asymptote (guessing). */
    c: z
      .number()
      .finite()
      .min(0, { message: 'c must be from 0 up to (not including) 1' })
      .lt(1, { message: 'c must be from 0 up to (not including) 1' })
      .default(0),
    /** Upper asymptote (slipping); 1 for 2PL and 3PL items. */
    d: z.number().finite().max(1, { message: 'd must be at most 1' }).default(1),
  })
  .refine((p) => p.d > p.c, { message: 'd must be above c', path: ['d'] });
export type ItemParams = z.infer<typeof itemParamsSchema>;

/** Chance of a right answer at ability θ. */
export function probability(theta: number, item: ItemParams): number {
  return item.c + (item.d - item.c) / (1 + Math.exp(-IRT_SCALING * item.a * (theta - item.b)));
}

/**
 * Fisher information of the item at θ: P'(θ)² / (P(1 − P)), which for the 4PL is
 * D²a²(P − c)²(d − P)² / ((d − c)² P (1 − P)). For a 2PL item it is a²P(1 − P).
 */
export function information(theta: number, item: ItemParams): number {
  const p = probability(theta, item);
  const q = 1 - p;
  if (p <= 0 || q <= 0) return 0;
  const da = IRT_SCALING * item.a;
  const num = da * da * (p - item.c) ** 2 * (item.d - p) ** 2;
  return num / ((item.d - item.c) ** 2 * p * q);
}

/** How far apart on the θ scale two neighbouring difficulty levels are. */
export const DIFFICULTY_STEP = 0.75;

/** Where the parameters of an item came from. */
export type ItemParamsSource = 'calibrated' | 'difficulty';

export type QuestionForIrt = Pick<QuestionDraft, 'type' | 'difficulty' | 'irt' | 'answers'>;

/**
 * The chance of guessing a question right: 1/options for a single choice question, 1/2 for
 * true/false, 0 for the rest (multiple choice needs the right set of options, the other types an
 * answer that is typed or written).
 */
export function guessingChance(question: Pick<QuestionDraft, 'type' | 'answers'>): number {
  if (question.type === 'true_false') return 0.5;
  if (question.type === 'single_choice' && 'options' in question.answers) {
    const n = question.answers.options.length;
    return n >= 2 ? 1 / n : 0;
  }
  return 0;
}

/**
 * The IRT parameters of a question. Calibrated parameters (irt_a, irt_b, irt_c) are used when they
 * are a valid 3PL item (d = 1); otherwise, or when there are none, they come from the difficulty:
 *   a = 1,  b = (difficulty − 3) × 0.75  (1 → −1.5, 3 → 0, 5 → +1.5; no difficulty counts as 3),
 *   c = guessingChance(question),  d = 1.
 */
export function itemParamsForQuestion(question: QuestionForIrt): {
  params: ItemParams;
  source: ItemParamsSource;
} {
  if (question.irt) {
    const calibrated = itemParamsSchema.safeParse({ ...question.irt, d: 1 });
    if (calibrated.success) return { params: calibrated.data, source: 'calibrated' };
  }
  const difficulty = question.difficulty ?? 3;
  return {
    params: { a: 1, b: (difficulty - 3) * DIFFICULTY_STEP, c: guessingChance(question), d: 1 },
    source: 'difficulty',
  };
}

/** Standard normal cumulative distribution (Abramowitz–Stegun 7.1.26 on erf, error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
