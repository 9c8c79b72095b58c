// /api/tracker: exam papers (instructors and admins create, everyone lists), results (idempotent
// PUT under a client-chosen id; a learner only ever sees their own), the dashboard, the cohort
// view and a way to run the weekly aggregate now. Access rules: tracker-service.ts header.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Role } from '../../infra/db/schema.ts';
import type { JobQueue } from '../../infra/queue/job-queue.ts';
import { currentUser } from '../../platform/http/auth.ts';
import { TRACKER_AGGREGATE_JOB } from './tracker-jobs.ts';
import {
  aggregateResponse,
  cohortResponse,
  createPaperBody,
  dashboardQuery,
  dashboardResponse,
  listPapersQuery,
  listResultsQuery,
  paperEnvelope,
  paperIdParams,
  paperListResponse,
  putResultBody,
  putResultResponse,
  resultIdParams,
  resultListResponse,
} from './tracker-schemas.ts';
import type { TrackerService } from './tracker-service.ts';
import { z } from 'zod';

const STAFF: Role[] = ['instructor', 'admin'];

export function trackerRoutes(deps: { tracker: TrackerService; jobs: JobQueue }) {
  const { tracker, jobs } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/api/tracker/papers',
      {
        config: { access: 'user' },
        schema: {
          tags: ['tracker'],
          summary: 'Exam papers with their questions (number, max marks, nodes), newest first',
          querystring: listPapersQuery,
          response: { 200: paperListResponse },
        },
      },
      async (request) => tracker.listPapers(request.query),
    );

    r.post(
      '/api/tracker/papers',
      {
        config: { access: STAFF },
        schema: {
          tags: ['tracker'],
          summary:
            'Create a paper from questions (JSON) or questionsCsv (number,max_marks,nodes,bank_question_id). Nodes are graph ids or external ids; a linked bank question gives its accepted tags and max marks. 400 names the question number or CSV line',
          body: createPaperBody,
          response: { 201: paperEnvelope },
        },
      },
      async (request, reply) => {
        const paper = await tracker.createPaper(currentUser(request), request.body);
        return reply.code(201).send({ paper });
      },
    );

    r.get(
      '/api/tracker/papers/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['tracker'],
          summary: 'One paper with its questions',
          params: paperIdParams,
          response: { 200: paperEnvelope },
        },
      },
      async (request) => ({ paper: await tracker.getPaper(request.params.id) }),
    );

    r.put(
      '/api/tracker/results/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['tracker'],
          summary:
            'Create or edit a result under an id the client chose (idempotent: the same request again changes nothing). Every question of the paper once, marks 0..max. Learners: their own results only (someone else’s id is 404); staff may pass learnerId',
          params: resultIdParams,
          body: putResultBody,
          response: { 200: putResultResponse, 201: putResultResponse },
        },
      },
      async (request, reply) => {
        const saved = await tracker.putResult(
          currentUser(request),
          request.params.id,
          request.body,
        );
        return reply.code(saved.outcome === 'created' ? 201 : 200).send(saved);
      },
    );

    r.get(
      '/api/tracker/results/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['tracker'],
          summary: 'One result (learners: their own; 404 otherwise)',
          params: resultIdParams,
          response: { 200: z.object({ result: putResultResponse.shape.result }) },
        },
      },
      async (request) => ({
        result: await tracker.getResult(currentUser(request), request.params.id),
      }),
    );

    r.get(
      '/api/tracker/results',
      {
        config: { access: 'user' },
        schema: {
          tags: ['tracker'],
          summary: 'Results, latest first: your own; staff may pass learnerId. Filter by paperId',
          querystring: listResultsQuery,
          response: { 200: resultListResponse },
        },
      },
      async (request) => tracker.listResults(currentUser(request), request.query),
    );

    r.get(
      '/api/tracker/dashboard',
      {
        config: { access: 'user' },
        schema: {
          tags: ['tracker'],
          summary:
            'Score trend, per-subtopic and per-skill percentages with BKT mastery and the combined signal, strongest/weakest subtopics, change since the previous attempt, and weak links traced to their root cause',
          querystring: dashboardQuery,
          response: { 200: dashboardResponse },
        },
      },
      async (request, reply) => {
        const body = await tracker.dashboard(currentUser(request), request.query.learnerId);
        return reply.header('cache-control', 'private, no-store').send(body);
      },
    );

    r.get(
      '/api/tracker/cohort',
      {
        config: { access: STAFF },
        schema: {
          tags: ['tracker'],
          summary:
            'Weakest subtopics and skills across every learner, and the weekly trend, as of the last weekly aggregate',
          response: { 200: cohortResponse },
        },
      },
      async () => tracker.cohort(),
    );

    r.post(
      '/api/tracker/aggregate',
      {
        config: { access: STAFF },
        schema: {
          tags: ['tracker'],
          summary: 'Run the weekly aggregate now (a background job)',
          response: { 202: aggregateResponse },
        },
      },
      async (request, reply) => {
        const job = await jobs.enqueue(
          TRACKER_AGGREGATE_JOB,
          {},
          { userId: currentUser(request).id },
        );
        return reply.code(202).send({ job: { id: job.id, type: job.type, state: job.state } });
      },
    );
  };
}
