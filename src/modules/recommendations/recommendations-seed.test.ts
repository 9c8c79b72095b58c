// The demo recommendation sets on SQLite and PostgreSQL: nothing before the tracker's demo
// results exist; then one archived and one active set for the demo learner, once, starting with
// the weak link the demo is built around (Find equivalent fractions before Adding fractions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { seedDemoAccounts } from '../accounts/seed.ts';
import { seedDemoGraph } from '../graph/graph-seed.ts';
import { loadRolesFile } from '../paths/roles-config.ts';
import { seedDemoQuestions } from '../questions/questions-seed.ts';
import { DEMO_LEARNER_EMAIL, seedDemoTracker } from '../tracker/tracker-seed.ts';
import { seedDemoRecommendations } from './recommendations-seed.ts';

describe.each(testDialects())('demo recommendation sets, %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    await seedDemoAccounts(t.deps.accounts, 'demo-password-123');
    await seedDemoGraph(t.deps.graph);
    await seedDemoQuestions(t.deps.questions);
    await t.deps.paths.seedRoles(loadRolesFile());
  });

  afterAll(async () => {
    await t?.close();
  });

  it('waits for the demo results, then seeds one archived and one active set once', async () => {
    expect(await seedDemoRecommendations(t.deps)).toEqual({ status: 'skipped' });
    await seedDemoTracker(t.deps);
    expect(await seedDemoRecommendations(t.deps)).toEqual({
      status: 'seeded',
      active: 1,
      archived: 1,
    });
    expect(await seedDemoRecommendations(t.deps)).toEqual({ status: 'skipped' });

    const learner = (await t.deps.accounts.findUserByEmail(DEMO_LEARNER_EMAIL))!;
    const self = { id: learner.id, role: 'learner' as const };
    const active = (await t.deps.recommendations.active(self, undefined))!;
    expect(active.items.length).toBeGreaterThanOrEqual(6);
    const archived = await t.deps.recommendations.list(self, {
      status: 'archived',
      limit: 10,
      offset: 0,
    });
    expect(archived.total).toBe(1);
    expect(archived.sets[0]!.builtAt < active.builtAt).toBe(true);
    const names = active.targets.map((x) => x.node.name);
    const equivalent = names.indexOf('Find equivalent fractions');
    expect(equivalent).toBeGreaterThanOrEqual(0);
    expect(equivalent).toBeLessThan(names.indexOf('Adding fractions'));
    expect(active.items.every((i) => i.reason.length > 20)).toBe(true);
    // Golden resources from the roles catalogue for the set's skills.
    expect(active.resources.length).toBeGreaterThan(0);
    const skillNames = new Set(active.targets.map((x) => x.node.name));
    for (const r of active.resources) {
      expect(r.url).toMatch(/^https?:\/\//);
      expect(r.skills.length).toBeGreaterThan(0);
      for (const s of r.skills) expect(skillNames.has(s)).toBe(true);
    }
  });
});
