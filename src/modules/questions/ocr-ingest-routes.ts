// /api/questions/ocr (instructors and admins): upload images of printed questions (multipart,
// one job per image), list and read the drafts with what OCR recognised, fetch an image, mark a
// draft reviewed. Editing the question itself is PATCH /api/questions/:id. Multipart parsing is
// registered in this plugin's scope only.
import fastifyMultipart, { type Multipart } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Role } from '../../infra/db/schema.ts';
import { attachmentDisposition } from '../../infra/storage/content-disposition.ts';
import { AppError, BadRequestError, UnsupportedMediaTypeError } from '../../platform/errors.ts';
import { currentUser } from '../../platform/http/auth.ts';
import {
  listOcrDraftsQuery,
  listOcrDraftsResponse,
  markReviewedBody,
  ocrDraftEnvelope,
  ocrDraftIdParams,
  ocrUploadResponse,
} from './ocr-ingest-schemas.ts';
import {
  OCR_BATCH_MAX_IMAGES,
  type IncomingImage,
  type OcrIngestService,
} from './ocr-ingest-service.ts';
import { questionIdParams } from './questions-schemas.ts';

const STAFF: Role[] = ['instructor', 'admin'];
/** Form fields that may carry an image. */
const IMAGE_FIELDS = new Set(['images', 'images[]', 'image', 'file']);

function malformed(): BadRequestError {
  return new BadRequestError(
    'The multipart body could not be read; send multipart/form-data with a boundary.',
    'MALFORMED_MULTIPART',
  );
}

/** The images of the form, one at a time (the next arrives once the last was read). */
async function* formImages(
  request: FastifyRequest,
  maxImageBytes: number,
): AsyncGenerator<IncomingImage> {
  let parts: AsyncIterableIterator<Multipart>;
  try {
    parts = request.parts({
      limits: {
        // One byte over reaches the image check, which answers 413 (busboy would truncate).
        fileSize: maxImageBytes + 1,
        // One image over reaches the service, which answers 413 naming it.
        files: OCR_BATCH_MAX_IMAGES + 1,
        fields: 5,
        fieldSize: 100,
        parts: OCR_BATCH_MAX_IMAGES + 6,
      },
    });
  } catch {
    throw malformed();
  }
  for await (const part of parts) {
    if (part.type === 'field') {
      throw new BadRequestError(
        `Unknown form field "${part.fieldname}": send the images as files in fields named "images".`,
      );
    }
    if (!IMAGE_FIELDS.has(part.fieldname)) {
      part.file.resume();
      throw new BadRequestError(
        `The file ${part.filename} is in a field named "${part.fieldname}"; send the images in fields named "images".`,
      );
    }
    yield { fileName: part.filename, stream: part.file };
  }
}

export function ocrIngestRoutes(deps: { ocrIngest: OcrIngestService }) {
  const { ocrIngest } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    await app.register(fastifyMultipart, { throwFileSizeLimit: true });
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.post(
      '/api/questions/ocr',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: `Upload images of printed questions (multipart/form-data, fields "images", PNG or JPEG, up to ${OCR_BATCH_MAX_IMAGES}); each becomes a draft question through a questions.ocr-draft job. One bad image refuses the whole batch`,
          consumes: ['multipart/form-data'],
          response: { 202: ocrUploadResponse },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        if (!request.isMultipart()) {
          throw new UnsupportedMediaTypeError(
            'Send the images as multipart/form-data, in fields named "images".',
          );
        }
        try {
          const result = await ocrIngest.ingest(user, formImages(request, ocrIngest.maxImageBytes));
          return await reply.code(202).send(result);
        } catch (err) {
          if (err instanceof AppError) throw err;
          const status = (err as { statusCode?: number }).statusCode;
          if (status !== undefined && status < 500) throw err;
          if (err instanceof Error && /multipart|boundary|busboy/i.test(err.message)) {
            throw malformed();
          }
          throw err;
        }
      },
    );

    r.get(
      '/api/questions/ocr',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary:
            'Images imported for OCR and their draft questions, newest first (batch, status, needs review, confidence)',
          querystring: listOcrDraftsQuery,
          response: { 200: listOcrDraftsResponse },
        },
      },
      async (request) => ocrIngest.list(currentUser(request), request.query),
    );

    r.get(
      '/api/questions/ocr/:id',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary:
            'One OCR draft: the recognised text, every word and line with its confidence and pixel box, and its question',
          params: ocrDraftIdParams,
          response: { 200: ocrDraftEnvelope },
        },
      },
      async (request) => ({ draft: await ocrIngest.get(currentUser(request), request.params.id) }),
    );

    r.get(
      '/api/questions/ocr/:id/image',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary: 'The uploaded image of an OCR draft',
          params: ocrDraftIdParams,
        },
      },
      async (request, reply) => {
        const image = await ocrIngest.openImage(currentUser(request), request.params.id);
        return reply
          .header('content-disposition', attachmentDisposition(image.fileName))
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, no-store')
          .header('content-length', String(image.size))
          .type(image.contentType)
          .send(image.body);
      },
    );

    r.post(
      '/api/questions/ocr/:id/review',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary:
            'Mark an OCR draft as checked against its image, optionally moving its question to another status ({status})',
          params: ocrDraftIdParams,
          body: markReviewedBody,
          response: { 200: ocrDraftEnvelope },
        },
      },
      async (request) => ({
        draft: await ocrIngest.markReviewed(
          currentUser(request),
          request.params.id,
          request.body ?? {},
        ),
      }),
    );

    r.get(
      '/api/questions/:id/ocr',
      {
        config: { access: STAFF },
        schema: {
          tags: ['questions'],
          summary:
            'The OCR draft a question was made from (404 when it was not made from an image)',
          params: questionIdParams,
          response: { 200: ocrDraftEnvelope },
        },
      },
      async (request) => ({
        draft: await ocrIngest.findByQuestion(currentUser(request), request.params.id),
      }),
    );
  };
}
