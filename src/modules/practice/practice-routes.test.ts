// Practice through the real application on SQLite and PostgreSQL: an answer is graded, moves BKT
// on the skills its question tests and schedules a review, in one transaction; a retry does not
// count; a due review counts again and an overdue one lowers the displayed confidence; every
// mastery figure reads back through /api/mastery and the evidence trail; concurrent answers lose
// nothing; hostile input gets a 4xx that names the field and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { FakeClock } from '../../platform/clock.ts';
import { demoTexts, textSources } from '../graph/graph-test-kit.ts';
import { seedDemoQuestions } from '../questions/questions-seed.ts';

interface AnswerResult {
  responseId: string;
  correct: boolean;
  score: number;
  counted: boolean;
  kind: 'practice' | 'review';
  feedback: string[];
  correctAnswerHtml: string | null;
  mastery: { skillId: string; name: string; before: number; after: number; mastered: boolean }[];
  review: { dueAt: string };
}
interface SkillMastery {
  skillId: string;
  name: string;
  pKnown: number;
  attempts: number;
  mastered: boolean;
  source: string;
  confidence: number;
  reviewDueAt: string | null;
}

interface ChoiceQuestion {
  id: string;
  correct: string;
  wrong: string;
  skills: string[];
}

// Default BKT parameters: prior .3, learn .1, guess .2, slip .1 (bkt.ts), worked by hand:
// correct: P(L|c) = .3·.9 / (.3·.9 + .7·.2) = .27/.41; then + (1 − P)·.1.
const AFTER_ONE_CORRECT = 0.27 / 0.41 + (1 - 0.27 / 0.41) * 0.1;
// wrong: P(L|w) = .3·.1 / (.3·.1 + .7·.8) = .03/.59; then + (1 − P)·.1.
const AFTER_ONE_WRONG = 0.03 / 0.59 + (1 - 0.03 / 0.59) * 0.1;

describe.each(testDialects())('practice, mastery and reviews, %s', (dialect) => {
  let t: TestApp;
  const clock = new FakeClock('2026-11-02T09:00:00.000Z');
  let learner: TestClient;
  let learnerId: string;
  let other: TestClient;
  let instructor: TestClient;
  let questions: ChoiceQuestion[];
  const accounts: { client: TestClient; email: string; password: string }[] = [];
  /** After the clock jumps past the session lifetime, every client logs in again. */
  const logInAgain = async () => {
    for (const a of accounts) {
      const fresh = new TestClient(t.app);
      expect((await fresh.login(a.email, a.password)).statusCode).toBe(200);
      Object.assign(a.client, fresh);
    }
  };

  const answer = (client: TestClient, body: unknown) => client.post('/api/practice/answers', body);
  const ok = async (client: TestClient, body: unknown) => {
    const res = await answer(client, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as AnswerResult;
  };
  const single = (q: ChoiceQuestion, option: string) => ({
    questionId: q.id,
    response: { type: 'single_choice', optionId: option },
  });
  const masteryOf = async (client: TestClient, query = '') => {
    const res = await client.get(`/api/mastery${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { skills: SkillMastery[] }).skills;
  };
  const counts = async () => ({
    responses: Number(
      (
        await t.deps.database.db
          .selectFrom('question_responses')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    evidence: Number(
      (
        await t.deps.database.db
          .selectFrom('mastery_evidence')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });

  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock });
    expect(
      (await t.deps.graph.importFiles(textSources(demoTexts()), { source: 'seed' })).status,
    ).toBe('imported');
    expect((await seedDemoQuestions(t.deps.questions)).status).toBe('imported');
    const login = async (role: 'learner' | 'instructor') => {
      const user = await createUser(t.deps, { role });
      const client = new TestClient(t.app);
      expect((await client.login(user.email, user.password)).statusCode).toBe(200);
      accounts.push({ client, email: user.email, password: user.password });
      return { client, id: user.id };
    };
    const l = await login('learner');
    learner = l.client;
    learnerId = l.id;
    other = (await login('learner')).client;
    instructor = (await login('instructor')).client;

    // The demo's single-choice questions with their skills (accepted tags), from the database.
    const rows = await t.deps.database.db
      .selectFrom('questions')
      .select(['id', 'answers'])
      .where('type', '=', 'single_choice')
      .where('status', '=', 'published')
      .orderBy('id')
      .execute();
    questions = [];
    for (const row of rows) {
      const options = (JSON.parse(row.answers) as { options: { id: string; weight: number }[] })
        .options;
      const skills = await t.deps.database.db
        .selectFrom('question_tags as qt')
        .innerJoin('graph_nodes as n', 'n.id', 'qt.node_id')
        .select('n.id')
        .where('qt.question_id', '=', row.id)
        .where('qt.status', '=', 'accepted')
        .where('n.kind', '=', 'skill')
        .execute();
      if (skills.length === 0) continue;
      questions.push({
        id: row.id,
        correct: options.find((o) => o.weight === 100)!.id,
        wrong: options.find((o) => o.weight <= 0)!.id,
        skills: skills.map((s) => s.id),
      });
    }
    expect(questions.length).toBeGreaterThanOrEqual(4);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('a learner sees a question to practise without its answers, with the skills it tests', async () => {
    const q = questions[0]!;
    const res = await learner.get(`/api/practice/questions/${q.id}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      options: { id: string; html: string }[];
      skills: { id: string }[];
    };
    expect(body.skills.map((s) => s.id).sort()).toEqual([...q.skills].sort());
    expect(res.body).not.toContain('weight');
    expect(body.options.length).toBeGreaterThanOrEqual(2);
  });

  it('a first answer is graded, moves BKT on each skill by the formula and schedules a review', async () => {
    const q = questions[0]!;
    const result = await ok(learner, single(q, q.correct));
    expect(result).toMatchObject({ correct: true, score: 1, counted: true, kind: 'practice' });
    expect(result.mastery.map((m) => m.skillId).sort()).toEqual([...q.skills].sort());
    for (const m of result.mastery) {
      expect(m.before).toBeCloseTo(0.3, 12);
      expect(m.after).toBeCloseTo(AFTER_ONE_CORRECT, 12);
      expect(m.name).not.toBe(m.skillId);
    }
    expect(new Date(result.review.dueAt).getTime()).toBeGreaterThan(clock.now().getTime());

    const mastery = await masteryOf(learner);
    for (const skill of q.skills) {
      const s = mastery.find((m) => m.skillId === skill)!;
      expect(s).toMatchObject({ attempts: 1, source: 'practice', mastered: false });
      expect(s.pKnown).toBeCloseTo(AFTER_ONE_CORRECT, 12);
      expect(s.confidence).toBeCloseTo(s.pKnown, 12);
      expect(s.reviewDueAt).toBe(result.review.dueAt);
    }
  });

  it('answering again straight away is a retry: recorded, graded, not counted', async () => {
    const q = questions[0]!;
    const before = await counts();
    const retry = await ok(learner, single(q, q.wrong));
    expect(retry).toMatchObject({ correct: false, counted: false, mastery: [] });
    const after = await counts();
    expect(after.responses).toBe(before.responses + 1);
    expect(after.evidence).toBe(before.evidence);
    const s = (await masteryOf(learner)).find((m) => m.skillId === q.skills[0])!;
    expect(s.attempts).toBe(1);
  });

  it('the evidence trail lists the answer that moved the estimate', async () => {
    const q = questions[0]!;
    const res = await learner.get(`/api/mastery/skills/${q.skills[0]}/evidence`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      state: SkillMastery;
      entries: {
        kind: string;
        correct: boolean;
        before: number;
        after: number;
        question: { id: string; preview: string };
      }[];
    };
    expect(body.entries).toHaveLength(1);
    expect(body.entries[0]).toMatchObject({
      kind: 'practice',
      correct: true,
      question: { id: q.id },
    });
    expect(body.entries[0]!.question.preview.length).toBeGreaterThan(0);
    expect(body.entries[0]!.after).toBeCloseTo(body.state.pKnown, 12);
    expect((await learner.get('/api/mastery/skills/no-such-skill/evidence')).statusCode).toBe(404);
  });

  it('a wrong first answer lowers P(L) by the formula', async () => {
    const q = questions.find((x) => !x.skills.some((s) => questions[0]!.skills.includes(s)))!;
    const result = await ok(learner, single(q, q.wrong));
    expect(result.counted).toBe(true);
    for (const m of result.mastery) expect(m.after).toBeCloseTo(AFTER_ONE_WRONG, 12);
  });

  it('a review falls due, lowers displayed confidence while overdue, and counts again when answered', async () => {
    const q = questions[0]!;
    const skill = q.skills[0]!;
    const before = (await masteryOf(learner)).find((m) => m.skillId === skill)!;
    clock.set(new Date(new Date(before.reviewDueAt!).getTime() + 30 * 86_400_000));
    await logInAgain();
    const due = (await learner.get('/api/reviews/due')).json() as {
      total: number;
      items: { questionId: string }[];
    };
    expect(due.items.map((i) => i.questionId)).toContain(q.id);
    const overdue = (await masteryOf(learner)).find((m) => m.skillId === skill)!;
    expect(overdue.pKnown).toBeCloseTo(before.pKnown, 12);
    expect(overdue.confidence).toBeLessThan(overdue.pKnown);

    const review = await ok(learner, single(q, q.correct));
    expect(review).toMatchObject({ counted: true, kind: 'review', correct: true });
    const after = (await masteryOf(learner)).find((m) => m.skillId === skill)!;
    expect(after.attempts).toBe(2);
    expect(after.pKnown).toBeGreaterThan(before.pKnown);
    expect(after.confidence).toBeCloseTo(after.pKnown, 12);
    const dueNow = (await learner.get('/api/reviews/due')).json() as {
      items: { questionId: string }[];
    };
    expect(dueNow.items.map((i) => i.questionId)).not.toContain(q.id);
  });

  it('concurrent answers on one skill lose no update: the evidence forms one chain', async () => {
    const skill = questions[1]!.skills[0]!;
    const sameSkill = questions.filter((q) => q.skills.includes(skill));
    const fresh = await createUser(t.deps, { role: 'learner' });
    const client = new TestClient(t.app);
    expect((await client.login(fresh.email, fresh.password)).statusCode).toBe(200);
    await client.csrf();
    const results = await Promise.all(
      sameSkill.map((q, i) => ok(client, single(q, i % 2 === 0 ? q.correct : q.wrong))),
    );
    expect(results.every((r) => r.counted)).toBe(true);
    const s = (await masteryOf(client)).find((m) => m.skillId === skill)!;
    expect(s.attempts).toBe(sameSkill.length);
    const chain = await t.deps.database.db
      .selectFrom('mastery_evidence')
      .select(['p_before', 'p_after'])
      .where('user_id', '=', fresh.id)
      .where('skill_id', '=', skill)
      .orderBy('created_at')
      .execute();
    // Each answer starts where another ended: sorted by value they link into one sequence.
    const befores = chain.map((e) => Number(e.p_before));
    const afters = chain.map((e) => Number(e.p_after));
    expect(befores.filter((b) => Math.abs(b - 0.3) < 1e-12)).toHaveLength(1);
    for (const a of afters) {
      const isLast = Math.abs(a - s.pKnown) < 1e-12;
      const continues = befores.some((b) => Math.abs(b - a) < 1e-12);
      expect(isLast || continues).toBe(true);
    }
  });

  it('a double submit of the same first answer counts once', async () => {
    const q = questions[2]!;
    const fresh = await createUser(t.deps, { role: 'learner' });
    const client = new TestClient(t.app);
    expect((await client.login(fresh.email, fresh.password)).statusCode).toBe(200);
    await client.csrf();
    const results = await Promise.all([1, 2, 3].map(() => ok(client, single(q, q.correct))));
    expect(results.filter((r) => r.counted)).toHaveLength(1);
    const s = (await masteryOf(client)).find((m) => m.skillId === q.skills[0])!;
    expect(s.attempts).toBe(1);
  });

  it('refuses hostile input with a 4xx naming the field, and writes nothing', async () => {
    const q = questions[3]!;
    const before = await counts();
    const cases: [unknown, number, RegExp][] = [
      [{ questionId: q.id, response: { type: 'true_false', value: true } }, 400, /response\.type/],
      [
        { questionId: q.id, response: { type: 'single_choice', optionId: 'z' } },
        400,
        /has no option/,
      ],
      [
        { questionId: 'not-a-uuid', response: { type: 'true_false', value: true } },
        400,
        /questionId/,
      ],
      [{ questionId: q.id, response: { type: 'numeric', value: 'lots' } }, 400, /response/],
      [{ questionId: q.id }, 400, /response/],
      [
        {
          questionId: '00000000-0000-4000-8000-000000000000',
          response: { type: 'true_false', value: true },
        },
        404,
        /no such question/,
      ],
    ];
    for (const [body, status, message] of cases) {
      const res = await answer(learner, body);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatch(message);
    }
    // A draft question cannot be practised.
    const draft = await t.deps.database.db
      .insertInto('questions')
      .values({
        id: '11111111-1111-4111-8111-111111111111',
        type: 'true_false',
        title: null,
        stem: 'Draft',
        format: 'markdown',
        answers: JSON.stringify({ correct: true }),
        general_feedback: null,
        difficulty: null,
        irt_a: null,
        irt_b: null,
        irt_c: null,
        max_marks: 1,
        source: null,
        category: null,
        status: 'draft',
        search_text: 'draft',
        import_id: null,
        created_by: null,
        created_at: clock.now().toISOString(),
        updated_at: clock.now().toISOString(),
        published_at: null,
        archived_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const res = await answer(learner, {
      questionId: draft.id,
      response: { type: 'true_false', value: true },
    });
    expect(res.statusCode).toBe(404);
    // No CSRF token, no session.
    expect(
      (await learner.post('/api/practice/answers', single(q, q.correct), { csrf: false }))
        .statusCode,
    ).toBe(403);
    expect(
      (await new TestClient(t.app).post('/api/practice/answers', single(q, q.correct))).statusCode,
    ).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("a learner cannot read another learner's mastery; staff can, and see the cohort table", async () => {
    expect((await other.get(`/api/mastery?userId=${learnerId}`)).statusCode).toBe(403);
    expect((await other.get('/api/mastery/cohort')).statusCode).toBe(403);
    const seen = await masteryOf(instructor, `?userId=${learnerId}`);
    expect(seen.length).toBeGreaterThan(0);
    expect(
      (await instructor.get('/api/mastery?userId=00000000-0000-4000-8000-000000000000')).statusCode,
    ).toBe(404);
    const cohort = await instructor.get('/api/mastery/cohort');
    expect(cohort.statusCode, cohort.body).toBe(200);
    const body = cohort.json() as {
      skills: { id: string }[];
      learners: { id: string; cells: { skillId: string; pKnown: number; started: boolean }[] }[];
    };
    const row = body.learners.find((l) => l.id === learnerId)!;
    const skill = questions[0]!.skills[0]!;
    expect(body.skills.map((s) => s.id)).toContain(skill);
    expect(row.cells.find((c) => c.skillId === skill)).toMatchObject({ started: true });
    expect((await instructor.get('/api/mastery/cohort?concept=nope')).statusCode).toBe(404);
  });

  it('fits BKT parameters from the recorded answers; skills with too few learners keep the defaults', async () => {
    const kept = await t.deps.mastery.fitParameters({ restarts: 2 });
    expect(kept.fitted).toBe(0);
    expect(kept.keptDefaults).toBeGreaterThan(0);
    const fitted = await t.deps.mastery.fitParameters({ restarts: 2, minLearners: 1 });
    expect(fitted.fitted).toBe(fitted.skills);
    const rows = await t.deps.database.db.selectFrom('bkt_skill_params').selectAll().execute();
    expect(rows).toHaveLength(fitted.fitted);
    for (const r of rows) {
      expect(Number(r.guess)).toBeLessThanOrEqual(0.3);
      expect(Number(r.slip)).toBeLessThanOrEqual(0.3);
    }
    // Back to the defaults for later tests of this file's database.
    await t.deps.mastery.fitParameters({ restarts: 1 });
    expect(await t.deps.database.db.selectFrom('bkt_skill_params').selectAll().execute()).toEqual(
      [],
    );
  });
});
