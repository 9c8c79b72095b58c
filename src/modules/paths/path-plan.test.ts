// GET /api/paths/plan through the real application on SQLite and PostgreSQL: the dry run names
// exactly the first module a path made at that moment starts with (same title, skills, order,
// mastery and targets), follows the learner's mastery (mastered skills leave it), writes nothing
// and calls no model, says when there is nothing left to learn, points to the learner's active
// path for the role, and refuses a missing, unknown or oversized role with a 4xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { loggedInLearner, seedDemoBank } from '../../../test/helpers/learning-kit.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { loadRolesFile } from './roles-config.ts';

interface PlanSkill {
  id: string;
  externalId: string;
  name: string;
  target: number;
  required: boolean;
  pKnown: number;
}
interface Plan {
  role: { id: string; slug: string; title: string };
  skillCount: number;
  moduleCount: number;
  firstModule: { title: string; skills: PlanSkill[] } | null;
  activePathId: string | null;
}
interface PathView {
  id: string;
  moduleCount: number;
  modules: { id: string; title: string; skills: (PlanSkill & { mastered: boolean })[] }[];
}

describe.each(testDialects())('path plan (dry run), %s', (dialect) => {
  let t: TestApp;

  const learner = () => loggedInLearner(t);
  const plan = async (client: TestClient, role: string) => {
    const res = await client.get(`/api/paths/plan?role=${encodeURIComponent(role)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Plan;
  };
  const rows = async () => {
    const db = t.deps.database.db;
    const n = async (table: 'learning_paths' | 'path_modules' | 'path_lessons' | 'llm_calls') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      paths: await n('learning_paths'),
      modules: await n('path_modules'),
      lessons: await n('path_lessons'),
      llm: await n('llm_calls'),
    };
  };
  /** Set a learner's P(L) on skills given by their graph external ids. */
  const setMastery = async (userId: string, externalIds: string[], pKnown: number) => {
    const nodes = await t.deps.database.db
      .selectFrom('graph_nodes')
      .select(['id'])
      .where('external_id', 'in', externalIds)
      .execute();
    expect(nodes).toHaveLength(externalIds.length);
    const at = new Date().toISOString();
    await t.deps.database.db
      .insertInto('mastery_states')
      .values(
        nodes.map((n) => ({
          user_id: userId,
          skill_id: n.id,
          p_known: pKnown,
          attempts: 3,
          source: 'practice' as const,
          updated_at: at,
          last_answered_at: at,
        })),
      )
      .execute();
  };
  const sameAsFirstModule = (p: Plan, path: PathView) => {
    const first = path.modules[0]!;
    expect(p.firstModule).not.toBeNull();
    expect(p.firstModule!.title).toBe(first.title);
    expect(p.firstModule!.skills).toEqual(
      first.skills.map(({ mastered: _m, ...s }) => {
        void _m;
        return s;
      }),
    );
    expect(p.moduleCount).toBe(path.moduleCount);
    expect(p.skillCount).toBe(path.modules.reduce((n, m) => n + m.skills.length, 0));
  };

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    await seedDemoBank(t);
    expect(await t.deps.paths.seedRoles(loadRolesFile())).toEqual({ status: 'imported', roles: 4 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('names the first module the path then starts with, and stores nothing', async () => {
    const { client } = await learner();
    const before = await rows();
    const p = await plan(client, 'data-analyst');
    expect(await rows()).toEqual(before);
    expect(p.role.slug).toBe('data-analyst');
    expect(p.activePathId).toBeNull();
    expect(p.firstModule!.skills.length).toBeGreaterThanOrEqual(3);
    expect(p.firstModule!.skills.length).toBeLessThanOrEqual(5);
    // A new learner: nothing known, so the module starts at the bottom of the prerequisites.
    expect(p.firstModule!.skills[0]!.externalId).toBe('read-write-whole-numbers');
    const again = await plan(client, p.role.id);
    expect(again).toEqual(p);

    const created = await client.post('/api/paths', { role: 'data-analyst' });
    expect(created.statusCode, created.body).toBe(201);
    const path = (created.json() as { path: PathView }).path;
    sameAsFirstModule(p, path);
    expect((await plan(client, 'data-analyst')).activePathId).toBe(path.id);
  });

  it("follows the learner's mastery: mastered skills leave the first module", async () => {
    const { client, id } = await learner();
    const fresh = await plan(client, 'kitchen-apprentice');
    const firstTwo = fresh.firstModule!.skills.slice(0, 2).map((s) => s.externalId);
    await setMastery(id, firstTwo, 0.99);
    const after = await plan(client, 'kitchen-apprentice');
    for (const s of after.firstModule!.skills) expect(firstTwo).not.toContain(s.externalId);
    expect(after.skillCount).toBe(fresh.skillCount - 2);
    // Partly known skills carry their P(L) into the plan.
    const third = after.firstModule!.skills[0]!;
    await setMastery(id, [third.externalId], 0.5);
    const partly = await plan(client, 'kitchen-apprentice');
    expect(partly.firstModule!.skills.find((s) => s.id === third.id)!.pKnown).toBe(0.5);

    const created = await client.post('/api/paths', { role: 'kitchen-apprentice' });
    expect(created.statusCode, created.body).toBe(201);
    sameAsFirstModule(partly, (created.json() as { path: PathView }).path);
  });

  it('says when nothing is left to learn for the role', async () => {
    const { client, id } = await learner();
    const staff = await createUser(t.deps, { role: 'instructor' });
    await t.deps.paths.createRole(
      { id: staff.id, role: 'instructor' },
      {
        slug: 'two-skills',
        title: 'Two skills',
        summary: 'Small.',
        allowMarkComplete: true,
        includePrerequisites: false,
        skills: [{ skill: 'best-buy' }, { skill: 'unitary-method', target: 0.8 }],
        resources: [],
      },
    );
    const open = await plan(client, 'two-skills');
    expect(open.firstModule!.skills.map((s) => [s.externalId, s.target])).toEqual([
      ['unitary-method', 0.8],
      ['best-buy', 0.95],
    ]);
    await setMastery(id, ['best-buy'], 0.96);
    await setMastery(id, ['unitary-method'], 0.85);
    const done = await plan(client, 'two-skills');
    expect(done).toMatchObject({ skillCount: 0, moduleCount: 0, firstModule: null });
    const refused = await client.post('/api/paths', { role: 'two-skills' });
    expect(refused.statusCode).toBe(409);
  });

  it("the demo bank lets a weak learner complete Ready for A-level Algebra's first module by practising", async () => {
    // Four right first answers take a skill from the placement floor (P(L) 0.02) past 0.95 with
    // the default BKT parameters; the module must offer that many on each of its skills.
    const { client } = await learner();
    const created = await client.post('/api/paths', { role: 'algebra-ready' });
    expect(created.statusCode, created.body).toBe(201);
    const path = (created.json() as { path: PathView }).path;
    const first = path.modules[0]!;
    const res = await client.get(`/api/paths/${path.id}/modules/${first.id}`);
    expect(res.statusCode).toBe(200);
    const questions = (
      res.json() as { module: { questions: { id: string; skills: { id: string }[] }[] } }
    ).module.questions;
    for (const skill of first.skills) {
      const on = questions.filter((q) => q.skills.some((s) => s.id === skill.id));
      expect(on.length, skill.externalId).toBeGreaterThanOrEqual(4);
    }
  });

  it('refuses a missing, unknown or oversized role, and a logged-out caller', async () => {
    const { client } = await learner();
    const missing = await client.get('/api/paths/plan');
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toMatch(/role/);
    const blank = await client.get('/api/paths/plan?role=%20%20');
    expect(blank.statusCode).toBe(400);
    const long = await client.get(`/api/paths/plan?role=${'x'.repeat(500)}`);
    expect(long.statusCode).toBe(400);
    const unknown = await client.get(`/api/paths/plan?role=${encodeURIComponent("' or 1=1 --")}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'ROLE_NOT_FOUND' });
    expect((unknown.json() as { detail: string }).detail).toContain(
      `There is no role "' or 1=1 --"`,
    );
    const twice = await client.get('/api/paths/plan?role=data-analyst&role=algebra-ready');
    expect(twice.statusCode).toBeGreaterThanOrEqual(400);
    expect(twice.statusCode).toBeLessThan(500);
    const anonymous = await new TestClient(t.app).get('/api/paths/plan?role=data-analyst');
    expect(anonymous.statusCode).toBe(401);
  });
});
