// Spaced review with FSRS (ts-fsrs): every question a learner answers gets a review card; the
// grade of each counted answer is the FSRS rating (full credit Good, part credit Hard, none
// Again) and FSRS says when to see the question again. Cards never change knowledge tracing: an
// overdue card only lowers the confidence pages display, by how far its recall probability has
// fallen below the retention FSRS aims for.
import {
  createEmptyCard,
  fsrs,
  generatorParameters,
  Rating,
  type Card,
  type FSRS,
  type Grade as FsrsGrade,
} from 'ts-fsrs';
import type { ReviewCardsTable } from '../../infra/db/schema.ts';

/** The recall probability FSRS schedules for: a card is due when it is expected to fall to this. */
export const REQUEST_RETENTION = 0.9;

export type StoredCard = Omit<ReviewCardsTable, 'user_id' | 'question_id' | 'updated_at'>;

export class ReviewScheduler {
  private readonly f: FSRS;

  constructor(requestRetention = REQUEST_RETENTION) {
    this.f = fsrs(generatorParameters({ request_retention: requestRetention, enable_fuzz: false }));
    this.requestRetention = requestRetention;
  }

  readonly requestRetention: number;

  /** The FSRS rating of an answer worth `score` (0..1) of the question's credit. */
  static rating(score: number): FsrsGrade {
    if (score >= 0.995) return Rating.Good;
    if (score > 0) return Rating.Hard;
    return Rating.Again;
  }

  /** The card after an answer at `now` (a new card when the learner never saw the question). */
  review(card: StoredCard | null, score: number, now: Date): StoredCard {
    const current = card ? toCard(card) : createEmptyCard(now);
    const next = this.f.next(current, now, ReviewScheduler.rating(score)).card;
    return fromCard(next);
  }

  /** P(recall) of the card at `now`, 0..1. */
  retrievability(card: StoredCard, now: Date): number {
    if (card.state === 0 || card.last_review === null) return 1;
    return this.f.get_retrievability(toCard(card), now, false);
  }

  /**
   * How much an overdue card lowers the displayed confidence: 1 until it is due, then its recall
   * probability relative to the retention aimed for (0.9 → 1, 0.45 → 0.5).
   */
  confidenceFactor(card: StoredCard, now: Date): number {
    if (new Date(card.due).getTime() > now.getTime()) return 1;
    return Math.min(1, Math.max(0, this.retrievability(card, now) / this.requestRetention));
  }
}

function toCard(c: StoredCard): Card {
  return {
    due: new Date(c.due),
    stability: c.stability,
    difficulty: c.difficulty,
    elapsed_days: 0,
    scheduled_days: c.scheduled_days,
    learning_steps: c.learning_steps,
    reps: c.reps,
    lapses: c.lapses,
    state: c.state,
    ...(c.last_review ? { last_review: new Date(c.last_review) } : {}),
  };
}

function fromCard(c: Card): StoredCard {
  return {
    due: c.due.toISOString(),
    stability: c.stability,
    difficulty: c.difficulty,
    scheduled_days: c.scheduled_days,
    learning_steps: c.learning_steps,
    reps: c.reps,
    lapses: c.lapses,
    state: c.state,
    last_review: c.last_review ? c.last_review.toISOString() : null,
  };
}
