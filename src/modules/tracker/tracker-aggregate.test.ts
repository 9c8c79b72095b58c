// The weekly job on SQLite and PostgreSQL: the per-learner node statistics it stores match the
// marks, and the dashboards it warms (several learners per batch) are exactly what a dashboard
// computes on its own, under the learner's current version.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { textSources } from '../graph/graph-test-kit.ts';

const GRAPH = {
  concept: ['id,name,description,parent_id,subject,level', 'alg,Algebra,,,Maths,', ''].join('\n'),
  skill: ['id,name,description,concept_id', 's1,Skill 1,,alg', 's2,Skill 2,,alg', ''].join('\n'),
  edges: ['source_id,target_id,type', 's1,s2,prerequisite', ''].join('\n'),
};

describe.each(testDialects())('tracker weekly aggregate, %s', (dialect) => {
  let t: TestApp;
  const learners: string[] = [];
  let paperId: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    expect((await t.deps.graph.importFiles(textSources(GRAPH), { source: 'seed' })).status).toBe(
      'imported',
    );
    const staff = await createUser(t.deps, { role: 'instructor' });
    const paper = await t.deps.tracker.createPaper(
      { id: staff.id, role: 'instructor' },
      {
        title: 'Mock exam',
        questions: [
          { number: '1', maxMarks: 4, nodes: ['s1'] },
          { number: '2', maxMarks: 6, nodes: ['s2'] },
        ],
      },
    );
    paperId = paper.id;
    // Three learners (more would only repeat): 1, 2 and 3 results with different marks.
    for (let l = 0; l < 3; l++) {
      const learner = await createUser(t.deps, { role: 'learner' });
      learners.push(learner.id);
      for (let i = 0; i <= l; i++) {
        await t.deps.tracker.putResult({ id: learner.id, role: 'learner' }, randomUUID(), {
          paperId,
          takenOn: `2026-02-0${i + 1}`,
          marks: [
            { question: '1', marks: (l + i) % 5 },
            { question: '2', marks: (2 * l + i) % 7 },
          ],
        });
      }
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('stores each learner’s sums per node and warms every changed dashboard', async () => {
    const db = t.deps.database.db;
    await db.deleteFrom('tracker_dashboard_cache').execute();
    const out = await t.deps.tracker.runWeeklyAggregate();
    expect(out).toEqual({ learners: 3, results: 6, warmed: 3 });

    const s1 = (await t.deps.graph.requireNode('s1')).id;
    const alg = (await t.deps.graph.requireNode('alg')).id;
    const stats = await db
      .selectFrom('tracker_learner_stats')
      .selectAll()
      .where('learner_id', '=', learners[2]!)
      .execute();
    const byNode = new Map(stats.map((s) => [s.node_id, s]));
    // Learner 3: question 1 got 2, 3, 4 of 4; question 2 got 4, 5, 6 of 6.
    expect(byNode.get(s1)).toMatchObject({ earned: 9, possible: 12, items: 3, kind: 'skill' });
    expect(byNode.get(alg)).toMatchObject({ earned: 24, possible: 30, items: 6, kind: 'concept' });

    const cached = await db
      .selectFrom('tracker_dashboard_cache as c')
      .innerJoin('tracker_learner_versions as v', 'v.learner_id', 'c.learner_id')
      .select(['c.learner_id', 'c.version', 'v.version as current', 'c.computed_at'])
      .execute();
    expect(cached).toHaveLength(3);
    for (const row of cached) expect(row.version).toBe(row.current);

    // What the job cached is what the dashboard computes without a cache.
    for (const id of learners) {
      const actor = { id, role: 'learner' as const };
      const warm = await t.deps.tracker.dashboard(actor, undefined);
      expect(warm.computedAt).toBe(cached.find((c) => c.learner_id === id)!.computed_at);
      await db.deleteFrom('tracker_dashboard_cache').where('learner_id', '=', id).execute();
      const fresh = await t.deps.tracker.dashboard(actor, undefined);
      expect({ ...warm, computedAt: null }).toEqual({ ...fresh, computedAt: null });
      expect(fresh.results).toBe(learners.indexOf(id) + 1);
    }
  });
});
