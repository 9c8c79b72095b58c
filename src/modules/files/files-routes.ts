// Upload, metadata, download and deletion of files, and the signed /api/blobs links. Multipart
// parsing is registered here only, so no other route accepts multipart bodies.
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { AppConfig } from '../../config/env.ts';
import { attachmentDisposition } from '../../infra/storage/content-disposition.ts';
import type { FilePurpose } from '../../infra/db/schema.ts';
import {
  AppError,
  BadRequestError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../platform/errors.ts';
import { currentUser } from '../../platform/http/auth.ts';
import type { FilesService } from './files-service.ts';
import {
  blobParams,
  blobQuery,
  fileEnvelope,
  fileIdParams,
  filePurposeSchema,
  listFilesQuery,
  listFilesResponse,
  uploadQuery,
} from './files-schemas.ts';
import { FILE_PURPOSES } from './upload-inspection.ts';

/** Headers of every file sent back: a download, never rendered in the app's origin. */
function sendAttachment(
  reply: FastifyReply,
  body: Readable,
  file: { name: string; contentType: string; size?: number | undefined },
) {
  reply
    .header('content-disposition', attachmentDisposition(file.name))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-store')
    .type(file.contentType);
  if (file.size !== undefined) reply.header('content-length', String(file.size));
  return reply.send(body);
}

function purposeField(part: MultipartFile): unknown {
  const field = part.fields.purpose;
  if (field === undefined || Array.isArray(field)) return field;
  return field.type === 'field' ? field.value : undefined;
}

function resolvePurpose(fromQuery: FilePurpose | undefined, fromField: unknown): FilePurpose {
  if (fromField !== undefined) {
    const parsed = filePurposeSchema.safeParse(fromField);
    if (!parsed.success) {
      throw new ValidationError(`purpose: must be one of ${FILE_PURPOSES.join(', ')}`, [
        { path: 'body.purpose', message: `must be one of ${FILE_PURPOSES.join(', ')}` },
      ]);
    }
    if (fromQuery !== undefined && fromQuery !== parsed.data) {
      throw new BadRequestError(
        `The purpose is "${fromQuery}" in the query but "${parsed.data}" in the form; send one.`,
      );
    }
    return parsed.data;
  }
  if (fromQuery === undefined) {
    throw new ValidationError(
      `purpose: say what the file is for with ?purpose=${FILE_PURPOSES.join('|')} (or a form field before the file)`,
      [{ path: 'querystring.purpose', message: `must be one of ${FILE_PURPOSES.join(', ')}` }],
    );
  }
  return fromQuery;
}

export function filesRoutes(deps: { config: AppConfig; files: FilesService }) {
  const { config, files } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    await app.register(fastifyMultipart, { throwFileSizeLimit: true });
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.post(
      '/api/files',
      {
        schema: {
          tags: ['files'],
          summary:
            'Upload a file (multipart/form-data, field "file"); its content must match the purpose',
          consumes: ['multipart/form-data'],
          querystring: uploadQuery,
          response: { 201: fileEnvelope },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        if (!request.isMultipart()) {
          throw new UnsupportedMediaTypeError(
            'Send the file as multipart/form-data, in a field named "file".',
          );
        }
        let part: MultipartFile | undefined;
        try {
          part = await request.file({
            limits: {
              // One byte over the limit reaches the inspector, which answers 413; busboy would
              // otherwise silently truncate the file at the limit.
              fileSize: config.uploads.maxBytes + 1,
              files: 1,
              fields: 10,
              fieldSize: 1024,
              parts: 12,
            },
          });
        } catch (err) {
          if (err instanceof AppError) throw err;
          const status = (err as { statusCode?: number }).statusCode;
          if (status !== undefined && status < 500) throw err;
          throw new BadRequestError(
            'The multipart body could not be read; send multipart/form-data with a boundary.',
            'MALFORMED_MULTIPART',
          );
        }
        if (!part) {
          throw new BadRequestError(
            'The form has no file: send it in a field named "file".',
            'FILE_MISSING',
          );
        }
        if (part.fieldname !== 'file') {
          part.file.destroy();
          throw new BadRequestError(
            `The file is in a field named "${part.fieldname}"; send it in a field named "file".`,
            'FILE_MISSING',
          );
        }
        let purpose: FilePurpose;
        try {
          purpose = resolvePurpose(request.query.purpose, purposeField(part));
        } catch (err) {
          part.file.destroy();
          throw err;
        }
        const file = await files.upload(user, {
          purpose,
          fileName: part.filename,
          stream: part.file,
        });
        return reply.code(201).send({ file });
      },
    );

    r.get(
      '/api/files',
      {
        schema: {
          tags: ['files'],
          summary: 'Your uploaded files, newest first',
          querystring: listFilesQuery,
          response: { 200: listFilesResponse },
        },
      },
      async (request) => files.list(currentUser(request), request.query),
    );

    r.get(
      '/api/files/:id',
      {
        schema: {
          tags: ['files'],
          summary: "A file's metadata (owner, instructors and admins)",
          params: fileIdParams,
          response: { 200: fileEnvelope },
        },
      },
      async (request) => ({ file: await files.get(currentUser(request), request.params.id) }),
    );

    r.get(
      '/api/files/:id/download',
      {
        schema: {
          tags: ['files'],
          summary:
            'Download a file as an attachment (owner, instructors and admins); on S3 a redirect to a presigned URL',
          params: fileIdParams,
        },
      },
      async (request, reply) => {
        const target = await files.download(currentUser(request), request.params.id);
        if (target.kind === 'redirect') {
          return reply.header('cache-control', 'private, no-store').redirect(target.url, 302);
        }
        return sendAttachment(reply, target.body, {
          name: target.file.originalName,
          contentType: target.file.contentType,
          size: target.file.size,
        });
      },
    );

    r.delete(
      '/api/files/:id',
      {
        schema: {
          tags: ['files'],
          summary: 'Delete a file (owner or admin)',
          params: fileIdParams,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await files.delete(currentUser(request), request.params.id, request.ip ?? null);
        return reply.code(204).send(null);
      },
    );

    r.get(
      '/api/blobs/*',
      {
        schema: {
          tags: ['files'],
          summary:
            'A stored blob through a signed, expiring link (what presigned URLs are on local storage)',
          params: blobParams,
          querystring: blobQuery,
        },
      },
      async (request, reply) => {
        const { body, metadata, downloadName } = await files.openSignedBlob(
          request.params['*'],
          request.query,
        );
        return sendAttachment(reply, body, {
          name: downloadName,
          contentType: metadata.contentType,
          size: metadata.size,
        });
      },
    );
  };
}
