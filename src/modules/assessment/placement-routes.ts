// /api/placement: the adaptive placement test. Start (or resume), the current state with one
// question at a time, answer the current question, finish early, and the result.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser } from '../../platform/http/auth.ts';
import { learnerResponseSchema } from '../questions/grading.ts';
import type { PlacementService } from './placement-service.ts';

const params = z.object({ id: z.uuid({ message: 'must be a placement test id (UUID)' }) });
const answerBody = z.object({
  questionId: z.uuid({ message: 'must be a question id (UUID)' }),
  response: learnerResponseSchema,
});

/** Optional: without a body, or without roleId, the test covers the whole catalogue. */
const startBody = z
  .object({
    roleId: z
      .string({ message: 'must be the id or slug of a role of the catalogue' })
      .trim()
      .min(1, { message: 'must not be empty: leave it out to be placed on everything' })
      .max(200, { message: 'must be at most 200 characters' })
      .nullish(),
  })
  .nullish();

const placementView = z.object({
  id: z.string(),
  status: z.enum(['in_progress', 'finished']),
  target: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('everything'), roleId: z.null(), title: z.null() }),
    z.object({ kind: z.literal('role'), roleId: z.string(), title: z.string() }),
  ]),
  answered: z.number(),
  maxItems: z.number(),
  targetSe: z.number(),
  se: z.number(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  stopReason: z.string().nullable(),
  question: z
    .object({
      view: z.literal('learner'),
      id: z.string(),
      type: z.string(),
      title: z.string().nullable(),
      stemHtml: z.string(),
      options: z.array(z.object({ id: z.string(), html: z.string() })),
      maxMarks: z.number(),
      difficulty: z.number().nullable(),
    })
    .nullable(),
  result: z
    .object({
      areas: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          theta: z.number(),
          se: z.number(),
          level: z.string(),
          answered: z.number(),
          source: z.enum(['area', 'overall']),
        }),
      ),
      startWith: z.array(
        z.object({ skillId: z.string(), name: z.string(), area: z.string(), pKnown: z.number() }),
      ),
      seeded: z.number(),
    })
    .nullable(),
});

export function placementRoutes(deps: { placement: PlacementService }) {
  const { placement } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.post(
      '/api/placement',
      {
        config: { access: 'user' },
        schema: {
          tags: ['placement'],
          summary:
            "Start a placement test over a role's required skills ({roleId}) or the whole catalogue (no body), or resume the one in progress with the target it was started with (201 when new, 200 when resumed)",
          body: startBody,
          response: {
            200: z.object({ placement: placementView }),
            201: z.object({ placement: placementView }),
          },
        },
      },
      async (request, reply) => {
        const { created, placement: view } = await placement.start(currentUser(request).id, {
          roleId: request.body?.roleId ?? null,
        });
        return reply.code(created ? 201 : 200).send({ placement: view });
      },
    );
    r.get(
      '/api/placement/latest',
      {
        config: { access: 'user' },
        schema: {
          tags: ['placement'],
          summary:
            "The learner's latest placement test (in progress or finished), or null, and the most questions a new test asks",
          response: {
            200: z.object({ placement: placementView.nullable(), maxItems: z.number() }),
          },
        },
      },
      async (request) => ({
        placement: await placement.latest(currentUser(request).id),
        maxItems: placement.maxItems,
      }),
    );
    r.get(
      '/api/placement/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['placement'],
          summary: 'A placement test: progress and the current question, or the result',
          params,
          response: { 200: z.object({ placement: placementView }) },
        },
      },
      async (request) => ({
        placement: await placement.view(currentUser(request).id, request.params.id),
      }),
    );
    r.post(
      '/api/placement/:id/answers',
      {
        config: { access: 'user' },
        schema: {
          tags: ['placement'],
          summary:
            'Answer the current question (no feedback during the test); the same answer sent twice counts once. Returns the next question or the result',
          params,
          body: answerBody,
          response: { 200: z.object({ placement: placementView }) },
        },
      },
      async (request) => ({
        placement: await placement.answer(currentUser(request).id, request.params.id, request.body),
      }),
    );
    r.post(
      '/api/placement/:id/finish',
      {
        config: { access: 'user' },
        schema: {
          tags: ['placement'],
          summary: 'Finish now, with the answers given so far (at least one)',
          params,
          response: { 200: z.object({ placement: placementView }) },
        },
      },
      async (request) => ({
        placement: await placement.finish(currentUser(request).id, request.params.id),
      }),
    );
  };
}
