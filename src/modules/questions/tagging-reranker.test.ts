// AI re-ranking of tag suggestions through the real gateway and the real AI SDK client, against
// the local fake OpenAI-compatible server: the model's order wins, ids it invents are discarded,
// and a failing provider or a spent budget falls back to the offline ranking without failing
// the job.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type RecordedRequest,
} from '../../../test/helpers/fake-openai-server.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { createLlmConfigDir } from '../../../test/helpers/llm-config-dir.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { waitForJob } from '../../infra/queue/queue-test-kit.ts';
import { demoTexts, textSources } from '../graph/graph-test-kit.ts';

const GIFT = `
Write 12/18 in its simplest form. {=2/3 ~6/9 ~4/6}

Solve 3x + 4 = 19. {#5}

What is 15% of 80? {#12}
`;

/** The candidate ids the prompt offered, in the offline order. */
function offered(req: RecordedRequest): string[] {
  const messages = req.body.messages as { role: string; content: unknown }[];
  const user = messages.find((m) => m.role === 'user');
  const content =
    typeof user?.content === 'string'
      ? user.content
      : JSON.stringify(user?.content ?? '').replace(/\\n/g, '\n');
  const block = content.split('Candidate skills:')[1] ?? '';
  return [...block.matchAll(/^([a-z0-9-]+): /gm)].map((m) => m[1]!);
}

describe.each(testDialects())(
  'AI re-ranking of suggested tags (fake OpenAI-compatible server), %s',
  (dialect) => {
    let server: FakeOpenAiServer;
    let t: TestApp;
    let instructor: TestClient;
    let importId: string;

    const tags = () =>
      t.deps.database.db
        .selectFrom('question_tags')
        .innerJoin('graph_nodes', 'graph_nodes.id', 'question_tags.node_id')
        .innerJoin('questions', 'questions.id', 'question_tags.question_id')
        .select([
          'questions.stem',
          'graph_nodes.external_id',
          'question_tags.source',
          'question_tags.confidence',
          'question_tags.reason',
        ])
        .execute();
    const tagAll = async () => {
      const res = await instructor.post('/api/questions/auto-tag', { importId });
      expect(res.statusCode, res.body).toBe(202);
      const job = await waitForJob(t.deps.jobs, (res.json() as { job: { id: string } }).job.id);
      expect(job.state, job.failureReason ?? '').toBe('complete');
      return job;
    };

    beforeAll(async () => {
      server = await startFakeOpenAiServer();
      const configDir = createLlmConfigDir({
        features: {
          default: { provider: 'offline', model: 'offline' },
          tagging: {
            provider: 'openai-compatible',
            model: 'fake-model',
            retries: 0,
            timeoutMs: 3000,
          },
        },
      });
      t = await buildTestApp(dialect, {
        env: {
          LLM_CONFIG_DIR: configDir,
          OPENAI_BASE_URL: server.baseUrl,
          OPENAI_API_KEY: 'sk-test',
          LLM_DAILY_TOKEN_BUDGET_PER_USER: '30',
        },
      });
      expect(
        (await t.deps.graph.importFiles(textSources(demoTexts()), { source: 'seed' })).status,
      ).toBe('imported');
      const user = await createUser(t.deps, { role: 'instructor' });
      instructor = new TestClient(t.app);
      expect((await instructor.login(user.email, user.password)).statusCode).toBe(200);
      await t.deps.jobs.startWorker();
    });

    afterAll(async () => {
      await t?.close();
      await server?.close();
    });

    beforeEach(async () => {
      server.reset();
      const db = t.deps.database.db;
      await db.deleteFrom('llm_calls').execute();
      await db.deleteFrom('llm_daily_usage').execute();
      await db.deleteFrom('question_tags').execute();
      await db.deleteFrom('questions').execute();
      const res = await instructor.post('/api/questions/import', { format: 'gift', content: GIFT });
      expect(res.statusCode, res.body).toBe(201);
      importId = (res.json() as { importId: string }).importId;
    });

    it('takes the model’s order among the candidates and discards ids it invents', async () => {
      server.setFallback((req) => {
        const ids = offered(req);
        return {
          kind: 'reply',
          content: JSON.stringify({
            skills: [
              { id: 'skill-that-does-not-exist', confidence: 0.99, reason: 'Invented.' },
              {
                id: ids[1],
                confidence: 0.8,
                reason:
                  'The **second** candidate fits best. <img src=x onerror="alert(1)"><script>alert(2)</script>',
              },
            ],
          }),
          usage: { inputTokens: 5, outputTokens: 3 },
        };
      });
      const job = await tagAll();
      expect(server.requests).toHaveLength(3);
      expect(job.result).toMatchObject({
        mode: 'llm',
        reranked: 3,
        fallbacks: 0,
        discardedIds: 3,
      });
      const rows = await tags();
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row.source).toBe('llm');
        expect(row.confidence).toBe(0.8);
        expect(row.external_id).not.toBe('skill-that-does-not-exist');
        expect(row.reason).toMatch(/^AI: The \*\*second\*\* candidate fits best\./);
      }
      // Each question got the candidate the model chose: the offline second.
      const sent = server.requests.map(offered);
      expect(new Set(rows.map((r) => r.external_id))).toEqual(new Set(sent.map((ids) => ids[1])));
      // The prompt offered only graph ids, at most eight of them.
      for (const ids of sent) expect(ids.length).toBeLessThanOrEqual(8);

      // The queue shows the model's reason as sanitised HTML.
      const queue = await instructor.get('/api/questions/suggestions');
      const first = (queue.json() as { suggestions: { reasonHtml: string; source: string }[] })
        .suggestions[0]!;
      expect(first.source).toBe('llm');
      expect(first.reasonHtml).toContain('<strong>second</strong>');
      expect(first.reasonHtml).not.toMatch(/onerror|<script|alert\(2\)/);
    });

    it('keeps the offline ranking when the model names no candidate', async () => {
      server.setFallback({
        kind: 'reply',
        content: JSON.stringify({ skills: [{ id: 'nope', confidence: 1, reason: 'x' }] }),
        usage: { inputTokens: 5, outputTokens: 3 },
      });
      const job = await tagAll();
      expect(job.result).toMatchObject({ reranked: 0, fallbacks: 3, discardedIds: 3 });
      const rows = await tags();
      expect(rows.length).toBeGreaterThanOrEqual(3);
      expect(rows.every((r) => r.source === 'offline')).toBe(true);
    });

    it('falls back to offline on a provider error (500): the job completes and says so', async () => {
      server.setFallback({ kind: 'error', status: 500 });
      const job = await tagAll();
      expect(job.result).toMatchObject({ mode: 'llm', reranked: 0, fallbacks: 3 });
      expect(job.message).toMatch(/3 kept the offline ranking: AI re-ranking failed/);
      const rows = await tags();
      expect(rows.every((r) => r.source === 'offline')).toBe(true);
      expect(rows.find((r) => r.stem.startsWith('Write 12/18'))?.external_id).toBeDefined();
      const calls = await t.deps.database.db.selectFrom('llm_calls').selectAll().execute();
      expect(calls.every((c) => c.feature === 'tagging' && c.status === 'error')).toBe(true);
    });

    it('stops asking the model once the budget is spent, and tags the rest offline', async () => {
      // Each answer costs 40 tokens; the budget is 30 a day: the first call spends it.
      server.setFallback((req) => ({
        kind: 'reply',
        content: JSON.stringify({
          skills: [{ id: offered(req)[0], confidence: 0.7, reason: 'Fits.' }],
        }),
        usage: { inputTokens: 30, outputTokens: 10 },
      }));
      const job = await tagAll();
      expect(server.requests).toHaveLength(1);
      expect(job.result).toMatchObject({ reranked: 1, fallbacks: 1 });
      const rows = await tags();
      expect(rows.filter((r) => r.source === 'llm')).toHaveLength(1);
      expect(rows.filter((r) => r.source === 'offline').length).toBeGreaterThanOrEqual(2);
    });
  },
);
