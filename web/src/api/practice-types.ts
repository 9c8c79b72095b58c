// Shapes of the practice, review and mastery API, inferred from the server's zod schemas
// (type-only imports: nothing of the server reaches the bundle).
import type { z } from 'zod';
import type { LearnerResponse } from '../../../src/modules/questions/grading.ts';
import type {
  answerBody,
  answerResponse,
  cohortResponse,
  dueReviewsResponse,
  evidenceResponse,
  masteryResponse,
  practiceQuestionResponse,
  recentResponse,
} from '../../../src/modules/practice/practice-schemas.ts';

export type { LearnerResponse };
export type PracticeQuestionView = z.infer<typeof practiceQuestionResponse>;
export type AnswerInput = z.input<typeof answerBody>;
export type AnswerResult = z.infer<typeof answerResponse>;
export type SkillChange = AnswerResult['mastery'][number];
export type DueReviews = z.infer<typeof dueReviewsResponse>;
export type DueReview = DueReviews['items'][number];
export type RecentAnswers = z.infer<typeof recentResponse>;
export type RecentAnswer = RecentAnswers['items'][number];
export type MasteryOverview = z.infer<typeof masteryResponse>;
export type SkillMastery = MasteryOverview['skills'][number];
export type SkillEvidence = z.infer<typeof evidenceResponse>;
export type EvidenceEntry = SkillEvidence['entries'][number];
export type CohortMastery = z.infer<typeof cohortResponse>;
export type CohortLearner = CohortMastery['learners'][number];

/** Where a practice answer was given, stored with the response. */
export interface PracticeContext {
  pathId?: string | undefined;
  moduleId?: string | undefined;
}

/** P(L) as a whole percentage, the way every mastery figure is shown. */
export function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}
