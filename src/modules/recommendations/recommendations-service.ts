// Recommendation sets: questions chosen for a learner from the tracker's statistics (marks per
// subtopic and skill, combined with BKT mastery, and the weak links traced through the
// prerequisite graph) and the question bank. How they are chosen and ordered:
// recommendations-select.ts.
//
// Which nodes are practised (targets):
// - weak: every skill and subtopic the tracker reports below its weak threshold (60 % combined),
//   and every skill whose practice mastery alone is below it (no paper tested it);
// - prerequisite: the nodes on a weak link's chain (its root cause and the nodes between), even
//   when never tested;
// - a subtopic is a target itself only when none of its skills is one (its skills' questions
//   would otherwise come twice);
// - when nothing is weak: the nodes below the strong threshold (80 %), to consolidate.
// No target or no eligible question: 422, and nothing is written.
//
// One active set per learner. Building archives the previous active set in the same transaction
// that inserts the new one; a partial unique index (learner_id where status = 'active') holds the
// invariant, and on PostgreSQL builds of one learner take turns under an advisory lock (SQLite runs
// one transaction at a time). A build that finds the active set changed under it (another build
// won) keeps that one. The "no new papers" rule: when the learner has logged or changed no result
// since the active set was built, building again keeps it as it is (outcome 'kept', HTTP 200) —
// unless every question of it is done, then a new set is built.
//
// Progress: an item is done when the learner has answered its question (POST
// /api/practice/answers) since the set was built (for an archived set: before it was archived);
// it is correct when the first of those answers was right. Derived from question_responses at
// every read, so it is never stored twice.
//
// Access: learners build and read their own sets only; another learner's set id is a 404, as is
// another learner's id. Instructors and admins may pass the learnerId of a learner.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { isUniqueViolation, type Dialect } from '../../infra/db/database.ts';
import type { Database, Role } from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, NotFoundError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { learnerQuestionView } from '../questions/questions-service.ts';
import { STRONG_FROM, WEAK_BELOW } from '../tracker/tracker-analytics.ts';
import type { LearnerStatistics } from '../tracker/tracker-service.ts';
import type {
  BuildResponse,
  ListQuery,
  ResourceView,
  SetSummaryView,
  SetView,
  StoredSummary,
  TargetView,
} from './recommendations-schemas.ts';
import { selectItems, type PoolQuestion, type Target } from './recommendations-select.ts';
import { RecommendationsStore, type ItemRow, type SetRow } from './recommendations-store.ts';

export interface Actor {
  id: string;
  role: Role;
}

const isStaff = (a: Actor) => a.role === 'instructor' || a.role === 'admin';

export class NothingToRecommendError extends AppError {
  constructor(detail: string) {
    super(422, 'NOTHING_TO_RECOMMEND', 'Nothing to recommend', detail);
  }
}

/** What the service needs of the tracker (TrackerService satisfies it). */
export interface RecommendationsTracker {
  learnerStatistics(learnerId: string): Promise<LearnerStatistics>;
  hasResultsSince(learnerId: string, since: string): Promise<boolean>;
}

/** What it needs of the knowledge graph (GraphService satisfies it). */
export interface RecommendationsGraph {
  findNode(ref: string): Promise<{ id: string; parent_id: string | null } | undefined>;
  nodesById(
    ids: readonly string[],
  ): Promise<Map<string, { id: string; name: string; kind: 'concept' | 'skill' }>>;
  prerequisiteIds(
    ids: readonly string[],
    direction: 'backward' | 'forward',
  ): Promise<Array<{ id: string }>>;
  prerequisiteEdgesAmong(ids: readonly string[]): Promise<Array<[string, string]>>;
  subtreeIds(conceptId: string): Promise<string[]>;
}

/** BKT mastery (MasteryService satisfies it). */
export interface RecommendationsMastery {
  getStates(
    userId: string,
    skillIds?: readonly string[],
  ): Promise<Array<{ skillId: string; confidence: number; attempts: number; source: string }>>;
}

/**
 * Golden resources for skills: the roles catalogue's curated resources, when it is wired in
 * (container.ts). Without it a set lists no resources.
 */
export interface RecommendationsResources {
  forSkills(skillIds: readonly string[]): Promise<
    Array<{
      title: string;
      url: string;
      type: string;
      description: string | null;
      skillIds: string[];
    }>
  >;
}

export interface RecommendationsServiceDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  tracker: RecommendationsTracker;
  graph: RecommendationsGraph;
  users: { getUser(id: string): Promise<{ id: string; role: Role }> };
  mastery?: RecommendationsMastery | undefined;
  resources?: RecommendationsResources | undefined;
  logger?: Pick<Logger, 'warn' | 'info'> | undefined;
}

export interface BuildOptions {
  trigger: 'request' | 'job' | 'seed';
  builtBy: string | null;
  /** The build time (demo data dates its archived set back); default: now. */
  at?: Date;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export class RecommendationsService {
  private readonly store: RecommendationsStore;

  constructor(private readonly deps: RecommendationsServiceDeps) {
    this.store = new RecommendationsStore(deps.db, deps.dialect);
  }

  /** Late wiring (the mastery service and the roles catalogue are built after this one). */
  setMastery(mastery: RecommendationsMastery | undefined): void {
    this.deps.mastery = mastery;
  }
  setResources(resources: RecommendationsResources | undefined): void {
    this.deps.resources = resources;
  }

  /** The learner a request is about: the actor, or (staff only) a learner they name. */
  private async targetLearner(actor: Actor, learnerId: string | undefined): Promise<string> {
    if (learnerId === undefined || learnerId === actor.id) return actor.id;
    const notFound = () => new NotFoundError('No learner with this id.', 'LEARNER_NOT_FOUND');
    if (!isStaff(actor)) throw notFound();
    const user = await this.deps.users.getUser(learnerId).catch(() => undefined);
    if (!user || user.role !== 'learner') throw notFound();
    return user.id;
  }

  // ---- Building ----------------------------------------------------------------------------

  async build(actor: Actor, learnerIdQuery: string | undefined): Promise<BuildResponse> {
    const learnerId = await this.targetLearner(actor, learnerIdQuery);
    return this.buildFor(learnerId, { trigger: 'request', builtBy: actor.id });
  }

  /** Build (or keep) the learner's active set; no access check (the caller decided). */
  async buildFor(
    learnerId: string,
    options: BuildOptions,
    retried = false,
  ): Promise<BuildResponse> {
    const active = await this.store.activeSet(learnerId);
    if (active && !(await this.isStale(active))) return this.kept(active);

    const builtAt = (options.at ?? this.deps.clock.now()).toISOString();
    const { targets, items, lastResultAt } = await this.choose(learnerId);
    const id = newId();
    const summary: StoredSummary = {
      targets: targets
        .filter((t) => items.some((i) => i.target.nodeId === t.nodeId))
        .map((t) => ({
          node: { id: t.nodeId, name: t.name, kind: t.kind },
          tier: t.tier,
          combined: t.combined,
          earned: t.earned,
          possible: t.possible,
          masteryPercent: t.masteryPercent,
          level: t.level,
        })),
    };
    const row: SetRow = {
      id,
      learner_id: learnerId,
      status: 'active',
      trigger: options.trigger,
      built_by: options.builtBy,
      built_at: builtAt,
      archived_at: null,
      results_at: lastResultAt,
      item_count: items.length,
      summary: JSON.stringify(summary),
    };
    const itemRows: ItemRow[] = items.map((item, i) => ({
      set_id: id,
      position: i + 1,
      question_id: item.questionId,
      node_id: item.target.nodeId,
      node_name: item.target.name,
      node_kind: item.target.kind,
      tier: item.target.tier,
      difficulty: item.difficulty,
      level: item.target.level,
      reason: item.reason,
    }));
    let outcome: { kind: 'created'; archived: string | null } | { kind: 'kept'; set: SetRow };
    try {
      outcome = await this.deps.db.transaction().execute(async (tx) => {
        await this.store.lockLearner(tx, learnerId);
        const current = await this.store.activeSet(learnerId, tx);
        // Another build replaced the set this one started from: that one is current, keep it.
        if (current && current.id !== active?.id) return { kind: 'kept' as const, set: current };
        const archivedAt = this.deps.clock.now().toISOString();
        if (current) await this.store.archive(tx, current.id, archivedAt);
        await this.store.insertSet(tx, row, itemRows);
        return { kind: 'created' as const, archived: current?.id ?? null };
      });
    } catch (err) {
      // Only without the lock (should two builds still collide): the index kept one; look again.
      if (isUniqueViolation(err) && !retried) return this.buildFor(learnerId, options, true);
      throw err;
    }
    if (outcome.kind === 'kept') return this.kept(outcome.set);
    const set = await this.view(row);
    return {
      outcome: 'created',
      message: outcome.archived
        ? `A new set of ${items.length} questions is ready; the previous set is archived.`
        : `Your first set of ${items.length} questions is ready.`,
      set,
      archivedSetId: outcome.archived,
    };
  }

  /** New results since the set was built, or every question of it done: worth rebuilding. */
  private async isStale(set: SetRow): Promise<boolean> {
    if (await this.deps.tracker.hasResultsSince(set.learner_id, set.built_at)) return true;
    const progress = (await this.progressOf([set])).get(set.id);
    return progress !== undefined && progress.total > 0 && progress.done >= progress.total;
  }

  private async kept(set: SetRow): Promise<BuildResponse> {
    return {
      outcome: 'kept',
      message: `No new papers or results since this set was built on ${set.built_at.slice(0, 10)}, so it is kept as it is. Log a paper (or finish this set) to get a new one.`,
      set: await this.view(set),
      archivedSetId: null,
    };
  }

  /** Targets and items for the learner now (recommendations-select.ts does the choosing). */
  async choose(learnerId: string) {
    const stats = await this.deps.tracker.learnerStatistics(learnerId);
    const weak = WEAK_BELOW * 100;
    const strong = STRONG_FROM * 100;
    const masteryPercent = (m: { confidence: number } | null) =>
      m ? Math.round(m.confidence * 100) : null;

    type Candidate = Target;
    const figures = new Map<string, Candidate>();
    for (const s of [...stats.skills, ...stats.subtopics]) {
      figures.set(s.node.id, {
        nodeId: s.node.id,
        name: s.node.name,
        kind: s.node.kind,
        tier: 'weak',
        combined: s.combined,
        subtopicCombined: null,
        earned: s.earned,
        possible: s.possible,
        masteryPercent: masteryPercent(s.mastery),
      });
    }
    // Skills practised but never tested on a paper.
    if (this.deps.mastery) {
      const states = await this.deps.mastery.getStates(learnerId);
      const extra = states.filter(
        (s) => !figures.has(s.skillId) && (s.attempts > 0 || s.source === 'placement'),
      );
      const names = await this.deps.graph.nodesById(extra.map((s) => s.skillId));
      for (const s of extra) {
        const node = names.get(s.skillId);
        if (!node) continue;
        figures.set(s.skillId, {
          nodeId: s.skillId,
          name: node.name,
          kind: node.kind,
          tier: 'weak',
          combined: round1(s.confidence * 100),
          subtopicCombined: null,
          earned: 0,
          possible: 0,
          masteryPercent: Math.round(s.confidence * 100),
        });
      }
    }

    const chosen = new Map<string, Candidate>();
    for (const c of figures.values()) {
      if (c.combined !== null && c.combined < weak) chosen.set(c.nodeId, { ...c });
    }
    // Weak links: the chain from the root cause to the weak node, in the tracker's order.
    for (const wl of stats.weakLinks) {
      const rootId = wl.rootCause.node.id;
      const base = {
        weakName: wl.node.name,
        weakCombined: wl.combined,
        weakLost: wl.lostMarks,
        weakPossible: figures.get(wl.node.id)?.possible ?? wl.lostMarks,
        rootName: wl.rootCause.node.name,
      };
      for (const c of wl.chain) {
        const role = c.id === wl.node.id ? 'dependent' : c.id === rootId ? 'root' : 'chain';
        if (role === 'dependent' && rootId === wl.node.id) continue;
        const existing = chosen.get(c.id);
        if (existing) {
          existing.link ??= { role, ...base };
          continue;
        }
        const known = figures.get(c.id);
        chosen.set(c.id, {
          ...(known ?? {
            nodeId: c.id,
            name: c.name,
            kind: c.kind,
            combined: c.combined,
            subtopicCombined: null,
            earned: 0,
            possible: 0,
            masteryPercent: null,
          }),
          tier: known?.combined != null && known.combined < weak ? 'weak' : 'prerequisite',
          link: { role, ...base },
        });
      }
    }
    if (chosen.size === 0) {
      for (const c of figures.values()) {
        if (c.combined !== null && c.combined < strong) {
          chosen.set(c.nodeId, { ...c, tier: 'consolidate' });
        }
      }
    }
    if (chosen.size === 0) {
      throw new NothingToRecommendError(
        figures.size === 0
          ? 'There is nothing to recommend yet: log an exam paper’s marks (Papers) or practise some questions first.'
          : `Nothing is below ${strong} % on your papers and practice: there is nothing to recommend right now.`,
      );
    }

    // Subtopics: a skill's concept and its figure; a concept with a chosen skill is not a target.
    const parents = new Map<string, string | null>();
    await Promise.all(
      [...chosen.values()].map(async (c) => {
        parents.set(c.nodeId, (await this.deps.graph.findNode(c.nodeId))?.parent_id ?? null);
      }),
    );
    const conceptsWithSkills = new Set(
      [...chosen.values()]
        .filter((c) => c.kind === 'skill')
        .map((c) => parents.get(c.nodeId))
        .filter((p): p is string => typeof p === 'string'),
    );
    const targets: Target[] = [];
    for (const c of chosen.values()) {
      if (c.kind === 'concept' && conceptsWithSkills.has(c.nodeId)) continue;
      const parent = parents.get(c.nodeId);
      const subtopic =
        c.kind === 'concept' ? c.combined : parent ? (figures.get(parent)?.combined ?? null) : null;
      targets.push({ ...c, subtopicCombined: subtopic });
    }

    // The question pool of each target: the node itself, or a concept and everything under it.
    const nodesOf = new Map<string, string[]>();
    for (const t of targets) {
      nodesOf.set(
        t.nodeId,
        t.kind === 'concept' ? await this.deps.graph.subtreeIds(t.nodeId) : [t.nodeId],
      );
    }
    const rows = await this.store.pool([...nodesOf.values()].flat());
    const answers = await this.store.answers(learnerId, [...new Set(rows.map((r) => r.id))]);
    const last = new Map<string, boolean>();
    for (const a of answers) last.set(a.question_id, a.correct === 1);
    const byNode = new Map<string, Array<{ id: string; difficulty: number | null }>>();
    for (const r of rows) {
      const list = byNode.get(r.node_id);
      if (list) list.push(r);
      else byNode.set(r.node_id, [r]);
    }
    const pools = new Map<string, PoolQuestion[]>();
    for (const t of targets) {
      const seen = new Set<string>();
      const pool: PoolQuestion[] = [];
      for (const n of nodesOf.get(t.nodeId)!) {
        for (const q of byNode.get(n) ?? []) {
          if (seen.has(q.id)) continue;
          seen.add(q.id);
          pool.push({ id: q.id, difficulty: q.difficulty, lastCorrect: last.get(q.id) ?? null });
        }
      }
      pools.set(t.nodeId, pool);
    }

    const targetIds = targets.map((t) => t.nodeId);
    const ancestors = (await this.deps.graph.prerequisiteIds(targetIds, 'backward')).map(
      (a) => a.id,
    );
    const edges = await this.deps.graph.prerequisiteEdgesAmong([
      ...new Set([...targetIds, ...ancestors]),
    ]);
    const signals = [...stats.subtopics, ...stats.skills].map((s) => s.combined);
    const overall = signals.length > 0 ? signals.reduce((a, b) => a + b, 0) / signals.length : 50;
    const selection = selectItems({ targets, edges, pools, overall, strongFrom: strong });
    if (selection.items.length === 0) {
      const names = selection.targets.slice(0, 3).map((t) => t.name);
      throw new NothingToRecommendError(
        `No published question you have not already got right practises ${names.join(', ')}${selection.targets.length > 3 ? ' and the rest of your weak topics' : ''} yet: ask your instructor to add some.`,
      );
    }
    return { ...selection, lastResultAt: stats.lastResultAt };
  }

  // ---- Reading -----------------------------------------------------------------------------

  async active(actor: Actor, learnerIdQuery: string | undefined): Promise<SetView | null> {
    const learnerId = await this.targetLearner(actor, learnerIdQuery);
    const row = await this.store.activeSet(learnerId);
    return row ? this.view(row) : null;
  }

  async get(actor: Actor, id: string): Promise<SetView> {
    const row = await this.store.getSet(id);
    if (!row || (!isStaff(actor) && row.learner_id !== actor.id)) {
      throw new NotFoundError(
        'No recommendation set with this id.',
        'RECOMMENDATION_SET_NOT_FOUND',
      );
    }
    return this.view(row);
  }

  async list(actor: Actor, query: ListQuery): Promise<{ sets: SetSummaryView[]; total: number }> {
    const learnerId = await this.targetLearner(actor, query.learnerId);
    const { rows, total } = await this.store.listSets(
      learnerId,
      query.status,
      query.limit,
      query.offset,
    );
    const progress = await this.progressOf(rows);
    return {
      total,
      sets: rows.map((r) => ({
        ...this.base(r, progress.get(r.id)!),
        targets: this.summaryOf(r).targets.map((t) => ({
          node: t.node,
          tier: t.tier,
          combined: t.combined,
        })),
      })),
    };
  }

  private summaryOf(row: SetRow): StoredSummary {
    return JSON.parse(row.summary) as StoredSummary;
  }

  private base(row: SetRow, progress: { total: number; done: number; correct: number }) {
    return {
      id: row.id,
      learnerId: row.learner_id,
      status: row.status,
      trigger: row.trigger,
      builtAt: row.built_at,
      archivedAt: row.archived_at,
      resultsAt: row.results_at,
      itemCount: Number(row.item_count),
      progress,
    };
  }

  /** Done / correct per set (see the header), for several sets in two queries per set batch. */
  private async progressOf(sets: readonly SetRow[]) {
    const items = await this.store.items(sets.map((s) => s.id));
    const out = new Map<string, { total: number; done: number; correct: number }>();
    for (const s of sets) {
      const mine = items.filter((i) => i.set_id === s.id);
      const first = await this.firstAnswers(s, mine);
      let done = 0;
      let correct = 0;
      for (const i of mine) {
        const a = first.get(i.question_id);
        if (a) {
          done++;
          if (a.correct) correct++;
        }
      }
      out.set(s.id, { total: mine.length, done, correct });
    }
    return out;
  }

  private async firstAnswers(set: SetRow, items: readonly ItemRow[]) {
    const answers = await this.store.answers(
      set.learner_id,
      items.map((i) => i.question_id),
      { from: set.built_at, to: set.archived_at },
    );
    const first = new Map<string, { correct: boolean; at: string }>();
    for (const a of answers) {
      if (!first.has(a.question_id)) {
        first.set(a.question_id, { correct: a.correct === 1, at: a.created_at });
      }
    }
    return first;
  }

  private async view(row: SetRow): Promise<SetView> {
    const items = await this.store.items([row.id]);
    const [questions, first] = await Promise.all([
      this.store.questions(items.map((i) => i.question_id)),
      this.firstAnswers(row, items),
    ]);
    const byId = new Map(questions.map((q) => [q.id, q]));
    const summary = this.summaryOf(row);
    const itemViews = items.map((i) => {
      const q = byId.get(i.question_id);
      const practisable = q !== undefined && q.status === 'published' && q.archived_at === null;
      const a = first.get(i.question_id);
      let question: SetView['items'][number]['question'] = null;
      if (practisable) {
        const v = learnerQuestionView(q);
        question = {
          id: v.id,
          type: v.type,
          title: v.title,
          stemHtml: v.stemHtml,
          options: v.options,
          maxMarks: v.maxMarks,
          difficulty: v.difficulty === null ? null : Number(v.difficulty),
        };
      }
      return {
        position: Number(i.position),
        questionId: i.question_id,
        question,
        node: { id: i.node_id, name: i.node_name, kind: i.node_kind },
        tier: i.tier,
        difficulty: i.difficulty === null ? null : Number(i.difficulty),
        level: Number(i.level),
        reason: i.reason,
        done: a !== undefined,
        correct: a ? a.correct : null,
        answeredAt: a?.at ?? null,
      };
    });
    const done = itemViews.filter((i) => i.done).length;
    const correct = itemViews.filter((i) => i.correct === true).length;
    return {
      ...this.base(row, { total: itemViews.length, done, correct }),
      targets: summary.targets,
      items: itemViews,
      resources: await this.resourcesFor(summary.targets),
    };
  }

  private async resourcesFor(targets: readonly TargetView[]): Promise<ResourceView[]> {
    const skills = targets.filter((t) => t.node.kind === 'skill');
    if (!this.deps.resources || skills.length === 0) return [];
    const names = new Map(skills.map((t) => [t.node.id, t.node.name]));
    try {
      const found = await this.deps.resources.forSkills([...names.keys()]);
      return found.map((r) => ({
        title: r.title,
        url: r.url,
        type: r.type,
        description: r.description,
        skills: r.skillIds.filter((s) => names.has(s)).map((s) => names.get(s)!),
      }));
    } catch (err) {
      // Side feature: the set is still shown without them.
      this.deps.logger?.warn(
        { err },
        'golden resources could not be read for a recommendation set',
      );
      return [];
    }
  }

  // ---- Weekly job --------------------------------------------------------------------------

  /** Rebuild the sets of learners with results newer than their active set (or none yet). */
  async rebuildStale(options: { limit?: number } = {}) {
    const learners = await this.store.learnersToRebuild(options.limit ?? 10_000);
    let created = 0;
    let kept = 0;
    let nothing = 0;
    let failed = 0;
    for (const learnerId of learners) {
      try {
        const out = await this.buildFor(learnerId, { trigger: 'job', builtBy: null });
        if (out.outcome === 'created') created++;
        else kept++;
      } catch (err) {
        if (err instanceof NothingToRecommendError) nothing++;
        else {
          failed++;
          this.deps.logger?.warn({ err, learnerId }, 'recommendation set rebuild failed');
        }
      }
    }
    return { learners: learners.length, created, kept, nothing, failed };
  }
}
