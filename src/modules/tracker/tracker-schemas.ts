// Request and response schemas of the /api/tracker routes (papers, results, dashboard, cohort).
// The marks of a result are checked against the paper in the service, so a message names the
// question number ("question 2b: at most 4 marks").
import { z } from 'zod';

/** "1", "2a", "10b(ii)": digits, then letters, then an optional roman part in brackets. */
export const QUESTION_NUMBER = /^[0-9]{1,3}[a-z]{0,3}(\([ivx]{1,5}\))?$/;

export const questionNumberSchema = z.string().trim().toLowerCase().regex(QUESTION_NUMBER, {
  message: 'must be a question number like 1, 2a or 3b(ii)',
});

const marksNumber = z
  .number({ message: 'must be a number' })
  .finite({ message: 'must be a finite number' });

export const paperQuestionInput = z.object({
  number: questionNumberSchema,
  maxMarks: marksNumber
    .positive({ message: 'must be more than 0' })
    .max(1000, { message: 'must be at most 1000' })
    .optional()
    .describe('Required unless bankQuestionId is given (then the bank question’s max marks)'),
  nodes: z
    .array(z.string().trim().min(1).max(200), { message: 'must be a list of node ids' })
    .max(50, { message: 'at most 50 nodes per question' })
    .optional()
    .describe(
      'Concepts/subtopics and skills it tests (graph node ids or external ids); default: the accepted tags of the bank question',
    ),
  bankQuestionId: z.uuid({ message: 'must be a question id (UUID)' }).optional(),
});
export type PaperQuestionInput = z.infer<typeof paperQuestionInput>;

export const createPaperBody = z.object({
  title: z.string().trim().min(1, { message: 'must not be empty' }).max(200),
  subject: z.string().trim().max(100).nullable().optional(),
  board: z.string().trim().max(100).nullable().optional(),
  year: z.number().int().min(1900).max(2200).nullable().optional(),
  questions: z
    .array(paperQuestionInput)
    .min(1, { message: 'a paper needs at least one question' })
    .max(200, { message: 'at most 200 questions' })
    .optional(),
  questionsCsv: z
    .string()
    .max(200_000)
    .optional()
    .describe(
      'Instead of questions: CSV with a header row, columns number, max_marks, nodes (separated by ; or |), bank_question_id (optional)',
    ),
});
export type CreatePaperBody = z.infer<typeof createPaperBody>;

const nodeRef = z.object({
  id: z.string(),
  externalId: z.string(),
  name: z.string(),
  kind: z.enum(['concept', 'skill']),
});
export type NodeRef = z.infer<typeof nodeRef>;

export const paperQuestionView = z.object({
  number: z.string(),
  maxMarks: z.number(),
  bankQuestionId: z.string().nullable(),
  nodes: z.array(nodeRef),
});

export const paperView = z.object({
  id: z.string(),
  title: z.string(),
  subject: z.string().nullable(),
  board: z.string().nullable(),
  year: z.number().nullable(),
  totalMarks: z.number(),
  questions: z.array(paperQuestionView),
  createdAt: z.string(),
});
export type PaperView = z.infer<typeof paperView>;

export const paperEnvelope = z.object({ paper: paperView });
export const paperListResponse = z.object({ papers: z.array(paperView), total: z.number() });
export const listPapersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const paperIdParams = z.object({ id: z.uuid({ message: 'must be a paper id (UUID)' }) });

export const resultIdParams = z.object({
  id: z.uuid({ message: 'must be a result id (UUID) chosen by the client' }),
});

export const putResultBody = z.object({
  paperId: z.uuid({ message: 'must be a paper id (UUID)' }),
  takenOn: z.iso.date({ message: 'must be a date (YYYY-MM-DD)' }),
  marks: z
    .array(
      z.object({
        question: z.string().trim().max(20),
        marks: marksNumber,
      }),
    )
    .max(200, { message: 'at most 200 questions' })
    .describe('One entry per question of the paper: its number and the marks scored (0..max)'),
  learnerId: z
    .uuid({ message: 'must be a user id (UUID)' })
    .optional()
    .describe('Instructors and admins: the learner the result belongs to (default: yourself)'),
});
export type PutResultBody = z.infer<typeof putResultBody>;

export const resultView = z.object({
  id: z.string(),
  learnerId: z.string(),
  paperId: z.string(),
  paperTitle: z.string(),
  takenOn: z.string(),
  score: z.number(),
  maxScore: z.number(),
  percent: z.number(),
  marks: z.array(z.object({ question: z.string(), marks: z.number(), maxMarks: z.number() })),
  loggedBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ResultView = z.infer<typeof resultView>;

export const putResultResponse = z.object({
  result: resultView,
  outcome: z
    .enum(['created', 'updated', 'unchanged'])
    .describe('unchanged: the same request was already applied; nothing was written'),
});

export const listResultsQuery = z.object({
  learnerId: z.uuid({ message: 'must be a user id (UUID)' }).optional(),
  paperId: z.uuid({ message: 'must be a paper id (UUID)' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const resultListResponse = z.object({ results: z.array(resultView), total: z.number() });

export const dashboardQuery = z.object({
  learnerId: z
    .uuid({ message: 'must be a user id (UUID)' })
    .optional()
    .describe('Instructors and admins: whose dashboard (default: yourself)'),
});

const masterySignal = z
  .object({
    pKnown: z.number(),
    confidence: z.number(),
    mastered: z.boolean(),
    attempts: z.number(),
    source: z.string(),
  })
  .nullable();

const evidence = z.object({
  resultId: z.string(),
  paperId: z.string(),
  paperTitle: z.string(),
  takenOn: z.string(),
  question: z.string(),
  marks: z.number(),
  maxMarks: z.number(),
});

export const nodeStatView = z.object({
  node: nodeRef,
  earned: z.number(),
  possible: z.number(),
  percent: z.number().describe('Marks earned / available on questions testing it, 0..100'),
  items: z.number().describe('Question attempts that tested it'),
  change: z
    .number()
    .nullable()
    .describe('Percentage points: latest attempt testing it minus the one before; null if one'),
  mastery: masterySignal.describe('BKT mastery of a skill, when the learner has practised it'),
  combined: z.number().describe('Both signals in one 0..100 figure (README: Performance tracker)'),
});

const chainNode = nodeRef.extend({ combined: z.number().nullable() });

export const weakLinkView = z.object({
  node: nodeRef,
  percent: z.number(),
  combined: z.number(),
  lostMarks: z.number(),
  evidence: z.array(evidence),
  rootCause: z.object({
    node: nodeRef,
    percent: z.number().nullable(),
    mastery: masterySignal,
    combined: z.number(),
    depth: z.number().describe('Prerequisite steps from the weak node (0: the node itself)'),
    evidence: z.array(evidence),
    link: z.string().describe('The question bank filtered to the root cause'),
  }),
  chain: z.array(chainNode).describe('From the root cause to the weak node, prerequisites first'),
  link: z.string().describe('The question bank filtered to the weak node'),
});

const trendPoint = z.object({
  resultId: z.string(),
  paperId: z.string(),
  takenOn: z.string(),
  percent: z.number(),
});

export const dashboardResponse = z.object({
  learnerId: z.string(),
  results: z.number(),
  trend: z.object({
    overall: z.array(trendPoint.extend({ paperTitle: z.string(), cumulativePercent: z.number() })),
    byPaper: z.array(
      z.object({ paperId: z.string(), paperTitle: z.string(), points: z.array(trendPoint) }),
    ),
    weekly: z.array(z.object({ week: z.string(), results: z.number(), percent: z.number() })),
  }),
  change: z
    .object({
      latest: trendPoint,
      previous: trendPoint.nullable(),
      delta: z.number().nullable().describe('Percentage points since the previous attempt'),
      samePaperPrevious: trendPoint.nullable(),
      samePaperDelta: z.number().nullable(),
    })
    .nullable(),
  subtopics: z.array(nodeStatView).describe('Concepts, weakest first'),
  skills: z.array(nodeStatView).describe('Skills, weakest first'),
  strongest: z.array(nodeStatView).describe('Up to 3 subtopics, strongest first'),
  weakest: z.array(nodeStatView).describe('Up to 3 subtopics, weakest first'),
  weakLinks: z.array(weakLinkView),
  thresholds: z.object({ weakBelow: z.number(), strongFrom: z.number() }),
  computedAt: z
    .string()
    .describe('When the result statistics were computed (cached until a write)'),
});
export type DashboardResponse = z.infer<typeof dashboardResponse>;
export type NodeStatView = z.infer<typeof nodeStatView>;
export type WeakLinkView = z.infer<typeof weakLinkView>;
export type EvidenceView = z.infer<typeof evidence>;
export type MasterySignalView = z.infer<typeof masterySignal>;

export const cohortResponse = z.object({
  computedAt: z.string().nullable().describe('When the weekly aggregate last ran; null: never'),
  learners: z.number(),
  results: z.number(),
  weakestSubtopics: z.array(
    z.object({
      node: nodeRef,
      percent: z.number(),
      learners: z.number(),
      weakLearners: z.number(),
      link: z.string(),
    }),
  ),
  weakestSkills: z.array(
    z.object({
      node: nodeRef,
      percent: z.number(),
      learners: z.number(),
      weakLearners: z.number(),
      link: z.string(),
    }),
  ),
  trend: z.array(
    z.object({ week: z.string(), results: z.number(), learners: z.number(), percent: z.number() }),
  ),
});
export type CohortResponse = z.infer<typeof cohortResponse>;

export const aggregateResponse = z.object({
  job: z.object({ id: z.string(), type: z.string(), state: z.string() }),
});
