// Request and response schemas of /api/practice, /api/reviews and /api/mastery.
import { z } from 'zod';
import { learnerResponseSchema } from '../questions/grading.ts';

const uuid = (what: string) => z.uuid({ message: `must be a ${what} id (UUID)` });
const nodeId = z.string().trim().min(1, 'must be a skill id').max(200);

export const answerBody = z.object({
  questionId: uuid('question'),
  response: learnerResponseSchema,
  context: z
    .object({
      pathId: z.string().trim().min(1).max(100).optional(),
      moduleId: z.string().trim().min(1).max(100).optional(),
    })
    .optional(),
});

const skillChange = z.object({
  skillId: z.string(),
  name: z.string(),
  before: z.number(),
  after: z.number(),
  masteredBefore: z.boolean(),
  mastered: z.boolean(),
});

export const answerResponse = z.object({
  responseId: z.string(),
  correct: z.boolean(),
  score: z.number(),
  counted: z
    .boolean()
    .describe('whether the answer moved knowledge tracing (first attempts and due reviews do)'),
  kind: z.enum(['practice', 'review']),
  feedback: z.array(z.string()).describe('sanitised HTML'),
  generalFeedbackHtml: z.string().nullable(),
  correctAnswerHtml: z.string().nullable(),
  mastery: z.array(skillChange),
  review: z.object({ dueAt: z.string() }),
});

export const questionParams = z.object({ id: uuid('question') });

export const practiceQuestionResponse = z.object({
  view: z.literal('learner'),
  id: z.string(),
  type: z.string(),
  title: z.string().nullable(),
  stemHtml: z.string(),
  options: z.array(z.object({ id: z.string(), html: z.string() })),
  maxMarks: z.number(),
  difficulty: z.number().nullable(),
  skills: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const limitQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

export const dueReviewsResponse = z.object({
  total: z.number(),
  nextDueAt: z.string().nullable(),
  items: z.array(
    z.object({
      questionId: z.string(),
      title: z.string().nullable(),
      preview: z.string(),
      type: z.string(),
      dueAt: z.string(),
      reps: z.number(),
      lapses: z.number(),
    }),
  ),
});

export const recentResponse = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      questionId: z.string(),
      title: z.string().nullable(),
      preview: z.string(),
      score: z.number(),
      correct: z.boolean(),
      counted: z.boolean(),
      kind: z.enum(['practice', 'review']),
      pathId: z.string().nullable(),
      moduleId: z.string().nullable(),
      at: z.string(),
      skills: z.array(
        z.object({ skillId: z.string(), name: z.string(), before: z.number(), after: z.number() }),
      ),
    }),
  ),
});

export const masteryQuery = z.object({
  userId: uuid('user').optional().describe('staff only: another learner'),
});

const skillMastery = z.object({
  skillId: z.string(),
  name: z.string(),
  conceptId: z.string().nullable(),
  conceptName: z.string().nullable(),
  pKnown: z.number(),
  attempts: z.number(),
  mastered: z.boolean(),
  source: z.enum(['prior', 'placement', 'practice']),
  updatedAt: z.string().nullable(),
  confidence: z.number(),
  reviewDueAt: z.string().nullable(),
});

export const masteryResponse = z.object({
  threshold: z.number(),
  skills: z.array(skillMastery),
});

export const evidenceParams = z.object({ skillId: nodeId });

export const evidenceResponse = z.object({
  skill: z.object({ id: z.string(), name: z.string(), description: z.string() }),
  state: skillMastery.omit({ name: true, conceptId: true, conceptName: true }),
  threshold: z.number(),
  params: z.object({
    prior: z.number(),
    learn: z.number(),
    guess: z.number(),
    slip: z.number(),
    forget: z.number(),
    fitted: z.boolean(),
    fittedAt: z.string().nullable(),
  }),
  entries: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['practice', 'review', 'placement']),
      correct: z.boolean().nullable(),
      pCorrect: z.number().nullable(),
      before: z.number(),
      after: z.number(),
      at: z.string(),
      responseId: z.string().nullable(),
      placementId: z.string().nullable(),
      question: z
        .object({ id: z.string(), title: z.string().nullable(), preview: z.string() })
        .nullable(),
    }),
  ),
});

export const cohortQuery = z.object({
  concept: z.string().trim().min(1).max(200).optional().describe('a concept id: its skills only'),
  q: z.string().trim().max(200).optional().describe('learner name or email contains'),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export const cohortResponse = z.object({
  threshold: z.number(),
  skills: z.array(z.object({ id: z.string(), name: z.string() })),
  learners: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      mastered: z.number(),
      cells: z.array(
        z.object({
          skillId: z.string(),
          pKnown: z.number(),
          attempts: z.number(),
          mastered: z.boolean(),
          started: z.boolean(),
        }),
      ),
    }),
  ),
});
