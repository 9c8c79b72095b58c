// Kysely queries of the paths module: the role catalogue, paths, modules, their skills, questions
// and lessons. The reads of other modules' tables (graph node names, published questions by their
// accepted skill tags) are the module's read model, kept here beside the rest.
import type { Kysely } from 'kysely';
import type {
  Database,
  LearningPathsTable,
  PathLessonsTable,
  PathModulesTable,
  PathRoleResourcesTable,
  PathRolesTable,
} from '../../infra/db/schema.ts';

type Db = Kysely<Database>;
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export interface SkillInfo {
  id: string;
  externalId: string;
  kind: 'concept' | 'skill';
  name: string;
  description: string;
  conceptId: string | null;
  conceptName: string | null;
}

export interface NewRole {
  role: PathRolesTable;
  skills: { skill_id: string; target: number }[];
  resources: Omit<PathRoleResourcesTable, 'role_id' | 'ordinal'>[];
}

export interface NewPath {
  path: LearningPathsTable;
  modules: Array<{
    module: PathModulesTable;
    skills: { skill_id: string; target: number; required: boolean }[];
    questionIds: string[];
    lesson: PathLessonsTable;
  }>;
}

export class PathsStore {
  constructor(private readonly db: Db) {}

  // --- roles ---

  listRoles() {
    return this.db
      .selectFrom('path_roles')
      .selectAll()
      .orderBy('ordinal')
      .orderBy('title')
      .execute();
  }

  async roleCounts(): Promise<Map<string, { skills: number; resources: number }>> {
    const [skills, resources] = await Promise.all([
      this.db
        .selectFrom('path_role_skills')
        .select(['role_id', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('role_id')
        .execute(),
      this.db
        .selectFrom('path_role_resources')
        .select(['role_id', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('role_id')
        .execute(),
    ]);
    const out = new Map<string, { skills: number; resources: number }>();
    for (const r of skills) out.set(r.role_id, { skills: Number(r.n), resources: 0 });
    for (const r of resources) {
      const entry = out.get(r.role_id) ?? { skills: 0, resources: 0 };
      entry.resources = Number(r.n);
      out.set(r.role_id, entry);
    }
    return out;
  }

  findRole(ref: string, db: Db = this.db) {
    return db
      .selectFrom('path_roles')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('slug', '=', ref)]))
      .executeTakeFirst();
  }

  roleSkills(roleId: string) {
    return this.db
      .selectFrom('path_role_skills')
      .select(['skill_id', 'target'])
      .where('role_id', '=', roleId)
      .orderBy('ordinal')
      .execute();
  }

  roleResources(roleId: string) {
    return this.db
      .selectFrom('path_role_resources')
      .selectAll()
      .where('role_id', '=', roleId)
      .orderBy('ordinal')
      .execute();
  }

  async countRoles(): Promise<number> {
    const row = await this.db
      .selectFrom('path_roles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async nextRoleOrdinal(db: Db): Promise<number> {
    const row = await db
      .selectFrom('path_roles')
      .select((eb) => eb.fn.max('ordinal').as('m'))
      .executeTakeFirst();
    return Number(row?.m ?? -1) + 1;
  }

  async insertRole(db: Db, input: NewRole): Promise<void> {
    await db.insertInto('path_roles').values(input.role).execute();
    await this.insertRoleParts(db, input);
  }

  async replaceRole(db: Db, input: NewRole): Promise<void> {
    const { id, created_at: _c, created_by: _b, ordinal: _o, ...rest } = input.role;
    await db.updateTable('path_roles').set(rest).where('id', '=', id).execute();
    await db.deleteFrom('path_role_skills').where('role_id', '=', id).execute();
    await db.deleteFrom('path_role_resources').where('role_id', '=', id).execute();
    await this.insertRoleParts(db, input);
  }

  private async insertRoleParts(db: Db, input: NewRole): Promise<void> {
    const roleId = input.role.id;
    if (input.skills.length > 0) {
      await db
        .insertInto('path_role_skills')
        .values(input.skills.map((s, i) => ({ role_id: roleId, ...s, ordinal: i })))
        .execute();
    }
    if (input.resources.length > 0) {
      await db
        .insertInto('path_role_resources')
        .values(input.resources.map((r, i) => ({ ...r, role_id: roleId, ordinal: i })))
        .execute();
    }
  }

  async deleteRole(id: string): Promise<number> {
    const result = await this.db.deleteFrom('path_roles').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // --- graph and bank read model ---

  async nodesByRefs(refs: readonly string[]): Promise<SkillInfo[]> {
    const out: SkillInfo[] = [];
    for (const part of chunks([...new Set(refs)])) {
      if (part.length === 0) continue;
      const rows = await this.db
        .selectFrom('graph_nodes as n')
        .leftJoin('graph_nodes as c', 'c.id', 'n.parent_id')
        .select([
          'n.id',
          'n.external_id',
          'n.kind',
          'n.name',
          'n.description',
          'c.id as concept_id',
          'c.name as concept_name',
        ])
        .where((eb) => eb.or([eb('n.id', 'in', part), eb('n.external_id', 'in', part)]))
        .execute();
      for (const r of rows) {
        out.push({
          id: r.id,
          externalId: r.external_id,
          kind: r.kind,
          name: r.name,
          description: r.description,
          conceptId: r.concept_id,
          conceptName: r.concept_name,
        });
      }
    }
    return out;
  }

  /** Published, unarchived questions with an accepted tag on any of the skills. */
  async questionsForSkills(skillIds: readonly string[]) {
    const out: { question_id: string; node_id: string; difficulty: number | null }[] = [];
    for (const part of chunks(skillIds)) {
      if (part.length === 0) continue;
      out.push(
        ...(await this.db
          .selectFrom('question_tags as t')
          .innerJoin('questions as q', 'q.id', 't.question_id')
          .select(['t.question_id', 't.node_id', 'q.difficulty'])
          .where('t.node_id', 'in', part)
          .where('t.status', '=', 'accepted')
          .where('q.status', '=', 'published')
          .where('q.archived_at', 'is', null)
          .where('q.type', '!=', 'written')
          .orderBy('q.difficulty')
          .orderBy('q.created_at')
          .orderBy('q.id')
          .execute()),
      );
    }
    return out;
  }

  // --- paths ---

  /** PostgreSQL: the learner's row, locked, so two path creations at once queue on it. */
  async lockUser(db: Db, userId: string): Promise<void> {
    await db.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
  }

  async countActive(db: Db, userId: string): Promise<number> {
    const row = await db
      .selectFrom('learning_paths')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  activeForRole(db: Db, userId: string, roleId: string) {
    return db
      .selectFrom('learning_paths')
      .select('id')
      .where('user_id', '=', userId)
      .where('role_id', '=', roleId)
      .where('status', '=', 'active')
      .executeTakeFirst();
  }

  async insertPath(db: Db, input: NewPath): Promise<void> {
    await db.insertInto('learning_paths').values(input.path).execute();
    await db
      .insertInto('path_modules')
      .values(input.modules.map((m) => m.module))
      .execute();
    const skills = input.modules.flatMap((m) =>
      m.skills.map((s, i) => ({
        module_id: m.module.id,
        skill_id: s.skill_id,
        target: s.target,
        required: s.required ? 1 : 0,
        ordinal: i,
      })),
    );
    for (const part of chunks(skills))
      await db.insertInto('path_module_skills').values(part).execute();
    const questions = input.modules.flatMap((m) =>
      m.questionIds.map((q, i) => ({ module_id: m.module.id, question_id: q, ordinal: i })),
    );
    for (const part of chunks(questions)) {
      await db.insertInto('path_module_questions').values(part).execute();
    }
    await db
      .insertInto('path_lessons')
      .values(input.modules.map((m) => m.lesson))
      .execute();
  }

  listPaths(userId: string, status: 'active' | 'archived' | 'all') {
    return this.db
      .selectFrom('learning_paths as p')
      .leftJoin('path_roles as r', 'r.id', 'p.role_id')
      .selectAll('p')
      .select('r.allow_mark_complete as role_allow_mark_complete')
      .where('p.user_id', '=', userId)
      .$if(status !== 'all', (q) => q.where('p.status', '=', status as 'active' | 'archived'))
      .orderBy('p.status')
      .orderBy('p.created_at', 'desc')
      .orderBy('p.id')
      .execute();
  }

  findPath(id: string) {
    return this.db
      .selectFrom('learning_paths as p')
      .leftJoin('path_roles as r', 'r.id', 'p.role_id')
      .selectAll('p')
      .select('r.allow_mark_complete as role_allow_mark_complete')
      .where('p.id', '=', id)
      .executeTakeFirst();
  }

  async setStatus(db: Db, id: string, status: 'active' | 'archived', at: string): Promise<void> {
    await db
      .updateTable('learning_paths')
      .set({ status, updated_at: at, archived_at: status === 'archived' ? at : null })
      .where('id', '=', id)
      .execute();
  }

  modulesOf(pathIds: readonly string[]) {
    if (pathIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('path_modules')
      .selectAll()
      .where('path_id', 'in', [...pathIds])
      .orderBy('path_id')
      .orderBy('position')
      .execute();
  }

  moduleSkills(moduleIds: readonly string[]) {
    if (moduleIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('path_module_skills as s')
      .innerJoin('graph_nodes as n', 'n.id', 's.skill_id')
      .select([
        's.module_id',
        's.skill_id',
        's.target',
        's.required',
        'n.external_id',
        'n.name',
        'n.description',
      ])
      .where('s.module_id', 'in', [...moduleIds])
      .orderBy('s.module_id')
      .orderBy('s.ordinal')
      .execute();
  }

  moduleQuestionIds(moduleId: string) {
    return this.db
      .selectFrom('path_module_questions as m')
      .innerJoin('questions as q', 'q.id', 'm.question_id')
      .select('m.question_id')
      .where('m.module_id', '=', moduleId)
      .where('q.status', '=', 'published')
      .where('q.archived_at', 'is', null)
      .orderBy('m.ordinal')
      .execute();
  }

  lesson(moduleId: string) {
    return this.db
      .selectFrom('path_lessons')
      .selectAll()
      .where('module_id', '=', moduleId)
      .executeTakeFirst();
  }

  async replaceLesson(
    moduleId: string,
    lesson: Omit<PathLessonsTable, 'module_id' | 'version'>,
  ): Promise<void> {
    await this.db
      .updateTable('path_lessons')
      .set((eb) => ({ ...lesson, version: eb('version', '+', 1) }))
      .where('module_id', '=', moduleId)
      .execute();
  }

  /** Records a completion once: a module already completed keeps its first completion. */
  async completeModules(
    moduleIds: readonly string[],
    by: 'mastery' | 'learner',
    at: string,
  ): Promise<void> {
    if (moduleIds.length === 0) return;
    await this.db
      .updateTable('path_modules')
      .set({ completed_at: at, completed_by: by })
      .where('id', 'in', [...moduleIds])
      .where('completed_at', 'is', null)
      .execute();
  }
}
