// /api/questions/auto-tag and /api/questions/suggestions: start a tagging job, and the review
// queue of suggested tags (instructors and admins only; learners get 403).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Role } from '../../infra/db/schema.ts';
import { currentUser } from '../../platform/http/auth.ts';
import type { JobsService } from '../jobs/jobs-service.ts';
import { jobEnvelope } from '../jobs/jobs-schemas.ts';
import {
  autoTagBody,
  bulkDecisionBody,
  bulkDecisionResponse,
  decisionBody,
  decisionResponse,
  listSuggestionsQuery,
  listSuggestionsResponse,
  suggestionParams,
} from './tagging-schemas.ts';
import type { TaggingService } from './tagging-service.ts';

const STAFF: Role[] = ['instructor', 'admin'];

export function taggingRoutes(deps: { tagging: TaggingService; jobsService: JobsService }) {
  const { tagging, jobsService } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.post(
      '/api/questions/auto-tag',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary:
            'Suggest concept and skill tags for questions ({questionIds} | {importId} | {filter}): starts a questions.auto-tag job',
          body: autoTagBody,
          response: { 202: jobEnvelope },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        const job = await tagging.start(user, request.body);
        return reply.code(202).send({ job: await jobsService.get(user, job.id) });
      },
    );

    r.get(
      '/api/questions/suggestions',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary:
            'The review queue: suggested tags, most confident first, with the question excerpt, node, confidence, reason and source',
          querystring: listSuggestionsQuery,
          response: { 200: listSuggestionsResponse },
        },
      },
      async (request) => tagging.listSuggestions(currentUser(request), request.query),
    );

    r.post(
      '/api/questions/suggestions/decide',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary:
            'Accept or reject every pending suggestion at or above a confidence threshold within the filter (one transaction)',
          body: bulkDecisionBody,
          response: { 200: bulkDecisionResponse },
        },
      },
      async (request) => tagging.decideAll(currentUser(request), request.body),
    );

    r.post(
      '/api/questions/:id/suggestions/:nodeId',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'Accept or reject one suggested tag',
          params: suggestionParams,
          body: decisionBody,
          response: { 200: decisionResponse },
        },
      },
      async (request) =>
        tagging.decide(
          currentUser(request),
          request.params.id,
          request.params.nodeId,
          request.body.decision,
        ),
    );
  };
}
