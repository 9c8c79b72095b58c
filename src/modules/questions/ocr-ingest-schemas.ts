// Request and response schemas of the /api/questions/ocr routes.
import { z } from 'zod';
import { JOB_STATES, type JobState } from '../../infra/queue/job-queue.ts';
import { questionStatusSchema, questionTypeSchema } from './questions-schemas.ts';

export const ocrDraftIdParams = z.object({
  id: z.uuid({ message: 'must be an OCR draft id (UUID)' }),
});
export const ocrQuestionParams = z.object({
  questionId: z.uuid({ message: 'must be a question id (UUID)' }),
});

const jobStateSchema = z.enum(JOB_STATES as [JobState, ...JobState[]]);

const SOURCE_STATUSES = ['pending', 'drafted', 'failed'] as const;

export const listOcrDraftsQuery = z.object({
  batch: z.uuid({ message: 'must be a batch id (UUID)' }).optional(),
  status: z
    .string()
    .max(100)
    .transform((s, ctx) => {
      const items = s
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      for (const item of items) {
        if (!(SOURCE_STATUSES as readonly string[]).includes(item)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${item}" is not a status; use ${SOURCE_STATUSES.join(', ')} (comma-separated)`,
          });
          return z.NEVER;
        }
      }
      return items as (typeof SOURCE_STATUSES)[number][];
    })
    .optional()
    .describe('pending (OCR not done), drafted, failed; comma-separated'),
  needsReview: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional()
    .describe('true: drafted and not reviewed yet; false: reviewed'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const markReviewedBody = z.object({
  status: questionStatusSchema
    .optional()
    .describe('Also move the question to this status (review: ready for a second look)'),
});

const box = z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() });
export const ocrWordSchema = z.object({ text: z.string(), confidence: z.number(), bbox: box });

export const ocrDraftSummarySchema = z.object({
  id: z.string(),
  batchId: z.string(),
  position: z.number().int(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  /** The image, through the authenticated route. */
  imageUrl: z.string(),
  status: z.enum(['queued', 'recognising', 'drafted', 'failed']),
  failureReason: z.string().nullable(),
  jobId: z.string().nullable(),
  job: z
    .object({
      state: jobStateSchema,
      progress: z.number(),
      message: z.string().nullable(),
      failureReason: z.string().nullable(),
    })
    .nullable(),
  /** 0-100, mean word confidence. */
  confidence: z.number().nullable(),
  wordCount: z.number().int(),
  /** Words below the low-confidence threshold. */
  lowConfidenceWords: z.number().int(),
  /** Drafted and not yet checked by a person. */
  needsReview: z.boolean(),
  reviewedAt: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  question: z
    .object({
      id: z.string(),
      type: questionTypeSchema,
      status: questionStatusSchema,
      title: z.string().nullable(),
      excerpt: z.string(),
      archived: z.boolean(),
      /** false for a choice question whose correct option is still to be picked. */
      answerChosen: z.boolean(),
    })
    .nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const listOcrDraftsResponse = z.object({
  drafts: z.array(ocrDraftSummarySchema),
  total: z.number().int(),
  /** Words under this confidence are highlighted. */
  lowConfidence: z.number(),
});

export const ocrDraftDetailSchema = ocrDraftSummarySchema.extend({
  /** The text as OCR returned it (the question's stem is the cleaned copy). */
  text: z.string().nullable(),
  /** Why the text became the type of question it did. */
  draftReason: z.string().nullable(),
  words: z.array(ocrWordSchema),
  lines: z.array(ocrWordSchema),
  recognisedAt: z.string().nullable(),
  lowConfidence: z.number(),
});
export const ocrDraftEnvelope = z.object({ draft: ocrDraftDetailSchema });

export const ocrUploadResponse = z.object({
  batch: z.object({ id: z.string(), imageCount: z.number().int(), createdAt: z.string() }),
  drafts: z.array(z.object({ id: z.string(), fileName: z.string(), jobId: z.string().nullable() })),
  jobs: z.array(z.object({ id: z.string(), type: z.string(), state: jobStateSchema })),
});
