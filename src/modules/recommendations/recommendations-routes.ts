// /api/recommendations: build a learner's recommendation set (201 created, 200 kept as it is when
// no new papers or results exist since the active one was built), read the active set, list the
// archived ones and read any one of them. Access rules: recommendations-service.ts header.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentUser } from '../../platform/http/auth.ts';
import {
  activeQuery,
  activeResponse,
  buildBody,
  buildResponse,
  listQuery,
  listResponse,
  setEnvelope,
  setIdParams,
} from './recommendations-schemas.ts';
import type { RecommendationsService } from './recommendations-service.ts';

export function recommendationsRoutes(deps: { recommendations: RecommendationsService }) {
  const { recommendations } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.post(
      '/api/recommendations',
      {
        config: { access: 'user' },
        schema: {
          tags: ['recommendations'],
          summary:
            'Build a recommendation set from the learner’s paper results, mastery and weak links: weakest subtopics first, prerequisites before dependents, questions not seen or got wrong, difficulties around the learner’s level, each with its reason. The previous active set is archived (201). When no paper or result was logged or changed since the active set was built (and it is not finished), it is kept as it is (200, outcome kept). 422 when there is nothing to recommend. Learners build their own; staff may pass learnerId',
          body: buildBody,
          response: { 200: buildResponse, 201: buildResponse },
        },
      },
      async (request, reply) => {
        const out = await recommendations.build(currentUser(request), request.body.learnerId);
        return reply.code(out.outcome === 'created' ? 201 : 200).send(out);
      },
    );

    r.get(
      '/api/recommendations/active',
      {
        config: { access: 'user' },
        schema: {
          tags: ['recommendations'],
          summary:
            'The learner’s active set with its items (question, node, reason, difficulty, done / correct since it was built), progress and golden resources; set null when none',
          querystring: activeQuery,
          response: { 200: activeResponse },
        },
      },
      async (request) => ({
        set: await recommendations.active(currentUser(request), request.query.learnerId),
      }),
    );

    r.get(
      '/api/recommendations',
      {
        config: { access: 'user' },
        schema: {
          tags: ['recommendations'],
          summary:
            'The learner’s sets, newest first: status=archived (default), active or all; summaries with progress and targets',
          querystring: listQuery,
          response: { 200: listResponse },
        },
      },
      async (request) => recommendations.list(currentUser(request), request.query),
    );

    r.get(
      '/api/recommendations/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['recommendations'],
          summary: 'One set with its items (learners: their own only; 404 otherwise)',
          params: setIdParams,
          response: { 200: setEnvelope },
        },
      },
      async (request) => ({
        set: await recommendations.get(currentUser(request), request.params.id),
      }),
    );
  };
}
