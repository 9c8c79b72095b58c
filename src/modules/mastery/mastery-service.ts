// The mastery store: every learner's Bayesian Knowledge Tracing state per skill (mastery_states),
// the evidence that moved it (mastery_evidence) and the parameters fitted per skill
// (bkt_skill_params). Every page and module that shows or uses mastery reads it through this
// service: placement results, learning-path progress, dashboards, the tracker.
//
// Writes happen in the caller's transaction (a practice answer, a finished placement test) so
// the response, the mastery and the review schedule change together or not at all. A learner's
// row on a skill is created before it is read for update, so two answers at once on PostgreSQL
// queue on the row instead of both starting from the same value; SQLite runs one write
// transaction at a time.
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from '../../infra/db/database.ts';
import { PreparedQuery } from '../../infra/db/prepared.ts';
import type { Database } from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { plainText } from '../../platform/markdown.ts';
import {
  applyAnswer,
  DEFAULT_BKT_PARAMS,
  DEFAULT_MASTERY_THRESHOLD,
  isMastered,
  type BktParams,
} from './bkt.ts';
import { DEFAULT_FIT_OPTIONS, fitSkills, groupBySkill, type BktResponse } from './bkt-fit.ts';
import { ReviewScheduler, type StoredCard } from './review-scheduler.ts';

type Db = Kysely<Database>;

export interface SkillMastery {
  skillId: string;
  /** BKT P(L) as stored, or the skill's prior when the learner has no state yet. */
  pKnown: number;
  /** Counted answers so far. */
  attempts: number;
  mastered: boolean;
  /** What last set the value: nothing yet (the prior), a placement test or practice. */
  source: 'prior' | 'placement' | 'practice';
  updatedAt: string | null;
  /** What pages display: pKnown, lowered while a review of the skill's questions is overdue. */
  confidence: number;
  /** The earliest review due among the skill's questions the learner has answered. */
  reviewDueAt: string | null;
}

export interface SkillChange {
  skillId: string;
  before: number;
  after: number;
  masteredBefore: boolean;
  mastered: boolean;
}

export interface EvidenceEntry {
  id: string;
  kind: 'practice' | 'review' | 'placement';
  correct: boolean | null;
  pCorrect: number | null;
  before: number;
  after: number;
  at: string;
  responseId: string | null;
  placementId: string | null;
  question: { id: string; title: string | null; preview: string } | null;
}

export interface FitSummary {
  skills: number;
  fitted: number;
  keptDefaults: number;
  responses: number;
  seconds: number;
}

export interface MasteryServiceDeps {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  threshold?: number;
  /** Fewer learners than this on a skill: the skill keeps the default parameters. */
  minLearners?: number;
  /** Random restarts of each EM fit when the caller does not say. */
  fitRestarts?: number;
  scheduler?: ReviewScheduler;
}

/** At most this many skill ids per IN list (SQLite allows 32766 parameters; keep far below). */
const CHUNK = 500;

/** How long parameters read from bkt_skill_params are reused (another process may refit). */
const PARAMS_TTL_MS = 60_000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class MasteryService {
  readonly threshold: number;
  readonly minLearners: number;
  readonly fitRestarts: number;
  readonly scheduler: ReviewScheduler;
  private readonly db: Db;
  private readonly dialect: Dialect;
  private readonly clock: Clock;

  constructor(deps: MasteryServiceDeps) {
    this.db = deps.db;
    this.dialect = deps.dialect;
    this.clock = deps.clock;
    this.threshold = deps.threshold ?? DEFAULT_MASTERY_THRESHOLD;
    this.minLearners = deps.minLearners ?? DEFAULT_FIT_OPTIONS.minLearners;
    this.fitRestarts = deps.fitRestarts ?? DEFAULT_FIT_OPTIONS.restarts;
    this.scheduler = deps.scheduler ?? new ReviewScheduler();
  }

  /**
   * Fitted parameters change once a week (mastery.fit-params); answers read them from memory for
   * up to PARAMS_TTL_MS, and a fit in this process clears them at once.
   */
  private paramsCache = new Map<string, { params: BktParams; at: number }>();

  /** The parameters of each skill: fitted where a fit exists, the defaults otherwise. */
  async paramsFor(skillIds: readonly string[], db: Db = this.db): Promise<Map<string, BktParams>> {
    const out = new Map<string, BktParams>();
    const nowMs = Date.now();
    const wanted: string[] = [];
    for (const id of new Set(skillIds)) {
      const hit = this.paramsCache.get(id);
      if (hit && nowMs - hit.at < PARAMS_TTL_MS) out.set(id, hit.params);
      else wanted.push(id);
    }
    if (wanted.length === 0) return out;
    const fetched = new Map<string, BktParams>();
    for (const part of chunks(wanted)) {
      if (part.length === 0) continue;
      const rows = await db
        .selectFrom('bkt_skill_params')
        .select(['skill_id', 'prior', 'learn', 'guess', 'slip', 'forget'])
        .where('skill_id', 'in', part)
        .execute();
      for (const r of rows) {
        fetched.set(r.skill_id, {
          prior: Number(r.prior),
          learn: Number(r.learn),
          guess: Number(r.guess),
          slip: Number(r.slip),
          forget: Number(r.forget),
        });
      }
    }
    if (this.paramsCache.size > 20_000) this.paramsCache.clear();
    for (const id of wanted) {
      const params = fetched.get(id) ?? { ...DEFAULT_BKT_PARAMS };
      out.set(id, params);
      this.paramsCache.set(id, { params, at: nowMs });
    }
    return out;
  }

  /**
   * One learner's mastery of the given skills, in the order given (skills the learner has no
   * state on start at their prior), or of every skill the learner has a state on.
   */
  async getStates(userId: string, skillIds?: readonly string[]): Promise<SkillMastery[]> {
    const rows: {
      skill_id: string;
      p_known: number;
      attempts: number;
      source: 'placement' | 'practice';
      updated_at: string;
    }[] = [];
    const base = () =>
      this.db
        .selectFrom('mastery_states')
        .select(['skill_id', 'p_known', 'attempts', 'source', 'updated_at'])
        .where('user_id', '=', userId);
    if (skillIds === undefined) {
      rows.push(...(await base().orderBy('skill_id').execute()));
    } else {
      for (const part of chunks([...new Set(skillIds)])) {
        if (part.length > 0) rows.push(...(await base().where('skill_id', 'in', part).execute()));
      }
    }
    const byId = new Map(rows.map((r) => [r.skill_id, r]));
    const ids = skillIds ?? rows.map((r) => r.skill_id);
    const missing = ids.filter((id) => !byId.has(id));
    const priors = missing.length > 0 ? await this.paramsFor(missing) : new Map();
    const reviews = await this.reviewsBySkill(userId, skillIds);
    const now = this.clock.now();
    return ids.map((skillId) => {
      const row = byId.get(skillId);
      const pKnown = row ? Number(row.p_known) : (priors.get(skillId)?.prior ?? 0);
      const cards = reviews.get(skillId) ?? [];
      const factor = cards.reduce(
        (m, c) => Math.min(m, this.scheduler.confidenceFactor(c, now)),
        1,
      );
      const due = cards.reduce<string | null>(
        (m, c) => (m === null || c.due < m ? c.due : m),
        null,
      );
      return {
        skillId,
        pKnown,
        attempts: row ? Number(row.attempts) : 0,
        mastered: isMastered(pKnown, this.threshold),
        source: row ? row.source : 'prior',
        updatedAt: row ? row.updated_at : null,
        confidence: pKnown * factor,
        reviewDueAt: due,
      };
    });
  }

  /**
   * Every skill the learner has a state on, or the given ones, with the skill's name and concept:
   * the learner's mastery page and dashboard chart.
   */
  async overview(userId: string, skillIds?: readonly string[]) {
    const states = await this.getStates(userId, skillIds);
    const names = new Map<
      string,
      { name: string; conceptId: string | null; conceptName: string | null; ordinal: number }
    >();
    for (const part of chunks(states.map((s) => s.skillId))) {
      if (part.length === 0) continue;
      const rows = await this.db
        .selectFrom('graph_nodes as n')
        .leftJoin('graph_nodes as c', 'c.id', 'n.parent_id')
        .select(['n.id', 'n.name', 'n.ordinal', 'c.id as concept_id', 'c.name as concept_name'])
        .where('n.id', 'in', part)
        .execute();
      for (const r of rows) {
        names.set(r.id, {
          name: r.name,
          conceptId: r.concept_id,
          conceptName: r.concept_name,
          ordinal: Number(r.ordinal),
        });
      }
    }
    const skills = states
      .filter((s) => names.has(s.skillId))
      .map((s) => {
        const n = names.get(s.skillId)!;
        return {
          ...s,
          name: n.name,
          conceptId: n.conceptId,
          conceptName: n.conceptName,
          ordinal: n.ordinal,
        };
      });
    if (skillIds === undefined) {
      skills.sort(
        (a, b) => (a.conceptName ?? '').localeCompare(b.conceptName ?? '') || a.ordinal - b.ordinal,
      );
    }
    return {
      threshold: this.threshold,
      skills: skills.map(({ ordinal: _ordinal, ...rest }) => rest),
    };
  }

  /** The learner's review cards, by the skills their questions test (accepted skill tags). */
  private async reviewsBySkill(
    userId: string,
    skillIds?: readonly string[],
  ): Promise<Map<string, StoredCard[]>> {
    const query = () =>
      this.db
        .selectFrom('review_cards as rc')
        .innerJoin('question_tags as qt', (j) =>
          j.onRef('qt.question_id', '=', 'rc.question_id').on('qt.status', '=', 'accepted'),
        )
        .innerJoin('graph_nodes as n', (j) =>
          j.onRef('n.id', '=', 'qt.node_id').on('n.kind', '=', 'skill'),
        )
        .select([
          'qt.node_id as skill_id',
          'rc.due',
          'rc.stability',
          'rc.difficulty',
          'rc.scheduled_days',
          'rc.learning_steps',
          'rc.reps',
          'rc.lapses',
          'rc.state',
          'rc.last_review',
        ])
        .where('rc.user_id', '=', userId);
    const rows =
      skillIds === undefined
        ? await query().execute()
        : (
            await Promise.all(
              chunks([...new Set(skillIds)]).map((part) =>
                part.length === 0 ? [] : query().where('qt.node_id', 'in', part).execute(),
              ),
            )
          ).flat();
    const out = new Map<string, StoredCard[]>();
    for (const r of rows) {
      const { skill_id, ...card } = r;
      const list = out.get(skill_id) ?? [];
      list.push({
        ...card,
        stability: Number(card.stability),
        difficulty: Number(card.difficulty),
      });
      out.set(skill_id, list);
    }
    return out;
  }

  /** The statements of applyAnswer, built once (infra/db/prepared.ts). */
  private readonly sql = {
    lockState: new PreparedQuery(
      (db, a: { userId: string; skillId: string; prior: number; at: string }) =>
        db
          .insertInto('mastery_states')
          .values({
            user_id: a.userId,
            skill_id: a.skillId,
            p_known: a.prior,
            attempts: 0,
            source: 'practice',
            updated_at: a.at,
            last_answered_at: null,
          })
          .onConflict((oc) =>
            oc
              .columns(['user_id', 'skill_id'])
              .doUpdateSet((eb) => ({ p_known: eb.ref('mastery_states.p_known') })),
          )
          .returning(['p_known', 'attempts']),
    ),
    updateState: new PreparedQuery(
      (db, a: { userId: string; skillId: string; pKnown: number; attempts: number; at: string }) =>
        db
          .updateTable('mastery_states')
          .set({
            p_known: a.pKnown,
            attempts: a.attempts,
            source: 'practice',
            updated_at: a.at,
            last_answered_at: a.at,
          })
          .where('user_id', '=', a.userId)
          .where('skill_id', '=', a.skillId),
    ),
    insertEvidence: new PreparedQuery(
      (
        db,
        a: {
          id: string;
          userId: string;
          skillId: string;
          kind: 'practice' | 'review';
          responseId: string;
          correct: number;
          pCorrect: number;
          pBefore: number;
          pAfter: number;
          at: string;
        },
      ) =>
        db.insertInto('mastery_evidence').values({
          id: a.id,
          user_id: a.userId,
          skill_id: a.skillId,
          kind: a.kind,
          response_id: a.responseId,
          placement_id: null,
          correct: a.correct,
          p_correct: a.pCorrect,
          p_before: a.pBefore,
          p_after: a.pAfter,
          created_at: a.at,
        }),
    ),
  };

  /**
   * Apply one counted answer to each skill, inside the caller's transaction: lock (or create) the
   * learner's row, run the BKT update with the skill's parameters, write the state and the
   * evidence. Skills are locked in id order, so two transactions never wait on each other crosswise.
   */
  async applyAnswer(
    trx: Transaction<Database>,
    input: {
      userId: string;
      skillIds: readonly string[];
      correct: boolean;
      responseId: string;
      kind: 'practice' | 'review';
      at: string;
    },
  ): Promise<SkillChange[]> {
    const skillIds = [...new Set(input.skillIds)].sort();
    if (skillIds.length === 0) return [];
    const params = await this.paramsFor(skillIds, trx);
    const changes: SkillChange[] = [];
    for (const skillId of skillIds) {
      const p = params.get(skillId)!;
      // Create the row at the prior if missing, or touch it: either way it is locked until
      // commit on PostgreSQL (an upsert takes the row lock) and its current values come back.
      const row = await this.sql.lockState.first(trx, {
        userId: input.userId,
        skillId,
        prior: p.prior,
        at: input.at,
      });
      if (!row) throw new Error('The mastery state upsert returned no row');
      const { state, evidence } = applyAnswer(
        { pKnown: Number(row.p_known), attempts: Number(row.attempts) },
        input.correct,
        p,
        this.threshold,
      );
      await this.sql.updateState.execute(trx, {
        userId: input.userId,
        skillId,
        pKnown: state.pKnown,
        attempts: state.attempts,
        at: input.at,
      });
      await this.sql.insertEvidence.execute(trx, {
        id: newId(),
        userId: input.userId,
        skillId,
        kind: input.kind,
        responseId: input.responseId,
        correct: input.correct ? 1 : 0,
        pCorrect: evidence.pCorrect,
        pBefore: evidence.pKnownBefore,
        pAfter: evidence.pKnownAfter,
        at: input.at,
      });
      changes.push({
        skillId,
        before: evidence.pKnownBefore,
        after: evidence.pKnownAfter,
        masteredBefore: evidence.masteredBefore,
        mastered: evidence.mastered,
      });
    }
    return changes;
  }

  /**
   * Initial P(L) from a placement test. Skills the learner has already practised keep their
   * state: answers are stronger evidence than a placement estimate. One evidence row per skill
   * changed. Pass `trx` to join the caller's transaction.
   */
  async seedFromPlacement(
    userId: string,
    placementId: string,
    seeds: readonly { skillId: string; pKnown: number }[],
    trx?: Transaction<Database>,
  ): Promise<void> {
    if (seeds.length === 0) return;
    const run = async (t: Transaction<Database>) => {
      const at = this.clock.now().toISOString();
      const ids = [...new Set(seeds.map((s) => s.skillId))];
      const existing = new Map<string, { p_known: number; source: string }>();
      for (const part of chunks(ids)) {
        const rows = await t
          .selectFrom('mastery_states')
          .select(['skill_id', 'p_known', 'source'])
          .where('user_id', '=', userId)
          .where('skill_id', 'in', part)
          .$if(this.dialect === 'postgres', (q) => q.forUpdate())
          .execute();
        for (const r of rows) existing.set(r.skill_id, r);
      }
      const priors = await this.paramsFor(ids, t);
      const seen = new Set<string>();
      for (const seed of seeds) {
        if (seen.has(seed.skillId)) continue;
        seen.add(seed.skillId);
        const pKnown = Math.min(1, Math.max(0, seed.pKnown));
        const current = existing.get(seed.skillId);
        if (current?.source === 'practice') continue;
        const before = current ? Number(current.p_known) : priors.get(seed.skillId)!.prior;
        await t
          .insertInto('mastery_states')
          .values({
            user_id: userId,
            skill_id: seed.skillId,
            p_known: pKnown,
            attempts: 0,
            source: 'placement',
            updated_at: at,
            last_answered_at: null,
          })
          .onConflict((oc) =>
            oc
              .columns(['user_id', 'skill_id'])
              .doUpdateSet({ p_known: pKnown, source: 'placement', updated_at: at }),
          )
          .execute();
        await t
          .insertInto('mastery_evidence')
          .values({
            id: newId(),
            user_id: userId,
            skill_id: seed.skillId,
            kind: 'placement',
            response_id: null,
            placement_id: placementId,
            correct: null,
            p_correct: null,
            p_before: before,
            p_after: pKnown,
            created_at: at,
          })
          .execute();
      }
    };
    if (trx) await run(trx);
    else await this.db.transaction().execute(run);
  }

  /** What moved a learner's estimate on one skill, newest first, with the current state. */
  async evidence(userId: string, skillId: string, limit = 100) {
    const skill = await this.db
      .selectFrom('graph_nodes')
      .select(['id', 'name', 'description', 'parent_id'])
      .where('id', '=', skillId)
      .where('kind', '=', 'skill')
      .executeTakeFirst();
    if (!skill) throw new NotFoundError('There is no such skill.');
    const [state] = await this.getStates(userId, [skillId]);
    const [params] = (await this.paramsFor([skillId])).values();
    const rows = await this.db
      .selectFrom('mastery_evidence as e')
      .leftJoin('question_responses as r', 'r.id', 'e.response_id')
      .leftJoin('questions as q', 'q.id', 'r.question_id')
      .select([
        'e.id',
        'e.kind',
        'e.correct',
        'e.p_correct',
        'e.p_before',
        'e.p_after',
        'e.created_at',
        'e.response_id',
        'e.placement_id',
        'q.id as question_id',
        'q.title as question_title',
        'q.stem as question_stem',
        'q.format as question_format',
      ])
      .where('e.user_id', '=', userId)
      .where('e.skill_id', '=', skillId)
      .orderBy('e.created_at', 'desc')
      .orderBy('e.id', 'desc')
      .limit(limit)
      .execute();
    const fitted = await this.db
      .selectFrom('bkt_skill_params')
      .select(['learners', 'fitted_at'])
      .where('skill_id', '=', skillId)
      .executeTakeFirst();
    return {
      skill: { id: skill.id, name: skill.name, description: skill.description },
      state: state!,
      threshold: this.threshold,
      params: { ...params!, fitted: fitted !== undefined, fittedAt: fitted?.fitted_at ?? null },
      entries: rows.map((r): EvidenceEntry => ({
        id: r.id,
        kind: r.kind,
        correct: r.correct === null ? null : Number(r.correct) === 1,
        pCorrect: r.p_correct === null ? null : Number(r.p_correct),
        before: Number(r.p_before),
        after: Number(r.p_after),
        at: r.created_at,
        responseId: r.response_id,
        placementId: r.placement_id,
        question:
          r.question_id === null
            ? null
            : {
                id: r.question_id,
                title: r.question_title,
                preview: preview(r.question_stem ?? '', r.question_format ?? 'markdown'),
              },
      })),
    };
  }

  /**
   * Fit every skill's parameters by EM from the counted answers recorded so far. Skills with at
   * least `minLearners` learners get a row in bkt_skill_params; the others keep (or go back to)
   * the defaults. Existing states are not rewritten: new parameters apply from the next answer.
   */
  async fitParameters(
    options: { restarts?: number; minLearners?: number; onProgress?: (share: number) => void } = {},
  ): Promise<FitSummary> {
    const started = performance.now();
    const minLearners = options.minLearners ?? this.minLearners;
    const responses: BktResponse[] = [];
    // Paged by primary-key order within (user, skill, time) so memory stays one copy of the data.
    const PAGE = 50_000;
    let offset = 0;
    for (;;) {
      const page = await this.db
        .selectFrom('mastery_evidence')
        .select(['user_id', 'skill_id', 'correct'])
        .where('kind', 'in', ['practice', 'review'])
        .where('correct', 'is not', null)
        .orderBy('skill_id')
        .orderBy('user_id')
        .orderBy('created_at')
        .orderBy('id')
        .limit(PAGE)
        .offset(offset)
        .execute();
      for (const r of page) {
        responses.push({
          learner: r.user_id,
          skill: r.skill_id,
          correct: Number(r.correct) === 1 ? 1 : 0,
        });
      }
      offset += page.length;
      if (page.length < PAGE) break;
    }
    options.onProgress?.(0.3);
    const fits = fitSkills(groupBySkill(responses), {
      restarts: options.restarts ?? this.fitRestarts,
      minLearners,
    });
    options.onProgress?.(0.9);
    const at = this.clock.now().toISOString();
    let fitted = 0;
    this.paramsCache.clear();
    await this.db.transaction().execute(async (trx) => {
      for (const fit of fits.values()) {
        if (fit.source === 'default') {
          await trx.deleteFrom('bkt_skill_params').where('skill_id', '=', fit.skill).execute();
          continue;
        }
        fitted++;
        const values = {
          prior: fit.params.prior,
          learn: fit.params.learn,
          guess: fit.params.guess,
          slip: fit.params.slip,
          forget: fit.params.forget,
          learners: fit.learners,
          responses: fit.responses,
          log_likelihood: fit.logLikelihood,
          fitted_at: at,
        };
        await trx
          .insertInto('bkt_skill_params')
          .values({ skill_id: fit.skill, ...values })
          .onConflict((oc) => oc.column('skill_id').doUpdateSet(values))
          .execute();
      }
    });
    this.paramsCache.clear();
    return {
      skills: fits.size,
      fitted,
      keptDefaults: fits.size - fitted,
      responses: responses.length,
      seconds: Math.round((performance.now() - started) / 10) / 100,
    };
  }

  /**
   * Staff view: learners × skills. Skills are those under `conceptId` (its skills and its
   * sub-concepts' skills), or those any learner has a state on; learners filtered by name/email.
   */
  async cohort(filter: { conceptId?: string; q?: string; limit?: number }) {
    const limitLearners = Math.min(filter.limit ?? 200, 500);
    let skills: { id: string; name: string }[];
    if (filter.conceptId) {
      const concept = await this.db
        .selectFrom('graph_nodes')
        .select('id')
        .where('id', '=', filter.conceptId)
        .where('kind', '=', 'concept')
        .executeTakeFirst();
      if (!concept) throw new NotFoundError('There is no such concept.');
      const all = await this.db
        .selectFrom('graph_nodes')
        .select(['id', 'name', 'kind', 'parent_id', 'ordinal'])
        .orderBy('ordinal')
        .execute();
      const children = new Map<string, typeof all>();
      for (const n of all) {
        if (n.parent_id === null) continue;
        const list = children.get(n.parent_id) ?? [];
        list.push(n);
        children.set(n.parent_id, list);
      }
      skills = [];
      const stack = [filter.conceptId];
      const seen = new Set<string>();
      while (stack.length > 0) {
        const id = stack.shift()!;
        if (seen.has(id)) continue;
        seen.add(id);
        for (const c of children.get(id) ?? []) {
          if (c.kind === 'skill') skills.push({ id: c.id, name: c.name });
          else stack.push(c.id);
        }
      }
    } else {
      skills = await this.db
        .selectFrom('graph_nodes as n')
        .select(['n.id', 'n.name'])
        .where('n.kind', '=', 'skill')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('mastery_states as s')
              .select('s.skill_id')
              .whereRef('s.skill_id', '=', 'n.id'),
          ),
        )
        .orderBy('n.ordinal')
        .execute();
    }
    skills = skills.slice(0, 60);
    let learnersQuery = this.db
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .where('role', '=', 'learner')
      .where('disabled_at', 'is', null);
    if (filter.q) {
      const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      learnersQuery = learnersQuery.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['name']), 'like', like),
          eb(eb.fn('lower', ['email']), 'like', like),
        ]),
      );
    }
    const learners = await learnersQuery
      .orderBy('name')
      .orderBy('id')
      .limit(limitLearners)
      .execute();
    const cells = new Map<string, Map<string, { p: number; attempts: number }>>();
    const skillIds = skills.map((s) => s.id);
    for (const learnerPart of chunks(
      learners.map((l) => l.id),
      200,
    )) {
      for (const skillPart of chunks(skillIds, 200)) {
        if (learnerPart.length === 0 || skillPart.length === 0) continue;
        const rows = await this.db
          .selectFrom('mastery_states')
          .select(['user_id', 'skill_id', 'p_known', 'attempts'])
          .where('user_id', 'in', learnerPart)
          .where('skill_id', 'in', skillPart)
          .execute();
        for (const r of rows) {
          const m = cells.get(r.user_id) ?? new Map();
          m.set(r.skill_id, { p: Number(r.p_known), attempts: Number(r.attempts) });
          cells.set(r.user_id, m);
        }
      }
    }
    const priors = await this.paramsFor(skillIds);
    return {
      threshold: this.threshold,
      skills,
      learners: learners.map((l) => {
        const m = cells.get(l.id);
        const row = skills.map((s) => {
          const c = m?.get(s.id);
          const p = c?.p ?? priors.get(s.id)!.prior;
          return {
            skillId: s.id,
            pKnown: p,
            attempts: c?.attempts ?? 0,
            mastered: isMastered(p, this.threshold),
            started: c !== undefined,
          };
        });
        return {
          id: l.id,
          name: l.name,
          email: l.email,
          mastered: row.filter((c) => c.mastered).length,
          cells: row,
        };
      }),
    };
  }
}

function preview(stem: string, format: 'markdown' | 'html'): string {
  const text = plainText(stem, format).replace(/\s+/g, ' ').trim();
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}
