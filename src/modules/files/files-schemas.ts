// Request and response schemas of the files and blob routes.
import { z } from 'zod';
import { FILE_PURPOSES } from './upload-inspection.ts';

export const filePurposeSchema = z.enum(FILE_PURPOSES, {
  message: `must be one of ${FILE_PURPOSES.join(', ')}`,
});

export const uploadQuery = z.object({ purpose: filePurposeSchema.optional() });

export const fileRecordSchema = z.object({
  id: z.string(),
  ownerId: z.string(),
  purpose: filePurposeSchema,
  originalName: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
});

export const fileEnvelope = z.object({ file: fileRecordSchema });

export const fileIdParams = z.object({ id: z.uuid({ message: 'must be a file id (UUID)' }) });

export const listFilesQuery = z.object({
  purpose: filePurposeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const listFilesResponse = z.object({
  files: z.array(fileRecordSchema),
  total: z.number().int(),
});

/** The key arrives percent-decoded in the wildcard; the key pattern is checked by the service. */
export const blobParams = z.object({ '*': z.string().min(1).max(4096) });

export const blobQuery = z.object({
  expires: z.coerce.number().int().positive(),
  signature: z.string().min(1).max(256),
  name: z.string().max(1024).optional(),
});
