// The performance tracker through the real application on SQLite and PostgreSQL: papers (form,
// CSV, bank tags, unknown nodes named by question number), the idempotent result upsert (same
// request twice, concurrent duplicates, edits), marks validation, learners kept apart (404), the
// dashboard and weak links on a hand-built graph with a known answer (with and without BKT
// mastery), the cache seeing a write at once, and the weekly aggregate behind the cohort view.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { textSources } from '../graph/graph-test-kit.ts';
import type { DashboardResponse, PaperView, ResultView } from './tracker-schemas.ts';

// a → b → c → d, z → x → c, y → d (prerequisite first). x is never tested.
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
    'c,Skill C,,advanced',
    'd,Skill D,,advanced',
    'x,Skill X,,basics',
    'z,Skill Z,,basics',
    'y,Skill Y,,advanced',
    '',
  ].join('\n'),
  edges: [
    'source_id,target_id,type',
    'a,b,prerequisite',
    'b,c,prerequisite',
    'c,d,prerequisite',
    'x,c,prerequisite',
    'z,x,prerequisite',
    'y,d,prerequisite',
    '',
  ].join('\n'),
};

const PAPER_QUESTIONS = [
  { number: '1', maxMarks: 4, nodes: ['d'] },
  { number: '2a', maxMarks: 4, nodes: ['c'] },
  { number: '2b', maxMarks: 4, nodes: ['b'] },
  { number: '3', maxMarks: 4, nodes: ['a'] },
  { number: '4', maxMarks: 4, nodes: ['z'] },
  { number: '5', maxMarks: 4, nodes: ['y'] },
];
// d 25 %, c 25 %, b 100 % (strong), a 0 %, z 25 %, y 100 %.
const MARKS = [
  { question: '1', marks: 1 },
  { question: '2a', marks: 1 },
  { question: '2b', marks: 4 },
  { question: '3', marks: 0 },
  { question: '4', marks: 1 },
  { question: '5', marks: 4 },
];

describe.each(testDialects())('performance tracker, %s', (dialect) => {
  let t: TestApp;
  let instructor: TestClient;
  let learner: TestClient;
  let other: TestClient;
  let learnerId: string;
  let otherId: string;
  let paper: PaperView;

  const login = async (role: 'learner' | 'instructor') => {
    const user = await createUser(t.deps, { role });
    const client = new TestClient(t.app);
    expect((await client.login(user.email, user.password)).statusCode).toBe(200);
    return { client, id: user.id };
  };
  const put = (client: TestClient, id: string, body: Record<string, unknown>) =>
    client.request('PUT', `/api/tracker/results/${id}`, body);
  const dashboard = async (client: TestClient, query = '') => {
    const res = await client.get(`/api/tracker/dashboard${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as DashboardResponse;
  };
  const nodeId = async (externalId: string) => (await t.deps.graph.requireNode(externalId)).id;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const outcome = await t.deps.graph.importFiles(textSources(GRAPH), { source: 'seed' });
    expect(outcome.status).toBe('imported');
    instructor = (await login('instructor')).client;
    ({ client: learner, id: learnerId } = await login('learner'));
    ({ client: other, id: otherId } = await login('learner'));
    const res = await instructor.post('/api/tracker/papers', {
      title: 'June 2025 Paper 2',
      subject: 'Maths',
      board: 'Test board',
      year: 2025,
      questions: PAPER_QUESTIONS,
    });
    expect(res.statusCode, res.body).toBe(201);
    paper = (res.json() as { paper: PaperView }).paper;
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    t.deps.tracker.setMastery(undefined);
    const db = t.deps.database.db;
    await db.deleteFrom('tracker_result_marks').execute();
    await db.deleteFrom('tracker_results').execute();
    await db.deleteFrom('tracker_dashboard_cache').execute();
    await db.deleteFrom('tracker_learner_versions').execute();
  });

  describe('papers', () => {
    it('creates a paper with question numbers, max marks and nodes, and lists it', async () => {
      expect(paper.totalMarks).toBe(24);
      expect(paper.questions.map((q) => q.number)).toEqual(['1', '2a', '2b', '3', '4', '5']);
      expect(paper.questions[0]!.nodes.map((n) => n.externalId)).toEqual(['d']);
      const list = await learner.get('/api/tracker/papers');
      expect(list.statusCode, list.body).toBe(200);
      const body = list.json() as { papers: PaperView[]; total: number };
      expect(body.papers.map((p) => p.id)).toContain(paper.id);
      // The concept of a tagged skill counts for the subtopic, but the paper shows the tags.
      const rows = await t.deps.database.db
        .selectFrom('tracker_question_nodes')
        .select(['number', 'via'])
        .where('paper_id', '=', paper.id)
        .where('number', '=', '1')
        .execute();
      expect(rows.map((r) => r.via).sort()).toEqual(['parent', 'tag']);
    });

    it('rejects an unknown node naming the question number, and writes nothing', async () => {
      const before = await t.deps.database.db
        .selectFrom('tracker_papers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const res = await instructor.post('/api/tracker/papers', {
        title: 'Broken',
        questions: [
          { number: '1', maxMarks: 2, nodes: ['a'] },
          { number: '2b', maxMarks: 3, nodes: ['no-such-node'] },
        ],
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect((res.json() as { detail: string }).detail).toContain('question 2b');
      expect((res.json() as { detail: string }).detail).toContain('no-such-node');
      const after = await t.deps.database.db
        .selectFrom('tracker_papers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('rejects hostile paper bodies with 400s that name the field', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ title: '', questions: [{ number: '1', maxMarks: 1 }] }, /title/],
        [{ title: 'x', questions: [{ number: 'one!', maxMarks: 1 }] }, /question number/],
        [{ title: 'x', questions: [{ number: '1', maxMarks: -2 }] }, /maxMarks/],
        [{ title: 'x', questions: [{ number: '1' }] }, /question 1: maxMarks is required/],
        [
          {
            title: 'x',
            questions: [
              { number: '1', maxMarks: 1 },
              { number: '1', maxMarks: 2 },
            ],
          },
          /question 1: the number appears twice/,
        ],
        [{ title: 'x' }, /either questions or questionsCsv/],
        [{ title: 'x', questionsCsv: 'number,max_marks\n2a,abc\n' }, /line 2: question 2a/],
        [{ title: 'x', questionsCsv: 'max_marks\n3\n' }, /number/],
      ];
      for (const [body, message] of cases) {
        const res = await instructor.post('/api/tracker/papers', body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect((res.json() as { detail: string }).detail).toMatch(message);
      }
    });

    it('imports a paper from CSV, taking a bank question’s accepted tags and max marks', async () => {
      const created = await instructor.post('/api/questions', {
        type: 'written',
        stem: 'Explain why.',
        answers: { maxMarks: 6 },
      });
      expect(created.statusCode, created.body).toBe(201);
      const bankId = (created.json() as { question: { id: string } }).question.id;
      expect(
        (await instructor.post(`/api/questions/${bankId}/tags`, { node: 'c' })).statusCode,
      ).toBeLessThan(300);
      const csv = ['number,max_marks,nodes,bank_question_id', '1,3,a;b,', '2,,,' + bankId, ''].join(
        '\n',
      );
      const res = await instructor.post('/api/tracker/papers', { title: 'CSV', questionsCsv: csv });
      expect(res.statusCode, res.body).toBe(201);
      const p = (res.json() as { paper: PaperView }).paper;
      expect(p.questions.map((q) => [q.number, q.maxMarks])).toEqual([
        ['1', 3],
        ['2', 6],
      ]);
      expect(p.questions[0]!.nodes.map((n) => n.externalId).sort()).toEqual(['a', 'b']);
      expect(p.questions[1]!.nodes.map((n) => n.externalId)).toEqual(['c']);
      expect(p.questions[1]!.bankQuestionId).toBe(bankId);
    });

    it('lets only instructors and admins create papers', async () => {
      const res = await learner.post('/api/tracker/papers', {
        title: 'Mine',
        questions: [{ number: '1', maxMarks: 1 }],
      });
      expect(res.statusCode).toBe(403);
    });
  });

  describe('results', () => {
    it('saves the same request twice as one row with the same updatedAt', async () => {
      const id = randomUUID();
      const body = { paperId: paper.id, takenOn: '2026-03-01', marks: MARKS };
      const first = await put(learner, id, body);
      expect(first.statusCode, first.body).toBe(201);
      const a = first.json() as { result: ResultView; outcome: string };
      expect(a.outcome).toBe('created');
      expect(a.result).toMatchObject({ score: 11, maxScore: 24, learnerId });
      const second = await put(learner, id, body);
      expect(second.statusCode, second.body).toBe(200);
      const b = second.json() as { result: ResultView; outcome: string };
      expect(b.outcome).toBe('unchanged');
      expect(b.result.updatedAt).toBe(a.result.updatedAt);
      expect(b.result).toEqual(a.result);
      const version = await t.deps.database.db
        .selectFrom('tracker_learner_versions')
        .select('version')
        .where('learner_id', '=', learnerId)
        .executeTakeFirstOrThrow();
      expect(version.version).toBe(1);

      // An edit updates the same row.
      await new Promise((r) => setTimeout(r, 5));
      const edited = await put(learner, id, {
        ...body,
        marks: MARKS.map((m) => (m.question === '3' ? { ...m, marks: 2 } : m)),
      });
      expect(edited.statusCode, edited.body).toBe(200);
      const c = edited.json() as { result: ResultView; outcome: string };
      expect(c.outcome).toBe('updated');
      expect(c.result.score).toBe(13);
      expect(c.result.updatedAt > a.result.updatedAt).toBe(true);
      expect(c.result.createdAt).toBe(a.result.createdAt);
      const list = (await learner.get('/api/tracker/results')).json() as { total: number };
      expect(list.total).toBe(1);
    });

    it('makes one row from concurrent duplicates', async () => {
      const id = randomUUID();
      const body = { paperId: paper.id, takenOn: '2026-03-02', marks: MARKS };
      const responses = await Promise.all(Array.from({ length: 6 }, () => put(learner, id, body)));
      const outcomes = responses.map((r) => {
        expect(r.statusCode, r.body).toBeLessThan(300);
        return (r.json() as { outcome: string }).outcome;
      });
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'unchanged')).toHaveLength(5);
      const rows = await t.deps.database.db
        .selectFrom('tracker_results')
        .select('id')
        .where('id', '=', id)
        .execute();
      expect(rows).toHaveLength(1);
      const marks = await t.deps.database.db
        .selectFrom('tracker_result_marks')
        .select('number')
        .where('result_id', '=', id)
        .execute();
      expect(marks).toHaveLength(6);
    });

    it('rejects marks outside 0..max, missing and unknown questions, naming the question', async () => {
      const id = randomUUID();
      const cases: Array<[Array<{ question: string; marks: number }>, RegExp]> = [
        [
          MARKS.map((m) => (m.question === '2b' ? { ...m, marks: 5 } : m)),
          /question 2b: marks must be from 0 to 4/,
        ],
        [
          MARKS.map((m) => (m.question === '1' ? { ...m, marks: -1 } : m)),
          /question 1: marks must be from 0 to 4/,
        ],
        [MARKS.filter((m) => m.question !== '4'), /missing marks for question 4/],
        [[...MARKS, { question: '9z', marks: 1 }], /question 9z: not on this paper/],
        [[...MARKS, { question: '1', marks: 1 }], /question 1: given twice/],
      ];
      for (const [marks, message] of cases) {
        const res = await put(learner, id, { paperId: paper.id, takenOn: '2026-03-01', marks });
        expect(res.statusCode, res.body).toBe(400);
        expect((res.json() as { detail: string }).detail).toMatch(message);
      }
      const hostile: Array<[string, Record<string, unknown>]> = [
        [id, { paperId: paper.id, takenOn: '2026-13-45', marks: MARKS }],
        [id, { paperId: 'nope', takenOn: '2026-03-01', marks: MARKS }],
        [id, { paperId: randomUUID(), takenOn: '2026-03-01', marks: MARKS }],
        [id, { paperId: paper.id, takenOn: '2026-03-01', marks: 'all of them' }],
        ['not-a-uuid', { paperId: paper.id, takenOn: '2026-03-01', marks: MARKS }],
      ];
      for (const [rid, body] of hostile) {
        const res = await put(learner, rid, body);
        expect(res.statusCode, res.body).toBe(400);
      }
      const rows = await t.deps.database.db.selectFrom('tracker_results').select('id').execute();
      expect(rows).toHaveLength(0);
    });

    it('keeps learners apart: another learner’s result is 404 to read and to write', async () => {
      const id = randomUUID();
      const body = { paperId: paper.id, takenOn: '2026-03-01', marks: MARKS };
      expect((await put(learner, id, body)).statusCode).toBe(201);
      expect((await other.get(`/api/tracker/results/${id}`)).statusCode).toBe(404);
      const overwrite = await put(other, id, {
        ...body,
        marks: MARKS.map((m) => ({ ...m, marks: 0 })),
      });
      expect(overwrite.statusCode).toBe(404);
      const mine = (await learner.get(`/api/tracker/results/${id}`)).json() as {
        result: ResultView;
      };
      expect(mine.result.score).toBe(11);
      const list = (await other.get('/api/tracker/results')).json() as { total: number };
      expect(list.total).toBe(0);
      expect((await other.get(`/api/tracker/results?learnerId=${learnerId}`)).statusCode).toBe(404);
      expect((await other.get(`/api/tracker/dashboard?learnerId=${learnerId}`)).statusCode).toBe(
        404,
      );
      // A learner cannot log for someone else either.
      const forOther = await put(learner, randomUUID(), { ...body, learnerId: otherId });
      expect(forOther.statusCode).toBe(404);
    });

    it('lets an instructor log and read a learner’s result', async () => {
      const id = randomUUID();
      const res = await put(instructor, id, {
        paperId: paper.id,
        takenOn: '2026-03-03',
        marks: MARKS,
        learnerId: otherId,
      });
      expect(res.statusCode, res.body).toBe(201);
      expect((res.json() as { result: ResultView }).result.learnerId).toBe(otherId);
      const own = (await other.get('/api/tracker/results')).json() as { results: ResultView[] };
      expect(own.results.map((r) => r.id)).toEqual([id]);
      const staffView = await instructor.get(`/api/tracker/results?learnerId=${otherId}`);
      expect((staffView.json() as { total: number }).total).toBe(1);
      // The same id for a different learner is a conflict, not an overwrite.
      const clash = await put(instructor, id, {
        paperId: paper.id,
        takenOn: '2026-03-03',
        marks: MARKS,
        learnerId,
      });
      expect(clash.statusCode).toBe(409);
    });
  });

  describe('dashboard', () => {
    it('traces weak links to the earliest weak prerequisite (known answer)', async () => {
      expect(
        (
          await put(learner, randomUUID(), {
            paperId: paper.id,
            takenOn: '2026-03-01',
            marks: MARKS,
          })
        ).statusCode,
      ).toBe(201);
      const d = await dashboard(learner);
      const byNode = new Map(d.weakLinks.map((w) => [w.node.externalId, w]));
      // d ← c (weak) ← x (untested, passed through) ← z (weak): z is the root; b is strong, so a
      // (weak, behind b) is not the cause.
      expect(byNode.get('d')!.rootCause.node.externalId).toBe('z');
      expect(byNode.get('d')!.rootCause.depth).toBe(3);
      expect(byNode.get('d')!.chain.map((n) => n.externalId)).toEqual(['z', 'x', 'c', 'd']);
      expect(byNode.get('c')!.rootCause.node.externalId).toBe('z');
      expect(byNode.get('a')!.rootCause.node.externalId).toBe('a');
      expect(byNode.get('z')!.rootCause.node.externalId).toBe('z');
      expect(byNode.has('b')).toBe(false);
      expect(byNode.has('y')).toBe(false);
      const link = byNode.get('d')!;
      expect(link.rootCause.link).toBe(`/questions?concept=${await nodeId('z')}`);
      expect(link.link).toBe(`/questions?concept=${await nodeId('d')}`);
      expect(link.evidence).toEqual([
        expect.objectContaining({ question: '1', marks: 1, maxMarks: 4, paperTitle: paper.title }),
      ]);
      expect(link.lostMarks).toBe(3);

      // Percentages per skill and per subtopic (the skills' concepts).
      const skill = new Map(d.skills.map((s) => [s.node.externalId, s.percent]));
      expect(Object.fromEntries(skill)).toEqual({ a: 0, b: 100, c: 25, d: 25, y: 100, z: 25 });
      const sub = new Map(d.subtopics.map((s) => [s.node.externalId, s.percent]));
      expect(sub.get('basics')).toBe(41.7); // a 0 + b 4 + z 1 of 12
      expect(sub.get('advanced')).toBe(50); // c 1 + d 1 + y 4 of 12
      expect(d.weakest.map((s) => s.node.externalId)).toEqual(['basics', 'advanced']);
      expect(d.trend.overall).toHaveLength(1);
      expect(d.trend.overall[0]!.percent).toBe(45.8);
      expect(d.change).toMatchObject({ previous: null, delta: null });
    });

    it('combines BKT mastery with the marks, which can move the root cause', async () => {
      expect(
        (
          await put(learner, randomUUID(), {
            paperId: paper.id,
            takenOn: '2026-03-01',
            marks: MARKS,
          })
        ).statusCode,
      ).toBe(201);
      const b = await nodeId('b');
      // Practice says b is weak: combined = (1·1.0 + 10·0.2) / 11 = 27.3 %.
      t.deps.tracker.setMastery({
        async getStates(_userId, skillIds) {
          return (skillIds ?? [])
            .filter((id) => id === b)
            .map((skillId) => ({
              skillId,
              pKnown: 0.25,
              confidence: 0.2,
              mastered: false,
              attempts: 10,
              source: 'practice',
            }));
        },
      });
      const d = await dashboard(learner);
      const skillB = d.skills.find((s) => s.node.externalId === 'b')!;
      expect(skillB.percent).toBe(100);
      expect(skillB.mastery).toMatchObject({ confidence: 0.2, attempts: 10 });
      expect(skillB.combined).toBe(27.3);
      const linkD = d.weakLinks.find((w) => w.node.externalId === 'd')!;
      // Now d ← c ← b ← a is open: a (0 %) beats z (25 %) at the same depth.
      expect(linkD.rootCause.node.externalId).toBe('a');
      expect(linkD.chain.map((n) => n.externalId)).toEqual(['a', 'b', 'c', 'd']);
    });

    it('reflects a result saved a second ago, after the cache was filled', async () => {
      const first = randomUUID();
      await put(learner, first, { paperId: paper.id, takenOn: '2026-03-01', marks: MARKS });
      const before = await dashboard(learner);
      expect(before.results).toBe(1);
      // The weekly job fills the cache; the dashboard then reads it.
      await t.deps.tracker.runWeeklyAggregate();
      const cached = await t.deps.database.db
        .selectFrom('tracker_dashboard_cache')
        .select('version')
        .where('learner_id', '=', learnerId)
        .executeTakeFirstOrThrow();
      expect(cached.version).toBe(1);
      const full = MARKS.map((m) => ({ ...m, marks: 4 }));
      const saved = await put(learner, randomUUID(), {
        paperId: paper.id,
        takenOn: '2026-03-08',
        marks: full,
      });
      expect(saved.statusCode).toBe(201);
      const after = await dashboard(learner);
      expect(after.results).toBe(2);
      expect(after.change).toMatchObject({ delta: 54.2, samePaperDelta: 54.2 });
      expect(after.trend.byPaper[0]!.points.map((p) => p.percent)).toEqual([45.8, 100]);
      expect(after.skills.find((s) => s.node.externalId === 'd')).toMatchObject({
        percent: 62.5,
        change: 75,
      });
      // An edit is seen at once too.
      await put(learner, first, { paperId: paper.id, takenOn: '2026-03-01', marks: full });
      const edited = await dashboard(learner);
      expect(edited.weakLinks).toEqual([]);
      expect(edited.trend.overall.map((p) => p.percent)).toEqual([100, 100]);
    });
  });

  describe('weekly aggregate and cohort', () => {
    it('computes cohort statistics and weekly trends in the job', async () => {
      await put(learner, randomUUID(), { paperId: paper.id, takenOn: '2026-03-04', marks: MARKS });
      await put(other, randomUUID(), {
        paperId: paper.id,
        takenOn: '2026-03-05',
        marks: MARKS.map((m) => ({ ...m, marks: m.question === '3' ? 4 : m.marks })),
      });
      const job = await instructor.post('/api/tracker/aggregate');
      expect(job.statusCode, job.body).toBe(202);
      await t.deps.tracker.runWeeklyAggregate();
      const res = await instructor.get('/api/tracker/cohort');
      expect(res.statusCode, res.body).toBe(200);
      const cohort = res.json() as {
        computedAt: string | null;
        learners: number;
        results: number;
        weakestSkills: Array<{
          node: { externalId: string };
          percent: number;
          learners: number;
          weakLearners: number;
        }>;
        trend: Array<{ week: string; results: number; learners: number; percent: number }>;
      };
      expect(cohort.computedAt).not.toBeNull();
      expect(cohort.learners).toBe(2);
      expect(cohort.results).toBe(2);
      // 2026-03-04 and -05 fall in the week of Monday 2026-03-02.
      expect(cohort.trend).toEqual([
        { week: '2026-03-02', results: 2, learners: 2, percent: 54.2 },
      ]);
      const skills = new Map(cohort.weakestSkills.map((s) => [s.node.externalId, s]));
      expect(skills.get('a')).toMatchObject({ percent: 50, learners: 2, weakLearners: 1 });
      expect(skills.get('d')).toMatchObject({ percent: 25, learners: 2, weakLearners: 2 });
      expect(cohort.weakestSkills[0]!.percent).toBeLessThanOrEqual(
        cohort.weakestSkills[cohort.weakestSkills.length - 1]!.percent,
      );
      expect((await learner.get('/api/tracker/cohort')).statusCode).toBe(403);
    });
  });
});
