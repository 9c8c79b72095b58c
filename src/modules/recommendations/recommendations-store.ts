// Queries of the recommendations module: its own two tables, and reads of the question bank
// (published questions and their accepted tags), the learner's answers (question_responses) and
// the tracker's per-learner result version (which learners have results newer than their set),
// the same read-only way the practice module reads the bank.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../../infra/db/database.ts';
import type {
  Database,
  QuestionsTable,
  RecommendationItemsTable,
  RecommendationSetsTable,
} from '../../infra/db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type SetRow = RecommendationSetsTable;
export type ItemRow = RecommendationItemsTable;
export type QuestionRow = QuestionsTable;

const CHUNK = 500;
function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

export class RecommendationsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async activeSet(learnerId: string, db: Db = this.db): Promise<SetRow | undefined> {
    return db
      .selectFrom('recommendation_sets')
      .selectAll()
      .where('learner_id', '=', learnerId)
      .where('status', '=', 'active')
      .executeTakeFirst();
  }

  async getSet(id: string): Promise<SetRow | undefined> {
    return this.db
      .selectFrom('recommendation_sets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async listSets(
    learnerId: string,
    status: 'active' | 'archived' | 'all',
    limit: number,
    offset: number,
  ): Promise<{ rows: SetRow[]; total: number }> {
    const base = this.db
      .selectFrom('recommendation_sets')
      .where('learner_id', '=', learnerId)
      .$if(status !== 'all', (q) => q.where('status', '=', status as 'active' | 'archived'));
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('built_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  async items(setIds: readonly string[]): Promise<ItemRow[]> {
    const out: ItemRow[] = [];
    for (const part of chunks(setIds)) {
      out.push(
        ...(await this.db
          .selectFrom('recommendation_items')
          .selectAll()
          .where('set_id', 'in', part)
          .orderBy('set_id')
          .orderBy('position')
          .execute()),
      );
    }
    return out;
  }

  /** Serialises builds of one learner's sets (PostgreSQL; SQLite runs one transaction at a time). */
  async lockLearner(tx: Transaction<Database>, learnerId: string): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(hashtext(${'recommendations:' + learnerId}))`.execute(
      tx,
    );
  }

  async archive(tx: Transaction<Database>, id: string, at: string): Promise<void> {
    await tx
      .updateTable('recommendation_sets')
      .set({ status: 'archived', archived_at: at })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .execute();
  }

  async insertSet(tx: Transaction<Database>, row: SetRow, items: ItemRow[]): Promise<void> {
    await tx.insertInto('recommendation_sets').values(row).execute();
    for (const part of chunks(items)) {
      if (part.length > 0) await tx.insertInto('recommendation_items').values(part).execute();
    }
  }

  /** Published, auto-gradable, unarchived questions with an accepted tag on one of the nodes. */
  async pool(
    nodeIds: readonly string[],
  ): Promise<Array<{ id: string; difficulty: number | null; node_id: string }>> {
    const out: Array<{ id: string; difficulty: number | null; node_id: string }> = [];
    for (const part of chunks([...new Set(nodeIds)])) {
      out.push(
        ...(await this.db
          .selectFrom('question_tags as t')
          .innerJoin('questions as q', 'q.id', 't.question_id')
          .select(['q.id', 'q.difficulty', 't.node_id'])
          .where('t.node_id', 'in', part)
          .where('t.status', '=', 'accepted')
          .where('q.status', '=', 'published')
          .where('q.archived_at', 'is', null)
          .where('q.type', '!=', 'written')
          .orderBy('q.id')
          .execute()),
      );
    }
    return out.map((r) => ({
      ...r,
      difficulty: r.difficulty === null ? null : Number(r.difficulty),
    }));
  }

  /** The learner's answers to these questions, oldest first (optionally within [from, to)). */
  async answers(
    learnerId: string,
    questionIds: readonly string[],
    window: { from?: string; to?: string | null } = {},
  ): Promise<Array<{ question_id: string; correct: number; created_at: string }>> {
    const out: Array<{ question_id: string; correct: number; created_at: string }> = [];
    for (const part of chunks([...new Set(questionIds)])) {
      out.push(
        ...(await this.db
          .selectFrom('question_responses')
          .select(['question_id', 'correct', 'created_at'])
          .where('user_id', '=', learnerId)
          .where('question_id', 'in', part)
          .$if(window.from !== undefined, (q) => q.where('created_at', '>=', window.from!))
          .$if(window.to !== undefined && window.to !== null, (q) =>
            q.where('created_at', '<', window.to!),
          )
          .orderBy('created_at')
          .orderBy('id')
          .execute()),
      );
    }
    return out.map((r) => ({ ...r, correct: Number(r.correct) }));
  }

  async questions(ids: readonly string[]): Promise<QuestionRow[]> {
    const out: QuestionRow[] = [];
    for (const part of chunks([...new Set(ids)])) {
      out.push(
        ...(await this.db.selectFrom('questions').selectAll().where('id', 'in', part).execute()),
      );
    }
    return out;
  }

  /** Learners whose results changed after their active set was built (or who have none). */
  async learnersToRebuild(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tracker_learner_versions as v')
      .innerJoin('users as u', 'u.id', 'v.learner_id')
      .leftJoin('recommendation_sets as s', (j) =>
        j.onRef('s.learner_id', '=', 'v.learner_id').on('s.status', '=', 'active'),
      )
      .select('v.learner_id')
      .where('u.role', '=', 'learner')
      .where('u.disabled_at', 'is', null)
      .where((eb) => eb.or([eb('s.id', 'is', null), eb('v.updated_at', '>', eb.ref('s.built_at'))]))
      .orderBy('v.learner_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.learner_id);
  }
}
