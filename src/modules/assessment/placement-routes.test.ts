// The placement test through the real application on SQLite and PostgreSQL: the first question
// is the most informative at θ = 0 (exposure control off), the test resumes, refuses answers to
// anything but the current question, counts a double submit once, stops at the maximum length,
// and on finishing writes its per-area result and the initial mastery of the tested areas' skills.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import type { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { parseStoredAnswers, type QuestionType } from '../questions/question-model.ts';
import { information, itemParamsForQuestion } from './irt.ts';
import {
  loggedInLearner,
  rightAnswer as rightAnswerTo,
  seedDemoBank,
} from '../../../test/helpers/learning-kit.ts';

interface View {
  id: string;
  status: 'in_progress' | 'finished';
  answered: number;
  stopReason: string | null;
  question: { id: string; type: string } | null;
  result: {
    areas: {
      id: string;
      name: string;
      theta: number;
      se: number;
      level: string;
      answered: number;
    }[];
    startWith: { skillId: string; pKnown: number }[];
    seeded: number;
  } | null;
}

const MAX_ITEMS = 6;

describe.each(testDialects())('placement test, %s', (dialect) => {
  let t: TestApp;

  const learner = () => loggedInLearner(t);
  const start = async (client: TestClient, status = 201) => {
    const res = await client.post('/api/placement', {});
    expect(res.statusCode, res.body).toBe(status);
    return (res.json() as { placement: View }).placement;
  };
  const rightAnswer = (questionId: string) => rightAnswerTo(t, questionId);
  const answer = (client: TestClient, id: string, body: unknown) =>
    client.post(`/api/placement/${id}/answers`, body);

  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: { PLACEMENT_MAX_ITEMS: String(MAX_ITEMS), PLACEMENT_EXPOSURE: '1' },
    });
    await seedDemoBank(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('starts with the most informative question at θ = 0, and resumes instead of starting twice', async () => {
    const { client } = await learner();
    const view = await start(client);
    expect(view).toMatchObject({ status: 'in_progress', answered: 0 });
    expect(view.question).not.toBeNull();
    // The pool as the service defines it: published, gradable, with an accepted skill tag.
    const pool = await t.deps.database.db
      .selectFrom('questions as q')
      .innerJoin('question_tags as qt', 'qt.question_id', 'q.id')
      .innerJoin('graph_nodes as n', 'n.id', 'qt.node_id')
      .select(['q.id', 'q.type', 'q.answers', 'q.difficulty'])
      .distinct()
      .where('q.status', '=', 'published')
      .where('q.type', '!=', 'written')
      .where('qt.status', '=', 'accepted')
      .where('n.kind', '=', 'skill')
      .execute();
    const infoOf = (q: (typeof pool)[number]) =>
      information(
        0,
        itemParamsForQuestion({
          type: q.type as QuestionType,
          difficulty: q.difficulty,
          irt: null,
          answers: parseStoredAnswers(q.type as QuestionType, q.answers),
        } as Parameters<typeof itemParamsForQuestion>[0]).params,
      );
    const best = Math.max(...pool.map(infoOf));
    const chosen = pool.find((q) => q.id === view.question!.id)!;
    expect(infoOf(chosen)).toBeCloseTo(best, 12);

    const again = await start(client, 200);
    expect(again.id).toBe(view.id);
    expect(again.question!.id).toBe(view.question!.id);
    const resumed = await client.get(`/api/placement/${view.id}`);
    expect((resumed.json() as { placement: View }).placement.question!.id).toBe(view.question!.id);
    expect(resumed.body).not.toContain('weight');
  });

  it('refuses what is not an answer to the current question, and other learners', async () => {
    const { client } = await learner();
    const view = await start(client);
    const other = await learner();
    expect((await other.client.get(`/api/placement/${view.id}`)).statusCode).toBe(404);
    expect(
      (
        await answer(other.client, view.id, {
          questionId: view.question!.id,
          response: await rightAnswer(view.question!.id),
        })
      ).statusCode,
    ).toBe(404);
    const someOther = await t.deps.database.db
      .selectFrom('questions')
      .select('id')
      .where('id', '!=', view.question!.id)
      .where('status', '=', 'published')
      .executeTakeFirstOrThrow();
    const wrongQuestion = await answer(client, view.id, {
      questionId: someOther.id,
      response: { type: 'true_false', value: true },
    });
    expect(wrongQuestion.statusCode).toBe(409);
    expect(wrongQuestion.body).toMatch(/not the question/);
    const badShape = await answer(client, view.id, {
      questionId: view.question!.id,
      response: { type: 'essay' },
    });
    expect(badShape.statusCode).toBe(400);
    expect((await client.post(`/api/placement/not-a-uuid/answers`, {})).statusCode).toBe(400);
    const early = await client.post(`/api/placement/${view.id}/finish`, {});
    expect(early.statusCode).toBe(409);
    expect(early.body).toMatch(/at least one/);
    const rows = await t.deps.database.db
      .selectFrom('placement_responses')
      .selectAll()
      .where('placement_id', '=', view.id)
      .execute();
    expect(rows).toEqual([]);
  });

  it('counts a double submit of the same answer once', async () => {
    const { client } = await learner();
    await client.csrf();
    const view = await start(client);
    const body = { questionId: view.question!.id, response: await rightAnswer(view.question!.id) };
    const results = await Promise.all([1, 2, 3].map(() => answer(client, view.id, body)));
    for (const r of results) expect(r.statusCode, r.body).toBe(200);
    const rows = await t.deps.database.db
      .selectFrom('placement_responses')
      .selectAll()
      .where('placement_id', '=', view.id)
      .execute();
    expect(rows).toHaveLength(1);
    const now = ((await client.get(`/api/placement/${view.id}`)).json() as { placement: View })
      .placement;
    expect(now.answered).toBe(1);
    expect(now.question!.id).not.toBe(view.question!.id);
    // A different answer to an answered question is refused.
    const changed = await answer(client, view.id, {
      questionId: view.question!.id,
      response: { type: 'numeric', value: -12345 },
    });
    expect(changed.statusCode).toBe(409);
  });

  it('stops at the maximum length and seeds the mastery of the tested areas', async () => {
    const { client, id } = await learner();
    let view = await start(client);
    let answered = 0;
    while (view.status === 'in_progress') {
      const res = await answer(client, view.id, {
        questionId: view.question!.id,
        response: await rightAnswer(view.question!.id),
      });
      expect(res.statusCode, res.body).toBe(200);
      view = (res.json() as { placement: View }).placement;
      answered++;
      expect(answered).toBeLessThanOrEqual(MAX_ITEMS);
    }
    expect(view).toMatchObject({
      status: 'finished',
      answered: MAX_ITEMS,
      stopReason: 'max_items',
      question: null,
    });
    const result = view.result!;
    expect(result.areas.length).toBeGreaterThan(0);
    expect(result.areas.reduce((n, a) => n + a.answered, 0)).toBe(MAX_ITEMS);
    // Every answer right: every tested area is above the prior mean.
    for (const a of result.areas) expect(a.theta).toBeGreaterThan(0);
    const states = await t.deps.database.db
      .selectFrom('mastery_states')
      .selectAll()
      .where('user_id', '=', id)
      .execute();
    expect(states).toHaveLength(result.seeded);
    expect(states.every((s) => s.source === 'placement')).toBe(true);
    const evidence = await t.deps.database.db
      .selectFrom('mastery_evidence')
      .selectAll()
      .where('user_id', '=', id)
      .execute();
    expect(evidence.every((e) => e.kind === 'placement' && e.placement_id === view.id)).toBe(true);
    const mastery = (await client.get('/api/mastery')).json() as {
      skills: { skillId: string; source: string; pKnown: number }[];
    };
    expect(mastery.skills).toHaveLength(result.seeded);
    expect(result.startWith[0]!.pKnown).toBeCloseTo(
      Math.min(...mastery.skills.map((s) => s.pKnown)),
      12,
    );
    // Finished: no more answers, and a new start begins a new test.
    const late = await answer(client, view.id, {
      questionId: evidence[0]!.skill_id,
      response: { type: 'true_false', value: true },
    });
    expect(late.statusCode).toBe(409);
    expect(late.body).toMatch(/finished/);
    const latest = (await client.get('/api/placement/latest')).json() as {
      placement: View;
      maxItems: number;
    };
    expect(latest.placement.id).toBe(view.id);
    // What the start page promises: the configured maximum, not a fixed number.
    expect(latest.maxItems).toBe(MAX_ITEMS);
    const next = await start(client, 201);
    expect(next.id).not.toBe(view.id);
  });

  it('a learner may finish early; practice evidence is never overwritten by a later placement', async () => {
    const { client, id } = await learner();
    const view = await start(client);
    const res = await answer(client, view.id, {
      questionId: view.question!.id,
      response: { type: 'true_false', value: true },
    });
    expect([200, 400]).toContain(res.statusCode);
    let current = ((await client.get(`/api/placement/${view.id}`)).json() as { placement: View })
      .placement;
    if (current.answered === 0) {
      const ok = await answer(client, view.id, {
        questionId: current.question!.id,
        response: await rightAnswer(current.question!.id),
      });
      expect(ok.statusCode).toBe(200);
    }
    const finished = await client.post(`/api/placement/${view.id}/finish`, {});
    expect(finished.statusCode, finished.body).toBe(200);
    current = (finished.json() as { placement: View }).placement;
    expect(current).toMatchObject({ status: 'finished', stopReason: 'finished_early' });
    const seeded = await t.deps.database.db
      .selectFrom('mastery_states')
      .selectAll()
      .where('user_id', '=', id)
      .execute();
    expect(seeded.length).toBe(current.result!.seeded);
    // Practise one skill, then place again: that skill keeps its practice state.
    const skill = seeded[0]!.skill_id;
    await t.deps.database.db
      .updateTable('mastery_states')
      .set({ source: 'practice', p_known: 0.5 })
      .where('user_id', '=', id)
      .where('skill_id', '=', skill)
      .execute();
    await t.deps.mastery.seedFromPlacement(id, current.id, [{ skillId: skill, pKnown: 0.9 }]);
    const after = await t.deps.database.db
      .selectFrom('mastery_states')
      .selectAll()
      .where('user_id', '=', id)
      .where('skill_id', '=', skill)
      .executeTakeFirstOrThrow();
    expect(Number(after.p_known)).toBe(0.5);
  });
});
