// The performance tracker: exam papers (form or CSV), learners' results saved with an idempotent
// upsert, the dashboard (trend, per-subtopic and per-skill percentages, change since the previous
// attempt, weak links traced through the prerequisite graph, BKT mastery beside the marks), and
// the cohort view fed by the weekly aggregate job.
//
// For other modules (recommendations): `learnerStatistics(learnerId)` returns one learner's
// per-subtopic and per-skill statistics and weak links (the same figures the dashboard shows),
// weakest first; it does no access check, the caller decides who may ask. `hasResultsSince`
// tells whether a learner logged or changed results after a moment (the "no new papers" rule).
//
// Who may do what:
// - papers: instructors and admins create them; everyone logged in lists them;
// - results: a learner logs, reads and edits only their own (another learner's result id is a
//   404, for reads and writes alike); instructors and admins may log and read any learner's by
//   passing `learnerId` (default: themselves);
// - dashboard: a learner's own; staff may pass `learnerId`;
// - cohort: instructors and admins, over every learner (there are no classes yet).
//
// Caching: a learner's result statistics are cached (tracker_dashboard_cache, packed JSON: see
// packBaseStats; a row in another form is recomputed) under the learner's version
// (tracker_learner_versions), which every result write bumps in the same transaction, so a
// dashboard read right after a save recomputes. Mastery and the graph are read
// live at every request (they change outside the tracker), so the cache never hides them.
import { parse as parseCsv } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import type { Dialect } from '../../infra/db/database.ts';
import type { Transact } from '../../infra/db/write-batch.ts';
import type {
  Database,
  Role,
  TrackerPaperQuestionsTable,
  TrackerQuestionNodesTable,
} from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { NotFoundError, ValidationError, ConflictError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import {
  STRONG_FROM,
  WEAK_BELOW,
  combine,
  computeBaseStats,
  packBaseStats,
  percentOf,
  round1,
  traceRootCauses,
  unpackBaseStats,
  weekOf,
  type BaseEvidence,
  type BaseNodeStat,
  type BaseStats,
  type MasteryInput,
} from './tracker-analytics.ts';
import type {
  CohortResponse,
  CreatePaperBody,
  DashboardResponse,
  EvidenceView,
  MasterySignalView,
  NodeRef,
  NodeStatView,
  PaperQuestionInput,
  PaperView,
  PutResultBody,
  ResultView,
  WeakLinkView,
} from './tracker-schemas.ts';
import { QUESTION_NUMBER } from './tracker-schemas.ts';
import { TrackerStore } from './tracker-store.ts';

type Db = Kysely<Database>;

export interface Actor {
  id: string;
  role: Role;
}

const isStaff = (a: Actor) => a.role === 'instructor' || a.role === 'admin';

/** What the tracker needs from the knowledge graph (GraphService satisfies it). */
export interface TrackerGraph {
  nodesById(ids: readonly string[]): Promise<Map<string, GraphNode>>;
  nodesByExternalId(externalIds: readonly string[]): Promise<Map<string, GraphNode>>;
  findNode(ref: string): Promise<{ id: string; parent_id: string | null } | undefined>;
  prerequisiteIds(
    ids: readonly string[],
    direction: 'backward' | 'forward',
  ): Promise<Array<{ id: string }>>;
  prerequisiteEdgesAmong(ids: readonly string[]): Promise<Array<[string, string]>>;
}
export interface GraphNode {
  id: string;
  externalId: string;
  name: string;
  kind: 'concept' | 'skill';
}

/** A bank question's max marks and accepted tags (node ids), as staff see it. */
export interface TrackerBank {
  question(
    actor: Actor,
    id: string,
  ): Promise<{ maxMarks: number; acceptedNodeIds: string[] } | undefined>;
}

/** BKT mastery of skills (MasteryService satisfies it). */
export interface TrackerMastery {
  getStates(
    userId: string,
    skillIds?: readonly string[],
  ): Promise<Array<MasteryInput & { skillId: string }>>;
}

/** Users (to check that a learnerId names a learner). */
export interface TrackerUsers {
  getUser(id: string): Promise<{ id: string; role: Role }>;
}

export interface TrackerServiceDeps {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  graph: TrackerGraph;
  bank: TrackerBank;
  users: TrackerUsers;
  mastery?: TrackerMastery | undefined;
  /** Runs the save's transaction; a shared group commit on SQLite (infra/db/write-batch.ts). */
  transact?: Transact | undefined;
}

export interface LearnerStatistics {
  learnerId: string;
  /** Concepts, weakest (lowest combined) first. */
  subtopics: NodeStatView[];
  /** Skills, weakest first. */
  skills: NodeStatView[];
  weakLinks: WeakLinkView[];
  /** The learner's latest result write (null: none). */
  lastResultAt: string | null;
}

/** Learners whose dashboard statistics the weekly job recomputes per round of reads. */
const WARM_BATCH = 100;

export const questionsLink = (nodeId: string) => `/questions?concept=${encodeURIComponent(nodeId)}`;

function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

export class TrackerService {
  private readonly store: TrackerStore;
  private readonly paperCache = new Map<
    string,
    {
      paper: NonNullable<Awaited<ReturnType<TrackerStore['findPaper']>>>;
      questions: Awaited<ReturnType<TrackerStore['questionsOf']>>;
    }
  >();

  constructor(private readonly deps: TrackerServiceDeps) {
    this.store = new TrackerStore(deps.db, deps.dialect);
  }

  /** Late wiring: the mastery service is built after the tracker in some compositions. */
  setMastery(mastery: TrackerMastery | undefined): void {
    this.deps.mastery = mastery;
  }

  // ---- Papers ------------------------------------------------------------------------------

  async createPaper(actor: Actor, body: CreatePaperBody): Promise<PaperView> {
    const hasForm = body.questions !== undefined;
    const hasCsv = body.questionsCsv !== undefined;
    if (hasForm === hasCsv) {
      throw new ValidationError('questions: send either questions or questionsCsv (one of them)', [
        { path: 'body.questions', message: 'send either questions or questionsCsv' },
      ]);
    }
    const inputs = hasForm ? body.questions! : parseQuestionsCsv(body.questionsCsv!);
    const seen = new Set<string>();
    for (const q of inputs) {
      if (seen.has(q.number)) {
        throw new ValidationError(`question ${q.number}: the number appears twice`, [
          { path: 'body.questions', message: `question ${q.number} appears twice` },
        ]);
      }
      seen.add(q.number);
    }

    // Nodes by hand (internal or external ids) or the bank question's accepted tags.
    const wanted = [...new Set(inputs.flatMap((q) => q.nodes ?? []))];
    const byId = await this.deps.graph.nodesById(wanted);
    const byExternal = await this.deps.graph.nodesByExternalId(wanted.filter((w) => !byId.has(w)));
    const resolve = (ref: string) => byId.get(ref) ?? byExternal.get(ref);
    const resolved: Array<{ input: PaperQuestionInput; maxMarks: number; nodeIds: string[] }> = [];
    for (const q of inputs) {
      let maxMarks = q.maxMarks;
      let nodeIds: string[] = [];
      if (q.bankQuestionId) {
        const bank = await this.deps.bank.question(actor, q.bankQuestionId);
        if (!bank) {
          throw new ValidationError(
            `question ${q.number}: no question ${q.bankQuestionId} in the question bank`,
            [{ path: 'body.questions.bankQuestionId', message: 'no such bank question' }],
          );
        }
        maxMarks ??= bank.maxMarks;
        nodeIds = bank.acceptedNodeIds;
      }
      if (q.nodes !== undefined) {
        const missing = q.nodes.filter((n) => !resolve(n));
        if (missing.length > 0) {
          throw new ValidationError(
            `question ${q.number}: no concept or skill ${missing.map((m) => `"${m}"`).join(', ')} in the knowledge graph`,
            [{ path: 'body.questions.nodes', message: `question ${q.number}: unknown node` }],
          );
        }
        nodeIds = q.nodes.map((n) => resolve(n)!.id);
      }
      if (maxMarks === undefined) {
        throw new ValidationError(
          `question ${q.number}: maxMarks is required (or link a bank question)`,
          [{ path: 'body.questions.maxMarks', message: `question ${q.number}: required` }],
        );
      }
      resolved.push({ input: q, maxMarks, nodeIds: [...new Set(nodeIds)] });
    }

    // Kinds of every node, and the concept each tagged skill belongs to.
    const allIds = [...new Set(resolved.flatMap((r) => r.nodeIds))];
    const nodes = await this.deps.graph.nodesById(allIds);
    const parentOf = new Map<string, string | null>();
    for (const id of allIds) {
      if (nodes.get(id)?.kind !== 'skill') continue;
      parentOf.set(id, (await this.deps.graph.findNode(id))?.parent_id ?? null);
    }
    const parents = await this.deps.graph.nodesById(
      [...parentOf.values()].filter((p): p is string => p !== null),
    );

    const now = this.deps.clock.now().toISOString();
    const paperId = newId();
    const questionRows: TrackerPaperQuestionsTable[] = [];
    const nodeRows: TrackerQuestionNodesTable[] = [];
    resolved.forEach((r, position) => {
      questionRows.push({
        paper_id: paperId,
        number: r.input.number,
        position,
        max_marks: r.maxMarks,
        bank_question_id: r.input.bankQuestionId ?? null,
      });
      const added = new Set<string>();
      for (const id of r.nodeIds) {
        const node = nodes.get(id);
        if (!node) continue; // a bank tag on a node deleted since: nothing to count
        added.add(id);
        nodeRows.push({
          paper_id: paperId,
          number: r.input.number,
          node_id: id,
          kind: node.kind,
          via: 'tag',
        });
      }
      for (const id of r.nodeIds) {
        const parentId = parentOf.get(id);
        const parent = parentId ? parents.get(parentId) : undefined;
        if (!parent || added.has(parent.id)) continue;
        added.add(parent.id);
        nodeRows.push({
          paper_id: paperId,
          number: r.input.number,
          node_id: parent.id,
          kind: parent.kind,
          via: 'parent',
        });
      }
    });
    const total = resolved.reduce((s, r) => s + r.maxMarks, 0);
    await this.deps.db.transaction().execute(async (tx) => {
      await this.store.insertPaper(
        tx,
        {
          id: paperId,
          title: body.title,
          subject: body.subject ?? null,
          board: body.board ?? null,
          year: body.year ?? null,
          total_marks: total,
          question_count: questionRows.length,
          created_by: actor.id,
          created_at: now,
          updated_at: now,
        },
        questionRows,
        nodeRows,
      );
    });
    return this.getPaper(paperId);
  }

  async getPaper(id: string): Promise<PaperView> {
    const row = await this.store.findPaper(id);
    if (!row) throw new NotFoundError('No paper with this id.', 'PAPER_NOT_FOUND');
    const [view] = await this.paperViews([row]);
    return view!;
  }

  async listPapers(query: { limit: number; offset: number }) {
    const [rows, total] = await Promise.all([
      this.store.listPapers(query.limit, query.offset),
      this.store.countPapers(),
    ]);
    return { papers: await this.paperViews(rows), total };
  }

  private async paperViews(
    rows: Array<{
      id: string;
      title: string;
      subject: string | null;
      board: string | null;
      year: number | null;
      total_marks: number;
      created_at: string;
    }>,
  ): Promise<PaperView[]> {
    const ids = rows.map((r) => r.id);
    const [questions, qNodes] = await Promise.all([
      this.store.questionsOf(ids),
      this.store.questionNodesOf(ids),
    ]);
    const tagged = qNodes.filter((n) => n.via === 'tag');
    const nodes = await this.deps.graph.nodesById([...new Set(tagged.map((n) => n.node_id))]);
    const nodesOf = new Map<string, NodeRef[]>();
    for (const n of tagged) {
      const node = nodes.get(n.node_id);
      if (!node) continue;
      const key = `${n.paper_id}\u0000${n.number}`;
      nodesOf.set(key, [...(nodesOf.get(key) ?? []), nodeRef(node)]);
    }
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      subject: r.subject,
      board: r.board,
      year: r.year,
      totalMarks: r.total_marks,
      createdAt: r.created_at,
      questions: questions
        .filter((q) => q.paper_id === r.id)
        .map((q) => ({
          number: q.number,
          maxMarks: q.max_marks,
          bankQuestionId: q.bank_question_id,
          nodes: nodesOf.get(`${r.id}\u0000${q.number}`) ?? [],
        })),
    }));
  }

  // ---- Results -----------------------------------------------------------------------------

  /** The learner a staff member acts for (checked to be a learner), or the actor themselves. */
  private async targetLearner(actor: Actor, learnerId: string | undefined): Promise<string> {
    if (learnerId === undefined || learnerId === actor.id) return actor.id;
    if (!isStaff(actor)) {
      throw new NotFoundError('No learner with this id.', 'LEARNER_NOT_FOUND');
    }
    const user = await this.deps.users.getUser(learnerId).catch(() => undefined);
    if (!user || user.role !== 'learner') {
      throw new NotFoundError('No learner with this id.', 'LEARNER_NOT_FOUND');
    }
    return user.id;
  }

  /**
   * Create or edit a result under the client's id. The same request again changes nothing
   * (outcome 'unchanged', same updatedAt); two at once make one row.
   */
  async putResult(
    actor: Actor,
    id: string,
    body: PutResultBody,
  ): Promise<{ result: ResultView; outcome: 'created' | 'updated' | 'unchanged' }> {
    const { paper, questions } = await this.paperWithQuestions(body.paperId);
    const marks = checkMarks(questions, body.marks);
    const score = marks.reduce((s, m) => s + m.marks, 0);
    // Checked before the transaction: on SQLite the transaction holds the only connection.
    const explicitLearner =
      body.learnerId === undefined ? undefined : await this.targetLearner(actor, body.learnerId);
    const now = this.deps.clock.now().toISOString();

    // What the response shows of the stored row (no second read after the write).
    let stored = {
      learner_id: '',
      created_at: now,
      updated_at: now,
      logged_by: actor.id as string | null,
    };
    const edit = async (
      tx: Db,
      row: {
        id: string;
        learner_id: string;
        paper_id: string;
        taken_on: string;
        max_score: number;
        created_at: string;
        updated_at: string;
        logged_by: string | null;
      },
    ) => {
      const o = await this.applyEdit(
        tx,
        row,
        paper.id,
        paper.total_marks,
        body.takenOn,
        marks,
        score,
        actor,
        now,
      );
      stored =
        o === 'unchanged'
          ? row
          : {
              learner_id: row.learner_id,
              created_at: row.created_at,
              updated_at: now,
              logged_by: actor.id,
            };
      return o;
    };
    const transact = this.deps.transact ?? ((fn) => this.deps.db.transaction().execute(fn));
    const outcome = await transact(async (tx) => {
      const existing = await this.store.findResultForUpdate(tx, id);
      let learnerId: string;
      if (existing) {
        if (!isStaff(actor) && existing.learner_id !== actor.id) {
          throw new NotFoundError('No result with this id.', 'RESULT_NOT_FOUND');
        }
        learnerId = explicitLearner ?? (isStaff(actor) ? existing.learner_id : actor.id);
        if (existing.learner_id !== learnerId) {
          throw new ConflictError(
            'This result id belongs to another learner; choose a new id for a new result.',
            'RESULT_ID_TAKEN',
          );
        }
      } else {
        learnerId = explicitLearner ?? actor.id;
      }
      if (!existing) {
        const inserted = await this.store.insertResultIfAbsent(tx, {
          id,
          learner_id: learnerId,
          paper_id: paper.id,
          taken_on: body.takenOn,
          score,
          max_score: paper.total_marks,
          logged_by: actor.id,
          created_at: now,
          updated_at: now,
        });
        if (inserted) {
          await this.store.replaceMarks(tx, id, marks, false);
          await this.store.bumpVersion(tx, learnerId, now);
          stored = { learner_id: learnerId, created_at: now, updated_at: now, logged_by: actor.id };
          return 'created' as const;
        }
        // Another request with this id won the race (PostgreSQL waited for it to commit).
        const winner = await this.store.findResultForUpdate(tx, id);
        if (!winner) throw new Error('result vanished after a conflicting insert');
        if (winner.learner_id !== learnerId) {
          if (!isStaff(actor)) {
            throw new NotFoundError('No result with this id.', 'RESULT_NOT_FOUND');
          }
          throw new ConflictError(
            'This result id belongs to another learner; choose a new id for a new result.',
            'RESULT_ID_TAKEN',
          );
        }
        return edit(tx, winner);
      }
      return edit(tx, existing);
    });
    const maxOf = new Map(questions.map((q) => [q.number, q.max_marks]));
    const result: ResultView = {
      id,
      learnerId: stored.learner_id,
      paperId: paper.id,
      paperTitle: paper.title,
      takenOn: body.takenOn,
      score,
      maxScore: paper.total_marks,
      percent: percentOf(score, paper.total_marks),
      marks: marks.map((m) => ({
        question: m.number,
        marks: m.marks,
        maxMarks: maxOf.get(m.number) ?? 0,
      })),
      loggedBy: stored.logged_by,
      createdAt: stored.created_at,
      updatedAt: stored.updated_at,
    };
    return { result, outcome };
  }

  /** A paper and its questions; papers never change once saved, so they are kept in memory. */
  private async paperWithQuestions(paperId: string) {
    const cached = this.paperCache.get(paperId);
    if (cached) return cached;
    const paper = await this.store.findPaper(paperId);
    if (!paper) {
      throw new ValidationError('paperId: no paper with this id', [
        { path: 'body.paperId', message: 'no paper with this id' },
      ]);
    }
    const questions = await this.store.questionsOf([paper.id]);
    if (this.paperCache.size >= 500) this.paperCache.clear();
    const entry = { paper, questions };
    this.paperCache.set(paperId, entry);
    return entry;
  }

  private async applyEdit(
    tx: Db,
    existing: {
      id: string;
      learner_id: string;
      paper_id: string;
      taken_on: string;
      max_score: number;
    },
    paperId: string,
    maxScore: number,
    takenOn: string,
    marks: Array<{ number: string; marks: number }>,
    score: number,
    actor: Actor,
    now: string,
  ): Promise<'updated' | 'unchanged'> {
    const old = await this.store.marksOf(tx, [existing.id]);
    const oldBy = new Map(old.map((m) => [m.number, m.marks]));
    const same =
      existing.paper_id === paperId &&
      existing.taken_on === takenOn &&
      sameNumber(existing.max_score, maxScore) &&
      old.length === marks.length &&
      marks.every((m) => {
        const before = oldBy.get(m.number);
        return before !== undefined && sameNumber(before, m.marks);
      });
    if (same) return 'unchanged';
    await this.store.updateResult(tx, existing.id, {
      paper_id: paperId,
      taken_on: takenOn,
      score,
      max_score: maxScore,
      logged_by: actor.id,
      updated_at: now,
    });
    await this.store.replaceMarks(tx, existing.id, marks, true);
    await this.store.bumpVersion(tx, existing.learner_id, now);
    return 'updated';
  }

  /** One result, if the actor may see it (a learner: their own; staff: any). */
  async getResult(actor: Actor, id: string): Promise<ResultView> {
    const row = await this.store.findResult(id);
    if (!row || (!isStaff(actor) && row.learner_id !== actor.id)) {
      throw new NotFoundError('No result with this id.', 'RESULT_NOT_FOUND');
    }
    const [view] = await this.resultViews([row]);
    return view!;
  }

  async listResults(
    actor: Actor,
    query: {
      learnerId?: string | undefined;
      paperId?: string | undefined;
      limit: number;
      offset: number;
    },
  ) {
    // Learners: their own only (a learnerId of someone else finds nothing). Staff: any learner,
    // or themselves when none is named.
    const learnerId = isStaff(actor) ? (query.learnerId ?? actor.id) : actor.id;
    if (!isStaff(actor) && query.learnerId !== undefined && query.learnerId !== actor.id) {
      throw new NotFoundError('No learner with this id.', 'LEARNER_NOT_FOUND');
    }
    const { rows, total } = await this.store.listResults({ ...query, learnerId });
    return { results: await this.resultViews(rows), total };
  }

  private async resultViews(
    rows: Array<{
      id: string;
      learner_id: string;
      paper_id: string;
      paper_title: string;
      taken_on: string;
      score: number;
      max_score: number;
      logged_by: string | null;
      created_at: string;
      updated_at: string;
    }>,
  ): Promise<ResultView[]> {
    const [marks, questions] = await Promise.all([
      this.store.marksOf(
        this.deps.db,
        rows.map((r) => r.id),
      ),
      this.store.questionsOf([...new Set(rows.map((r) => r.paper_id))]),
    ]);
    const questionKey = (paperId: string, n: string) => `${paperId}\u0000${n}`;
    const maxOf = new Map(questions.map((q) => [questionKey(q.paper_id, q.number), q]));
    const marksOf = new Map<string, Array<{ number: string; marks: number }>>();
    for (const m of marks) marksOf.set(m.result_id, [...(marksOf.get(m.result_id) ?? []), m]);
    return rows.map((r) => ({
      id: r.id,
      learnerId: r.learner_id,
      paperId: r.paper_id,
      paperTitle: r.paper_title,
      takenOn: r.taken_on,
      score: r.score,
      maxScore: r.max_score,
      percent: percentOf(r.score, r.max_score),
      marks: (marksOf.get(r.id) ?? [])
        .map((m) => {
          const q = maxOf.get(questionKey(r.paper_id, m.number));
          return {
            question: m.number,
            marks: m.marks,
            maxMarks: q?.max_marks ?? 0,
            position: q?.position ?? 0,
          };
        })
        .sort((a, b) => a.position - b.position)
        .map(({ question, marks: value, maxMarks }) => ({ question, marks: value, maxMarks })),
      loggedBy: r.logged_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  /** True when the learner logged or changed a result after `since` (ISO time). */
  async hasResultsSince(learnerId: string, since: string): Promise<boolean> {
    const at = await this.lastWriteAt(learnerId);
    return at !== null && at > since;
  }

  private async lastWriteAt(learnerId: string): Promise<string | null> {
    const row = await this.deps.db
      .selectFrom('tracker_learner_versions')
      .select('updated_at')
      .where('learner_id', '=', learnerId)
      .executeTakeFirst();
    return row?.updated_at ?? null;
  }

  // ---- Dashboard ---------------------------------------------------------------------------

  /** The learner's result statistics: from the cache when it is current, else computed and cached. */
  async baseStats(
    learnerId: string,
  ): Promise<{ stats: BaseStats; computedAt: string; version: number }> {
    const { saved, ...out } = await this.loadBaseStats(learnerId);
    await saved;
    return out;
  }

  /**
   * baseStats without waiting for the cache write: `saved` settles when it is stored, so a
   * caller can read mastery and the graph meanwhile; it must await `saved` before it answers
   * (a failed write is already marked handled, so it only throws there).
   */
  private async loadBaseStats(learnerId: string): Promise<{
    stats: BaseStats;
    computedAt: string;
    version: number;
    saved: Promise<void>;
  }> {
    const row = await this.store.versionAndCache(learnerId);
    const now = this.deps.clock.now().toISOString();
    const none = Promise.resolve(undefined);
    if (!row) {
      return { stats: { results: [], nodes: [] }, computedAt: now, version: 0, saved: none };
    }
    const cached =
      row.payload !== null && row.cached_version === row.version && row.computed_at
        ? unpackBaseStats(row.payload)
        : null;
    if (cached && row.computed_at) {
      return { stats: cached, computedAt: row.computed_at, version: row.version, saved: none };
    }
    // The version was read first: a write landing while this computes bumps it past what is
    // cached. The four reads go out at once (the papers through a subquery on the results).
    const [results, marks, questions, qNodes] = await Promise.all([
      this.store.dashboardResults(learnerId),
      this.store.dashboardMarks(learnerId),
      this.store.dashboardQuestions(learnerId),
      this.store.dashboardQuestionNodes(learnerId),
    ]);
    const stats = computeBaseStats(results, marks, questions, qNodes);
    const saved = this.store.saveCache(learnerId, row.version, packBaseStats(stats), now);
    saved.catch(() => undefined);
    return { stats, computedAt: now, version: row.version, saved };
  }

  /**
   * Recompute and cache the statistics of learners whose cache is stale (the weekly job), a
   * batch of learners per round of reads and one write, instead of a round trip per query and
   * learner.
   */
  async warmCaches(since: string, limit: number): Promise<number> {
    const learners = await this.store.staleLearners(since, limit);
    for (let i = 0; i < learners.length; i += WARM_BATCH) {
      await this.warmBatch(learners.slice(i, i + WARM_BATCH));
    }
    return learners.length;
  }

  private async warmBatch(learnerIds: readonly string[]): Promise<void> {
    // Versions first, as in loadBaseStats: a write landing meanwhile leaves the cache stale.
    const versions = await this.store.versionsOf(learnerIds);
    const results = await this.store.resultsOfLearners(versions.map((v) => v.learner_id));
    // Marks and papers by the results' ids (primary keys): a join on the learners would have
    // PostgreSQL scan every mark of the cohort for each batch.
    const resultIds = results.map((r) => r.id);
    const paperIds = [...new Set(results.map((r) => r.paper_id))];
    const markChunks: Array<Promise<Array<{ result_id: string; number: string; marks: number }>>> =
      [];
    for (let i = 0; i < resultIds.length; i += 1000) {
      markChunks.push(this.store.marksOf(this.deps.db, resultIds.slice(i, i + 1000)));
    }
    const [questions, qNodes, ...markParts] = await Promise.all([
      this.store.questionsOf(paperIds),
      this.store.questionNodesOf(paperIds),
      ...markChunks,
    ]);
    const learnerOf = new Map(results.map((r) => [r.id, r.learner_id]));
    const marks = markParts.flat().map((m) => ({ ...m, learner_id: learnerOf.get(m.result_id)! }));
    const group = <T extends { learner_id: string }>(rows: readonly T[]) => {
      const out = new Map<string, T[]>();
      for (const row of rows) {
        const list = out.get(row.learner_id);
        if (list) list.push(row);
        else out.set(row.learner_id, [row]);
      }
      return out;
    };
    const resultsOf = group(results);
    const marksOf = group(marks);
    const now = this.deps.clock.now().toISOString();
    await this.store.saveCaches(
      versions.map((v) => ({
        learner_id: v.learner_id,
        version: v.version,
        payload: packBaseStats(
          computeBaseStats(
            resultsOf.get(v.learner_id) ?? [],
            marksOf.get(v.learner_id) ?? [],
            questions,
            qNodes,
          ),
        ),
      })),
      now,
    );
  }

  async dashboard(actor: Actor, learnerIdQuery: string | undefined): Promise<DashboardResponse> {
    const learnerId = await this.targetLearner(actor, learnerIdQuery);
    const { stats, computedAt, saved } = await this.loadBaseStats(learnerId);
    const analysis = await this.analyse(learnerId, stats).finally(() => landed(saved));
    await saved;
    const subtopics = analysis.stats.filter((s) => s.node.kind === 'concept');
    const skills = analysis.stats.filter((s) => s.node.kind === 'skill');
    return {
      learnerId,
      results: stats.results.length,
      trend: trendOf(stats),
      change: changeOf(stats),
      subtopics,
      skills,
      strongest: [...subtopics]
        .reverse()
        .filter((s) => s.combined >= STRONG_FROM * 100)
        .slice(0, 3),
      weakest: subtopics.filter((s) => s.combined < WEAK_BELOW * 100).slice(0, 3),
      weakLinks: analysis.weakLinks,
      thresholds: { weakBelow: WEAK_BELOW * 100, strongFrom: STRONG_FROM * 100 },
      computedAt,
    };
  }

  /** Per-subtopic and per-skill statistics and weak links of a learner (see the header). */
  async learnerStatistics(learnerId: string): Promise<LearnerStatistics> {
    const { stats, saved } = await this.loadBaseStats(learnerId);
    const [analysis, lastResultAt] = await Promise.all([
      this.analyse(learnerId, stats),
      this.lastWriteAt(learnerId),
    ]).finally(() => landed(saved));
    await saved;
    return {
      learnerId,
      subtopics: analysis.stats.filter((s) => s.node.kind === 'concept'),
      skills: analysis.stats.filter((s) => s.node.kind === 'skill'),
      weakLinks: analysis.weakLinks,
      lastResultAt,
    };
  }

  /** Node statistics with names and mastery, weakest first, and the weak links. */
  private async analyse(
    learnerId: string,
    stats: BaseStats,
  ): Promise<{ stats: NodeStatView[]; weakLinks: WeakLinkView[] }> {
    if (stats.nodes.length === 0) return { stats: [], weakLinks: [] };
    const byId = new Map(stats.nodes.map((n) => [n.nodeId, n]));
    const direct = stats.nodes.filter((n) => n.direct);
    // Weak links start at weak nodes tested directly with marks lost, and whether a node is weak
    // depends on mastery. Rather than wait for mastery before walking the graph, walk back from
    // every directly tested node with marks lost (a superset of the weak ones) and read the
    // mastery and names of all of it at once. The trace only follows edges into nodes it reached
    // from a weak node, and both walks stop at MAX_DEPTH (= the trace's 100 steps), so it sees
    // the same nodes and edges as a walk from the weak nodes alone.
    const candidates = direct.filter((n) => n.possible > n.earned).map((n) => n.nodeId);
    const ancestors = candidates.length
      ? (await this.deps.graph.prerequisiteIds(candidates, 'backward')).map((a) => a.id)
      : [];
    const reach = [...new Set([...candidates, ...ancestors])];
    const extraSkills = ancestors.filter((a) => !byId.has(a));
    const statSkills = stats.nodes.filter((n) => n.kind === 'skill').map((n) => n.nodeId);
    const [mastery, edges, names] = await Promise.all([
      this.masteryOf(learnerId, [...new Set([...statSkills, ...extraSkills])]),
      reach.length > 1 ? this.deps.graph.prerequisiteEdgesAmong(reach) : [],
      this.deps.graph.nodesById([...new Set([...byId.keys(), ...reach])]),
    ]);
    const signalOf = (id: string) => combine(byId.get(id), mastery.get(id));
    const weakIds = direct
      .filter((n) => n.possible > n.earned && (signalOf(n.nodeId) ?? 1) < WEAK_BELOW)
      .map((n) => n.nodeId);
    const nameOf = (id: string) => names.get(id)?.name ?? id;

    const view = (n: BaseNodeStat): NodeStatView | null => {
      const node = names.get(n.nodeId);
      if (!node) return null; // deleted from the graph since the paper was saved
      const m = mastery.get(n.nodeId);
      const combined = signalOf(n.nodeId) ?? 0;
      return {
        node: nodeRef(node),
        earned: n.earned,
        possible: n.possible,
        percent: percentOf(n.earned, n.possible),
        items: n.items,
        change: n.previousPercent === null ? null : round1(n.lastPercent - n.previousPercent),
        mastery: masteryView(m),
        combined: round1(combined * 100),
      };
    };
    const nodeStats = stats.nodes
      .map(view)
      .filter((v): v is NodeStatView => v !== null)
      .sort((a, b) => a.combined - b.combined || a.node.name.localeCompare(b.node.name));

    const traced = traceRootCauses(weakIds, edges, signalOf, nameOf);
    const weakLinks: WeakLinkView[] = [];
    for (const id of weakIds) {
      const n = byId.get(id)!;
      const node = names.get(id);
      const t = traced.get(id);
      if (!node || !t) continue;
      const root = names.get(t.rootId) ?? node;
      const rootStat = byId.get(t.rootId);
      weakLinks.push({
        node: nodeRef(node),
        percent: percentOf(n.earned, n.possible),
        combined: round1((signalOf(id) ?? 0) * 100),
        lostMarks: Math.round((n.possible - n.earned) * 1000) / 1000,
        evidence: n.evidence.map(evidenceView),
        rootCause: {
          node: nodeRef(root),
          percent: rootStat ? percentOf(rootStat.earned, rootStat.possible) : null,
          mastery: masteryView(mastery.get(t.rootId)),
          combined: round1((signalOf(t.rootId) ?? 0) * 100),
          depth: t.depth,
          evidence: (rootStat?.evidence ?? []).map(evidenceView),
          link: questionsLink(t.rootId),
        },
        chain: t.chain.map((c) => {
          const s = signalOf(c);
          const cn = names.get(c);
          return {
            ...(cn ? nodeRef(cn) : { id: c, externalId: c, name: c, kind: 'skill' as const }),
            combined: s === null ? null : round1(s * 100),
          };
        }),
        link: questionsLink(id),
      });
    }
    weakLinks.sort((a, b) => b.lostMarks - a.lostMarks || a.combined - b.combined);
    return { stats: nodeStats, weakLinks: weakLinks.slice(0, 20) };
  }

  private async masteryOf(
    learnerId: string,
    skillIds: string[],
  ): Promise<Map<string, MasteryInput>> {
    const out = new Map<string, MasteryInput>();
    if (!this.deps.mastery || skillIds.length === 0) return out;
    for (const s of await this.deps.mastery.getStates(learnerId, skillIds)) {
      if (s.source === 'prior' && s.attempts === 0) continue; // no evidence about this learner
      out.set(s.skillId, s);
    }
    return out;
  }

  // ---- Weekly aggregate and cohort ---------------------------------------------------------

  /** Rebuild the aggregate tables (all learners, in SQL) and warm recently changed dashboards. */
  async runWeeklyAggregate(options: { warmLimit?: number } = {}) {
    const started = this.deps.clock.now();
    const totals = await this.deps.db.transaction().execute(async (tx) => {
      const t = await this.store.rebuildAggregates(tx);
      await this.store.recordAggregateRun(tx, {
        id: newId(),
        learners: t.learners,
        results: t.results,
        started_at: started.toISOString(),
        finished_at: this.deps.clock.now().toISOString(),
      });
      return t;
    });
    const weekAgo = new Date(started.getTime() - 7 * 86_400_000).toISOString();
    const warmed = await this.warmCaches(weekAgo, options.warmLimit ?? 2000);
    return { ...totals, warmed };
  }

  async cohort(): Promise<CohortResponse> {
    const run = await this.store.lastAggregateRun();
    const [concepts, skills, trend] = await Promise.all([
      this.store.cohortNodes('concept', 10),
      this.store.cohortNodes('skill', 10),
      this.store.cohortTrend(26),
    ]);
    const names = await this.deps.graph.nodesById([...concepts, ...skills].map((c) => c.node_id));
    const rows = (list: typeof concepts) =>
      list.flatMap((c) => {
        const node = names.get(c.node_id);
        if (!node) return [];
        return [
          {
            node: nodeRef(node),
            percent: percentOf(c.earned, c.possible),
            learners: c.learners,
            weakLearners: c.weak_learners,
            link: questionsLink(c.node_id),
          },
        ];
      });
    return {
      computedAt: run?.finished_at ?? null,
      learners: run?.learners ?? 0,
      results: run?.results ?? 0,
      weakestSubtopics: rows(concepts),
      weakestSkills: rows(skills),
      trend: trend.map((t) => ({
        week: t.week,
        results: t.results,
        learners: t.learners,
        percent: percentOf(t.score, t.max_score),
      })),
    };
  }
}

/** Settles when the promise does, without its error: the caller awaits it again to throw it. */
function landed(p: Promise<unknown>): Promise<unknown> {
  return p.catch(() => undefined);
}

function nodeRef(n: GraphNode): NodeRef {
  return { id: n.id, externalId: n.externalId, name: n.name, kind: n.kind };
}

function masteryView(m: MasteryInput | undefined): MasterySignalView {
  if (!m) return null;
  return {
    pKnown: m.pKnown,
    confidence: m.confidence,
    mastered: m.mastered,
    attempts: m.attempts,
    source: m.source,
  };
}

function evidenceView(e: BaseEvidence): EvidenceView {
  return { ...e };
}

/** Every question of the paper exactly once, marks within 0..max; messages name the question. */
function checkMarks(
  questions: ReadonlyArray<{ number: string; max_marks: number; position: number }>,
  marks: PutResultBody['marks'],
): Array<{ number: string; marks: number }> {
  const byNumber = new Map(questions.map((q) => [q.number, q]));
  const seen = new Map<string, number>();
  const problems: Array<{ path: string; message: string }> = [];
  marks.forEach((m, i) => {
    const number = m.question.toLowerCase();
    const q = byNumber.get(number);
    if (!q) {
      problems.push({
        path: `body.marks.${i}.question`,
        message: `question ${m.question || '(empty)'}: not on this paper`,
      });
      return;
    }
    if (seen.has(number)) {
      problems.push({
        path: `body.marks.${i}.question`,
        message: `question ${number}: given twice`,
      });
      return;
    }
    if (m.marks < 0 || m.marks > q.max_marks) {
      problems.push({
        path: `body.marks.${i}.marks`,
        message: `question ${number}: marks must be from 0 to ${q.max_marks}, got ${m.marks}`,
      });
    }
    seen.set(number, m.marks);
  });
  const missing = questions.filter(
    (q) =>
      !seen.has(q.number) && !problems.some((p) => p.message.startsWith(`question ${q.number}:`)),
  );
  if (missing.length > 0) {
    problems.push({
      path: 'body.marks',
      message: `missing marks for question${missing.length > 1 ? 's' : ''} ${missing.map((q) => q.number).join(', ')}`,
    });
  }
  if (problems.length > 0) {
    throw new ValidationError(problems.map((p) => p.message).join('; '), problems);
  }
  return questions.map((q) => ({ number: q.number, marks: seen.get(q.number)! }));
}

function trendOf(stats: BaseStats): DashboardResponse['trend'] {
  let earned = 0;
  let possible = 0;
  const overall = stats.results.map((r) => {
    earned += r.score;
    possible += r.maxScore;
    return {
      resultId: r.id,
      paperId: r.paperId,
      paperTitle: r.paperTitle,
      takenOn: r.takenOn,
      percent: percentOf(r.score, r.maxScore),
      cumulativePercent: percentOf(earned, possible),
    };
  });
  const byPaper = new Map<string, DashboardResponse['trend']['byPaper'][number]>();
  for (const r of stats.results) {
    let entry = byPaper.get(r.paperId);
    if (!entry) {
      entry = { paperId: r.paperId, paperTitle: r.paperTitle, points: [] };
      byPaper.set(r.paperId, entry);
    }
    entry.points.push({
      resultId: r.id,
      paperId: r.paperId,
      takenOn: r.takenOn,
      percent: percentOf(r.score, r.maxScore),
    });
  }
  const weeks = new Map<string, { results: number; score: number; max: number }>();
  for (const r of stats.results) {
    const w = weekOf(r.takenOn);
    const acc = weeks.get(w) ?? { results: 0, score: 0, max: 0 };
    acc.results += 1;
    acc.score += r.score;
    acc.max += r.maxScore;
    weeks.set(w, acc);
  }
  return {
    overall,
    byPaper: [...byPaper.values()],
    weekly: [...weeks]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([week, a]) => ({ week, results: a.results, percent: percentOf(a.score, a.max) })),
  };
}

function changeOf(stats: BaseStats): DashboardResponse['change'] {
  const n = stats.results.length;
  if (n === 0) return null;
  const point = (r: BaseStats['results'][number]) => ({
    resultId: r.id,
    paperId: r.paperId,
    takenOn: r.takenOn,
    percent: percentOf(r.score, r.maxScore),
  });
  const latest = stats.results[n - 1]!;
  const previous = n > 1 ? stats.results[n - 2]! : null;
  let samePaper: BaseStats['results'][number] | null = null;
  for (let i = n - 2; i >= 0; i--) {
    if (stats.results[i]!.paperId === latest.paperId) {
      samePaper = stats.results[i]!;
      break;
    }
  }
  const l = point(latest);
  const p = previous ? point(previous) : null;
  const s = samePaper ? point(samePaper) : null;
  return {
    latest: l,
    previous: p,
    delta: p ? round1(l.percent - p.percent) : null,
    samePaperPrevious: s,
    samePaperDelta: s ? round1(l.percent - s.percent) : null,
  };
}

/** CSV: number, max_marks, nodes (";" or "|" separated), bank_question_id; errors name the line. */
export function parseQuestionsCsv(text: string): PaperQuestionInput[] {
  let records: string[][];
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), {
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as string[][];
  } catch (err) {
    throw new ValidationError(`questionsCsv: ${(err as Error).message}`, [
      { path: 'body.questionsCsv', message: 'not valid CSV' },
    ]);
  }
  const [header, ...rows] = records;
  if (!header) {
    throw new ValidationError('questionsCsv: the file is empty', [
      { path: 'body.questionsCsv', message: 'empty' },
    ]);
  }
  const columns = header.map((h) => h.toLowerCase().replace(/[\s-]+/g, '_'));
  const col = (name: string) => columns.indexOf(name);
  const iNumber = col('number');
  const iMax = col('max_marks');
  const iNodes = col('nodes');
  const iBank = col('bank_question_id');
  if (iNumber < 0) {
    throw new ValidationError('questionsCsv line 1: a "number" column is required', [
      { path: 'body.questionsCsv', message: 'line 1: no number column' },
    ]);
  }
  if (rows.length === 0) {
    throw new ValidationError('questionsCsv: a paper needs at least one question', [
      { path: 'body.questionsCsv', message: 'no questions' },
    ]);
  }
  if (rows.length > 200) {
    throw new ValidationError('questionsCsv: at most 200 questions', [
      { path: 'body.questionsCsv', message: 'too many questions' },
    ]);
  }
  const fail = (line: number, message: string): never => {
    throw new ValidationError(`questionsCsv line ${line}: ${message}`, [
      { path: 'body.questionsCsv', message: `line ${line}: ${message}` },
    ]);
  };
  return rows.map((row, i) => {
    const line = i + 2;
    const number = (row[iNumber] ?? '').trim().toLowerCase();
    if (!QUESTION_NUMBER.test(number)) {
      fail(line, `"${number}" is not a question number like 1, 2a or 3b(ii)`);
    }
    const maxText = iMax >= 0 ? (row[iMax] ?? '').trim() : '';
    let maxMarks: number | undefined;
    if (maxText !== '') {
      maxMarks = Number(maxText);
      if (!Number.isFinite(maxMarks) || maxMarks <= 0 || maxMarks > 1000) {
        fail(line, `question ${number}: max_marks must be a number above 0 and at most 1000`);
      }
    }
    const nodesText = iNodes >= 0 ? (row[iNodes] ?? '').trim() : '';
    const bank = iBank >= 0 ? (row[iBank] ?? '').trim() : '';
    if (bank !== '' && !/^[0-9a-f-]{36}$/i.test(bank)) {
      fail(line, `question ${number}: bank_question_id must be a question id (UUID)`);
    }
    const input: PaperQuestionInput = { number };
    if (maxMarks !== undefined) input.maxMarks = maxMarks;
    if (nodesText !== '') {
      input.nodes = nodesText
        .split(/[;|]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
    }
    if (bank !== '') input.bankQuestionId = bank.toLowerCase();
    return input;
  });
}
