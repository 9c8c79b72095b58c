// OCR ingestion: instructors upload images of printed questions; each becomes a draft question
// with the recognised text, for a person to correct beside the image.
//
// Upload: every image of the batch is read (within the byte limit), checked by its bytes
// (a complete PNG or JPEG within the pixel limits, image-inspection.ts) and stored under a
// server-generated key before the next is read; any bad image, a missing one or too many refuses
// the whole batch and removes what was stored. Then the batch and its images are recorded in one
// transaction and one questions.ocr-draft job is enqueued per image.
// The job (ocr-ingest-jobs.ts) recognises the image and calls createDraft, which writes the
// question and links it to its image in one transaction, once: question_id is set only while it
// is null, so a retried job never makes a second question.
import type { Kysely } from 'kysely';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Database, Role } from '../../infra/db/schema.ts';
import {
  DEFAULT_IMAGE_LIMITS,
  inspectImage,
  readImageBytes,
  type ImageLimits,
} from '../../infra/ocr/image-inspection.ts';
import type { OcrResult } from '../../infra/ocr/ocr.ts';
import type { JobQueue, JobRecord } from '../../infra/queue/job-queue.ts';
import { newUploadKey } from '../../infra/storage/blob-keys.ts';
import type { BlobStore } from '../../infra/storage/blob-store.ts';
import { safeFileName } from '../../infra/storage/content-disposition.ts';
import type { Clock } from '../../platform/clock.ts';
import {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
} from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { plainText } from '../../platform/markdown.ts';
import { draftFromOcrText } from './ocr-draft-text.ts';
import { OcrIngestStore, type OcrSourceRow } from './ocr-ingest-store.ts';
import { isUnansweredChoice, optionId, type QuestionStatus } from './question-model.ts';
import { checkDraft, newRow } from './questions-service.ts';
import { QuestionsStore, type QuestionRow } from './questions-store.ts';

export const OCR_DRAFT_JOB = 'questions.ocr-draft';
/** Images in one upload at most (a class set of printed questions fits). */
export const OCR_BATCH_MAX_IMAGES = 50;
/** Bytes of one upload at most, all images together. */
export const OCR_BATCH_MAX_BYTES = 256 * 1024 * 1024;
/** Words below this confidence (0-100) are highlighted for checking. */
export const LOW_CONFIDENCE = 70;

export interface Actor {
  id: string;
  role: Role;
}

export interface IncomingImage {
  /** As the client sent it: reduced to a safe display name, never used as a path. */
  fileName: string | undefined;
  stream: Readable;
}

export interface OcrIngestServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  blobs: BlobStore;
  jobs: JobQueue;
  logger: Logger;
  /** Largest image in bytes; the smaller of this and the OCR limit applies. */
  maxImageBytes: number;
  limits?: Partial<ImageLimits>;
}

export interface OcrWordView {
  text: string;
  confidence: number;
  bbox: { x0: number; y0: number; x1: number; y1: number };
}

export type OcrDraftStatus = 'queued' | 'recognising' | 'drafted' | 'failed';

const STAFF: readonly Role[] = ['instructor', 'admin'];

function parseWords(json: string | null): OcrWordView[] {
  if (json === null) return [];
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? (value as OcrWordView[]) : [];
}

/** The error, with the file it is about named first. */
function inFile(err: unknown, fileName: string): unknown {
  if (err instanceof AppError) {
    return new AppError(err.statusCode, err.code, err.title, `${fileName}: ${err.message}`);
  }
  return err;
}

export class OcrIngestService {
  private readonly store: OcrIngestStore;
  private readonly questions: QuestionsStore;
  private readonly limits: ImageLimits;

  constructor(private readonly deps: OcrIngestServiceDeps) {
    this.store = new OcrIngestStore(deps.db);
    this.questions = new QuestionsStore(deps.db);
    const limits = { ...DEFAULT_IMAGE_LIMITS, ...deps.limits };
    this.limits = { ...limits, maxBytes: Math.min(limits.maxBytes, deps.maxImageBytes) };
  }

  /** Bytes one image may have: what the multipart parser is told to allow (plus one). */
  get maxImageBytes(): number {
    return this.limits.maxBytes;
  }

  private requireStaff(actor: Actor): void {
    if (!STAFF.includes(actor.role)) {
      throw new ForbiddenError('Only instructors and admins can import questions from images.');
    }
  }

  /**
   * Check and store every image, record the batch, enqueue a job per image. All or nothing:
   * an error anywhere (a bad image, the form, the store) leaves no blob, row or job behind.
   */
  async ingest(actor: Actor, images: AsyncIterable<IncomingImage>) {
    this.requireStaff(actor);
    const { blobs, clock } = this.deps;
    const stored: Omit<OcrSourceRow, 'batch_id' | 'created_at' | 'updated_at'>[] = [];
    const removeStored = async () => {
      for (const image of stored) {
        await blobs.delete(image.blob_key).catch((err: unknown) => {
          this.deps.logger.warn({ err, key: image.blob_key }, 'could not remove an OCR upload');
        });
      }
    };
    let totalBytes = 0;
    try {
      for await (const image of images) {
        const fileName = safeFileName(image.fileName, `image-${stored.length + 1}`);
        if (stored.length >= OCR_BATCH_MAX_IMAGES) {
          image.stream.resume();
          throw new PayloadTooLargeError(
            `A batch holds at most ${OCR_BATCH_MAX_IMAGES} images (${fileName} is one more); upload the rest in another batch. Nothing was stored.`,
          );
        }
        let bytes: Buffer;
        let info;
        try {
          bytes = await readImageBytes(image.stream, this.limits.maxBytes);
          info = await inspectImage(bytes, this.limits);
        } catch (err) {
          image.stream.resume();
          throw inFile(err, fileName);
        }
        totalBytes += bytes.length;
        if (totalBytes > OCR_BATCH_MAX_BYTES) {
          throw new PayloadTooLargeError(
            `The images add up to more than ${OCR_BATCH_MAX_BYTES / 1024 / 1024} MiB at ${fileName}; upload them in smaller batches. Nothing was stored.`,
          );
        }
        const contentType = info.format === 'png' ? 'image/png' : 'image/jpeg';
        const key = newUploadKey(clock.now());
        const meta = await blobs.put(key, bytes, { contentType, originalName: fileName });
        stored.push({
          id: newId(),
          position: stored.length,
          blob_key: key,
          file_name: fileName,
          content_type: contentType,
          size: meta.size,
          sha256: meta.sha256 ?? '',
          width: info.width,
          height: info.height,
          job_id: null,
          status: 'pending',
          failure_reason: null,
          question_id: null,
          text: null,
          confidence: null,
          words: null,
          lines: null,
          recognised_at: null,
          reviewed_at: null,
          reviewed_by: null,
          created_by: actor.id,
        });
      }
      if (stored.length === 0) {
        throw new BadRequestError(
          'The form has no images: send one or more PNG or JPEG files in fields named "images".',
          'FILE_MISSING',
        );
      }
    } catch (err) {
      await removeStored();
      throw err;
    }

    const now = clock.now().toISOString();
    const batch = {
      id: newId(),
      image_count: stored.length,
      created_by: actor.id,
      created_at: now,
    };
    const rows: OcrSourceRow[] = stored.map((s) => ({
      ...s,
      batch_id: batch.id,
      created_at: now,
      updated_at: now,
    }));
    try {
      await this.deps.db.transaction().execute(async (tx) => {
        const store = this.store.withTransaction(tx);
        await store.insertBatch(batch);
        await store.insertSources(rows);
      });
    } catch (err) {
      await removeStored();
      throw err;
    }

    const jobs: JobRecord[] = [];
    try {
      for (const row of rows) {
        const job = await this.deps.jobs.enqueue(
          OCR_DRAFT_JOB,
          { sourceId: row.id },
          { userId: actor.id },
        );
        jobs.push(job);
        await this.store.setJob(row.id, job.id);
        row.job_id = job.id;
      }
    } catch (err) {
      // Undo the whole batch: its jobs, rows and images.
      for (const job of jobs) {
        await this.deps.jobs.cancel(job.id, 'The upload failed.').catch(() => undefined);
      }
      await this.store.deleteBatch(batch.id).catch((deleteErr: unknown) => {
        this.deps.logger.error({ err: deleteErr }, 'could not remove a failed OCR batch');
      });
      await removeStored();
      throw err;
    }

    return {
      batch: { id: batch.id, imageCount: batch.image_count, createdAt: batch.created_at },
      drafts: rows.map((row) => ({ id: row.id, fileName: row.file_name, jobId: row.job_id })),
      jobs: jobs.map((job) => ({ id: job.id, type: job.type, state: job.state })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  private async visibleSource(actor: Actor, id: string): Promise<OcrSourceRow> {
    this.requireStaff(actor);
    const row = await this.store.findSource(id);
    if (!row) throw new NotFoundError('No such OCR draft.', 'OCR_DRAFT_NOT_FOUND');
    return row;
  }

  /** What a person sees of one image and its draft (no OCR words: see get). */
  private async summaries(rows: OcrSourceRow[]) {
    const questionIds = rows.map((r) => r.question_id).filter((id): id is string => id !== null);
    const questions = new Map(
      (await this.questions.findByIds(questionIds)).map((q) => [q.id, q] as const),
    );
    return Promise.all(
      rows.map(async (row) => {
        const job = row.status === 'pending' && row.job_id ? await this.jobState(row.job_id) : null;
        const question = row.question_id ? questions.get(row.question_id) : undefined;
        return this.summary(row, job, question);
      }),
    );
  }

  private async jobState(jobId: string) {
    const job = await this.deps.jobs.get(jobId);
    return job
      ? {
          state: job.state,
          progress: job.progress,
          message: job.message,
          failureReason: job.failureReason,
        }
      : null;
  }

  private summary(
    row: OcrSourceRow,
    job: Awaited<ReturnType<OcrIngestService['jobState']>>,
    question: QuestionRow | undefined,
  ) {
    const words = parseWords(row.words);
    let status: OcrDraftStatus;
    let failureReason = row.failure_reason;
    if (row.status === 'drafted') status = 'drafted';
    else if (row.status === 'failed') status = 'failed';
    else if (job && (job.state === 'failed' || job.state === 'cancelled')) {
      // The job ended without reaching the handler's own bookkeeping (cancelled, worker lost).
      status = 'failed';
      failureReason = job.failureReason ?? 'The OCR job did not finish.';
    } else status = job?.state === 'running' ? 'recognising' : 'queued';
    return {
      id: row.id,
      batchId: row.batch_id,
      position: row.position,
      fileName: row.file_name,
      contentType: row.content_type,
      size: Number(row.size),
      width: Number(row.width),
      height: Number(row.height),
      imageUrl: `/api/questions/ocr/${row.id}/image`,
      status,
      failureReason,
      jobId: row.job_id,
      job,
      confidence: row.confidence === null ? null : Number(row.confidence),
      wordCount: words.length,
      lowConfidenceWords: words.filter((w) => w.confidence < LOW_CONFIDENCE).length,
      needsReview: status === 'drafted' && row.reviewed_at === null,
      reviewedAt: row.reviewed_at,
      reviewedBy: row.reviewed_by,
      question: question
        ? {
            id: question.id,
            type: question.type,
            status: question.status,
            title: question.title,
            excerpt: excerptOf(question),
            archived: question.archived_at !== null,
            answerChosen: !isUnansweredChoice(question.type, JSON.parse(question.answers)),
          }
        : null,
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async list(
    actor: Actor,
    query: {
      batch?: string | undefined;
      status?: OcrSourceRow['status'][] | undefined;
      needsReview?: boolean | undefined;
      limit: number;
      offset: number;
    },
  ) {
    this.requireStaff(actor);
    const { rows, total } = await this.store.listSources({
      batchId: query.batch,
      statuses: query.status,
      needsReview: query.needsReview,
      limit: query.limit,
      offset: query.offset,
    });
    return { drafts: await this.summaries(rows), total, lowConfidence: LOW_CONFIDENCE };
  }

  /** One image with everything OCR read: text, words and lines with confidences and boxes. */
  async get(actor: Actor, id: string) {
    const row = await this.visibleSource(actor, id);
    const [summary] = await this.summaries([row]);
    return {
      ...summary!,
      text: row.text,
      draftReason: row.text === null ? null : draftFromOcrText(row.text).reason,
      words: parseWords(row.words),
      lines: parseWords(row.lines),
      recognisedAt: row.recognised_at,
      lowConfidence: LOW_CONFIDENCE,
    };
  }

  /** The OCR draft of a question, if it came from an image. */
  async findByQuestion(actor: Actor, questionId: string) {
    this.requireStaff(actor);
    const row = await this.store.findSourceByQuestion(questionId);
    if (!row)
      throw new NotFoundError('This question did not come from an image.', 'OCR_DRAFT_NOT_FOUND');
    return this.get(actor, row.id);
  }

  async openImage(actor: Actor, id: string) {
    const row = await this.visibleSource(actor, id);
    const { body } = await this.deps.blobs.get(row.blob_key);
    return { body, contentType: row.content_type, fileName: row.file_name, size: Number(row.size) };
  }

  /**
   * The draft has been checked against its image; optionally move its question on (to review or
   * published) in the same transaction. A choice question needs its correct option first.
   */
  async markReviewed(actor: Actor, id: string, input: { status?: QuestionStatus | undefined }) {
    const row = await this.visibleSource(actor, id);
    if (row.status !== 'drafted' || row.question_id === null) {
      throw new ConflictError(
        'This image has no draft question yet: wait for its OCR job to finish.',
        'OCR_DRAFT_NOT_READY',
      );
    }
    const questionId = row.question_id;
    const now = this.deps.clock.now().toISOString();
    await this.deps.db.transaction().execute(async (tx) => {
      const questions = this.questions.withTransaction(tx);
      if (input.status !== undefined) {
        const question = await questions.findById(questionId);
        if (!question || question.archived_at !== null) {
          throw new ConflictError(
            'The draft question is archived; restore it first.',
            'QUESTION_ARCHIVED',
          );
        }
        if (
          input.status !== 'draft' &&
          isUnansweredChoice(question.type, JSON.parse(question.answers))
        ) {
          throw new BadRequestError(
            'Pick the correct option before moving the question to review or publishing it.',
            'ANSWER_MISSING',
          );
        }
        if (input.status !== question.status) {
          await questions.setStatus([questionId], input.status, now);
        }
      }
      await this.store.withTransaction(tx).markReviewed(id, actor.id, now);
    });
    return this.get(actor, id);
  }

  // -------------------------------------------------------------------------------------------
  // The job's side

  async sourceForJob(id: string): Promise<OcrSourceRow | undefined> {
    return this.store.findSource(id);
  }

  /**
   * Write the draft question for a recognised image and link it, once. Returns the question's id
   * and whether this call created it (false when an earlier attempt already had).
   */
  async createDraft(
    sourceId: string,
    result: OcrResult,
  ): Promise<{ questionId: string; created: boolean; type: string }> {
    const source = await this.store.findSource(sourceId);
    if (!source) throw new NotFoundError('The image of this draft was removed.');
    if (source.question_id !== null) {
      const existing = await this.questions.findById(source.question_id);
      return { questionId: source.question_id, created: false, type: existing?.type ?? 'written' };
    }
    const parsed = draftFromOcrText(result.text);
    const draft = checkDraft(
      {
        type: parsed.type,
        title: null,
        stem: parsed.stem,
        format: 'markdown',
        answers:
          parsed.type === 'single_choice'
            ? { options: parsed.options.map((text, i) => ({ id: optionId(i), text, weight: 0 })) }
            : { maxMarks: parsed.maxMarks },
        maxMarks: parsed.type === 'written' ? parsed.maxMarks : 1,
        source: 'ocr',
        status: 'draft',
      },
      { allowUnansweredDraft: true },
    );
    const now = this.deps.clock.now().toISOString();
    const question = newRow(draft, { actorId: source.created_by, now, importId: null });
    const words = result.words.map((w) => ({
      text: w.text,
      confidence: w.confidence,
      bbox: w.bbox,
    }));
    const lines = result.lines.map((l) => ({
      text: l.text,
      confidence: l.confidence,
      bbox: l.bbox,
    }));
    const created = await this.deps.db
      .transaction()
      .execute(async (tx) => {
        await this.questions.withTransaction(tx).insertQuestions([question]);
        const recorded = await this.store.withTransaction(tx).recordDraft(sourceId, {
          question_id: question.id,
          text: result.text,
          confidence: result.confidence,
          words: JSON.stringify(words),
          lines: JSON.stringify(lines),
          recognised_at: now,
          updated_at: now,
        });
        if (!recorded) throw new DraftAlreadyRecorded();
        return true;
      })
      .catch((err: unknown) => {
        if (err instanceof DraftAlreadyRecorded) return false;
        throw err;
      });
    if (!created) {
      const again = await this.store.findSource(sourceId);
      const existing = again?.question_id
        ? await this.questions.findById(again.question_id)
        : undefined;
      return {
        questionId: again?.question_id ?? '',
        created: false,
        type: existing?.type ?? 'written',
      };
    }
    return { questionId: question.id, created: true, type: draft.type };
  }

  async recordFailure(sourceId: string, reason: string): Promise<void> {
    await this.store.recordFailure(sourceId, reason, this.deps.clock.now().toISOString());
  }
}

/** Another attempt linked a question to the source first: this one rolls back. */
class DraftAlreadyRecorded extends Error {}

function excerptOf(row: QuestionRow): string {
  const text = plainText(row.stem, row.format);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}
