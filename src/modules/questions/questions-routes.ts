// /api/questions: browse (everyone logged in; learners see published questions without answers),
// author, change status, archive, tag, import and export (instructors and admins).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ValidationError } from '../../platform/errors.ts';
import { currentUser } from '../../platform/http/auth.ts';
import type { Role } from '../../infra/db/schema.ts';
import { attachmentDisposition } from '../../infra/storage/content-disposition.ts';
import {
  addTagBody,
  bulkStatusBody,
  bulkStatusResponse,
  createQuestionBody,
  exportQuery,
  importJsonBody,
  importOptionsQuery,
  importResultSchema,
  listQuestionsQuery,
  listQuestionsResponse,
  previewBody,
  previewResponse,
  questionEnvelope,
  questionIdParams,
  staffQuestionEnvelope,
  statusBody,
  tagParams,
  updateQuestionBody,
} from './questions-schemas.ts';
import { IMPORT_MAX_BYTES, type QuestionsService } from './questions-service.ts';

const STAFF: Role[] = ['instructor', 'admin'];

export function questionsRoutes(deps: { questions: QuestionsService }) {
  const { questions } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    // Imports may also arrive as the raw file (curl --data-binary @file.gift); the bytes are
    // decoded strictly by the service. These parsers exist in this plugin's scope only.
    app.addContentTypeParser(
      ['text/plain', 'text/csv', 'application/octet-stream'],
      { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES * 3 },
      (_request, body, done) => done(null, body),
    );
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/api/questions',
      {
        config: { access: 'user' },
        schema: {
          tags: ['questions'],
          summary:
            'Browse questions with filters (learners: published only); never includes answers',
          querystring: listQuestionsQuery,
          response: { 200: listQuestionsResponse },
        },
      },
      async (request) => questions.list(currentUser(request), request.query),
    );

    r.get(
      '/api/questions/export',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'Download the questions matching the filters as GIFT or CSV',
          querystring: exportQuery,
        },
      },
      async (request, reply) => {
        const file = await questions.exportQuestions(currentUser(request), request.query);
        return reply
          .header('content-disposition', attachmentDisposition(file.fileName))
          .header('cache-control', 'private, no-store')
          .type(file.contentType)
          .send(file.body);
      },
    );

    r.post(
      '/api/questions/import',
      {
        config: { access: STAFF },
        // JSON escaping can double a file's size; the service enforces the file limit exactly.
        bodyLimit: IMPORT_MAX_BYTES * 3,
        schema: {
          tags: ['questions'],
          summary:
            'Import a GIFT or CSV file: JSON {format, fileName, content} or the raw file (text/plain, text/csv, application/octet-stream) with ?format=&fileName=. All or nothing; 400 lists every problem with its line',
          querystring: importOptionsQuery,
          response: { 200: importResultSchema, 201: importResultSchema },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        const body: unknown = request.body;
        let input;
        if (Buffer.isBuffer(body)) {
          input = { ...request.query, content: body };
        } else {
          const parsed = importJsonBody.safeParse(body);
          if (!parsed.success) {
            const errors = parsed.error.issues.map((i) => ({
              path: ['body', ...i.path.map(String)].join('.'),
              message: i.message,
            }));
            throw new ValidationError(`${errors[0]!.path}: ${errors[0]!.message}`, errors);
          }
          input = { ...request.query, ...parsed.data };
        }
        const result = await questions.importQuestions(user, input);
        return reply.code(result.dryRun ? 200 : 201).send(result);
      },
    );

    r.post(
      '/api/questions/preview',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'Render question text (markdown or HTML) as the sanitised HTML learners see',
          body: previewBody,
          response: { 200: previewResponse },
        },
      },
      async (request) => questions.preview(request.body.text, request.body.format),
    );

    r.post(
      '/api/questions/status',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'Set the status of several questions at once (all or nothing)',
          body: bulkStatusBody,
          response: { 200: bulkStatusResponse },
        },
      },
      async (request) => ({
        updated: await questions.setStatus(
          currentUser(request),
          request.body.ids,
          request.body.status,
        ),
      }),
    );

    r.post(
      '/api/questions',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'Create a question',
          body: createQuestionBody,
          response: { 201: staffQuestionEnvelope },
        },
      },
      async (request, reply) => {
        const question = await questions.create(currentUser(request), request.body);
        return reply.code(201).send({ question });
      },
    );

    r.get(
      '/api/questions/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['questions'],
          summary:
            'One question: everything for instructors and admins; for learners a published question without answers or feedback',
          params: questionIdParams,
          response: { 200: questionEnvelope },
        },
      },
      async (request) => ({
        question: await questions.get(currentUser(request), request.params.id),
      }),
    );

    r.patch(
      '/api/questions/:id',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'Change a question (only the fields sent)',
          params: questionIdParams,
          body: updateQuestionBody,
          response: { 200: staffQuestionEnvelope },
        },
      },
      async (request) => ({
        question: await questions.update(currentUser(request), request.params.id, request.body),
      }),
    );

    r.post(
      '/api/questions/:id/status',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'Move a question to draft, review or published',
          params: questionIdParams,
          body: statusBody,
          response: { 200: questionEnvelope },
        },
      },
      async (request) => ({
        question: await questions.setOneStatus(
          currentUser(request),
          request.params.id,
          request.body.status,
        ),
      }),
    );

    r.delete(
      '/api/questions/:id',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary:
            'Archive a question: it leaves every list and learners no longer see it (restore undoes it)',
          params: questionIdParams,
          response: { 200: staffQuestionEnvelope },
        },
      },
      async (request) => ({
        question: await questions.archive(currentUser(request), request.params.id, true),
      }),
    );

    r.post(
      '/api/questions/:id/restore',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'Bring an archived question back',
          params: questionIdParams,
          response: { 200: staffQuestionEnvelope },
        },
      },
      async (request) => ({
        question: await questions.archive(currentUser(request), request.params.id, false),
      }),
    );

    r.post(
      '/api/questions/:id/tags',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'Tag a question with a concept or skill (accepted, manual)',
          params: questionIdParams,
          body: addTagBody,
          response: { 200: staffQuestionEnvelope },
        },
      },
      async (request) => ({
        question: await questions.addTag(
          currentUser(request),
          request.params.id,
          request.body.node,
        ),
      }),
    );

    r.delete(
      '/api/questions/:id/tags/:nodeId',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'Remove a tag from a question',
          params: tagParams,
          response: { 200: staffQuestionEnvelope },
        },
      },
      async (request) => ({
        question: await questions.removeTag(
          currentUser(request),
          request.params.id,
          request.params.nodeId,
        ),
      }),
    );
  };
}
