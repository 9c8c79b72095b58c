// The placement test's target through the real application on SQLite and PostgreSQL: a test for
// a role draws its items only from questions tagged with that role's required skills and
// estimates only their areas; no role means the whole catalogue; resuming keeps the target, even
// when another one is asked for or the role is deleted meanwhile; a bad or unknown role is a 400
// naming the field and starts nothing; a role without questions is a 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import type { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { loadRolesFile } from '../paths/roles-config.ts';
import {
  loggedInLearner,
  seedDemoBank,
  someAnswer as someAnswerTo,
} from '../../../test/helpers/learning-kit.ts';

interface View {
  id: string;
  status: 'in_progress' | 'finished';
  target: { kind: 'everything' | 'role'; roleId: string | null; title: string | null };
  answered: number;
  question: { id: string } | null;
  result: { areas: { id: string; answered: number }[]; seeded: number } | null;
}

const MAX_ITEMS = 6;

describe.each(testDialects())('placement target, %s', (dialect) => {
  let t: TestApp;

  const learner = () => loggedInLearner(t);
  const start = async (client: TestClient, body: unknown, status: number) => {
    const res = await client.post('/api/placement', body);
    expect(res.statusCode, res.body).toBe(status);
    return (res.json() as { placement: View }).placement;
  };
  const someAnswer = (questionId: string) => someAnswerTo(t, questionId);
  const finishAll = async (client: TestClient, view: View) => {
    while (view.status === 'in_progress') {
      const res = await client.post(`/api/placement/${view.id}/answers`, {
        questionId: view.question!.id,
        response: await someAnswer(view.question!.id),
      });
      expect(res.statusCode, res.body).toBe(200);
      view = (res.json() as { placement: View }).placement;
    }
    return view;
  };
  /** The graph ids of a role's skills and of their top-level concepts (areas). */
  const roleSkills = async (slug: string) => {
    const role = await t.deps.paths.getRole(slug);
    const nodes = await t.deps.database.db
      .selectFrom('graph_nodes')
      .select(['id', 'parent_id', 'kind'])
      .execute();
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const areaOf = (id: string) => {
      let n = byId.get(id)!;
      while (n.parent_id) n = byId.get(n.parent_id)!;
      return n.id;
    };
    const skills = role.skills.map((s) => s.id);
    return { role, skills, areas: new Set(skills.map(areaOf)) };
  };
  const answeredQuestionSkills = async (placementId: string) => {
    const rows = await t.deps.database.db
      .selectFrom('placement_responses as r')
      .innerJoin('question_tags as qt', (j) =>
        j.onRef('qt.question_id', '=', 'r.question_id').on('qt.status', '=', 'accepted'),
      )
      .select(['r.question_id', 'qt.node_id'])
      .where('r.placement_id', '=', placementId)
      .execute();
    const byQuestion = new Map<string, string[]>();
    for (const r of rows)
      byQuestion.set(r.question_id, [...(byQuestion.get(r.question_id) ?? []), r.node_id]);
    return byQuestion;
  };
  const testCount = async (userId: string) =>
    (
      await t.deps.database.db
        .selectFrom('placement_tests')
        .select('id')
        .where('user_id', '=', userId)
        .execute()
    ).length;

  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: { PLACEMENT_MAX_ITEMS: String(MAX_ITEMS), PLACEMENT_EXPOSURE: '1' },
    });
    await seedDemoBank(t);
    expect(await t.deps.paths.seedRoles(loadRolesFile())).toEqual({ status: 'imported', roles: 4 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('without a body or a role the test covers the whole catalogue', async () => {
    const a = await learner();
    const noBody = await start(a.client, undefined, 201);
    expect(noBody.target).toEqual({ kind: 'everything', roleId: null, title: null });
    const b = await learner();
    const nullRole = await start(b.client, { roleId: null }, 201);
    expect(nullRole.target.kind).toBe('everything');
    // The stored row says so too, and its areas are every area with questions.
    const row = await t.deps.database.db
      .selectFrom('placement_tests')
      .selectAll()
      .where('id', '=', noBody.id)
      .executeTakeFirstOrThrow();
    expect(row.target_skills).toBeNull();
    expect((JSON.parse(row.areas) as string[]).length).toBeGreaterThanOrEqual(3);
  });

  it('a test for a role asks only about its skills, estimates only their areas, and resumes with its target', async () => {
    const { client } = await learner();
    const { role, skills, areas } = await roleSkills('kitchen-apprentice');
    let view = await start(client, { roleId: 'kitchen-apprentice' }, 201);
    expect(view.target).toEqual({ kind: 'role', roleId: role.id, title: role.title });
    const row = await t.deps.database.db
      .selectFrom('placement_tests')
      .selectAll()
      .where('id', '=', view.id)
      .executeTakeFirstOrThrow();
    expect(new Set(JSON.parse(row.target_skills!) as string[])).toEqual(new Set(skills));
    for (const area of JSON.parse(row.areas) as string[]) expect(areas.has(area)).toBe(true);

    // Answer one, then ask to start again (once plainly, once for another role): the same test.
    const first = await client.post(`/api/placement/${view.id}/answers`, {
      questionId: view.question!.id,
      response: await someAnswer(view.question!.id),
    });
    expect(first.statusCode, first.body).toBe(200);
    view = (first.json() as { placement: View }).placement;
    for (const body of [{}, { roleId: 'algebra-ready' }, undefined]) {
      const again = await start(client, body, 200);
      expect(again.id).toBe(view.id);
      expect(again.target).toEqual({ kind: 'role', roleId: role.id, title: role.title });
      expect(again.question!.id).toBe(view.question!.id);
    }

    const done = await finishAll(client, view);
    expect(done.answered).toBe(MAX_ITEMS);
    const asked = await answeredQuestionSkills(done.id);
    expect(asked.size).toBe(MAX_ITEMS);
    for (const [, tags] of asked) expect(tags.some((s) => skills.includes(s))).toBe(true);
    expect(done.result!.areas.length).toBeGreaterThan(0);
    for (const a of done.result!.areas) expect(areas.has(a.id)).toBe(true);
    expect(done.result!.areas.reduce((n, a) => n + a.answered, 0)).toBe(MAX_ITEMS);
    expect(done.target.title).toBe(role.title);
  });

  it('a test keeps its target and items when the role is deleted meanwhile', async () => {
    const { client } = await learner();
    const staff = await createUser(t.deps, { role: 'instructor' });
    const made = await t.deps.paths.createRole(
      { id: staff.id, role: 'instructor' },
      {
        slug: 'temporary-ratio',
        title: 'Temporary ratio role',
        summary: 'Ratio only.',
        allowMarkComplete: true,
        includePrerequisites: true,
        skills: [{ skill: 'simplify-ratio' }, { skill: 'share-in-ratio' }, { skill: 'best-buy' }],
        resources: [],
      },
    );
    const view = await start(client, { roleId: made.id }, 201);
    expect(view.target).toMatchObject({ kind: 'role', title: 'Temporary ratio role' });
    await t.deps.paths.deleteRole({ id: staff.id, role: 'instructor' }, made.id);
    const done = await finishAll(client, view);
    expect(done.target).toEqual({ kind: 'role', roleId: made.id, title: 'Temporary ratio role' });
    const ratio = new Set(made.skills.map((s) => s.id));
    const asked = await answeredQuestionSkills(done.id);
    expect(asked.size).toBeGreaterThan(0);
    for (const [, tags] of asked) expect(tags.some((s) => ratio.has(s))).toBe(true);
  });

  it('refuses a bad or unknown role with a 400 naming the field, and starts nothing', async () => {
    const { client, id } = await learner();
    const cases: { body: unknown; message: RegExp }[] = [
      { body: { roleId: 'no-such-role' }, message: /no role "no-such-role"/ },
      { body: { roleId: "' or 1=1 --" }, message: /no role "' or 1=1 --"/ },
      { body: { roleId: '00000000-0000-4000-8000-000000000000' }, message: /no role/ },
      { body: { roleId: 42 }, message: /id or slug of a role/ },
      { body: { roleId: ['data-analyst'] }, message: /id or slug of a role/ },
      { body: { roleId: { $ne: null } }, message: /id or slug of a role/ },
      { body: { roleId: '   ' }, message: /must not be empty/ },
      { body: { roleId: 'x'.repeat(5000) }, message: /at most 200/ },
    ];
    for (const c of cases) {
      const res = await client.post('/api/placement', c.body);
      expect(res.statusCode, JSON.stringify(c.body).slice(0, 80)).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const problem = res.json() as {
        detail: string;
        errors?: { path: string; message: string }[];
      };
      expect(problem.errors?.some((e) => e.path.endsWith('roleId'))).toBe(true);
      expect(`${problem.detail} ${JSON.stringify(problem.errors)}`).toMatch(c.message);
    }
    const notJson = await client.post('/api/placement', 'roleId=data-analyst', {
      headers: { 'content-type': 'text/plain' },
    });
    expect(notJson.statusCode).toBeGreaterThanOrEqual(400);
    expect(notJson.statusCode).toBeLessThan(500);
    expect(await testCount(id)).toBe(0);
    // A learner with a test in progress still gets the 400, and the test is untouched.
    const view = await start(client, { roleId: 'finance-apprentice' }, 201);
    const bad = await client.post('/api/placement', { roleId: 'no-such-role' });
    expect(bad.statusCode).toBe(400);
    expect(await testCount(id)).toBe(1);
    const again = await start(client, {}, 200);
    expect(again.id).toBe(view.id);
  });

  it('a role whose skills have no questions is a 409 that says what to do', async () => {
    const { client, id } = await learner();
    const staff = await createUser(t.deps, { role: 'instructor' });
    await t.deps.paths.createRole(
      { id: staff.id, role: 'instructor' },
      {
        slug: 'no-questions-yet',
        title: 'No questions yet',
        summary: 'Its only skill has no published question.',
        allowMarkComplete: true,
        includePrerequisites: true,
        skills: [{ skill: 'recipe-scaling' }],
        resources: [],
      },
    );
    // Whatever the bank holds on that skill leaves the pool.
    const skill = (await t.deps.paths.getRole('no-questions-yet')).skills[0]!.id;
    const tagged = await t.deps.database.db
      .selectFrom('question_tags')
      .select('question_id')
      .where('node_id', '=', skill)
      .execute();
    if (tagged.length > 0) {
      await t.deps.database.db
        .updateTable('questions')
        .set({ archived_at: new Date().toISOString() })
        .where(
          'id',
          'in',
          tagged.map((q) => q.question_id),
        )
        .execute();
    }
    const res = await client.post('/api/placement', { roleId: 'no-questions-yet' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toMatch(/No questions yet.*Choose another role, or everything/);
    expect(await testCount(id)).toBe(0);
  });
});
