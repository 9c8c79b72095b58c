// Learning paths: the role catalogue and each learner's paths towards a role.
//
// Generating a path. The role's skills the learner has not reached (P(L) below the role's target,
// read from the mastery store), and, when the role includes prerequisites, their transitive
// prerequisites the learner has not mastered, in the graph's topological order (stable: ties keep
// the role's order, each skill preceded by its own missing prerequisites). path-planner.ts groups
// them into modules of 3-5 skills. Every module's lesson is written through the LLM gateway before
// anything is stored; if one fails, nothing is written and the caller gets the gateway's error
// (502/503/504, 429 for a spent budget) to retry. Then the path, its modules, their skills,
// practice questions (published bank questions with an accepted tag on the module's skills) and
// lessons are written in one transaction, which also checks the active-path limit.
//
// Progress is never counted in a column: a module is complete when it has a recorded completion
// or when the learner's mastery of every skill reaches its target. A completion by mastery is
// recorded the first time it is seen, so a later wrong answer does not undo it. Recording is a
// conditional update (only where none is recorded yet), so answers and "mark complete" arriving
// together cannot overwrite each other.
//
// Unlock rule: the first module is open; every other module opens when the one before it is
// complete. Completed modules stay open.
import type { Kysely } from 'kysely';
import type { AppConfig } from '../../config/env.ts';
import type { Dialect } from '../../infra/db/database.ts';
import type { LlmGateway } from '../../infra/llm/llm-gateway.ts';
import type { Database, Role } from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldError,
} from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { renderRichText } from '../../platform/markdown.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { GraphService } from '../graph/graph-service.ts';
import type { MasteryService, SkillMastery } from '../mastery/mastery-service.ts';
import type { PracticeService } from '../practice/practice-service.ts';
import {
  lessonSchema,
  writeLesson,
  type LessonSkill,
  type WrittenLesson,
} from './lesson-writer.ts';
import { groupIntoModules, MAX_MODULE, moduleTitles } from './path-planner.ts';
import type { RoleInput } from './paths-schemas.ts';
import { PathsStore, type NewPath, type SkillInfo } from './paths-store.ts';

type Db = Kysely<Database>;

export interface PathsActor {
  id: string;
  role: Role;
}

/** The most skills one path may hold; bigger roles should be split. */
export const MAX_PATH_SKILLS = 300;
/**
 * Practice questions per skill and per module. Only a first answer to a question moves mastery,
 * and with the default BKT parameters it takes four right first answers to go from a low
 * starting estimate (a weak placement result) to the 0.95 threshold, so a module offers up to
 * four questions per skill: enough to complete it by practising alone.
 */
const QUESTIONS_PER_SKILL = 4;
const QUESTIONS_PER_MODULE = QUESTIONS_PER_SKILL * MAX_MODULE;

const isStaff = (actor: PathsActor) => actor.role === 'instructor' || actor.role === 'admin';

/** A lesson could not be written: the gateway's status (502, 503, 504, 429), nothing stored. */
export class PathGenerationError extends AppError {
  constructor(cause: AppError, what: string) {
    super(
      cause.statusCode,
      cause.code,
      // 5xx problems show the title only (the detail stays in the log): it says what to do.
      `${cause.title}: nothing was saved, please try again`,
      `${what} ${cause.message} Nothing was saved; try again.`,
      { headers: cause.headers, cause },
    );
  }
}

interface ResourceSnapshot {
  title: string;
  url: string;
  type: 'article' | 'video' | 'course' | 'book' | 'exercise';
  description: string | null;
  skills: string[];
}

export interface PathsServiceDeps {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  config: Pick<AppConfig, 'paths'>;
  graph: GraphService;
  mastery: MasteryService;
  practice: PracticeService;
  llm: LlmGateway;
  audit: AuditService;
}

type PathRow = NonNullable<Awaited<ReturnType<PathsStore['findPath']>>>;
type ModuleRow = Awaited<ReturnType<PathsStore['modulesOf']>>[number];
type ModuleSkillRow = Awaited<ReturnType<PathsStore['moduleSkills']>>[number];

export class PathsService {
  private readonly store: PathsStore;

  constructor(private readonly deps: PathsServiceDeps) {
    this.store = new PathsStore(deps.db);
  }

  get maxActive(): number {
    return this.deps.config.paths.maxActive;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  // --- the role catalogue ---

  async listRoles() {
    const [roles, counts] = await Promise.all([this.store.listRoles(), this.store.roleCounts()]);
    return roles.map((r) => this.roleSummary(r, counts.get(r.id)));
  }

  private roleSummary(
    r: Awaited<ReturnType<PathsStore['listRoles']>>[number],
    counts: { skills: number; resources: number } | undefined,
  ) {
    return {
      id: r.id,
      slug: r.slug,
      title: r.title,
      summary: r.summary,
      allowMarkComplete: Number(r.allow_mark_complete) === 1,
      includePrerequisites: Number(r.include_prerequisites) === 1,
      skillCount: counts?.skills ?? 0,
      resourceCount: counts?.resources ?? 0,
      updatedAt: r.updated_at,
    };
  }

  private async requireRole(ref: string) {
    const role = await this.store.findRole(ref);
    if (!role)
      throw new NotFoundError(`There is no role "${ref}" in the catalogue.`, 'ROLE_NOT_FOUND');
    return role;
  }

  async getRole(ref: string) {
    const role = await this.requireRole(ref);
    const [skills, resources] = await Promise.all([
      this.store.roleSkills(role.id),
      this.store.roleResources(role.id),
    ]);
    const resourceSkillIds = resources.flatMap((r) => JSON.parse(r.skill_ids) as string[]);
    const nodes = new Map(
      (await this.store.nodesByRefs([...skills.map((s) => s.skill_id), ...resourceSkillIds])).map(
        (n) => [n.id, n],
      ),
    );
    const named = (id: string) => {
      const n = nodes.get(id);
      return { id, externalId: n?.externalId ?? id, name: n?.name ?? id };
    };
    return {
      ...this.roleSummary(role, { skills: skills.length, resources: resources.length }),
      skills: skills.map((s) => ({ ...named(s.skill_id), target: Number(s.target) })),
      resources: resources.map((r) => ({
        id: r.id,
        title: r.title,
        url: r.url,
        type: r.type,
        description: r.description,
        skills: (JSON.parse(r.skill_ids) as string[]).map(named),
      })),
    };
  }

  /** The skills a role input names, by graph id (internal or external); 400 naming the unknown. */
  private async resolveRoleInput(input: RoleInput) {
    const refs = [...input.skills.map((s) => s.skill), ...input.resources.flatMap((r) => r.skills)];
    const nodes = await this.store.nodesByRefs(refs);
    const byRef = new Map<string, SkillInfo>();
    for (const n of nodes) {
      byRef.set(n.externalId, n);
      byRef.set(n.id, n);
    }
    const errors: FieldError[] = [];
    const check = (ref: string, path: string) => {
      const node = byRef.get(ref);
      if (!node) errors.push({ path, message: `"${ref}" is not a skill of the knowledge graph` });
      else if (node.kind !== 'skill') {
        errors.push({ path, message: `"${ref}" is a concept, not a skill` });
      }
      return node?.id;
    };
    const seen = new Map<string, number>();
    const skills: { skill_id: string; target: number }[] = [];
    input.skills.forEach((s, i) => {
      const id = check(s.skill, `skills.${i}.skill`);
      if (id === undefined) return;
      const first = seen.get(id);
      if (first !== undefined) {
        errors.push({
          path: `skills.${i}.skill`,
          message: `"${s.skill}" is listed twice (also skills.${first})`,
        });
        return;
      }
      seen.set(id, i);
      skills.push({ skill_id: id, target: s.target ?? this.deps.mastery.threshold });
    });
    const resources = input.resources.map((r, i) => ({
      id: newId(),
      title: r.title,
      url: r.url,
      type: r.type,
      description: r.description ?? null,
      skill_ids: JSON.stringify([
        ...new Set(
          r.skills
            .map((ref, j) => check(ref, `resources.${i}.skills.${j}`))
            .filter((id): id is string => id !== undefined),
        ),
      ]),
    }));
    if (errors.length > 0) {
      const unknown = errors.map((e) => e.message.match(/^"([^"]*)"/)?.[1]).filter(Boolean);
      throw new ValidationError(
        `The role "${input.slug}" names skills that are not in the knowledge graph or not skills: ${[...new Set(unknown)].join(', ')}.`,
        errors.map((e) => ({ ...e, path: `body.${e.path}` })),
      );
    }
    return { skills, resources };
  }

  async createRole(actor: PathsActor, input: RoleInput) {
    const parts = await this.resolveRoleInput(input);
    const id = await this.deps.db
      .transaction()
      .execute((trx) => this.insertRole(trx, actor.id, input, parts));
    return this.getRole(id);
  }

  private async insertRole(
    trx: Db,
    actorId: string | null,
    input: RoleInput,
    parts: Awaited<ReturnType<PathsService['resolveRoleInput']>>,
  ): Promise<string> {
    const at = this.now();
    const id = newId();
    if (await this.store.findRole(input.slug, trx)) {
      throw new ConflictError(`A role with the id "${input.slug}" already exists.`, 'ROLE_EXISTS');
    }
    await this.store.insertRole(trx, {
      role: {
        id,
        slug: input.slug,
        title: input.title,
        summary: input.summary,
        allow_mark_complete: input.allowMarkComplete ? 1 : 0,
        include_prerequisites: input.includePrerequisites ? 1 : 0,
        ordinal: await this.store.nextRoleOrdinal(trx),
        created_by: actorId,
        created_at: at,
        updated_at: at,
      },
      ...parts,
    });
    if (actorId !== null) {
      await this.deps.audit.record(
        {
          actorId,
          action: 'role.create',
          targetType: 'role',
          targetId: id,
          details: { slug: input.slug },
        },
        trx,
      );
    }
    return id;
  }

  async updateRole(actor: PathsActor, ref: string, input: RoleInput) {
    const existing = await this.requireRole(ref);
    const parts = await this.resolveRoleInput(input);
    await this.deps.db.transaction().execute(async (trx) => {
      const clash = await this.store.findRole(input.slug, trx);
      if (clash && clash.id !== existing.id) {
        throw new ConflictError(
          `A role with the id "${input.slug}" already exists.`,
          'ROLE_EXISTS',
        );
      }
      await this.store.replaceRole(trx, {
        role: {
          ...existing,
          slug: input.slug,
          title: input.title,
          summary: input.summary,
          allow_mark_complete: input.allowMarkComplete ? 1 : 0,
          include_prerequisites: input.includePrerequisites ? 1 : 0,
          updated_at: this.now(),
        },
        ...parts,
      });
      await this.deps.audit.record(
        {
          actorId: actor.id,
          action: 'role.update',
          targetType: 'role',
          targetId: existing.id,
          details: { slug: input.slug },
        },
        trx,
      );
    });
    return this.getRole(existing.id);
  }

  async deleteRole(actor: PathsActor, ref: string): Promise<void> {
    const role = await this.requireRole(ref);
    await this.store.deleteRole(role.id);
    await this.deps.audit.record({
      actorId: actor.id,
      action: 'role.delete',
      targetType: 'role',
      targetId: role.id,
      details: { slug: role.slug },
    });
  }

  /** Seed the catalogue from parsed roles.yaml when it is empty; an edited catalogue is kept. */
  async seedRoles(
    roles: readonly RoleInput[],
  ): Promise<{ status: 'skipped' } | { status: 'imported'; roles: number }> {
    if ((await this.store.countRoles()) > 0) return { status: 'skipped' };
    const resolved: {
      role: RoleInput;
      parts: Awaited<ReturnType<PathsService['resolveRoleInput']>>;
    }[] = [];
    const problems: FieldError[] = [];
    for (const role of roles) {
      try {
        resolved.push({ role, parts: await this.resolveRoleInput(role) });
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        for (const e of err.errors ?? []) {
          problems.push({
            path: `roles (${role.slug}).${e.path.replace(/^body\./, '')}`,
            message: e.message,
          });
        }
      }
    }
    if (problems.length > 0) {
      throw new ValidationError(
        `config/roles.yaml does not match the knowledge graph:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
        problems,
      );
    }
    await this.deps.db.transaction().execute(async (trx) => {
      for (const { role, parts } of resolved) await this.insertRole(trx, null, role, parts);
    });
    return { status: 'imported', roles: roles.length };
  }

  // --- paths ---

  private async requirePath(actor: PathsActor, id: string, mode: 'read' | 'own'): Promise<PathRow> {
    const row = await this.store.findPath(id);
    // Another learner's path does not exist, as far as a learner can tell.
    if (!row || (row.user_id !== actor.id && (mode === 'own' || !isStaff(actor)))) {
      if (row && mode === 'own' && isStaff(actor)) {
        throw new ForbiddenError('Only the learner can change their own path.');
      }
      throw new NotFoundError('There is no such learning path.', 'PATH_NOT_FOUND');
    }
    return row;
  }

  private allowsMarkComplete(row: PathRow): boolean {
    if (!this.deps.config.paths.allowMarkComplete) return false;
    const live = row.role_allow_mark_complete;
    return Number(live ?? row.allow_mark_complete) === 1;
  }

  /**
   * What a path for the learner towards a role holds right now: the skills to learn in
   * prerequisite order, grouped and titled into modules (see the header of this file). Reads the
   * mastery store and the graph only: no LLM call, nothing stored. Null when every skill of the
   * role already reaches its target.
   */
  private async planPath(
    userId: string,
    role: { id: string; title: string; include_prerequisites: number },
  ) {
    const roleSkills = await this.store.roleSkills(role.id);
    const roleStates = await this.deps.mastery.getStates(
      userId,
      roleSkills.map((s) => s.skill_id),
    );
    const stateOf = new Map<string, SkillMastery>(roleStates.map((s) => [s.skillId, s]));
    const needed = roleSkills.filter(
      (s) => (stateOf.get(s.skill_id)?.pKnown ?? 0) < Number(s.target),
    );
    if (needed.length === 0) return null;
    const targets = new Map<string, { target: number; required: boolean }>(
      needed.map((s) => [s.skill_id, { target: Number(s.target), required: true }]),
    );
    // Given order: each needed skill preceded by its missing prerequisites, deepest first.
    const given: string[] = [];
    const masteredBefore: string[] = [];
    if (Number(role.include_prerequisites) === 1) {
      const prereqs = await this.deps.graph.prerequisiteIds(
        needed.map((s) => s.skill_id),
        'backward',
      );
      const candidates = prereqs.filter((p) => p.kind === 'skill' && !targets.has(p.id));
      const states = await this.deps.mastery.getStates(
        userId,
        candidates.map((p) => p.id),
      );
      for (const s of states) stateOf.set(s.skillId, s);
      const missing = new Set(states.filter((s) => !s.mastered).map((s) => s.skillId));
      for (const s of states) if (s.mastered) masteredBefore.push(s.skillId);
      const perSkill = await Promise.all(
        needed.map((s) => this.deps.graph.prerequisiteIds([s.skill_id], 'backward')),
      );
      needed.forEach((s, i) => {
        const own = (perSkill[i] ?? [])
          .filter((p) => missing.has(p.id))
          .sort((a, b) => b.depth - a.depth);
        for (const p of own) {
          if (!targets.has(p.id)) {
            targets.set(p.id, { target: this.deps.mastery.threshold, required: false });
            given.push(p.id);
          }
        }
        if (!given.includes(s.skill_id)) given.push(s.skill_id);
      });
    } else {
      given.push(...needed.map((s) => s.skill_id));
    }
    if (given.length > MAX_PATH_SKILLS) {
      throw new ConflictError(
        `A path for "${role.title}" would hold ${given.length} skills, more than the ${MAX_PATH_SKILLS} a path can hold. Ask an instructor to split the role.`,
        'PATH_TOO_LARGE',
      );
    }
    const [ordered, edges, infoList] = await Promise.all([
      this.deps.graph.topologicalOrder(given),
      this.deps.graph.prerequisiteEdgesAmong(given),
      this.store.nodesByRefs(given),
    ]);
    const info = new Map(infoList.map((n) => [n.id, n]));
    const planned = ordered.map((n) => ({
      id: n.id,
      conceptId: info.get(n.id)?.conceptId ?? null,
    }));
    const groups = groupIntoModules(planned, edges);
    const titles = moduleTitles(
      groups.map((g) =>
        g.map((s) => ({
          name: info.get(s.id)?.name ?? s.id,
          conceptName: info.get(s.id)?.conceptName ?? null,
        })),
      ),
    );
    return { given, targets, stateOf, masteredBefore, info, groups, titles };
  }

  /**
   * A dry run of createPath for the learner: what a path for the role would start with right
   * now (its first module's title and skills with their mastery and target), how many skills and
   * modules it would hold, and the learner's active path for the role if there is one. The same
   * planning as createPath; no lesson is written and nothing is stored.
   */
  async planPreview(actor: PathsActor, roleRef: string) {
    const role = await this.requireRole(roleRef);
    const [plan, existing] = await Promise.all([
      this.planPath(actor.id, role),
      this.store.activeForRole(this.deps.db, actor.id, role.id),
    ]);
    const first = plan?.groups[0] ?? null;
    return {
      role: { id: role.id, slug: role.slug, title: role.title },
      skillCount: plan?.given.length ?? 0,
      moduleCount: plan?.groups.length ?? 0,
      firstModule:
        plan && first
          ? {
              title: plan.titles[0] ?? 'Module 1',
              skills: first.map((s) => {
                const node = plan.info.get(s.id);
                const target = plan.targets.get(s.id);
                const pKnown = plan.stateOf.get(s.id)?.pKnown ?? 0;
                return {
                  id: s.id,
                  externalId: node?.externalId ?? s.id,
                  name: node?.name ?? s.id,
                  target: target?.target ?? this.deps.mastery.threshold,
                  required: target?.required ?? false,
                  pKnown,
                };
              }),
            }
          : null,
      activePathId: existing ? existing.id : null,
    };
  }

  /** Make a path for the learner towards a role (see the header of this file). */
  async createPath(actor: PathsActor, roleRef: string) {
    const role = await this.requireRole(roleRef);
    const userId = actor.id;
    const { dialect } = this.deps;
    // Checked first so a refused path costs no generation; checked again in the transaction.
    await this.checkCanActivate(this.deps.db, userId, role.id);

    const plan = await this.planPath(userId, role);
    if (plan === null) {
      throw new ConflictError(
        `You already reach the target on every skill of "${role.title}": there is nothing left to learn for this role.`,
        'PATH_NOTHING_TO_LEARN',
      );
    }
    const { given, targets, stateOf, masteredBefore, info, groups, titles } = plan;

    const [resources, questionRows] = await Promise.all([
      this.store.roleResources(role.id),
      this.store.questionsForSkills(given),
    ]);
    const questionsBySkill = new Map<string, string[]>();
    for (const q of questionRows) {
      const list = questionsBySkill.get(q.node_id) ?? [];
      list.push(q.question_id);
      questionsBySkill.set(q.node_id, list);
    }

    // Lessons first, side by side (the gateway limits concurrency); nothing is stored yet.
    const beforeNames = masteredBefore
      .map((id) => info.get(id)?.name)
      .filter((n): n is string => !!n);
    const earlier: string[] = [...beforeNames];
    const requests = groups.map((g, i) => {
      const request = {
        role: role.title,
        module: titles[i] ?? `Module ${i + 1}`,
        skills: g.map((s) => this.lessonSkill(info.get(s.id), stateOf.get(s.id))),
        before: [...earlier],
        userId,
      };
      earlier.push(...request.skills.map((s) => s.name));
      return request;
    });
    let lessons: WrittenLesson[];
    try {
      lessons = await Promise.all(requests.map((r) => writeLesson(this.deps.llm, r)));
    } catch (err) {
      throw this.generationError(err, 'The lessons of the path could not be written.');
    }

    const at = this.now();
    const pathId = newId();
    const newPath: NewPath = {
      path: {
        id: pathId,
        user_id: userId,
        role_id: role.id,
        role_title: role.title,
        status: 'active',
        allow_mark_complete: role.allow_mark_complete,
        created_at: at,
        updated_at: at,
        archived_at: null,
      },
      modules: groups.map((g, i) => {
        const moduleId = newId();
        const ids = new Set(g.map((s) => s.id));
        const used = new Set<string>();
        const questionIds: string[] = [];
        for (const s of g) {
          let n = 0;
          for (const q of questionsBySkill.get(s.id) ?? []) {
            if (n >= QUESTIONS_PER_SKILL || questionIds.length >= QUESTIONS_PER_MODULE) break;
            if (used.has(q)) continue;
            used.add(q);
            questionIds.push(q);
            n += 1;
          }
        }
        const snapshot: ResourceSnapshot[] = resources
          .map((r) => ({
            r,
            skills: (JSON.parse(r.skill_ids) as string[]).filter((id) => ids.has(id)),
          }))
          .filter((x) => x.skills.length > 0)
          .map(({ r, skills }) => ({
            title: r.title,
            url: r.url,
            type: r.type,
            description: r.description,
            skills: skills.map((id) => info.get(id)?.name ?? id),
          }));
        const lesson = lessons[i] as WrittenLesson;
        return {
          module: {
            id: moduleId,
            path_id: pathId,
            position: i + 1,
            title: titles[i] ?? `Module ${i + 1}`,
            resources: JSON.stringify(snapshot),
            completed_at: null,
            completed_by: null,
          },
          skills: g.map((s) => ({
            skill_id: s.id,
            target: targets.get(s.id)?.target ?? this.deps.mastery.threshold,
            required: targets.get(s.id)?.required ?? false,
          })),
          questionIds,
          lesson: {
            module_id: moduleId,
            content: JSON.stringify(lesson.content),
            provider: lesson.provider,
            model: lesson.model,
            prompt_id: lesson.promptId,
            offline: lesson.offline ? 1 : 0,
            llm_call_id: lesson.callId,
            version: 1,
            generated_by: userId,
            generated_at: at,
          },
        };
      }),
    };
    await this.deps.db.transaction().execute(async (trx) => {
      if (dialect === 'postgres') await this.store.lockUser(trx, userId);
      await this.checkCanActivate(trx, userId, role.id);
      await this.store.insertPath(trx, newPath);
    });
    return this.getPath(actor, pathId);
  }

  private lessonSkill(node: SkillInfo | undefined, state: SkillMastery | undefined): LessonSkill {
    return {
      name: node?.name ?? 'Skill',
      description: node?.description ?? '',
      conceptName: node?.conceptName ?? null,
      pKnown: state?.pKnown ?? 0,
    };
  }

  private generationError(err: unknown, what: string): unknown {
    return err instanceof AppError ? new PathGenerationError(err, what) : err;
  }

  private async checkCanActivate(db: Db, userId: string, roleId: string | null): Promise<void> {
    const active = await this.store.countActive(db, userId);
    if (active >= this.maxActive) {
      throw new ConflictError(
        `You already have ${active} active learning paths, the most you can follow at once (${this.maxActive}). Archive one of them first, then try again.`,
        'PATH_LIMIT_REACHED',
      );
    }
    if (roleId !== null && (await this.store.activeForRole(db, userId, roleId))) {
      throw new ConflictError(
        'You already follow an active path for this role. Continue it from "My paths", or archive it to start again.',
        'PATH_EXISTS_FOR_ROLE',
      );
    }
  }

  async archivePath(actor: PathsActor, id: string) {
    const row = await this.requirePath(actor, id, 'own');
    if (row.status !== 'archived') {
      await this.store.setStatus(this.deps.db, row.id, 'archived', this.now());
    }
    return this.getPath(actor, id);
  }

  async resumePath(actor: PathsActor, id: string) {
    const row = await this.requirePath(actor, id, 'own');
    if (row.status !== 'active') {
      await this.deps.db.transaction().execute(async (trx) => {
        if (this.deps.dialect === 'postgres') await this.store.lockUser(trx, row.user_id);
        await this.checkCanActivate(trx, row.user_id, row.role_id);
        await this.store.setStatus(trx, row.id, 'active', this.now());
      });
    }
    return this.getPath(actor, id);
  }

  /** The modules of some paths with their skills, mastery and status; records new completions. */
  private async progress(userId: string, paths: readonly PathRow[]) {
    const modules = await this.store.modulesOf(paths.map((p) => p.id));
    const skills = await this.store.moduleSkills(modules.map((m) => m.id));
    const states = new Map(
      (await this.deps.mastery.getStates(userId, [...new Set(skills.map((s) => s.skill_id))])).map(
        (s) => [s.skillId, s],
      ),
    );
    const skillsOf = new Map<string, ModuleSkillRow[]>();
    for (const s of skills) {
      const list = skillsOf.get(s.module_id) ?? [];
      list.push(s);
      skillsOf.set(s.module_id, list);
    }
    const at = this.now();
    const newlyComplete: string[] = [];
    const byPath = new Map<string, ReturnType<PathsService['moduleView']>[]>();
    for (const m of modules) {
      const own = skillsOf.get(m.id) ?? [];
      const view = this.moduleView(m, own, states);
      if (view.completedBy === null && own.length > 0 && view.skills.every((s) => s.mastered)) {
        newlyComplete.push(m.id);
        view.completedBy = 'mastery';
        view.completedAt = at;
      }
      const list = byPath.get(m.path_id) ?? [];
      list.push(view);
      byPath.set(m.path_id, list);
    }
    await this.store.completeModules(newlyComplete, 'mastery', at);
    for (const list of byPath.values()) {
      list.forEach((v, i) => {
        const previous = list[i - 1];
        v.status =
          v.completedBy !== null
            ? 'completed'
            : i === 0 || previous?.status === 'completed'
              ? 'available'
              : 'locked';
      });
    }
    return byPath;
  }

  private moduleView(m: ModuleRow, skills: ModuleSkillRow[], states: Map<string, SkillMastery>) {
    const skillViews = skills.map((s) => {
      const pKnown = states.get(s.skill_id)?.pKnown ?? 0;
      return {
        id: s.skill_id,
        externalId: s.external_id,
        name: s.name,
        target: Number(s.target),
        required: Number(s.required) === 1,
        pKnown,
        mastered: pKnown >= Number(s.target),
      };
    });
    return {
      id: m.id,
      position: Number(m.position),
      title: m.title,
      status: 'locked' as 'locked' | 'available' | 'completed',
      completedBy: m.completed_by,
      completedAt: m.completed_at,
      skills: skillViews,
      progress:
        skillViews.length === 0
          ? 0
          : skillViews.filter((s) => s.mastered).length / skillViews.length,
    };
  }

  private summary(row: PathRow, modules: ReturnType<PathsService['moduleView']>[]) {
    const completed = modules.filter((m) => m.status === 'completed').length;
    const next = modules.find((m) => m.status === 'available') ?? null;
    return {
      id: row.id,
      roleId: row.role_id,
      roleTitle: row.role_title,
      status: row.status,
      moduleCount: modules.length,
      completedModules: completed,
      progress: modules.length === 0 ? 0 : completed / modules.length,
      nextModule: next ? { id: next.id, position: next.position, title: next.title } : null,
      createdAt: row.created_at,
      archivedAt: row.archived_at,
    };
  }

  async listPaths(actor: PathsActor, status: 'active' | 'archived' | 'all' = 'all') {
    const rows = await this.store.listPaths(actor.id, status);
    const progress = await this.progress(actor.id, rows);
    const all = status === 'active' ? rows : await this.store.listPaths(actor.id, 'active');
    return {
      paths: rows.map((r) => this.summary(r, progress.get(r.id) ?? [])),
      maxActive: this.maxActive,
      active: all.filter((r) => r.status === 'active').length,
    };
  }

  async getPath(actor: PathsActor, id: string) {
    const row = await this.requirePath(actor, id, 'read');
    const modules = (await this.progress(row.user_id, [row])).get(row.id) ?? [];
    return {
      ...this.summary(row, modules),
      userId: row.user_id,
      allowMarkComplete: this.allowsMarkComplete(row),
      threshold: this.deps.mastery.threshold,
      modules,
    };
  }

  async getModule(actor: PathsActor, id: string, moduleId: string) {
    const path = await this.getPath(actor, id);
    const index = path.modules.findIndex((m) => m.id === moduleId);
    const module = path.modules[index];
    if (!module)
      throw new NotFoundError('There is no such module in this path.', 'MODULE_NOT_FOUND');
    if (module.status === 'locked') {
      const previous = path.modules[index - 1];
      throw new ConflictError(
        `This module is locked: complete "${previous?.title ?? 'the module before'}" first.`,
        'MODULE_LOCKED',
      );
    }
    const [lessonRow, moduleRow, questionIds] = await Promise.all([
      this.store.lesson(moduleId),
      this.store.modulesOf([id]).then((rows) => rows.find((r) => r.id === moduleId)),
      this.store.moduleQuestionIds(moduleId),
    ]);
    if (!lessonRow || !moduleRow)
      throw new NotFoundError('There is no such module in this path.', 'MODULE_NOT_FOUND');
    // Stored model output is re-checked and rendered as sanitised markdown every time.
    const content = lessonSchema.parse(JSON.parse(lessonRow.content));
    const questions = [];
    for (const q of questionIds) {
      try {
        questions.push(await this.deps.practice.question(q.question_id));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    const previous = path.modules[index - 1];
    const next = path.modules[index + 1];
    const { modules: _modules, userId: _u, threshold: _t, ...summary } = path;
    return {
      path: summary,
      module: {
        ...module,
        lesson: {
          objectives: content.objectives,
          explanationHtml: renderRichText(content.explanation),
          workedExampleHtml: renderRichText(content.workedExample),
          summaryHtml: renderRichText(content.summary),
          aiGenerated: true as const,
          offline: Number(lessonRow.offline) === 1,
          provider: lessonRow.provider,
          model: lessonRow.model,
          promptId: lessonRow.prompt_id,
          version: Number(lessonRow.version),
          generatedAt: lessonRow.generated_at,
        },
        resources: JSON.parse(moduleRow.resources) as ResourceSnapshot[],
        questions,
        navigation: {
          previous: previous ? { id: previous.id, title: previous.title } : null,
          next: next
            ? { id: next.id, title: next.title, unlocked: next.status !== 'locked' }
            : null,
        },
      },
    };
  }

  async markComplete(actor: PathsActor, id: string, moduleId: string) {
    const row = await this.requirePath(actor, id, 'own');
    if (row.status !== 'active') {
      throw new ConflictError(
        'This path is archived: resume it before changing it.',
        'PATH_ARCHIVED',
      );
    }
    if (!this.allowsMarkComplete(row)) {
      throw new ForbiddenError(
        'Marking a module complete by hand is turned off for this path: the module completes when your mastery of its skills reaches the target.',
        'MARK_COMPLETE_DISABLED',
      );
    }
    const path = await this.getPath(actor, id);
    const module = path.modules.find((m) => m.id === moduleId);
    if (!module)
      throw new NotFoundError('There is no such module in this path.', 'MODULE_NOT_FOUND');
    if (module.status === 'locked') {
      throw new ConflictError(
        'This module is locked: complete the module before it first.',
        'MODULE_LOCKED',
      );
    }
    await this.store.completeModules([moduleId], 'learner', this.now());
    return this.getPath(actor, id);
  }

  /** Write a module's lesson again, on request (the learner or staff); the old one is replaced. */
  async regenerateLesson(actor: PathsActor, id: string, moduleId: string) {
    const path = await this.getPath(actor, id);
    if (path.userId !== actor.id && !isStaff(actor))
      throw new NotFoundError('There is no such learning path.', 'PATH_NOT_FOUND');
    const index = path.modules.findIndex((m) => m.id === moduleId);
    const module = path.modules[index];
    if (!module)
      throw new NotFoundError('There is no such module in this path.', 'MODULE_NOT_FOUND');
    const info = new Map(
      (await this.store.nodesByRefs(module.skills.map((s) => s.id))).map((n) => [n.id, n]),
    );
    let lesson: WrittenLesson;
    try {
      lesson = await writeLesson(this.deps.llm, {
        role: path.roleTitle,
        module: module.title,
        skills: module.skills.map((s) => ({
          ...this.lessonSkill(info.get(s.id), undefined),
          pKnown: s.pKnown,
        })),
        before: path.modules.slice(0, index).flatMap((m) => m.skills.map((s) => s.name)),
        userId: actor.id,
      });
    } catch (err) {
      throw this.generationError(
        err,
        `The lesson of "${module.title}" could not be written again; the current one is kept.`,
      );
    }
    await this.store.replaceLesson(moduleId, {
      content: JSON.stringify(lesson.content),
      provider: lesson.provider,
      model: lesson.model,
      prompt_id: lesson.promptId,
      offline: lesson.offline ? 1 : 0,
      llm_call_id: lesson.callId,
      generated_by: actor.id,
      generated_at: this.now(),
    });
    return this.getModule(actor, id, moduleId);
  }
}
