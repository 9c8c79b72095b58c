// Auto-tagging through the real application on SQLite and PostgreSQL: a tagging job over an
// import writes suggestions (never over a decision; re-running is idempotent; a rejected tag
// is not suggested again), the review queue lists and filters them, one or all above a
// threshold are accepted or rejected in one go, learners get 403 and never see suggestions, and
// accepted tags are what the bank's concept filter uses.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { waitForJob } from '../../infra/queue/queue-test-kit.ts';
import { demoTexts, textSources } from '../graph/graph-test-kit.ts';

const GIFT = `
::Simplify::Write 12/18 in its simplest form. {=2/3 ~6/9 ~4/6}

::Equation::Solve 3x + 4 = 19. {#5}

::Percent::What is 15% of 80? {#12}

::Share::Share £60 between Ann and Bob in the ratio 2:3. How much does Bob get? {#36}

::Round::Round 7,649 to the nearest hundred. {=7600 ~7650 ~7700}
`;

interface Suggestion {
  questionId: string;
  questionExcerpt: string;
  node: { id: string; externalId: string | null; name: string | null; kind: string | null };
  confidence: number | null;
  reason: string | null;
  reasonHtml: string;
  source: string;
}
interface SuggestionList {
  suggestions: Suggestion[];
  total: number;
  atOrAbove: { threshold: number; count: number }[];
}

describe.each(testDialects())('auto-tagging and the review queue, %s', (dialect) => {
  let t: TestApp;
  let instructor: TestClient;
  let learner: TestClient;
  let importId: string;

  const suggestions = async (query = '') => {
    const res = await instructor.get(`/api/questions/suggestions${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as SuggestionList;
  };
  const tagRows = async () =>
    t.deps.database.db
      .selectFrom('question_tags')
      .selectAll()
      .orderBy('question_id')
      .orderBy('node_id')
      .execute();
  const runTagging = async (body: Record<string, unknown>) => {
    const res = await instructor.post('/api/questions/auto-tag', body);
    expect(res.statusCode, res.body).toBe(202);
    const { job } = res.json() as { job: { id: string; type: string; state: string } };
    expect(job.type).toBe('questions.auto-tag');
    const done = await waitForJob(t.deps.jobs, job.id);
    expect(done.state, done.failureReason ?? '').toBe('complete');
    return done;
  };

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const outcome = await t.deps.graph.importFiles(textSources(demoTexts()), { source: 'seed' });
    expect(outcome.status).toBe('imported');
    const login = async (role: 'learner' | 'instructor') => {
      const user = await createUser(t.deps, { role });
      const client = new TestClient(t.app);
      expect((await client.login(user.email, user.password)).statusCode).toBe(200);
      return client;
    };
    instructor = await login('instructor');
    learner = await login('learner');
    await t.deps.jobs.startWorker();
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    const db = t.deps.database.db;
    await db.deleteFrom('question_tags').execute();
    await db.deleteFrom('questions').execute();
    await db.deleteFrom('question_imports').execute();
    const res = await instructor.post('/api/questions/import', {
      format: 'gift',
      fileName: 'tagging.gift',
      content: GIFT,
      status: 'published',
    });
    expect(res.statusCode, res.body).toBe(201);
    importId = (res.json() as { importId: string }).importId;
  });

  it('suggests the skill each question assesses, with confidence, reason and progress', async () => {
    const job = await runTagging({ importId });
    expect(job.progress).toBe(100);
    expect(job.result).toMatchObject({ questions: 5, tagged: 5, mode: 'offline', fallbacks: 0 });

    const list = await suggestions(`?importId=${importId}&limit=200`);
    const best = new Map<string, Suggestion>();
    for (const s of list.suggestions) {
      const current = best.get(s.questionExcerpt);
      if (!current || (s.confidence ?? 0) > (current.confidence ?? 0))
        best.set(s.questionExcerpt, s);
    }
    const top = (start: string) =>
      [...best].find(([excerpt]) => excerpt.startsWith(start))?.[1].node.externalId;
    expect(top('Write 12/18')).toBe('simplify-fractions');
    expect(top('Solve 3x')).toBe('two-step-equations');
    expect(top('What is 15%')).toBe('percentage-of-amount');
    expect(top('Share £60')).toBe('share-in-ratio');
    expect(top('Round 7,649')).toBe('round-whole-numbers');

    const first = list.suggestions[0]!;
    expect(first.source).toBe('offline');
    expect(first.confidence).toBeGreaterThan(0);
    expect(first.confidence).toBeLessThanOrEqual(1);
    expect(first.reason).toMatch(/^Matched “/);
    expect(first.reasonHtml).toContain('Matched');
    // Most confident first.
    const confidences = list.suggestions.map((s) => s.confidence ?? 0);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(list.atOrAbove[0]).toEqual({ threshold: 0, count: list.total });

    // Every suggestion is `suggested`, undecided; nothing counts in the bank's filters yet.
    for (const row of await tagRows()) {
      expect(row).toMatchObject({ status: 'suggested', decided_by: null, decided_at: null });
    }
    const filtered = await instructor.get('/api/questions?concept=fractions');
    expect((filtered.json() as { total: number }).total).toBe(0);
  });

  it('re-running is idempotent and never touches decisions; a rejected tag is not suggested again', async () => {
    await runTagging({ importId });
    const before = await tagRows();
    await runTagging({ importId });
    expect(await tagRows()).toEqual(before);

    const list = await suggestions(`?importId=${importId}&limit=200`);
    const simplify = list.suggestions.find((s) => s.node.externalId === 'simplify-fractions')!;
    const equation = list.suggestions.find((s) => s.node.externalId === 'two-step-equations')!;
    const reject = await instructor.post(
      `/api/questions/${simplify.questionId}/suggestions/${simplify.node.id}`,
      { decision: 'rejected' },
    );
    expect(reject.statusCode, reject.body).toBe(200);
    const accept = await instructor.post(
      `/api/questions/${equation.questionId}/suggestions/${equation.node.id}`,
      { decision: 'accepted' },
    );
    expect(accept.statusCode, accept.body).toBe(200);
    expect(accept.json()).toMatchObject({ status: 'accepted', decidedAt: expect.any(String) });
    // A manual tag on the percentage question stays manual.
    const percent = list.suggestions.find((s) => s.node.externalId === 'percentage-of-amount')!;
    const manual = await instructor.post(`/api/questions/${percent.questionId}/tags`, {
      node: 'percentage-of-amount',
    });
    expect(manual.statusCode, manual.body).toBe(200);

    await runTagging({ importId });
    const rows = await tagRows();
    const row = (questionId: string, nodeId: string) =>
      rows.find((r) => r.question_id === questionId && r.node_id === nodeId);
    expect(row(simplify.questionId, simplify.node.id)).toMatchObject({ status: 'rejected' });
    expect(row(equation.questionId, equation.node.id)).toMatchObject({
      status: 'accepted',
      source: 'offline',
    });
    expect(row(equation.questionId, equation.node.id)?.decided_by).not.toBeNull();
    expect(row(percent.questionId, percent.node.id)).toMatchObject({
      status: 'accepted',
      source: 'manual',
    });
    // The rejected node is not back in the queue; the decided ones neither.
    const again = await suggestions(`?questionId=${simplify.questionId}`);
    expect(again.suggestions.map((s) => s.node.externalId)).not.toContain('simplify-fractions');
    const decided = await instructor.post(
      `/api/questions/${simplify.questionId}/suggestions/${simplify.node.id}`,
      { decision: 'accepted' },
    );
    expect(decided.statusCode).toBe(404);
  });

  it('bulk-accepts everything at or above a threshold within the filter, in one go', async () => {
    await runTagging({ importId });
    const all = await suggestions(`?importId=${importId}&limit=200`);
    const threshold = 0.5;
    const expected = all.suggestions.filter((s) => (s.confidence ?? 0) >= threshold);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.total);
    expect(all.atOrAbove.find((a) => a.threshold === threshold)?.count).toBe(expected.length);

    // A filter on a node limits the bulk action to its subtree (sub-concepts and skills).
    const ratio = await t.deps.graph.getNode('ratio');
    const subtree = new Set(await t.deps.graph.subtreeIds(ratio.id));
    const inRatio = all.suggestions.filter((s) => subtree.has(s.node.id));
    expect(inRatio.length).toBeGreaterThan(0);
    const ratioOnly = await instructor.post('/api/questions/suggestions/decide', {
      decision: 'accepted',
      threshold: 0,
      filter: { node: 'ratio', importId },
    });
    expect(ratioOnly.statusCode, ratioOnly.body).toBe(200);
    expect(ratioOnly.json()).toEqual({ updated: inRatio.length, status: 'accepted' });

    const res = await instructor.post('/api/questions/suggestions/decide', {
      decision: 'accepted',
      threshold,
      filter: { importId },
    });
    expect(res.statusCode, res.body).toBe(200);
    const alreadyAccepted = expected.filter((s) => subtree.has(s.node.id)).length;
    expect((res.json() as { updated: number }).updated).toBe(expected.length - alreadyAccepted);
    const left = await suggestions(`?importId=${importId}&limit=200`);
    expect(left.suggestions.every((s) => (s.confidence ?? 0) < threshold)).toBe(true);

    // Accepted tags are what the bank's filters use: the concept filter now finds them.
    const fractions = await instructor.get('/api/questions?concept=fractions');
    const fractionQuestions = expected.filter((s) =>
      ['simplify-fractions', 'equivalent-fractions', 'identify-fractions'].includes(
        s.node.externalId ?? '',
      ),
    );
    expect((fractions.json() as { total: number }).total).toBe(
      new Set(fractionQuestions.map((s) => s.questionId)).size,
    );
    for (const row of await tagRows()) {
      if (row.status === 'accepted') expect(row.decided_at).not.toBeNull();
    }
  });

  it('filters the queue by confidence, node and question, and pages it', async () => {
    await runTagging({ importId });
    const all = await suggestions('?limit=200');
    const high = await suggestions('?minConfidence=0.6');
    expect(high.suggestions.every((s) => (s.confidence ?? 0) >= 0.6)).toBe(true);
    const low = await suggestions('?maxConfidence=0.2');
    expect(low.suggestions.every((s) => (s.confidence ?? 0) <= 0.2)).toBe(true);
    const algebra = await suggestions('?node=algebra&limit=200');
    const algebraNodes = new Set(
      await t.deps.graph.subtreeIds((await t.deps.graph.getNode('algebra')).id),
    );
    expect(algebra.total).toBeGreaterThan(0);
    expect(algebra.suggestions.every((s) => algebraNodes.has(s.node.id))).toBe(true);
    expect(algebra.total).toBe(all.suggestions.filter((s) => algebraNodes.has(s.node.id)).length);
    const one = all.suggestions[0]!;
    const ofQuestion = await suggestions(`?questionId=${one.questionId}`);
    expect(ofQuestion.suggestions.every((s) => s.questionId === one.questionId)).toBe(true);
    expect(ofQuestion.total).toBeGreaterThan(0);
    const page1 = await suggestions('?limit=2&offset=0');
    const page2 = await suggestions('?limit=2&offset=2');
    expect(page1.total).toBe(all.total);
    expect(page1.suggestions).toEqual(all.suggestions.slice(0, 2));
    expect(page2.suggestions).toEqual(all.suggestions.slice(2, 4));
    expect((await suggestions('?node=no-such-node')).total).toBe(0);

    const bad = await instructor.get('/api/questions/suggestions?minConfidence=2');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const reversed = await instructor.get(
      '/api/questions/suggestions?minConfidence=0.8&maxConfidence=0.2',
    );
    expect(reversed.statusCode).toBe(400);
  });

  it('tags a selection or what a filter matches', async () => {
    const list = await instructor.get('/api/questions?q=solve');
    const ids = (list.json() as { questions: { id: string }[] }).questions.map((q) => q.id);
    expect(ids).toHaveLength(1);
    const job = await runTagging({ questionIds: ids });
    expect(job.result).toMatchObject({ questions: 1 });
    expect(new Set((await tagRows()).map((r) => r.question_id))).toEqual(new Set(ids));

    const byFilter = await runTagging({ filter: { q: 'ratio' } });
    expect(byFilter.result).toMatchObject({ questions: 1 });
  });

  it('tags a large import in batches, reporting progress, and writes every suggestion', async () => {
    const stems = [
      'Round {n},649 to the nearest hundred.',
      'Write {n}/18 in its simplest form.',
      'What is 15% of {n}0?',
    ];
    const gift = Array.from(
      { length: 450 },
      (_, i) => `${stems[i % 3]!.replace('{n}', String(i + 2))} {#1}`,
    ).join('\n\n');
    const res = await instructor.post('/api/questions/import', { format: 'gift', content: gift });
    expect(res.statusCode, res.body).toBe(201);
    const bigImport = (res.json() as { importId: string }).importId;
    const job = await runTagging({ importId: bigImport });
    expect(job.progress).toBe(100);
    expect(job.message).toBe('Tagged 450 of 450 questions');
    expect(job.result).toMatchObject({ questions: 450, tagged: 450, unmatched: 0 });
    const rows = await t.deps.database.db
      .selectFrom('question_tags')
      .innerJoin('questions', 'questions.id', 'question_tags.question_id')
      .select(['questions.id', 'question_tags.status'])
      .where('questions.import_id', '=', bigImport)
      .execute();
    expect(new Set(rows.map((r) => r.id)).size).toBe(450);
    expect((job.result as { suggestions: number }).suggestions).toBe(rows.length);
    expect(rows.every((r) => r.status === 'suggested')).toBe(true);
  });

  it('refuses bad requests with a clear 4xx and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, number]> = [
      [{}, 400],
      [{ importId, questionIds: [importId] }, 400],
      [{ questionIds: ['not-a-uuid'] }, 400],
      [{ questionIds: [] }, 400],
      [{ importId: '00000000-0000-4000-8000-000000000000' }, 404],
      [{ filter: { type: 'essay' } }, 400],
      [{ importId, maxSuggestions: 50 }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await instructor.post('/api/questions/auto-tag', body);
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const badDecision = await instructor.post('/api/questions/suggestions/decide', {
      decision: 'maybe',
      threshold: 0.5,
    });
    expect(badDecision.statusCode).toBe(400);
    const badThreshold = await instructor.post('/api/questions/suggestions/decide', {
      decision: 'accepted',
      threshold: 7,
    });
    expect(badThreshold.statusCode).toBe(400);
    expect(await tagRows()).toEqual([]);
  });

  it('is for staff only: learners get 403 and never see suggested tags', async () => {
    await runTagging({ importId });
    expect((await learner.post('/api/questions/auto-tag', { importId })).statusCode).toBe(403);
    expect((await learner.get('/api/questions/suggestions')).statusCode).toBe(403);
    const one = (await suggestions()).suggestions[0]!;
    const decide = await learner.post(
      `/api/questions/${one.questionId}/suggestions/${one.node.id}`,
      {
        decision: 'accepted',
      },
    );
    expect(decide.statusCode).toBe(403);
    expect(
      (
        await learner.post('/api/questions/suggestions/decide', {
          decision: 'accepted',
          threshold: 0,
        })
      ).statusCode,
    ).toBe(403);
    expect((await new TestClient(t.app).get('/api/questions/suggestions')).statusCode).toBe(401);

    // The learner's list shows accepted tags only: none yet, though suggestions exist.
    const seen = await learner.get('/api/questions');
    const questions = (seen.json() as { questions: { tags: unknown[] }[] }).questions;
    expect(questions.length).toBe(5);
    expect(questions.every((q) => q.tags.length === 0)).toBe(true);
    const single = await learner.get(`/api/questions/${one.questionId}`);
    expect(single.statusCode).toBe(200);
    expect(single.body).not.toContain('suggested');
    // The instructor's list does show them, as suggestions.
    const staff = await instructor.get('/api/questions');
    expect(staff.body).toContain('"status":"suggested"');
  });
});
