import type { NodeSearchQuery } from './graph-types';
import type { JobListQuery } from './jobs-types';
import type { LlmUsageQuery } from './llm-types';
import type { QuestionListQuery } from './questions-types';
import type { AuditLogQuery, UserListQuery } from './types';

/** Every react-query key in one place, so invalidation cannot miss a spelling. */
export const queryKeys = {
  me: ['me'] as const,
  users: {
    all: ['users'] as const,
    list: (query: UserListQuery) => ['users', 'list', query] as const,
  },
  auditLog: {
    all: ['audit-log'] as const,
    list: (query: AuditLogQuery) => ['audit-log', 'list', query] as const,
  },
  jobs: {
    all: ['jobs'] as const,
    list: (query: JobListQuery) => ['jobs', 'list', query] as const,
  },
  llm: {
    usageAll: ['llm', 'usage'] as const,
    usage: (query: LlmUsageQuery) => ['llm', 'usage', query] as const,
    budgets: ['llm', 'budgets'] as const,
    features: ['llm', 'features'] as const,
  },
  questions: {
    all: ['questions'] as const,
    list: (query: QuestionListQuery) => ['questions', 'list', query] as const,
    detail: (id: string) => ['questions', 'detail', id] as const,
  },
  /** Auto-tagging: suggestions under the question bank's prefix, the job under `jobs`. */
  tagging: {
    suggestions: (query: object) => ['questions', 'suggestions', query] as const,
    // Shaped as a job list under `jobs`, so the live job events update it too.
    job: (jobId: string) => ['jobs', 'auto-tag', jobId] as const,
  },
  /** OCR ingestion: under the question bank's prefix, so its refreshes cover them. */
  questionOcr: {
    all: ['questions', 'ocr'] as const,
    list: (query: object) => ['questions', 'ocr', 'list', query] as const,
    detail: (id: string) => ['questions', 'ocr', 'detail', id] as const,
    ofQuestion: (questionId: string) => ['questions', 'ocr', 'of-question', questionId] as const,
  },
  tracker: {
    all: ['tracker'] as const,
    papers: ['tracker', 'papers'] as const,
    results: ['tracker', 'results'] as const,
    dashboard: ['tracker', 'dashboard'] as const,
    cohort: ['tracker', 'cohort'] as const,
  },
  /** Practice answers change everything under `practice`: mastery, reviews, recent answers. */
  practice: {
    all: ['practice'] as const,
    due: (limit: number) => ['practice', 'due', limit] as const,
    recent: (limit: number) => ['practice', 'recent', limit] as const,
    mastery: (userId: string) => ['practice', 'mastery', userId] as const,
    evidence: (skillId: string, userId: string) =>
      ['practice', 'evidence', skillId, userId] as const,
    cohort: (filter: object) => ['practice', 'cohort', filter] as const,
    // Apart from `practice`: a question does not change when it is answered.
    question: (id: string) => ['practice-question', id] as const,
  },
  graph: {
    all: ['graph'] as const,
    stats: ['graph', 'stats'] as const,
    search: (query: NodeSearchQuery) => ['graph', 'search', query] as const,
    roots: ['graph', 'roots'] as const,
    children: (ref: string) => ['graph', 'children', ref] as const,
    node: (ref: string) => ['graph', 'node', ref] as const,
    prerequisites: (ref: string) => ['graph', 'prerequisites', ref] as const,
    dependents: (ref: string) => ['graph', 'dependents', ref] as const,
    neighbourhood: (ref: string, radius: number) =>
      ['graph', 'neighbourhood', ref, radius] as const,
    imports: ['graph', 'imports'] as const,
    // Under `jobs` and shaped as a job list, so the live job events update it too.
    importJob: (jobId: string) => ['jobs', 'graph-import', jobId] as const,
  },
  recommendations: {
    all: ['recommendations'] as const,
    active: ['recommendations', 'active'] as const,
    archived: ['recommendations', 'archived'] as const,
    set: (id: string) => ['recommendations', 'set', id] as const,
  },
};
