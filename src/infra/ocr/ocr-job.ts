// The `ocr.recognise` job: read an uploaded image (PNG or JPEG, from the files module) out of the
// blob store and recognise it. The result is the text, the mean confidence and every word with
// its confidence and box, for a person to correct side by side with the image (question bank
// OCR ingestion). An image that cannot be read fails at once with the reason; an engine failure
// is retried.
import { z } from 'zod';
import type { BlobStore } from '../storage/blob-store.ts';
import { blobKeyProblem } from '../storage/blob-keys.ts';
import { JobFailure, type JobDefinition } from '../queue/job-queue.ts';
import { NotFoundError } from '../../platform/errors.ts';
import {
  OcrEngineError,
  OcrImageError,
  OcrUnavailableError,
  type Ocr,
  type OcrResult,
} from './ocr.ts';

export const OCR_RECOGNISE_JOB = 'ocr.recognise';

export const ocrRecognisePayloadSchema = z.object({
  /** The blob key of an uploaded file (`uploads/…`, FilesService keeps it per file). */
  blobKey: z
    .string()
    .max(1024)
    .superRefine((key, ctx) => {
      const problem = blobKeyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: `The storage key ${problem}.` });
      else if (!key.startsWith('uploads/')) {
        ctx.addIssue({ code: 'custom', message: 'Only uploaded files (uploads/…) can be read.' });
      }
    }),
});

export type OcrRecognisePayload = z.infer<typeof ocrRecognisePayloadSchema>;

/** What the job stores as its result (JSON). */
export type OcrJobResult = OcrResult;

export interface OcrJobDeps {
  blobs: BlobStore;
  ocr: Ocr;
}

/** Progress: 0-5 reading the file, 5-100 recognising. */
const READ_SHARE = 5;

export function createOcrJobDefinition(
  deps: OcrJobDeps,
): JobDefinition<OcrRecognisePayload, OcrJobResult> {
  return {
    type: OCR_RECOGNISE_JOB,
    schema: ocrRecognisePayloadSchema,
    maxAttempts: 2,
    backoffMs: 2000,
    // A page takes seconds; a pathological one is stopped rather than holding a worker for long.
    timeoutMs: 5 * 60_000,
    async handler(payload, ctx) {
      const report = (percent: number, message?: string) => {
        ctx.progress(percent, message).catch((err: unknown) => {
          ctx.log.warn({ err }, 'could not record OCR progress');
        });
      };
      report(0, 'Reading the image');
      let body;
      try {
        ({ body } = await deps.blobs.get(payload.blobKey));
      } catch (err) {
        if (err instanceof NotFoundError) {
          throw new JobFailure('The uploaded image is no longer stored; upload it again.', {
            retryable: false,
          });
        }
        throw err;
      }
      report(READ_SHARE, 'Recognising text');
      let lastPercent = READ_SHARE;
      try {
        const result = await deps.ocr.recognise(body, {
          signal: ctx.signal,
          onProgress: (fraction) => {
            const percent = Math.floor(READ_SHARE + fraction * (100 - READ_SHARE));
            if (percent > lastPercent) {
              lastPercent = percent;
              report(percent);
            }
          },
        });
        report(
          100,
          `Recognised ${result.words.length} words (mean confidence ${Math.round(result.confidence)}%)`,
        );
        return result;
      } catch (err) {
        body.destroy();
        if (err instanceof OcrImageError) {
          throw new JobFailure(err.message, { retryable: false, cause: err });
        }
        if (err instanceof OcrEngineError) {
          throw new JobFailure(err.message, { cause: err }); // retried while attempts remain
        }
        if (err instanceof OcrUnavailableError) {
          throw new JobFailure(`OCR is not available right now: ${err.message}`, { cause: err });
        }
        throw err;
      }
    },
  };
}
