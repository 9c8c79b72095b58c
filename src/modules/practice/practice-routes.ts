// /api/practice (answer a question, with feedback), /api/reviews (what is due) and /api/mastery
// (a learner's mastery, the evidence trail per skill, the staff cohort table).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Role } from '../../infra/db/schema.ts';
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { currentUser } from '../../platform/http/auth.ts';
import type { AccountsService } from '../accounts/accounts-service.ts';
import type { MasteryService } from '../mastery/mastery-service.ts';
import {
  answerBody,
  answerResponse,
  cohortQuery,
  cohortResponse,
  dueReviewsResponse,
  evidenceParams,
  evidenceResponse,
  limitQuery,
  masteryQuery,
  masteryResponse,
  practiceQuestionResponse,
  questionParams,
  recentResponse,
} from './practice-schemas.ts';
import type { PracticeService } from './practice-service.ts';

const STAFF: Role[] = ['instructor', 'admin'];

export function practiceRoutes(deps: {
  practice: PracticeService;
  mastery: MasteryService;
  accounts: AccountsService;
}) {
  const { practice, mastery, accounts } = deps;

  /** Whose mastery a request reads: one's own, or (staff only) a learner's. */
  async function subject(request: { user: unknown }, userId: string | undefined) {
    const user = currentUser(request as Parameters<typeof currentUser>[0]);
    if (userId === undefined || userId === user.id) return user.id;
    if (!STAFF.includes(user.role)) {
      throw new ForbiddenError('Only instructors and administrators can see another learner.');
    }
    const other = await accounts.getUser(userId).catch((err: unknown) => {
      if (err instanceof NotFoundError) throw new NotFoundError('There is no such learner.');
      throw err;
    });
    return other.id;
  }

  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/api/practice/questions/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['practice'],
          summary:
            'A published question to practise, without its answers, with the skills it tests',
          params: questionParams,
          response: { 200: practiceQuestionResponse },
        },
      },
      async (request) => practice.question(request.params.id),
    );

    r.post(
      '/api/practice/answers',
      {
        config: { access: 'user' },
        schema: {
          tags: ['practice'],
          summary:
            'Answer a published question: records the response, updates mastery (BKT) on the skills it tests and the review schedule (FSRS), in one transaction, and returns feedback',
          body: answerBody,
          response: { 200: answerResponse },
        },
      },
      async (request) => practice.answer(currentUser(request), request.body),
    );

    r.get(
      '/api/practice/recent',
      {
        config: { access: 'user' },
        schema: {
          tags: ['practice'],
          summary: "The learner's latest answers and what each did to mastery",
          querystring: limitQuery,
          response: { 200: recentResponse },
        },
      },
      async (request) => ({
        items: await practice.recent(currentUser(request).id, request.query.limit),
      }),
    );

    r.get(
      '/api/reviews/due',
      {
        config: { access: 'user' },
        schema: {
          tags: ['practice'],
          summary: 'Questions due for review (FSRS), most overdue first',
          querystring: limitQuery,
          response: { 200: dueReviewsResponse },
        },
      },
      async (request) => practice.dueReviews(currentUser(request).id, request.query.limit),
    );

    r.get(
      '/api/mastery',
      {
        config: { access: 'user' },
        schema: {
          tags: ['mastery'],
          summary:
            "The learner's mastery of every skill with evidence (P(L), attempts, displayed confidence, next review)",
          querystring: masteryQuery,
          response: { 200: masteryResponse },
        },
      },
      async (request) => mastery.overview(await subject(request, request.query.userId)),
    );

    r.get(
      '/api/mastery/skills/:skillId/evidence',
      {
        config: { access: 'user' },
        schema: {
          tags: ['mastery'],
          summary:
            'The answers (and placement test) that moved the estimate on one skill, newest first',
          params: evidenceParams,
          querystring: masteryQuery,
          response: { 200: evidenceResponse },
        },
      },
      async (request) =>
        mastery.evidence(await subject(request, request.query.userId), request.params.skillId),
    );

    r.get(
      '/api/mastery/cohort',
      {
        config: { access: STAFF },
        schema: {
          tags: ['mastery'],
          summary: 'Learners × skills mastery table, filtered by concept and learner',
          querystring: cohortQuery,
          response: { 200: cohortResponse },
        },
      },
      async (request) =>
        mastery.cohort({
          ...(request.query.concept ? { conceptId: request.query.concept } : {}),
          ...(request.query.q ? { q: request.query.q } : {}),
          limit: request.query.limit,
        }),
    );
  };
}
