// Request and response schemas of /api/recommendations.
import { z } from 'zod';

const learnerIdField = z
  .uuid({ message: 'must be a user id (UUID)' })
  .optional()
  .describe('Instructors and admins: the learner (default: yourself)');

export const buildBody = z
  .object({ learnerId: learnerIdField })
  .default({})
  .describe('Empty for yourself; staff may name a learner');
export type BuildBody = z.infer<typeof buildBody>;

export const activeQuery = z.object({ learnerId: learnerIdField });

export const listQuery = z.object({
  status: z
    .enum(['active', 'archived', 'all'], { message: 'must be active, archived or all' })
    .default('archived'),
  learnerId: learnerIdField,
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListQuery = z.infer<typeof listQuery>;

export const setIdParams = z.object({
  id: z.uuid({ message: 'must be a recommendation set id (UUID)' }),
});

const tier = z
  .enum(['weak', 'prerequisite', 'consolidate'])
  .describe(
    'weak: loses marks or practice mastery is low; prerequisite: on a weak link’s chain; consolidate: below strong, chosen when nothing is weak',
  );

const nodeRef = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['concept', 'skill']),
});

export const targetView = z.object({
  node: nodeRef,
  tier,
  combined: z.number().nullable().describe('Marks and mastery in one 0..100 figure (tracker)'),
  earned: z.number(),
  possible: z.number(),
  masteryPercent: z.number().nullable(),
  level: z.number().describe('The learner’s level on it, on the 1-5 difficulty scale'),
});
export type TargetView = z.infer<typeof targetView>;

export const progressView = z.object({
  total: z.number(),
  done: z.number().describe('Questions answered at least once since the set was built'),
  correct: z.number().describe('Of those, answered right the first time since then'),
});

const questionView = z.object({
  id: z.string(),
  type: z.string(),
  title: z.string().nullable(),
  stemHtml: z.string().describe('Sanitised HTML'),
  options: z.array(z.object({ id: z.string(), html: z.string() })),
  maxMarks: z.number(),
  difficulty: z.number().nullable(),
});

export const itemView = z.object({
  position: z.number(),
  questionId: z.string(),
  question: questionView
    .nullable()
    .describe('null when the question was unpublished or archived since; it cannot be practised'),
  node: nodeRef,
  tier,
  difficulty: z.number().nullable(),
  level: z.number(),
  reason: z.string().describe('Why it was chosen, in words'),
  done: z.boolean(),
  correct: z.boolean().nullable().describe('First answer since the set was built; null: none'),
  answeredAt: z.string().nullable(),
});

export const resourceView = z.object({
  title: z.string(),
  url: z.string(),
  type: z.string(),
  description: z.string().nullable(),
  skills: z.array(z.string()).describe('Names of the set’s skills it teaches'),
});
export type ResourceView = z.infer<typeof resourceView>;

const setBase = z.object({
  id: z.string(),
  learnerId: z.string(),
  status: z.enum(['active', 'archived']),
  trigger: z
    .enum(['request', 'job', 'seed'])
    .describe('Built on request, by the weekly job, or demo data'),
  builtAt: z.string(),
  archivedAt: z.string().nullable(),
  resultsAt: z
    .string()
    .nullable()
    .describe('The latest result write the set was chosen from (null: none)'),
  itemCount: z.number(),
  progress: progressView,
});

export const setSummaryView = setBase.extend({
  targets: z.array(targetView.pick({ node: true, tier: true, combined: true })),
});
export type SetSummaryView = z.infer<typeof setSummaryView>;

export const setView = setBase.extend({
  targets: z.array(targetView),
  items: z.array(itemView),
  resources: z.array(resourceView).describe('Golden resources for the set’s skills'),
});
export type SetView = z.infer<typeof setView>;

export const buildResponse = z.object({
  outcome: z
    .enum(['created', 'kept'])
    .describe('kept: no new papers or results since the active set was built; it is unchanged'),
  message: z.string(),
  set: setView,
  archivedSetId: z.string().nullable().describe('The set this one replaced, now archived'),
});
export type BuildResponse = z.infer<typeof buildResponse>;

export const activeResponse = z.object({ set: setView.nullable() });
export const setEnvelope = z.object({ set: setView });
export const listResponse = z.object({ sets: z.array(setSummaryView), total: z.number() });

/** What the summary column holds (JSON). */
export interface StoredSummary {
  targets: TargetView[];
}
