// The placement test's stopping rule on the SE through the real application (SQLite and
// PostgreSQL): with a loose SE target the test stops on the SE well before the maximum length,
// the stored θ and SE after each answer are the EAP of the stored answers (recomputed here with
// cat.ts), and the last stored SE is the first one at or below the target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { catConfig, startTest, update } from './cat.ts';
import { seedDemoBank, someAnswer as someAnswerTo } from '../../../test/helpers/learning-kit.ts';

interface View {
  id: string;
  status: 'in_progress' | 'finished';
  answered: number;
  se: number;
  stopReason: string | null;
  question: { id: string; type: string } | null;
}

const TARGET_SE = 0.75;
const MAX_ITEMS = 30;

describe.each(testDialects())('placement stopping rule, %s', (dialect) => {
  let t: TestApp;

  const someAnswer = (questionId: string) => someAnswerTo(t, questionId);

  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: {
        PLACEMENT_MAX_ITEMS: String(MAX_ITEMS),
        PLACEMENT_TARGET_SE: String(TARGET_SE),
        PLACEMENT_EXPOSURE: '1',
      },
    });
    await seedDemoBank(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stops once the SE reaches the target, with θ and SE recomputable from the stored answers', async () => {
    const user = await createUser(t.deps, { role: 'learner' });
    const client = new TestClient(t.app);
    expect((await client.login(user.email, user.password)).statusCode).toBe(200);
    await client.csrf();
    const started = await client.post('/api/placement', {});
    expect(started.statusCode, started.body).toBe(201);
    let view = (started.json() as { placement: View }).placement;
    const id = view.id;
    let steps = 0;
    while (view.status === 'in_progress') {
      expect(view.question, 'a test in progress has a current question').not.toBeNull();
      const res = await client.post(`/api/placement/${id}/answers`, {
        questionId: view.question!.id,
        response: await someAnswer(view.question!.id),
      });
      expect(res.statusCode, res.body).toBe(200);
      view = (res.json() as { placement: View }).placement;
      steps++;
      expect(steps).toBeLessThanOrEqual(MAX_ITEMS);
    }
    expect(view.stopReason).toBe('se_reached');
    expect(view.answered).toBe(steps);
    expect(steps).toBeLessThan(MAX_ITEMS);

    const rows = await t.deps.database.db
      .selectFrom('placement_responses')
      .selectAll()
      .where('placement_id', '=', id)
      .orderBy('position')
      .execute();
    expect(rows).toHaveLength(steps);
    let state = startTest(catConfig({ targetSe: TARGET_SE, maxItems: MAX_ITEMS }));
    rows.forEach((r, i) => {
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
      expect(Number(r.theta_after)).toBeCloseTo(state.theta, 9);
      expect(Number(r.se_after)).toBeCloseTo(state.se, 9);
      // Every answer but the last left the SE above the target; the last one reached it.
      if (i < rows.length - 1) expect(state.se).toBeGreaterThan(TARGET_SE);
      else expect(state.se).toBeLessThanOrEqual(TARGET_SE);
    });
    expect(view.se).toBeCloseTo(state.se, 9);

    // Answering after the stop is refused, and nothing more is stored.
    const late = await client.post(`/api/placement/${id}/answers`, {
      questionId: rows[0]!.question_id,
      response: { type: 'true_false', value: false },
    });
    expect([400, 409]).toContain(late.statusCode);
    expect(
      await t.deps.database.db
        .selectFrom('placement_responses')
        .select('question_id')
        .where('placement_id', '=', id)
        .execute(),
    ).toHaveLength(steps);
  });
});
