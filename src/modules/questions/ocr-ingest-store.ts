// OCR ingestion tables (question_ocr_batches, question_ocr_sources): thin Kysely queries, one per
// method.
import type { Kysely, Selectable } from 'kysely';
import type {
  Database,
  QuestionOcrBatchesTable,
  QuestionOcrSourcesTable,
} from '../../infra/db/schema.ts';

export type OcrBatchRow = Selectable<QuestionOcrBatchesTable>;
export type OcrSourceRow = Selectable<QuestionOcrSourcesTable>;

export interface OcrSourceFilter {
  batchId?: string | undefined;
  statuses?: OcrSourceRow['status'][] | undefined;
  /** true: drafted and not reviewed yet; false: reviewed. */
  needsReview?: boolean | undefined;
  limit: number;
  offset: number;
}

export class OcrIngestStore {
  constructor(private readonly db: Kysely<Database>) {}

  withTransaction(tx: Kysely<Database>): OcrIngestStore {
    return new OcrIngestStore(tx);
  }

  async insertBatch(row: OcrBatchRow): Promise<void> {
    await this.db.insertInto('question_ocr_batches').values(row).execute();
  }

  async insertSources(rows: OcrSourceRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.insertInto('question_ocr_sources').values(rows).execute();
  }

  async deleteBatch(id: string): Promise<void> {
    await this.db.deleteFrom('question_ocr_batches').where('id', '=', id).execute();
  }

  async setJob(id: string, jobId: string): Promise<void> {
    await this.db
      .updateTable('question_ocr_sources')
      .set({ job_id: jobId })
      .where('id', '=', id)
      .execute();
  }

  async findBatch(id: string): Promise<OcrBatchRow | undefined> {
    return this.db
      .selectFrom('question_ocr_batches')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async findSource(id: string): Promise<OcrSourceRow | undefined> {
    return this.db
      .selectFrom('question_ocr_sources')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async findSourceByQuestion(questionId: string): Promise<OcrSourceRow | undefined> {
    return this.db
      .selectFrom('question_ocr_sources')
      .selectAll()
      .where('question_id', '=', questionId)
      .executeTakeFirst();
  }

  /**
   * Record the draft made from a source, only if it has none yet; returns whether this call
   * recorded it (false: another attempt got there first, and the caller rolls back).
   */
  async recordDraft(
    id: string,
    patch: Pick<
      OcrSourceRow,
      'question_id' | 'text' | 'confidence' | 'words' | 'lines' | 'recognised_at' | 'updated_at'
    >,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('question_ocr_sources')
      .set({ ...patch, status: 'drafted', failure_reason: null })
      .where('id', '=', id)
      .where('question_id', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async recordFailure(id: string, reason: string, now: string): Promise<void> {
    await this.db
      .updateTable('question_ocr_sources')
      .set({ status: 'failed', failure_reason: reason, updated_at: now })
      .where('id', '=', id)
      .where('question_id', 'is', null)
      .execute();
  }

  async markReviewed(id: string, reviewer: string, now: string): Promise<void> {
    await this.db
      .updateTable('question_ocr_sources')
      .set({ reviewed_at: now, reviewed_by: reviewer, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  private filtered(filter: OcrSourceFilter) {
    let query = this.db.selectFrom('question_ocr_sources');
    if (filter.batchId !== undefined) query = query.where('batch_id', '=', filter.batchId);
    if (filter.statuses?.length) query = query.where('status', 'in', filter.statuses);
    if (filter.needsReview === true) {
      query = query.where('status', '=', 'drafted').where('reviewed_at', 'is', null);
    } else if (filter.needsReview === false) {
      query = query.where('reviewed_at', 'is not', null);
    }
    return query;
  }

  async listSources(filter: OcrSourceFilter): Promise<{ rows: OcrSourceRow[]; total: number }> {
    const base = this.filtered(filter);
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('batch_id')
        .orderBy('position')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }
}
