// Demo recommendation sets for `seed --demo` and the first start of an empty database: the demo
// learner gets an archived set dated a week back and the active set built now, both chosen from
// the demo papers and results the tracker's demo seed logged (run after it). Does nothing when
// the demo learner has no results yet or already has a set.
import type { Clock } from '../../platform/clock.ts';
import { DEMO_LEARNER_EMAIL } from '../tracker/tracker-seed.ts';
import type { RecommendationsService } from './recommendations-service.ts';

export async function seedDemoRecommendations(deps: {
  recommendations: RecommendationsService;
  tracker: { hasResultsSince(learnerId: string, since: string): Promise<boolean> };
  clock: Clock;
  accounts: { findUserByEmail(email: string): Promise<{ id: string } | undefined> };
}): Promise<{ status: 'skipped' } | { status: 'seeded'; active: number; archived: number }> {
  const learner = await deps.accounts.findUserByEmail(DEMO_LEARNER_EMAIL);
  if (!learner) return { status: 'skipped' };
  // The tracker's demo results must exist: the sets are chosen from them.
  if (!(await deps.tracker.hasResultsSince(learner.id, ''))) return { status: 'skipped' };
  const self = { id: learner.id, role: 'learner' as const };
  const existing = await deps.recommendations.list(self, {
    status: 'all',
    limit: 1,
    offset: 0,
  });
  if (existing.total > 0) return { status: 'skipped' };
  const weekAgo = new Date(deps.clock.now().getTime() - 7 * 86_400_000);
  await deps.recommendations.buildFor(learner.id, {
    trigger: 'seed',
    builtBy: null,
    at: weekAgo,
  });
  // The demo results were logged after that date, so this one archives the first.
  const active = await deps.recommendations.buildFor(learner.id, {
    trigger: 'seed',
    builtBy: null,
  });
  const archived = active.archivedSetId ? 1 : 0;
  return { status: 'seeded', active: 1, archived };
}
