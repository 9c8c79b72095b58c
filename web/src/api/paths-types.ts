// Shapes of /api/roles and /api/paths answers (src/modules/paths/paths-schemas.ts).
export type ResourceType = 'article' | 'video' | 'course' | 'book' | 'exercise';

export interface RoleSummary {
  id: string;
  slug: string;
  title: string;
  summary: string;
  allowMarkComplete: boolean;
  includePrerequisites: boolean;
  skillCount: number;
  resourceCount: number;
  updatedAt: string;
}

export interface RoleDetail extends RoleSummary {
  skills: { id: string; externalId: string; name: string; target: number }[];
  resources: {
    id: string;
    title: string;
    url: string;
    type: ResourceType;
    description: string | null;
    skills: { id: string; externalId: string; name: string }[];
  }[];
}

export interface RoleInput {
  slug: string;
  title: string;
  summary: string;
  allowMarkComplete: boolean;
  includePrerequisites: boolean;
  skills: { skill: string; target?: number }[];
  resources: {
    title: string;
    url: string;
    type: ResourceType;
    description?: string;
    skills: string[];
  }[];
}

export interface ModuleSkill {
  id: string;
  externalId: string;
  name: string;
  target: number;
  required: boolean;
  pKnown: number;
  mastered: boolean;
}

export interface ModuleSummary {
  id: string;
  position: number;
  title: string;
  status: 'locked' | 'available' | 'completed';
  completedBy: 'mastery' | 'learner' | null;
  completedAt: string | null;
  skills: ModuleSkill[];
  progress: number;
}

export interface PathSummary {
  id: string;
  roleId: string | null;
  roleTitle: string;
  status: 'active' | 'archived';
  moduleCount: number;
  completedModules: number;
  progress: number;
  nextModule: { id: string; position: number; title: string } | null;
  createdAt: string;
  archivedAt: string | null;
}

export interface PathDetail extends PathSummary {
  userId: string;
  allowMarkComplete: boolean;
  threshold: number;
  modules: ModuleSummary[];
}

/** GET /api/paths/plan: what a path for a role would start with for the learner now. */
export interface PathPlan {
  role: { id: string; slug: string; title: string };
  skillCount: number;
  moduleCount: number;
  firstModule: {
    title: string;
    skills: Omit<ModuleSkill, 'mastered'>[];
  } | null;
  activePathId: string | null;
}

export interface PathList {
  paths: PathSummary[];
  maxActive: number;
  active: number;
}

export interface PracticeQuestion {
  id: string;
  type: string;
  title: string | null;
  stemHtml: string;
  options: { id: string; html: string }[];
  skills: { id: string; name: string }[];
}

export interface ModuleDetail {
  path: PathSummary & { allowMarkComplete: boolean };
  module: ModuleSummary & {
    lesson: {
      objectives: string[];
      explanationHtml: string;
      workedExampleHtml: string;
      summaryHtml: string;
      aiGenerated: true;
      offline: boolean;
      provider: string;
      model: string;
      promptId: string;
      version: number;
      generatedAt: string;
    };
    resources: {
      title: string;
      url: string;
      type: ResourceType;
      description: string | null;
      skills: string[];
    }[];
    questions: PracticeQuestion[];
    navigation: {
      previous: { id: string; title: string } | null;
      next: { id: string; title: string; unlocked: boolean } | null;
    };
  };
}

export type LearnerResponse =
  | { type: 'single_choice'; optionId: string }
  | { type: 'multiple_choice'; optionIds: string[] }
  | { type: 'true_false'; value: boolean }
  | { type: 'numeric'; value: number }
  | { type: 'short_answer'; text: string };

export interface AnswerResult {
  responseId: string;
  correct: boolean;
  score: number;
  counted: boolean;
  feedback: string[];
  generalFeedbackHtml: string | null;
  correctAnswerHtml: string | null;
  mastery: {
    skillId: string;
    name: string;
    before: number;
    after: number;
    mastered: boolean;
    masteredBefore: boolean;
  }[];
}
