// The `questions.ocr-draft` job: recognise one uploaded image with the OCR machinery (the
// ocr.recognise handler: blob read, image checks, progress, failures mapped to reasons), then
// make the draft question from the text (ocr-draft-text.ts). Recognition is 0-90 % of the
// progress, the draft the rest. An unreadable image, or one with no text, fails at once with the
// reason and creates no question; an engine failure is retried; a retry after the draft was
// written returns that draft instead of making another.
import { z } from 'zod';
import type { Ocr } from '../../infra/ocr/ocr.ts';
import { createOcrJobDefinition } from '../../infra/ocr/ocr-job.ts';
import { JobFailure, type JobContext, type JobDefinition } from '../../infra/queue/job-queue.ts';
import type { BlobStore } from '../../infra/storage/blob-store.ts';
import { OCR_DRAFT_JOB, type OcrIngestService } from './ocr-ingest-service.ts';

export { OCR_DRAFT_JOB };

export const ocrDraftPayloadSchema = z.object({
  /** The uploaded image (question_ocr_sources.id). */
  sourceId: z.uuid({ message: 'must be an OCR draft id (UUID)' }),
});
export type OcrDraftPayload = z.infer<typeof ocrDraftPayloadSchema>;

export interface OcrDraftJobResult {
  questionId: string;
  /** false when an earlier attempt had already made it. */
  created: boolean;
  type: string;
  confidence: number;
  words: number;
}

const RECOGNISE_SHARE = 0.9;

export function createOcrDraftJob(deps: {
  ocrIngest: OcrIngestService;
  blobs: BlobStore;
  ocr: Ocr;
}): JobDefinition<OcrDraftPayload, OcrDraftJobResult> {
  const recognise = createOcrJobDefinition({ blobs: deps.blobs, ocr: deps.ocr });
  return {
    type: OCR_DRAFT_JOB,
    schema: ocrDraftPayloadSchema,
    maxAttempts: 3,
    backoffMs: 2000,
    timeoutMs: 5 * 60_000,
    async handler(payload, ctx) {
      const source = await deps.ocrIngest.sourceForJob(payload.sourceId);
      if (!source) {
        throw new JobFailure('The image of this draft was removed; upload it again.', {
          retryable: false,
        });
      }
      if (source.question_id !== null) {
        await ctx.progress(100, 'The draft question was already created');
        return {
          questionId: source.question_id,
          created: false,
          type: 'existing',
          confidence: Number(source.confidence ?? 0),
          words: 0,
        };
      }
      try {
        const scaled: JobContext = {
          ...ctx,
          progress: (percent, message) =>
            ctx.progress(Math.floor(percent * RECOGNISE_SHARE), message),
        };
        const result = await recognise.handler({ blobKey: source.blob_key }, scaled);
        if (result.words.length === 0 || result.text.trim() === '') {
          throw new JobFailure(
            'No text was recognised in the image. Check that it shows a printed question, in focus and the right way up, and upload it again.',
            { retryable: false },
          );
        }
        await ctx.progress(95, 'Making the draft question');
        const draft = await deps.ocrIngest.createDraft(source.id, result);
        await ctx.progress(
          100,
          `Draft ${draft.type === 'single_choice' ? 'single-choice' : 'written'} question from ${result.words.length} words (mean confidence ${Math.round(result.confidence)}%)`,
        );
        return {
          questionId: draft.questionId,
          created: draft.created,
          type: draft.type,
          confidence: result.confidence,
          words: result.words.length,
        };
      } catch (err) {
        const final =
          err instanceof JobFailure && (!err.retryable || ctx.attempt >= ctx.job.maxAttempts);
        if (final) {
          await deps.ocrIngest.recordFailure(source.id, err.message).catch((recordErr: unknown) => {
            ctx.log.warn({ err: recordErr }, 'could not record the OCR failure on its image');
          });
        }
        throw err;
      }
    },
  };
}
