// Recommendation sets through the real application on SQLite and PostgreSQL: the order of a set
// on a hand-built graph with paper results (known expected order and reasons), the "no new
// papers" rule, archive-on-rebuild, progress from practice answers, concurrent builds leaving
// exactly one active set, learners kept apart (404), hostile input, nothing to recommend (422),
// a set from practice mastery alone, and the weekly rebuild.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { textSources } from '../graph/graph-test-kit.ts';
import { RECOMMENDATIONS_REBUILD_JOB } from './recommendations-jobs.ts';
import type { BuildResponse, SetSummaryView, SetView } from './recommendations-schemas.ts';

// a → b → c → d (prerequisite first); e and s stand alone. a, b, s under Basics; c, d, e under
// Advanced.
const GRAPH = {
  concept: [
    'id,name,description,parent_id,subject,level',
    'maths,Maths,,,Maths,',
    'basics,Basics,,maths,Maths,',
    'advanced,Advanced,,maths,Maths,',
    '',
  ].join('\n'),
  skill: [
    'id,name,description,concept_id',
    'a,Skill A,,basics',
    'b,Skill B,,basics',
    's,Skill S,,basics',
    'c,Skill C,,advanced',
    'd,Skill D,,advanced',
    'e,Skill E,,advanced',
    '',
  ].join('\n'),
  edges: [
    'source_id,target_id,type',
    'a,b,prerequisite',
    'b,c,prerequisite',
    'c,d,prerequisite',
    '',
  ].join('\n'),
};

const PAPER = [
  { number: '1', maxMarks: 4, nodes: ['d'] },
  { number: '2', maxMarks: 4, nodes: ['c'] },
  { number: '3', maxMarks: 4, nodes: ['a'] },
  { number: '4', maxMarks: 4, nodes: ['e'] },
  { number: '5', maxMarks: 4, nodes: ['s'] },
  { number: '6', maxMarks: 4, nodes: ['b'] },
];
// d 25 %, c 50 %, a 25 %, e 0 %, s and b 100 %. Basics 75 %, Advanced 25 %.
// Weak: e, a, d, c. Root cause of d: c (b is strong). Order: e (weakest subtopic, no weak
// prerequisite), a (prerequisite of c and d), c, then d.
const MARKS = [
  { question: '1', marks: 1 },
  { question: '2', marks: 2 },
  { question: '3', marks: 1 },
  { question: '4', marks: 0 },
  { question: '5', marks: 4 },
  { question: '6', marks: 4 },
];

describe.each(testDialects())('recommendation sets, %s', (dialect) => {
  let t: TestApp;
  let instructor: TestClient;
  let paperId: string;
  const q: Record<string, string> = {};

  const login = async (role: 'learner' | 'instructor' = 'learner') => {
    const user = await createUser(t.deps, { role });
    const client = new TestClient(t.app);
    expect((await client.login(user.email, user.password)).statusCode).toBe(200);
    return { client, id: user.id };
  };
  const question = async (
    name: string,
    nodes: string[],
    difficulty: number | null,
    extra: Record<string, unknown> = {},
  ) => {
    const res = await instructor.post('/api/questions', {
      type: 'true_false',
      stem: `Statement ${name} is true.`,
      answers: { correct: true },
      difficulty,
      status: 'published',
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = (res.json() as { question: { id: string } }).question.id;
    for (const node of nodes) {
      const tag = await instructor.post(`/api/questions/${id}/tags`, { node });
      expect(tag.statusCode, tag.body).toBeLessThan(300);
    }
    q[name] = id;
    return id;
  };
  const logResult = async (client: TestClient, marks = MARKS) => {
    const res = await client.request('PUT', `/api/tracker/results/${randomUUID()}`, {
      paperId,
      takenOn: '2026-11-20',
      marks,
    });
    expect(res.statusCode, res.body).toBe(201);
  };
  const answer = async (client: TestClient, questionId: string, right: boolean) => {
    const res = await client.post('/api/practice/answers', {
      questionId,
      response: { type: 'true_false', value: right },
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  const build = async (client: TestClient, body: Record<string, unknown> = {}) => {
    const res = await client.post('/api/recommendations', body);
    expect([200, 201], res.body).toContain(res.statusCode);
    return { status: res.statusCode, body: res.json() as BuildResponse };
  };
  const nameOf = (id: string) => Object.entries(q).find(([, v]) => v === id)?.[0];
  const activeRows = async (learnerId: string) =>
    t.deps.database.db
      .selectFrom('recommendation_sets')
      .select(['id'])
      .where('learner_id', '=', learnerId)
      .where('status', '=', 'active')
      .execute();

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const outcome = await t.deps.graph.importFiles(textSources(GRAPH), { source: 'seed' });
    expect(outcome.status).toBe('imported');
    instructor = (await login('instructor')).client;
    const res = await instructor.post('/api/tracker/papers', {
      title: 'Paper 1',
      questions: PAPER,
    });
    expect(res.statusCode, res.body).toBe(201);
    paperId = (res.json() as { paper: { id: string } }).paper.id;
    const id = async (ext: string) => (await t.deps.graph.requireNode(ext)).id;
    const [e, a, c, d] = await Promise.all(['e', 'a', 'c', 'd'].map(id));
    await question('e1', [e!], 1);
    await question('e2', [e!], 2);
    await question('e3', [e!], 4);
    await question('e4', [e!], 1); // answered right before the build: left out
    await question('eDraft', [e!], 1, { status: 'draft' }); // not published: left out
    await question('a1', [a!], 2);
    await question('a2', [a!], 3);
    await question('a3', [a!], 1);
    await question('a4', [a!], 5);
    await question('aWritten', [a!], 2, { type: 'written', answers: { maxMarks: 3 } });
    await question('c1', [c!], 3); // answered wrongly before: chosen first among difficulty 3
    await question('c2', [c!], 3);
    await question('c3', [c!], 2);
    await question('cd', [c!, d!], 4); // tagged with both: goes to c, which comes first
    await question('d1', [d!], 2);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A learner with the paper logged and the two earlier answers (mastery left out of it). */
  const preparedLearner = async () => {
    const l = await login();
    await logResult(l.client);
    await answer(l.client, q.e4!, true);
    await answer(l.client, q.c1!, false);
    return l;
  };

  describe('without practice mastery in the statistics', () => {
    beforeAll(() => {
      // Practice answers move BKT mastery; here only the paper marks decide (known figures).
      t.deps.tracker.setMastery(undefined);
      t.deps.recommendations.setMastery(undefined);
    });
    afterAll(() => {
      t.deps.tracker.setMastery(t.deps.mastery);
      t.deps.recommendations.setMastery(t.deps.mastery);
    });

    it('orders by prerequisites and weakest subtopic, with a difficulty mix and reasons', async () => {
      const { client } = await preparedLearner();
      const { status, body } = await build(client);
      expect(status).toBe(201);
      expect(body.outcome).toBe('created');
      expect(body.archivedSetId).toBeNull();
      const set = body.set;
      expect(set.status).toBe('active');
      expect(set.targets.map((x) => x.node.name)).toEqual([
        'Skill E',
        'Skill A',
        'Skill C',
        'Skill D',
      ]);
      expect(set.targets.map((x) => x.level)).toEqual([1, 2, 3, 2]);
      // e: 1, 2, 4 around level 1; a: 2, 1, 3 then 5 in the top-up; c: 3 (the wrong one), 2, 4,
      // then the other 3 in the top-up; d: what is left. Shown easiest first within a target.
      expect(set.items.map((i) => nameOf(i.questionId))).toEqual([
        'e1',
        'e2',
        'e3',
        'a3',
        'a1',
        'a2',
        'a4',
        'c3',
        'c1',
        'c2',
        'cd',
        'd1',
      ]);
      expect(set.items.map((i) => i.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      const byName = new Map(set.items.map((i) => [nameOf(i.questionId), i]));
      expect(byName.get('c1')!.reason).toBe(
        'You lost 2 of 4 marks on Skill C; it is a prerequisite of Skill D (3 of 4 marks lost there) and the earliest weak one. You got this question wrong last time; difficulty 3 of 5, at your level.',
      );
      expect(byName.get('d1')!.reason).toBe(
        'You lost 3 of 4 marks on Skill D; it comes after its weak prerequisite Skill C. New to you; difficulty 2 of 5, at your level.',
      );
      expect(byName.get('e3')!.reason).toContain('a step harder');
      expect(byName.get('a3')!.reason).toContain('a step easier');
      expect(set.items.every((i) => i.question !== null && i.question.stemHtml.length > 0)).toBe(
        true,
      );
      // The question view never carries the answer.
      expect(JSON.stringify(set.items[0]!.question)).not.toContain('correct');
      expect(set.progress).toEqual({ total: 12, done: 0, correct: 0 });
    });

    it('keeps the active set when no paper changed, archives it when one did', async () => {
      const { client, id } = await preparedLearner();
      const first = await build(client);
      expect(first.status).toBe(201);
      const again = await build(client);
      expect(again.status).toBe(200);
      expect(again.body.outcome).toBe('kept');
      expect(again.body.message).toMatch(/No new papers or results.*kept as it is/);
      expect(again.body.set.id).toBe(first.body.set.id);

      await logResult(
        client,
        MARKS.map((m) => (m.question === '4' ? { ...m, marks: 3 } : m)),
      );
      const rebuilt = await build(client);
      expect(rebuilt.status).toBe(201);
      expect(rebuilt.body.archivedSetId).toBe(first.body.set.id);
      expect(rebuilt.body.set.id).not.toBe(first.body.set.id);
      expect((await activeRows(id)).map((r) => r.id)).toEqual([rebuilt.body.set.id]);

      const archived = await client.get('/api/recommendations?status=archived');
      expect(archived.statusCode, archived.body).toBe(200);
      const list = archived.json() as { sets: SetSummaryView[]; total: number };
      expect(list.total).toBe(1);
      expect(list.sets[0]!.id).toBe(first.body.set.id);
      expect(list.sets[0]!.status).toBe('archived');
      const old = await client.get(`/api/recommendations/${first.body.set.id}`);
      expect(old.statusCode).toBe(200);
      const oldSet = (old.json() as { set: SetView }).set;
      expect(oldSet.archivedAt).not.toBeNull();
      expect(oldSet.items.map((i) => i.questionId)).toEqual(
        first.body.set.items.map((i) => i.questionId),
      );
      const active = await client.get('/api/recommendations/active');
      expect((active.json() as { set: SetView }).set.id).toBe(rebuilt.body.set.id);
    });

    it('tracks done and correct from practice answers given since the set was built', async () => {
      const { client } = await preparedLearner();
      const { body } = await build(client);
      const [first, second] = body.set.items;
      await answer(client, first!.questionId, true);
      await answer(client, second!.questionId, false);
      await answer(client, second!.questionId, true); // a retry: the first answer decides
      const res = await client.get('/api/recommendations/active');
      const set = (res.json() as { set: SetView }).set;
      expect(set.progress).toEqual({ total: 12, done: 2, correct: 1 });
      expect(set.items[0]).toMatchObject({ done: true, correct: true });
      expect(set.items[1]).toMatchObject({ done: true, correct: false });
      // c1 was answered (wrongly) before the set was built: not done in this set.
      expect(set.items.find((i) => i.questionId === q.c1)).toMatchObject({ done: false });
    });

    it('rebuilds a finished set even without a new paper', async () => {
      const { client, id } = await preparedLearner();
      const { body } = await build(client);
      for (const item of body.set.items) await answer(client, item.questionId, true);
      const next = await client.post('/api/recommendations', {});
      // Every question it could choose is now answered right: nothing left, the set stays.
      expect(next.statusCode, next.body).toBe(422);
      expect((next.json() as { detail: string }).detail).toMatch(/No published question/);
      expect((await activeRows(id)).map((r) => r.id)).toEqual([body.set.id]);
      // A new question on the weakest skill: the finished set makes way for a new one.
      const e = (await t.deps.graph.requireNode('e')).id;
      await question('e5', [e], 1);
      const rebuilt = await build(client);
      expect(rebuilt.status).toBe(201);
      expect(rebuilt.body.archivedSetId).toBe(body.set.id);
      expect(rebuilt.body.set.items.map((i) => nameOf(i.questionId))).toEqual(['e5']);
    });

    it('leaves exactly one active set when builds run at the same time', async () => {
      const { client, id } = await preparedLearner();
      const results = await Promise.all(
        Array.from({ length: 5 }, () => client.post('/api/recommendations', {})),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
      const ids = new Set(results.map((r) => (r.json() as BuildResponse).set.id));
      expect(ids.size).toBe(1);
      expect(await activeRows(id)).toHaveLength(1);

      // A new paper, then concurrent rebuilds: one new set, the old one archived, one active.
      await logResult(client);
      const again = await Promise.all(
        Array.from({ length: 4 }, () => client.post('/api/recommendations', {})),
      );
      expect(again.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 201]);
      const active = await activeRows(id);
      expect(active).toHaveLength(1);
      expect(active[0]!.id).not.toBe([...ids][0]);
      const all = await t.deps.database.db
        .selectFrom('recommendation_sets')
        .select(['status'])
        .where('learner_id', '=', id)
        .execute();
      expect(all.map((r) => r.status).sort()).toEqual(['active', 'archived']);
    });

    it('keeps learners apart: another learner’s set or id is a 404; staff may read', async () => {
      const owner = await preparedLearner();
      const { body } = await build(owner.client);
      const other = await login();
      for (const res of [
        await other.client.get(`/api/recommendations/${body.set.id}`),
        await other.client.get(`/api/recommendations/active?learnerId=${owner.id}`),
        await other.client.get(`/api/recommendations?status=all&learnerId=${owner.id}`),
        await other.client.post('/api/recommendations', { learnerId: owner.id }),
        await other.client.get(`/api/recommendations/${randomUUID()}`),
      ]) {
        expect(res.statusCode, res.body).toBe(404);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      expect(await activeRows(other.id)).toHaveLength(0);
      const staff = await instructor.get(`/api/recommendations/active?learnerId=${owner.id}`);
      expect(staff.statusCode).toBe(200);
      expect((staff.json() as { set: SetView }).set.id).toBe(body.set.id);
      const byStaff = await instructor.post('/api/recommendations', { learnerId: owner.id });
      expect(byStaff.statusCode).toBe(200); // nothing new: kept
      // A staff member's own id is not a learner's.
      const me = await instructor.get('/api/me');
      const notLearner = await login('instructor');
      const res = await notLearner.client.get(
        `/api/recommendations/active?learnerId=${(me.json() as { id: string }).id}`,
      );
      expect(res.statusCode).toBe(404);
    });

    it('answers hostile input with 4xx naming the field', async () => {
      const { client } = await login();
      const cases: Array<[string, string, unknown, number, RegExp]> = [
        ['GET', '/api/recommendations/not-a-uuid', undefined, 400, /id/],
        ['GET', '/api/recommendations?status=bogus', undefined, 400, /status/],
        ['GET', '/api/recommendations?limit=-1', undefined, 400, /limit/],
        ['GET', '/api/recommendations?limit=abc', undefined, 400, /limit/],
        ['GET', '/api/recommendations/active?learnerId=x', undefined, 400, /learnerId/],
        ['POST', '/api/recommendations', { learnerId: "' or 1=1 --" }, 400, /learnerId/],
        ['POST', '/api/recommendations', [1, 2], 400, /./],
        ['POST', '/api/recommendations', 'x'.repeat(100), 415, /JSON/],
      ];
      for (const [method, url, body, code, message] of cases) {
        const res = await client.request(method as 'GET' | 'POST', url, body);
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(code);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body).toMatch(message);
      }
      const anonymous = new TestClient(t.app);
      expect((await anonymous.get('/api/recommendations/active')).statusCode).toBe(401);
      const noCsrf = await t.app.inject({
        method: 'POST',
        url: '/api/recommendations',
        payload: {},
      });
      expect([401, 403]).toContain(noCsrf.statusCode);
    });

    it('says there is nothing to recommend without results or practice, writing nothing', async () => {
      const { client, id } = await login();
      const res = await client.post('/api/recommendations', {});
      expect(res.statusCode, res.body).toBe(422);
      expect((res.json() as { detail: string }).detail).toMatch(/log an exam paper/);
      expect(await activeRows(id)).toHaveLength(0);
      expect((await client.get('/api/recommendations/active')).json()).toEqual({ set: null });
    });

    it('the weekly rebuild builds for learners with newer results and keeps the others', async () => {
      const fresh = await preparedLearner(); // results, no set
      const settled = await preparedLearner();
      await build(settled.client); // a set newer than its results
      const out = await t.deps.recommendations.rebuildStale();
      expect(out.failed).toBe(0);
      expect(await activeRows(fresh.id)).toHaveLength(1);
      const [row] = await t.deps.database.db
        .selectFrom('recommendation_sets')
        .select(['trigger'])
        .where('learner_id', '=', fresh.id)
        .execute();
      expect(row!.trigger).toBe('job');
      const settledSets = await t.deps.database.db
        .selectFrom('recommendation_sets')
        .select(['trigger'])
        .where('learner_id', '=', settled.id)
        .execute();
      expect(settledSets.map((s) => s.trigger)).toEqual(['request']);
      // Run again: the fresh learner is now up to date.
      const second = await t.deps.recommendations.rebuildStale();
      expect(second.created).toBe(0);
    });

    it('runs as the recommendations.rebuild job on the queue, and refuses a bad payload', async () => {
      const l = await preparedLearner();
      await expect(
        t.deps.jobs.enqueue(RECOMMENDATIONS_REBUILD_JOB, { learnerId: 'nobody' }),
      ).rejects.toThrow(/learnerId/);
      await t.deps.jobs.startWorker();
      const job = await t.deps.jobs.enqueue(RECOMMENDATIONS_REBUILD_JOB, { learnerId: l.id });
      let state = job.state;
      for (let i = 0; i < 200 && state !== 'complete' && state !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        state = (await t.deps.jobs.get(job.id))!.state;
      }
      expect(state).toBe('complete');
      expect(await activeRows(l.id)).toHaveLength(1);
    });
  });

  it('builds from practice mastery alone when no paper was logged', async () => {
    const { client } = await login();
    await answer(client, q.e1!, false);
    await answer(client, q.e2!, false);
    const { status, body } = await build(client);
    expect(status).toBe(201);
    expect(body.set.targets.map((x) => x.node.name)).toEqual(['Skill E']);
    expect(body.set.items[0]!.reason).toMatch(/^Your practice mastery of Skill E is \d+ %\./);
    expect(body.set.items.map((i) => nameOf(i.questionId))).toEqual(['e1', 'e4', 'e5', 'e2', 'e3']);
  });
});
