// Kysely queries of the performance tracker: papers, results and marks, the dashboard cache and
// the weekly aggregates (computed inside the database: nothing of the 2M-row case is loaded into
// the process).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../infra/db/database.ts';
import type {
  Database,
  TrackerPaperQuestionsTable,
  TrackerPapersTable,
  TrackerQuestionNodesTable,
  TrackerResultsTable,
} from '../../infra/db/schema.ts';
import { WEAK_BELOW } from './tracker-analytics.ts';

type Db = Kysely<Database>;

/** A result row as the dashboard reads it (tracker_results joined with tracker_papers). */
const RESULT_COLUMNS = [
  'tracker_results.id',
  'tracker_results.paper_id',
  'tracker_papers.title as paper_title',
  'tracker_results.taken_on',
  'tracker_results.score',
  'tracker_results.max_score',
  'tracker_results.created_at',
] as const;

export class TrackerStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  // ---- Papers ------------------------------------------------------------------------------

  async insertPaper(
    db: Db,
    paper: TrackerPapersTable,
    questions: TrackerPaperQuestionsTable[],
    nodes: TrackerQuestionNodesTable[],
  ): Promise<void> {
    await db.insertInto('tracker_papers').values(paper).execute();
    await db.insertInto('tracker_paper_questions').values(questions).execute();
    for (let i = 0; i < nodes.length; i += 500) {
      await db
        .insertInto('tracker_question_nodes')
        .values(nodes.slice(i, i + 500))
        .execute();
    }
  }

  async listPapers(limit: number, offset: number) {
    return this.db
      .selectFrom('tracker_papers')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute();
  }

  async countPapers(): Promise<number> {
    const row = await this.db
      .selectFrom('tracker_papers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findPaper(id: string) {
    return this.db.selectFrom('tracker_papers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async questionsOf(paperIds: readonly string[]) {
    if (paperIds.length === 0) return [];
    return this.db
      .selectFrom('tracker_paper_questions')
      .selectAll()
      .where('paper_id', 'in', paperIds)
      .orderBy('paper_id')
      .orderBy('position')
      .execute();
  }

  async questionNodesOf(paperIds: readonly string[]) {
    if (paperIds.length === 0) return [];
    return this.db
      .selectFrom('tracker_question_nodes')
      .selectAll()
      .where('paper_id', 'in', paperIds)
      .execute();
  }

  // ---- Results -----------------------------------------------------------------------------

  /** Insert unless the id exists; true when this call inserted it. */
  async insertResultIfAbsent(db: Db, row: TrackerResultsTable): Promise<boolean> {
    const inserted = await db
      .insertInto('tracker_results')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** The result row, locked for the rest of the transaction on PostgreSQL. */
  async findResultForUpdate(db: Db, id: string) {
    let q = db.selectFrom('tracker_results').selectAll().where('id', '=', id);
    if (this.dialect === 'postgres') q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async findResult(id: string) {
    return this.db
      .selectFrom('tracker_results')
      .innerJoin('tracker_papers', 'tracker_papers.id', 'tracker_results.paper_id')
      .selectAll('tracker_results')
      .select('tracker_papers.title as paper_title')
      .where('tracker_results.id', '=', id)
      .executeTakeFirst();
  }

  async updateResult(
    db: Db,
    id: string,
    fields: Pick<
      TrackerResultsTable,
      'paper_id' | 'taken_on' | 'score' | 'max_score' | 'logged_by' | 'updated_at'
    >,
  ): Promise<void> {
    await db.updateTable('tracker_results').set(fields).where('id', '=', id).execute();
  }

  async replaceMarks(
    db: Db,
    resultId: string,
    marks: ReadonlyArray<{ number: string; marks: number }>,
    existing: boolean,
  ): Promise<void> {
    if (existing) {
      await db.deleteFrom('tracker_result_marks').where('result_id', '=', resultId).execute();
    }
    if (marks.length === 0) return;
    await db
      .insertInto('tracker_result_marks')
      .values(marks.map((m) => ({ result_id: resultId, number: m.number, marks: m.marks })))
      .execute();
  }

  async marksOf(db: Db, resultIds: readonly string[]) {
    if (resultIds.length === 0) return [];
    return db
      .selectFrom('tracker_result_marks')
      .selectAll()
      .where('result_id', 'in', resultIds)
      .execute();
  }

  async bumpVersion(db: Db, learnerId: string, now: string): Promise<void> {
    await db
      .insertInto('tracker_learner_versions')
      .values({ learner_id: learnerId, version: 1, updated_at: now })
      .onConflict((oc) =>
        oc.column('learner_id').doUpdateSet({
          version: sql<number>`tracker_learner_versions.version + 1`,
          updated_at: now,
        }),
      )
      .execute();
  }

  async listResults(filter: {
    learnerId?: string | undefined;
    paperId?: string | undefined;
    limit: number;
    offset: number;
  }) {
    let q = this.db
      .selectFrom('tracker_results')
      .innerJoin('tracker_papers', 'tracker_papers.id', 'tracker_results.paper_id');
    if (filter.learnerId) q = q.where('tracker_results.learner_id', '=', filter.learnerId);
    if (filter.paperId) q = q.where('tracker_results.paper_id', '=', filter.paperId);
    const [rows, count] = await Promise.all([
      q
        .selectAll('tracker_results')
        .select('tracker_papers.title as paper_title')
        .orderBy('tracker_results.taken_on', 'desc')
        .orderBy('tracker_results.created_at', 'desc')
        .orderBy('tracker_results.id')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  // ---- Dashboard ---------------------------------------------------------------------------

  /** The learner's version and the cached statistics (if any), in one query. */
  async versionAndCache(learnerId: string) {
    return this.db
      .selectFrom('tracker_learner_versions as v')
      .leftJoin('tracker_dashboard_cache as c', 'c.learner_id', 'v.learner_id')
      .select([
        'v.version as version',
        'c.version as cached_version',
        'c.payload as payload',
        'c.computed_at as computed_at',
      ])
      .where('v.learner_id', '=', learnerId)
      .executeTakeFirst();
  }

  /** The payload is sent once (the update takes the inserted row's values). */
  async saveCache(learnerId: string, version: number, payload: string, now: string) {
    await this.saveCaches([{ learner_id: learnerId, version, payload }], now);
  }

  /** Results with their paper's title: the dashboard's rows (one learner, or many below). */
  private resultsWithTitles() {
    return this.db
      .selectFrom('tracker_results')
      .innerJoin('tracker_papers', 'tracker_papers.id', 'tracker_results.paper_id');
  }

  async dashboardResults(learnerId: string) {
    return this.resultsWithTitles()
      .select(RESULT_COLUMNS)
      .where('tracker_results.learner_id', '=', learnerId)
      .execute();
  }

  async dashboardMarks(learnerId: string) {
    return this.db
      .selectFrom('tracker_result_marks')
      .innerJoin('tracker_results', 'tracker_results.id', 'tracker_result_marks.result_id')
      .select([
        'tracker_result_marks.result_id',
        'tracker_result_marks.number',
        'tracker_result_marks.marks',
      ])
      .where('tracker_results.learner_id', '=', learnerId)
      .execute();
  }

  /** The questions of every paper the learner has a result on (no need to read the results first). */
  async dashboardQuestions(learnerId: string) {
    return this.db
      .selectFrom('tracker_paper_questions')
      .select(['paper_id', 'number', 'max_marks'])
      .where('paper_id', 'in', (eb) =>
        eb
          .selectFrom('tracker_results')
          .select('tracker_results.paper_id')
          .where('tracker_results.learner_id', '=', learnerId),
      )
      .execute();
  }

  /** The nodes of those questions. */
  async dashboardQuestionNodes(learnerId: string) {
    return this.db
      .selectFrom('tracker_question_nodes')
      .select(['paper_id', 'number', 'node_id', 'kind', 'via'])
      .where('paper_id', 'in', (eb) =>
        eb
          .selectFrom('tracker_results')
          .select('tracker_results.paper_id')
          .where('tracker_results.learner_id', '=', learnerId),
      )
      .execute();
  }

  // The same reads for many learners at once (the weekly job's warm-up), each row naming its
  // learner.

  async versionsOf(learnerIds: readonly string[]) {
    if (learnerIds.length === 0) return [];
    return this.db
      .selectFrom('tracker_learner_versions')
      .select(['learner_id', 'version'])
      .where('learner_id', 'in', learnerIds)
      .execute();
  }

  async resultsOfLearners(learnerIds: readonly string[]) {
    if (learnerIds.length === 0) return [];
    return this.resultsWithTitles()
      .select(['tracker_results.learner_id', ...RESULT_COLUMNS])
      .where('tracker_results.learner_id', 'in', learnerIds)
      .execute();
  }

  /** Several learners' cached statistics in one statement. */
  async saveCaches(
    rows: ReadonlyArray<{ learner_id: string; version: number; payload: string }>,
    now: string,
  ) {
    if (rows.length === 0) return;
    await this.db
      .insertInto('tracker_dashboard_cache')
      .values(rows.map((r) => ({ ...r, computed_at: now })))
      .onConflict((oc) =>
        oc.column('learner_id').doUpdateSet((eb) => ({
          version: eb.ref('excluded.version'),
          payload: eb.ref('excluded.payload'),
          computed_at: eb.ref('excluded.computed_at'),
        })),
      )
      .execute();
  }

  /** Learners whose results changed since `since` and whose cache is missing or stale. */
  async staleLearners(since: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tracker_learner_versions as v')
      .leftJoin('tracker_dashboard_cache as c', 'c.learner_id', 'v.learner_id')
      .select('v.learner_id')
      .where('v.updated_at', '>=', since)
      .where((eb) =>
        eb.or([eb('c.version', 'is', null), eb('c.version', '<>', eb.ref('v.version'))]),
      )
      .orderBy('v.updated_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.learner_id);
  }

  // ---- Weekly aggregate --------------------------------------------------------------------

  /** SQL for the Monday of taken_on's week as YYYY-MM-DD. */
  private weekExpr(column: string) {
    return this.dialect === 'postgres'
      ? sql.raw(`to_char(date_trunc('week', ${column}::date), 'YYYY-MM-DD')`)
      : sql.raw(`date(${column}, '-6 days', 'weekday 1')`);
  }

  /**
   * Rebuild every aggregate table from the results, in one transaction: per-learner node
   * statistics, cohort node statistics and weekly trends (per learner and for everyone).
   */
  async rebuildAggregates(db: Db): Promise<{ learners: number; results: number }> {
    if (this.dialect === 'postgres') {
      await this.rebuildNodeStatsPostgres(db);
    } else {
      await db.deleteFrom('tracker_learner_stats').execute();
      await db.deleteFrom('tracker_cohort_stats').execute();
      await db.deleteFrom('tracker_trends').execute();
      await sql`
        insert into tracker_learner_stats (learner_id, node_id, kind, earned, possible, items)
        select r.learner_id, n.node_id, min(n.kind), sum(m.marks), sum(q.max_marks), count(*)
        from tracker_result_marks m
        join tracker_results r on r.id = m.result_id
        join tracker_paper_questions q on q.paper_id = r.paper_id and q.number = m.number
        join tracker_question_nodes n on n.paper_id = q.paper_id and n.number = q.number
        group by r.learner_id, n.node_id`.execute(db);
      await sql`
        insert into tracker_cohort_stats (node_id, kind, learners, weak_learners, earned, possible)
        select node_id, min(kind), count(*),
          sum(case when earned < ${WEAK_BELOW} * possible then 1 else 0 end),
          sum(earned), sum(possible)
        from tracker_learner_stats
        group by node_id`.execute(db);
    }
    const week = this.weekExpr('taken_on');
    await sql`
      insert into tracker_trends (scope, learner_id, week, results, learners, score, max_score)
      select 'learner', learner_id, ${week}, count(*), 1, sum(score), sum(max_score)
      from tracker_results
      group by learner_id, ${week}`.execute(db);
    await sql`
      insert into tracker_trends (scope, learner_id, week, results, learners, score, max_score)
      select 'cohort', '', week, sum(results), count(*), sum(score), sum(max_score)
      from tracker_trends
      where scope = 'learner'
      group by week`.execute(db);
    const totals = await db
      .selectFrom('tracker_trends')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('results'), sql<number>`0`).as('results'),
        eb.fn.coalesce(eb.fn.sum<number>('learners'), sql<number>`0`).as('learners'),
      ])
      .where('scope', '=', 'cohort')
      .executeTakeFirstOrThrow();
    // Every learner with a result has a weekly trend row: counting those reads ~10x fewer rows.
    const learners = await db
      .selectFrom('tracker_trends')
      .select(sql<number>`count(distinct learner_id)`.as('n'))
      .where('scope', '=', 'learner')
      .executeTakeFirstOrThrow();
    return { learners: Number(learners.n), results: Number(totals.results) };
  }

  /**
   * Per-learner and cohort node statistics on PostgreSQL (2M results, 20M marks in the weekly
   * job's target): the per-learner sums go once into a temporary table, which is unlogged and
   * written by CREATE TABLE AS, so PostgreSQL may spread the join and aggregate over parallel
   * workers (INSERT … SELECT never runs in parallel) and the heavy statement writes no WAL;
   * tracker_learner_stats and the cohort statistics are then filled from it. The questions are
   * joined to their nodes first (a few hundred rows), so each mark meets one small hash table.
   * Truncating is transactional here and far faster than deleting millions of rows; the sorts
   * and hashes get room to stay in memory for this transaction only.
   */
  private async rebuildNodeStatsPostgres(db: Db): Promise<void> {
    await sql`truncate tracker_learner_stats, tracker_cohort_stats, tracker_trends`.execute(db);
    await sql`set local work_mem = '64MB'`.execute(db);
    await sql`
      create temporary table tracker_learner_stats_run on commit drop as
      select r.learner_id, qn.node_id, min(qn.kind) as kind, sum(m.marks) as earned,
        sum(qn.max_marks) as possible, count(*) as items
      from tracker_result_marks m
      join tracker_results r on r.id = m.result_id
      join (
        select q.paper_id, q.number, q.max_marks, n.node_id, n.kind
        from tracker_paper_questions q
        join tracker_question_nodes n on n.paper_id = q.paper_id and n.number = q.number
      ) qn on qn.paper_id = r.paper_id and qn.number = m.number
      group by r.learner_id, qn.node_id`.execute(db);
    await sql`
      insert into tracker_learner_stats (learner_id, node_id, kind, earned, possible, items)
      select learner_id, node_id, kind, earned, possible, items
      from tracker_learner_stats_run`.execute(db);
    await sql`
      insert into tracker_cohort_stats (node_id, kind, learners, weak_learners, earned, possible)
      select node_id, min(kind), count(*),
        sum(case when earned < ${WEAK_BELOW} * possible then 1 else 0 end),
        sum(earned), sum(possible)
      from tracker_learner_stats_run
      group by node_id`.execute(db);
  }

  async recordAggregateRun(
    db: Db,
    run: { id: string; learners: number; results: number; started_at: string; finished_at: string },
  ) {
    await db.insertInto('tracker_aggregate_runs').values(run).execute();
  }

  async lastAggregateRun() {
    return this.db
      .selectFrom('tracker_aggregate_runs')
      .selectAll()
      .orderBy('finished_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async cohortNodes(kind: 'concept' | 'skill', limit: number) {
    return this.db
      .selectFrom('tracker_cohort_stats')
      .selectAll()
      .where('kind', '=', kind)
      .where('possible', '>', 0)
      .orderBy(sql`earned / possible`)
      .orderBy('node_id')
      .limit(limit)
      .execute();
  }

  async cohortTrend(limit: number) {
    const rows = await this.db
      .selectFrom('tracker_trends')
      .selectAll()
      .where('scope', '=', 'cohort')
      .orderBy('week', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse();
  }
}
