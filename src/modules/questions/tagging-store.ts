// Auto-tagging tables: the questions a tagging job reads, the suggested tags it writes (never
// over an instructor's decision), and the review queue's queries. Thin Kysely, one query each.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.ts';
import type { QuestionRow, QuestionTagRow } from './questions-store.ts';

export interface SuggestionFilter {
  minConfidence?: number | undefined;
  maxConfidence?: number | undefined;
  importId?: string | undefined;
  /** The tag's node is one of these (a concept's subtree, or one skill). */
  nodeIds?: string[] | undefined;
  questionId?: string | undefined;
  source?: 'offline' | 'llm' | undefined;
}

export type SuggestionRow = QuestionTagRow & {
  stem: string;
  format: QuestionRow['format'];
  type: QuestionRow['type'];
  question_status: QuestionRow['status'];
  import_id: string | null;
};

export type TaggableQuestionRow = Pick<
  QuestionRow,
  'id' | 'type' | 'title' | 'stem' | 'format' | 'answers' | 'general_feedback'
>;

/** Longer id lists travel as one array parameter (both databases bound their parameters). */
const IN_LIST_PARAMETERS = 500;
/** Rows per INSERT: well below both dialects' bound-parameter limits with 9 columns. */
const INSERT_CHUNK = 500;

export class TaggingStore {
  constructor(private readonly db: Kysely<Database>) {}

  withTransaction(tx: Kysely<Database>): TaggingStore {
    return new TaggingStore(tx);
  }

  private inList(column: string, ids: string[]) {
    const ref = sql.ref(column);
    if (ids.length === 0) return sql<boolean>`1 = 0`;
    if (ids.length <= IN_LIST_PARAMETERS) return sql<boolean>`${ref} in (${sql.join(ids)})`;
    if (this.db.getExecutor().adapter instanceof PostgresAdapter) {
      return sql<boolean>`${ref} = any(${ids}::text[])`;
    }
    return sql<boolean>`${ref} in (select value from json_each(${JSON.stringify(ids)}))`;
  }

  /** Unarchived questions by id, in the order asked. */
  async questionsByIds(ids: string[]): Promise<TaggableQuestionRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('questions')
      .select(['id', 'type', 'title', 'stem', 'format', 'answers', 'general_feedback'])
      .where(this.inList('questions.id', ids))
      .where('archived_at', 'is', null)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is TaggableQuestionRow => r !== undefined);
  }

  /** Ids of the unarchived questions of an import, in the file's order. */
  async questionIdsOfImport(importId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('questions')
      .select('id')
      .where('import_id', '=', importId)
      .where('archived_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async importExists(importId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('question_imports')
      .select('id')
      .where('id', '=', importId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async tagsOf(questionIds: string[]): Promise<QuestionTagRow[]> {
    if (questionIds.length === 0) return [];
    return this.db
      .selectFrom('question_tags')
      .selectAll()
      .where(this.inList('question_tags.question_id', questionIds))
      .execute();
  }

  /** Suggestions of these questions that a new run no longer proposes. */
  async deleteSuggestions(keys: Array<{ questionId: string; nodeId: string }>): Promise<number> {
    let deleted = 0;
    for (const key of keys) {
      const result = await this.db
        .deleteFrom('question_tags')
        .where('question_id', '=', key.questionId)
        .where('node_id', '=', key.nodeId)
        .where('status', '=', 'suggested')
        .executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    return deleted;
  }

  /**
   * Insert suggestions; where the tag already exists it is refreshed only while it is still a
   * suggestion: accepted, rejected and manual tags are never touched.
   */
  async upsertSuggestions(rows: QuestionTagRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await this.db
        .insertInto('question_tags')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) =>
          oc
            .columns(['question_id', 'node_id'])
            .doUpdateSet((eb) => ({
              confidence: eb.ref('excluded.confidence'),
              reason: eb.ref('excluded.reason'),
              source: eb.ref('excluded.source'),
            }))
            .where('question_tags.status', '=', 'suggested'),
        )
        .execute();
    }
  }

  private suggestions(filter: SuggestionFilter) {
    let query = this.db
      .selectFrom('question_tags')
      .innerJoin('questions', 'questions.id', 'question_tags.question_id')
      // A literal, so both planners can use the partial index over pending suggestions.
      .where('question_tags.status', '=', sql.lit('suggested'))
      .where('questions.archived_at', 'is', null);
    if (filter.minConfidence !== undefined) {
      query = query.where('question_tags.confidence', '>=', filter.minConfidence);
    }
    if (filter.maxConfidence !== undefined) {
      query = query.where('question_tags.confidence', '<=', filter.maxConfidence);
    }
    if (filter.importId !== undefined)
      query = query.where('questions.import_id', '=', filter.importId);
    if (filter.questionId !== undefined) {
      query = query.where('question_tags.question_id', '=', filter.questionId);
    }
    if (filter.nodeIds !== undefined) {
      query = query.where(this.inList('question_tags.node_id', filter.nodeIds));
    }
    if (filter.source !== undefined)
      query = query.where('question_tags.source', '=', filter.source);
    return query;
  }

  /** The review queue: most confident first, then by question (its file order) and node. */
  async listSuggestions(
    filter: SuggestionFilter,
    page: { limit: number; offset: number },
  ): Promise<{ rows: SuggestionRow[]; total: number }> {
    const base = this.suggestions(filter);
    const [rows, count] = await Promise.all([
      base
        .selectAll('question_tags')
        .select([
          'questions.stem',
          'questions.format',
          'questions.type',
          'questions.status as question_status',
          'questions.import_id',
        ])
        .orderBy('question_tags.confidence', (ob) => ob.desc().nullsLast())
        .orderBy('question_tags.question_id')
        .orderBy('question_tags.node_id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** Confidence of every suggestion of the filter, for the "n at or above" counts. */
  async suggestionConfidences(filter: SuggestionFilter): Promise<number[]> {
    const rows = await this.suggestions(filter).select('question_tags.confidence').execute();
    return rows.map((r) => r.confidence ?? 0);
  }

  /** Decide one suggestion; 0 when there is no such pending suggestion. */
  async decide(
    questionId: string,
    nodeId: string,
    status: 'accepted' | 'rejected',
    by: string,
    at: string,
  ): Promise<number> {
    const result = await this.db
      .updateTable('question_tags')
      .set({ status, decided_by: by, decided_at: at })
      .where('question_id', '=', questionId)
      .where('node_id', '=', nodeId)
      .where('status', '=', 'suggested')
      .where('question_id', 'in', (eb) =>
        eb.selectFrom('questions').select('id').where('archived_at', 'is', null),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Decide every pending suggestion of the filter at or above the threshold, in one statement. */
  async decideAll(
    filter: SuggestionFilter,
    threshold: number,
    status: 'accepted' | 'rejected',
    by: string,
    at: string,
  ): Promise<number> {
    let query = this.db
      .updateTable('question_tags')
      .set({ status, decided_by: by, decided_at: at })
      .where('status', '=', sql.lit('suggested'))
      .where('confidence', '>=', threshold)
      .where('question_id', 'in', (eb) => {
        let questions = eb.selectFrom('questions').select('id').where('archived_at', 'is', null);
        if (filter.importId !== undefined) {
          questions = questions.where('import_id', '=', filter.importId);
        }
        return questions;
      });
    if (filter.maxConfidence !== undefined) {
      query = query.where('confidence', '<=', filter.maxConfidence);
    }
    if (filter.questionId !== undefined) query = query.where('question_id', '=', filter.questionId);
    if (filter.nodeIds !== undefined) {
      query = query.where(this.inList('question_tags.node_id', filter.nodeIds));
    }
    if (filter.source !== undefined) query = query.where('source', '=', filter.source);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
