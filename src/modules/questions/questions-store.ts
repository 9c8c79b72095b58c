// Question bank tables: thin Kysely queries, one per method.
import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import type {
  Database,
  QuestionImportsTable,
  QuestionsTable,
  QuestionTagsTable,
} from '../../infra/db/schema.ts';

export type QuestionRow = Selectable<QuestionsTable>;
export type QuestionTagRow = Selectable<QuestionTagsTable>;
export type QuestionImportRow = Selectable<QuestionImportsTable>;

export interface QuestionFilter {
  /** Each set: the question has an accepted tag on at least one of its nodes. */
  nodeIdSets?: string[][] | undefined;
  types?: QuestionsTable['type'][] | undefined;
  statuses?: QuestionsTable['status'][] | undefined;
  difficultyMin?: number | undefined;
  difficultyMax?: number | undefined;
  /** Lower-cased words; each must appear in search_text. */
  words?: string[] | undefined;
  category?: string | undefined;
  importId?: string | undefined;
  archived: boolean;
}

/** Rows per INSERT: below both dialects' bound-parameter limits with 23 columns. */
const INSERT_CHUNK = 500;
/** Longer id lists go as one array parameter (see inList). */
const IN_LIST_PARAMETERS = 500;

function escapeLike(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class QuestionsStore {
  constructor(private readonly db: Kysely<Database>) {}

  withTransaction(tx: Kysely<Database>): QuestionsStore {
    return new QuestionsStore(tx);
  }

  async insertImport(row: QuestionImportRow): Promise<void> {
    await this.db.insertInto('question_imports').values(row).execute();
  }

  async insertQuestions(rows: QuestionRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await this.db
        .insertInto('questions')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }

  async hasAny(): Promise<boolean> {
    const row = await this.db.selectFrom('questions').select('id').limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async findById(id: string): Promise<QuestionRow | undefined> {
    return this.db.selectFrom('questions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByIds(ids: string[]): Promise<QuestionRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('questions').selectAll().where('id', 'in', ids).execute();
  }

  /**
   * question_tags.node_id in the list. A concept's subtree can hold thousands of nodes, more
   * than either database takes as bound parameters, so long lists travel as one array parameter.
   */
  private inList(ids: string[]) {
    if (ids.length <= IN_LIST_PARAMETERS) {
      return sql<boolean>`question_tags.node_id in (${sql.join(ids)})`;
    }
    if (this.db.getExecutor().adapter instanceof PostgresAdapter) {
      return sql<boolean>`question_tags.node_id = any(${ids}::text[])`;
    }
    return sql<boolean>`question_tags.node_id in (select value from json_each(${JSON.stringify(ids)}))`;
  }

  private filtered(filter: QuestionFilter) {
    let query = this.db.selectFrom('questions');
    query = filter.archived
      ? query.where('archived_at', 'is not', null)
      : query.where('archived_at', 'is', null);
    for (const set of filter.nodeIdSets ?? []) {
      const nodeIds = set.length > 0 ? set : ['\u0000none'];
      query = query.where('id', 'in', (eb) =>
        eb
          .selectFrom('question_tags')
          .select('question_tags.question_id')
          .where(this.inList(nodeIds))
          .where('question_tags.status', '=', 'accepted'),
      );
    }
    if (filter.types?.length) query = query.where('type', 'in', filter.types);
    if (filter.statuses?.length) query = query.where('status', 'in', filter.statuses);
    if (filter.difficultyMin !== undefined) {
      query = query.where('difficulty', '>=', filter.difficultyMin);
    }
    if (filter.difficultyMax !== undefined) {
      query = query.where('difficulty', '<=', filter.difficultyMax);
    }
    if (filter.category !== undefined) {
      const category = filter.category;
      query = query.where((eb) =>
        eb.or([
          eb('category', '=', category),
          sql<boolean>`category like ${`${escapeLike(category)}/%`} escape '\\'`,
        ]),
      );
    }
    if (filter.importId !== undefined) query = query.where('import_id', '=', filter.importId);
    for (const word of filter.words ?? []) {
      query = query.where(sql<boolean>`search_text like ${`%${escapeLike(word)}%`} escape '\\'`);
    }
    return query;
  }

  async list(
    filter: QuestionFilter,
    page: { limit: number; offset: number },
  ): Promise<{ rows: QuestionRow[]; total: number }> {
    const base = this.filtered(filter);
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('created_at', 'desc')
        // Ids are time-ordered: within one import, the file's order.
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** Every matching question, oldest first: what an export writes. */
  async listAll(filter: QuestionFilter): Promise<QuestionRow[]> {
    return this.filtered(filter).selectAll().orderBy('created_at').orderBy('id').execute();
  }

  async update(
    id: string,
    patch: Partial<Omit<QuestionRow, 'id'>>,
  ): Promise<QuestionRow | undefined> {
    return this.db
      .updateTable('questions')
      .set(patch)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async setStatus(ids: string[], status: QuestionsTable['status'], now: string): Promise<number> {
    const result = await this.db
      .updateTable('questions')
      .set((eb) => ({
        status,
        updated_at: now,
        published_at:
          status === 'published'
            ? eb.fn.coalesce('published_at', eb.val(now))
            : eb.val<string | null>(null),
      }))
      .where('id', 'in', ids)
      .where('archived_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async insertTags(rows: QuestionTagRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await this.db
        .insertInto('question_tags')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }

  async tagsOf(questionIds: string[]): Promise<QuestionTagRow[]> {
    if (questionIds.length === 0) return [];
    return this.db
      .selectFrom('question_tags')
      .selectAll()
      .where('question_id', 'in', questionIds)
      .orderBy('created_at')
      .execute();
  }

  async deleteTag(questionId: string, nodeId: string): Promise<number> {
    const result = await this.db
      .deleteFrom('question_tags')
      .where('question_id', '=', questionId)
      .where('node_id', '=', nodeId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async upsertTag(row: QuestionTagRow): Promise<void> {
    await this.db
      .insertInto('question_tags')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['question_id', 'node_id']).doUpdateSet({
          status: row.status,
          confidence: row.confidence,
          reason: row.reason,
          source: row.source,
          decided_by: row.decided_by,
          decided_at: row.decided_at,
        }),
      )
      .execute();
  }

  async findImport(id: string): Promise<QuestionImportRow | undefined> {
    return this.db
      .selectFrom('question_imports')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }
}
