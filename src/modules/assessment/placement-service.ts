// The placement test: a computerized adaptive test (cat.ts) over the published, automatically
// gradable questions of the bank that test a skill (accepted tags), with IRT parameters from
// the question (or defaults from its difficulty, irt.ts).
//
// - Area: a skill's top-level concept (the root of its concept chain, e.g. "Number"); per-area
//   estimates use the answers to that area's items, and every skill of a tested area gets an
//   initial P(L) from its area's estimate (seedMastery) when the test finishes.
// - One test in progress per learner (a partial unique index); starting again resumes it.
// - Each answer is a row with the item's parameters as used; θ and SE are recomputed from the
//   rows, so a test resumes exactly, even after a restart. Only the current question can be
//   answered; the same answer sent twice (a double click, a retried request) is stored once and
//   the second gets the test as it now is.
// - No feedback per item during the test (standard for an adaptive test); the result page shows
//   the level per area and the skills the learner's path will start with.
// - Target: a test covers the whole catalogue, or one role's required skills (chosen when it
//   starts; the role's skill ids are stored with the test, so resuming keeps the same target
//   even if the role is edited). Items then come only from questions tagged with those skills,
//   and only their areas get estimates.
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from '../../infra/db/database.ts';
import type { Database } from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { MasteryService } from '../mastery/mastery-service.ts';
import { gradeResponse, isAutoGradable, type LearnerResponse } from '../questions/grading.ts';
import {
  parseStoredAnswers,
  type QuestionType,
  type TypedAnswers,
} from '../questions/question-model.ts';
import { learnerQuestionView } from '../questions/questions-service.ts';
import {
  areaEstimates,
  catConfig,
  nextItem,
  seedMastery,
  startTest,
  stopReason,
  update,
  type CatItem,
  type CatState,
} from './cat.ts';
import { itemParamsForQuestion } from './irt.ts';

type Db = Kysely<Database>;

/** The role catalogue as the placement test needs it (PathsService provides it). */
export interface PlacementRoles {
  getRole(ref: string): Promise<{ id: string; title: string; skills: { id: string }[] }>;
}

/** What a test covers: every skill of the catalogue, or one role's required skills. */
export type PlacementTarget =
  | { kind: 'everything'; roleId: null; title: null }
  | { kind: 'role'; roleId: string; title: string };

export interface PlacementConfig {
  maxItems: number;
  targetSe: number;
  exposureK: number;
}

/** Cut points on θ for the level shown to learners (θ is on a N(0, 1) prior scale). */
export const LEVELS = [
  { below: -1, label: 'beginner' },
  { below: 0, label: 'developing' },
  { below: 1, label: 'proficient' },
  { below: Infinity, label: 'advanced' },
] as const;

export function levelOf(theta: number): string {
  return LEVELS.find((l) => theta < l.below)!.label;
}

interface PoolItem extends CatItem {
  areaName: string;
}

interface Pool {
  items: PoolItem[];
  byId: Map<string, PoolItem>;
  /** Every skill of each area (graph order), for seeding. */
  skillsByArea: Map<string, { id: string; name: string }[]>;
  areaNames: Map<string, string>;
}

export interface PlacementResult {
  areas: {
    id: string;
    name: string;
    theta: number;
    se: number;
    level: string;
    answered: number;
    source: 'area' | 'overall';
  }[];
  /** The lowest seeded skills: what a learning path starts with. */
  startWith: { skillId: string; name: string; area: string; pKnown: number }[];
  seeded: number;
}

export class PlacementService {
  private readonly db: Db;
  private readonly dialect: Dialect;
  private readonly clock: Clock;
  private readonly mastery: MasteryService;
  private readonly config: PlacementConfig;
  private readonly roles: PlacementRoles;
  private readonly random: () => number;

  constructor(deps: {
    db: Db;
    dialect: Dialect;
    clock: Clock;
    mastery: MasteryService;
    roles: PlacementRoles;
    config: PlacementConfig;
    random?: () => number;
  }) {
    this.roles = deps.roles;
    this.db = deps.db;
    this.dialect = deps.dialect;
    this.clock = deps.clock;
    this.mastery = deps.mastery;
    this.config = deps.config;
    this.random = deps.random ?? Math.random;
  }

  /**
   * The item pool: published, gradable questions with accepted skill tags, by top-level area;
   * with target skills, only questions tagged with one of them (and only those tags count).
   */
  private async pool(db: Db, targetSkills: readonly string[] | null): Promise<Pool> {
    const nodes = await db
      .selectFrom('graph_nodes')
      .select(['id', 'name', 'kind', 'parent_id', 'ordinal'])
      .orderBy('ordinal')
      .execute();
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const rootOf = (id: string): string | null => {
      let current = byId.get(id);
      const seen = new Set<string>();
      while (current?.parent_id && byId.has(current.parent_id) && !seen.has(current.id)) {
        seen.add(current.id);
        current = byId.get(current.parent_id);
      }
      return current && current.kind === 'concept' ? current.id : null;
    };
    const skillArea = new Map<string, string>();
    const skillsByArea = new Map<string, { id: string; name: string }[]>();
    for (const n of nodes) {
      if (n.kind !== 'skill' || n.parent_id === null) continue;
      const area = rootOf(n.parent_id);
      if (area === null) continue;
      skillArea.set(n.id, area);
      const list = skillsByArea.get(area) ?? [];
      list.push({ id: n.id, name: n.name });
      skillsByArea.set(area, list);
    }
    const rows = await db
      .selectFrom('questions as q')
      .innerJoin('question_tags as t', (j) =>
        j.onRef('t.question_id', '=', 'q.id').on('t.status', '=', 'accepted'),
      )
      .innerJoin('graph_nodes as n', (j) =>
        j.onRef('n.id', '=', 't.node_id').on('n.kind', '=', 'skill'),
      )
      .select([
        'q.id',
        'q.type',
        'q.answers',
        'q.difficulty',
        'q.irt_a',
        'q.irt_b',
        'q.irt_c',
        't.node_id',
      ])
      .where('q.status', '=', 'published')
      .where('q.archived_at', 'is', null)
      .where('q.type', '!=', 'written')
      .$if(targetSkills !== null, (q) =>
        // An empty target matches nothing (and `in ()` is not valid SQL).
        q.where('t.node_id', 'in', targetSkills!.length > 0 ? [...targetSkills!] : ['']),
      )
      .orderBy('q.id')
      .execute();
    const items: PoolItem[] = [];
    const itemById = new Map<string, PoolItem>();
    for (const r of rows) {
      const existing = itemById.get(r.id);
      if (existing) {
        (existing.skillIds as string[]).push(r.node_id);
        continue;
      }
      const answers = parseStoredAnswers(r.type as QuestionType, r.answers);
      const irt =
        r.irt_a !== null && r.irt_b !== null
          ? { a: Number(r.irt_a), b: Number(r.irt_b), c: Number(r.irt_c ?? 0) }
          : null;
      const { params } = itemParamsForQuestion({
        type: r.type as QuestionType,
        difficulty: r.difficulty,
        irt,
        answers,
      } as Parameters<typeof itemParamsForQuestion>[0]);
      const area = skillArea.get(r.node_id) ?? null;
      if (area === null) continue;
      const item: PoolItem = {
        id: r.id,
        params,
        skillIds: [r.node_id],
        area,
        areaName: byId.get(area)?.name ?? area,
      };
      items.push(item);
      itemById.set(r.id, item);
    }
    const areaNames = new Map<string, string>();
    for (const area of skillsByArea.keys()) areaNames.set(area, byId.get(area)?.name ?? area);
    return { items, byId: itemById, skillsByArea, areaNames };
  }

  private cat(test: { max_items: number; target_se: number }) {
    return catConfig({
      maxItems: test.max_items,
      targetSe: test.target_se,
      exposureK: this.config.exposureK,
    });
  }

  /** Replay the stored answers into a CAT state. */
  private async replay(db: Db, test: { id: string; max_items: number; target_se: number }) {
    const rows = await db
      .selectFrom('placement_responses')
      .selectAll()
      .where('placement_id', '=', test.id)
      .orderBy('position')
      .execute();
    let state: CatState = startTest(this.cat(test));
    for (const r of rows) {
      state = update(
        state,
        {
          id: r.question_id,
          params: {
            a: Number(r.irt_a),
            b: Number(r.irt_b),
            c: Number(r.irt_c),
            d: Number(r.irt_d),
          },
          skillIds: [],
          area: r.area,
        },
        Number(r.correct) === 1,
      );
    }
    return { state, rows };
  }

  /** The role a start asks for, with its skills now; an unknown role is a 400 on the field. */
  private async resolveRole(ref: string) {
    try {
      return await this.roles.getRole(ref);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      const message = `there is no role "${ref}" in the catalogue`;
      throw new ValidationError(
        `There is no role "${ref}" in the catalogue: choose one of the roles (GET /api/roles), or leave roleId out to be placed on everything.`,
        [{ path: 'body.roleId', message }],
      );
    }
  }

  /**
   * The learner's test in progress (it keeps the target it was started with), or a new one with
   * its first question, over a role's required skills or (no role) the whole catalogue.
   */
  async start(userId: string, options: { roleId?: string | null } = {}) {
    const role = options.roleId ? await this.resolveRole(options.roleId) : null;
    const existing = await this.inProgress(userId);
    if (existing) return { created: false, placement: await this.view(userId, existing.id) };
    const targetSkills = role ? [...new Set(role.skills.map((s) => s.id))] : null;
    const pool = await this.pool(this.db, targetSkills);
    if (pool.items.length === 0) {
      throw new ConflictError(
        role
          ? `There are no questions to place you with for "${role.title}" yet: the question bank has no published questions tagged with its skills. Choose another role, or everything.`
          : 'There are no questions to place you with yet: the question bank has no published questions tagged with skills.',
        'PLACEMENT_NO_QUESTIONS',
      );
    }
    const now = this.clock.now().toISOString();
    const id = newId();
    const test = { id, max_items: this.config.maxItems, target_se: this.config.targetSe };
    const state = startTest(this.cat(test));
    const first = nextItem(state, pool.items, this.random)!;
    try {
      await this.db
        .insertInto('placement_tests')
        .values({
          id,
          user_id: userId,
          status: 'in_progress',
          areas: JSON.stringify(
            [...pool.skillsByArea.keys()].filter((a) => pool.items.some((i) => i.area === a)),
          ),
          max_items: test.max_items,
          target_se: test.target_se,
          current_question_id: first.id,
          answered: 0,
          theta: state.theta,
          se: state.se,
          stop_reason: null,
          result: null,
          created_at: now,
          updated_at: now,
          finished_at: null,
          target_role_id: role?.id ?? null,
          target_title: role?.title ?? null,
          target_skills: targetSkills ? JSON.stringify(targetSkills) : null,
        })
        .execute();
    } catch (err) {
      // Two starts at once: the partial unique index let one in; resume that one.
      const raced = await this.inProgress(userId);
      if (raced) return { created: false, placement: await this.view(userId, raced.id) };
      throw err;
    }
    return { created: true, placement: await this.view(userId, id) };
  }

  private async inProgress(userId: string) {
    return this.db
      .selectFrom('placement_tests')
      .select(['id'])
      .where('user_id', '=', userId)
      .where('status', '=', 'in_progress')
      .executeTakeFirst();
  }

  private async ownTest(db: Db, userId: string, id: string, lock = false) {
    const test = await db
      .selectFrom('placement_tests')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .$if(lock && this.dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
    if (!test) throw new NotFoundError('There is no such placement test.');
    return test;
  }

  /** The skills a stored test draws its items from (null: the whole catalogue). */
  private targetSkills(test: { target_skills: string | null }): string[] | null {
    return test.target_skills === null ? null : (JSON.parse(test.target_skills) as string[]);
  }

  private target(test: {
    target_role_id: string | null;
    target_title: string | null;
    target_skills: string | null;
  }): PlacementTarget {
    if (test.target_skills === null) return { kind: 'everything', roleId: null, title: null };
    return {
      kind: 'role',
      roleId: test.target_role_id ?? '',
      title: test.target_title ?? 'a role',
    };
  }

  /** The test as the learner sees it: progress, the current question (no answers) or the result. */
  async view(userId: string, id: string) {
    const test = await this.ownTest(this.db, userId, id);
    let question = null;
    if (test.status === 'in_progress' && test.current_question_id) {
      const row = await this.db
        .selectFrom('questions')
        .selectAll()
        .where('id', '=', test.current_question_id)
        .executeTakeFirst();
      if (row) question = learnerQuestionView(row);
    }
    return {
      id: test.id,
      status: test.status,
      target: this.target(test),
      answered: Number(test.answered),
      maxItems: Number(test.max_items),
      targetSe: Number(test.target_se),
      se: Number(test.se),
      startedAt: test.created_at,
      finishedAt: test.finished_at,
      stopReason: test.stop_reason,
      question,
      result: test.result ? (JSON.parse(test.result) as PlacementResult) : null,
    };
  }

  /** The latest test of the learner (in progress or finished), for the dashboard. */
  /** The most questions a test started now asks (PLACEMENT_MAX_ITEMS). */
  get maxItems(): number {
    return this.config.maxItems;
  }

  async latest(userId: string) {
    const row = await this.db
      .selectFrom('placement_tests')
      .select('id')
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? this.view(userId, row.id) : null;
  }

  async answer(
    userId: string,
    id: string,
    input: { questionId: string; response: LearnerResponse },
  ) {
    const outcome = await this.db.transaction().execute(async (trx) => {
      const test = await this.ownTest(trx, userId, id, true);
      const repeat = await trx
        .selectFrom('placement_responses')
        .select(['response'])
        .where('placement_id', '=', id)
        .where('question_id', '=', input.questionId)
        .executeTakeFirst();
      if (repeat) {
        if (repeat.response === JSON.stringify(input.response)) return 'repeat' as const;
        throw new ConflictError(
          'You have already answered this question; answers cannot be changed.',
        );
      }
      if (test.status !== 'in_progress') {
        throw new ConflictError('This placement test is finished.');
      }
      if (test.current_question_id !== input.questionId) {
        throw new ConflictError(
          'This is not the question the test is on: reload the page to see the current question.',
        );
      }
      const pool = await this.pool(trx, this.targetSkills(test));
      const item = pool.byId.get(input.questionId);
      const row = await trx
        .selectFrom('questions')
        .select(['type', 'answers'])
        .where('id', '=', input.questionId)
        .executeTakeFirst();
      if (!item || !row || !isAutoGradable(row.type as QuestionType)) {
        // The question left the bank (archived, untagged) while it was shown: move on.
        return this.advance(trx, test, pool, null, this.clock.now().toISOString());
      }
      const grade = gradeResponse(
        {
          type: row.type,
          answers: parseStoredAnswers(row.type as QuestionType, row.answers),
        } as TypedAnswers,
        input.response,
      );
      return this.advance(
        trx,
        test,
        pool,
        { item, response: input.response, correct: grade.correct },
        this.clock.now().toISOString(),
      );
    });
    void outcome;
    return this.view(userId, id);
  }

  /** Record an answer (if any), then choose the next item or finish. */
  private async advance(
    trx: Transaction<Database>,
    test: { id: string; user_id: string; max_items: number; target_se: number; answered: number },
    pool: Pool,
    answer: { item: PoolItem; response: LearnerResponse; correct: boolean } | null,
    at: string,
  ) {
    const { state: before, rows } = await this.replay(trx, test);
    let state = before;
    if (answer) {
      state = update(state, answer.item, answer.correct);
      await trx
        .insertInto('placement_responses')
        .values({
          placement_id: test.id,
          position: rows.length,
          question_id: answer.item.id,
          response: JSON.stringify(answer.response),
          correct: answer.correct ? 1 : 0,
          area: answer.item.area,
          irt_a: answer.item.params.a,
          irt_b: answer.item.params.b,
          irt_c: answer.item.params.c,
          irt_d: answer.item.params.d,
          theta_after: state.theta,
          se_after: state.se,
          created_at: at,
        })
        .execute();
    }
    const stop = stopReason(state, pool.items);
    if (stop) return this.finishWith(trx, test, pool, state, stop, at);
    const next = nextItem(state, pool.items, this.random)!;
    await trx
      .updateTable('placement_tests')
      .set({
        current_question_id: next.id,
        answered: state.responses.length,
        theta: state.theta,
        se: state.se,
        updated_at: at,
      })
      .where('id', '=', test.id)
      .execute();
    return 'next' as const;
  }

  private async finishWith(
    trx: Transaction<Database>,
    test: { id: string; user_id: string },
    pool: Pool,
    state: CatState,
    reason: string,
    at: string,
  ) {
    const tested = [
      ...new Set(state.responses.map((r) => r.area).filter((a): a is string => a !== null)),
    ];
    const skills = tested.flatMap((area) =>
      (pool.skillsByArea.get(area) ?? []).map((s) => ({ skillId: s.id, area, name: s.name })),
    );
    const seeds = seedMastery(state, pool.items, skills);
    await this.mastery.seedFromPlacement(
      test.user_id,
      test.id,
      [...seeds].map(([skillId, pKnown]) => ({ skillId, pKnown })),
      trx,
    );
    const names = new Map(skills.map((s) => [s.skillId, s]));
    const result: PlacementResult = {
      areas: areaEstimates(state, tested).map((e) => ({
        id: e.area,
        name: pool.areaNames.get(e.area) ?? e.area,
        theta: e.theta,
        se: e.se,
        level: levelOf(e.theta),
        answered: e.answered,
        source: e.source,
      })),
      startWith: [...seeds]
        .map(([skillId, pKnown]) => ({
          skillId,
          name: names.get(skillId)!.name,
          area: pool.areaNames.get(names.get(skillId)!.area) ?? '',
          pKnown,
        }))
        .sort((a, b) => a.pKnown - b.pKnown || a.skillId.localeCompare(b.skillId))
        .slice(0, 5),
      seeded: seeds.size,
    };
    await trx
      .updateTable('placement_tests')
      .set({
        status: 'finished',
        current_question_id: null,
        answered: state.responses.length,
        theta: state.theta,
        se: state.se,
        stop_reason: reason,
        result: JSON.stringify(result),
        updated_at: at,
        finished_at: at,
      })
      .where('id', '=', test.id)
      .execute();
    return 'finished' as const;
  }

  /** Stop now and get the result from the answers given so far (at least one). */
  async finish(userId: string, id: string) {
    await this.db.transaction().execute(async (trx) => {
      const test = await this.ownTest(trx, userId, id, true);
      if (test.status !== 'in_progress') return;
      const { state } = await this.replay(trx, test);
      if (state.responses.length === 0) {
        throw new ConflictError('Answer at least one question before finishing the test.');
      }
      const pool = await this.pool(trx, this.targetSkills(test));
      await this.finishWith(
        trx,
        test,
        pool,
        state,
        'finished_early',
        this.clock.now().toISOString(),
      );
    });
    return this.view(userId, id);
  }
}
