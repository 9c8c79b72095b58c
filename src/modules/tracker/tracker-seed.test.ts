// The demo papers and results on SQLite and PostgreSQL: seeded once over the demo graph, with a
// trend, an improvement on the retaken paper and the weak link the demo is built around.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { seedDemoAccounts } from '../accounts/seed.ts';
import { seedDemoGraph } from '../graph/graph-seed.ts';
import { DEMO_LEARNER_EMAIL, seedDemoTracker } from './tracker-seed.ts';

describe.each(testDialects())('demo tracker data, %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    await seedDemoAccounts(t.deps.accounts, 'demo-password-123');
    await seedDemoGraph(t.deps.graph);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('seeds four papers and five results once, with meaningful weak links', async () => {
    expect(await seedDemoTracker(t.deps)).toEqual({ status: 'seeded', papers: 4, results: 5 });
    expect(await seedDemoTracker(t.deps)).toEqual({ status: 'skipped' });
    const learner = (await t.deps.accounts.findUserByEmail(DEMO_LEARNER_EMAIL))!;
    const d = await t.deps.tracker.dashboard({ id: learner.id, role: 'learner' }, undefined);
    expect(d.results).toBe(5);
    expect(d.trend.byPaper.find((p) => p.paperTitle === 'June 2025 Paper 2')!.points).toHaveLength(
      2,
    );
    expect(d.change!.samePaperDelta).toBeGreaterThan(0);
    const adding = d.weakLinks.find((w) => w.node.externalId === 'add-fractions')!;
    expect(adding.rootCause.node.externalId).toBe('equivalent-fractions');
    expect(adding.evidence.length).toBeGreaterThan(0);
    expect(d.strongest.length).toBeGreaterThan(0);
    expect(d.weakest.length).toBeGreaterThan(0);
    const cohort = await t.deps.tracker.cohort();
    expect(cohort.results).toBe(5);
    expect(cohort.weakestSkills[0]!.percent).toBeLessThan(60);
  });
});
