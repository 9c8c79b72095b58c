// Shapes of /api/recommendations and the practice answer (server: recommendations-schemas.ts,
// practice-schemas.ts).
export type Tier = 'weak' | 'prerequisite' | 'consolidate';

export interface NodeRef {
  id: string;
  name: string;
  kind: 'concept' | 'skill';
}

export interface RecommendationTarget {
  node: NodeRef;
  tier: Tier;
  combined: number | null;
  earned: number;
  possible: number;
  masteryPercent: number | null;
  level: number;
}

export interface LearnerQuestion {
  id: string;
  type: string;
  title: string | null;
  stemHtml: string;
  options: { id: string; html: string }[];
  maxMarks: number;
  difficulty: number | null;
}

export interface RecommendationItem {
  position: number;
  questionId: string;
  question: LearnerQuestion | null;
  node: NodeRef;
  tier: Tier;
  difficulty: number | null;
  level: number;
  reason: string;
  done: boolean;
  correct: boolean | null;
  answeredAt: string | null;
}

export interface Progress {
  total: number;
  done: number;
  correct: number;
}

export interface GoldenResource {
  title: string;
  url: string;
  type: string;
  description: string | null;
  skills: string[];
}

interface SetBase {
  id: string;
  learnerId: string;
  status: 'active' | 'archived';
  trigger: 'request' | 'job' | 'seed';
  builtAt: string;
  archivedAt: string | null;
  resultsAt: string | null;
  itemCount: number;
  progress: Progress;
}

export interface RecommendationSet extends SetBase {
  targets: RecommendationTarget[];
  items: RecommendationItem[];
  resources: GoldenResource[];
}

export interface RecommendationSetSummary extends SetBase {
  targets: Pick<RecommendationTarget, 'node' | 'tier' | 'combined'>[];
}

export interface BuildAnswer {
  outcome: 'created' | 'kept';
  message: string;
  set: RecommendationSet;
  archivedSetId: string | null;
}

export type LearnerResponse =
  | { type: 'single_choice'; optionId: string }
  | { type: 'multiple_choice'; optionIds: string[] }
  | { type: 'true_false'; value: boolean }
  | { type: 'numeric'; value: number }
  | { type: 'short_answer'; text: string };

export interface PracticeAnswer {
  responseId: string;
  correct: boolean;
  score: number;
  feedback: string[];
  generalFeedbackHtml: string | null;
  correctAnswerHtml: string | null;
  mastery: { skillId: string; name: string; before: number; after: number; mastered: boolean }[];
}
