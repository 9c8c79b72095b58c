// The /api/questions routes through the real application on SQLite and PostgreSQL: access rules
// (learners see published questions only and never answers), authoring with field-named errors,
// filters (concept subtree, skill, type, difficulty, status, text), status changes, archiving,
// GIFT and CSV imports that are all-or-nothing (hostile files write nothing), exports that
// import back unchanged, and sanitised rendering.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SUPPORTED_GIFT = readFileSync(path.join(here, 'fixtures', 'supported.gift'), 'utf8');

interface Summary {
  id: string;
  type: string;
  title: string | null;
  excerpt: string;
  status: string;
  difficulty: number | null;
  tags: { nodeId: string; externalId: string | null; status: string }[];
}

describe.each(testDialects())('question bank routes, %s', (dialect) => {
  let t: TestApp;
  let instructor: TestClient;
  let admin: TestClient;
  let learner: TestClient;
  let anonymous: TestClient;
  const nodes: Record<string, string> = {};

  const count = async (table: 'questions' | 'question_imports' | 'question_tags') => {
    const row = await t.deps.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const stored = async () => ({
    questions: await count('questions'),
    imports: await count('question_imports'),
    tags: await count('question_tags'),
  });
  const importJson = (client: TestClient, body: Record<string, unknown>, query = '') =>
    client.post(`/api/questions/import${query}`, body);
  const importRaw = (
    client: TestClient,
    content: Buffer | string,
    query: string,
    type = 'text/plain',
  ) =>
    client.request('POST', `/api/questions/import${query}`, content, {
      headers: { 'content-type': type },
    });
  const list = async (client: TestClient, query = '') => {
    const res = await client.get(`/api/questions${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { questions: Summary[]; total: number; node: { id: string } | null };
  };
  const create = async (body: Record<string, unknown>) => {
    const res = await instructor.post('/api/questions', body);
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { question: { id: string } }).question.id;
  };
  const wipe = async () => {
    const db = t.deps.database.db;
    await db.deleteFrom('question_tags').execute();
    await db.deleteFrom('questions').execute();
    await db.deleteFrom('question_imports').execute();
  };

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const login = async (role: 'learner' | 'instructor' | 'admin') => {
      const user = await createUser(t.deps, { role });
      const client = new TestClient(t.app);
      expect((await client.login(user.email, user.password)).statusCode).toBe(200);
      return client;
    };
    instructor = await login('instructor');
    admin = await login('admin');
    learner = await login('learner');
    anonymous = new TestClient(t.app);

    // A small graph: fractions > equivalent-fractions > skill simplify; decimals apart.
    const now = new Date().toISOString();
    const node = async (externalId: string, kind: 'concept' | 'skill', parent?: string) => {
      const id = randomUUID();
      nodes[externalId] = id;
      await t.deps.database.db
        .insertInto('graph_nodes')
        .values({
          id,
          external_id: externalId,
          kind,
          name: externalId.replace(/-/g, ' '),
          description: '',
          subject: null,
          level: null,
          parent_id: parent ? nodes[parent]! : null,
          attributes: '{}',
          ordinal: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
    };
    await node('fractions', 'concept');
    await node('equivalent-fractions', 'concept', 'fractions');
    await node('simplify-fractions', 'skill', 'equivalent-fractions');
    await node('decimals', 'concept');
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('access', () => {
    let draftId: string;
    let publishedId: string;

    beforeAll(async () => {
      await wipe();
      draftId = await create({
        type: 'single_choice',
        stem: 'Draft question',
        answers: {
          options: [
            { id: 'a', text: 'right-answer-text', weight: 100, feedback: 'secret-feedback' },
            { id: 'b', text: 'wrong', weight: 0 },
          ],
        },
      });
      publishedId = await create({
        type: 'single_choice',
        stem: 'Published question',
        status: 'published',
        generalFeedback: 'general-secret',
        answers: {
          options: [
            { id: 'a', text: 'Paris', weight: 100, feedback: 'secret-feedback' },
            { id: 'b', text: 'Lyon', weight: 0, feedback: 'other-secret' },
          ],
        },
      });
    });

    it('needs a login for everything', async () => {
      expect((await anonymous.get('/api/questions')).statusCode).toBe(401);
      expect((await anonymous.get(`/api/questions/${publishedId}`)).statusCode).toBe(401);
    });

    it('shows learners published questions only, without answers or feedback', async () => {
      const page = await list(learner, '?status=draft,review');
      expect(page.questions.map((q) => q.id)).toEqual([publishedId]);
      expect((await learner.get(`/api/questions/${draftId}`)).statusCode).toBe(404);
      const res = await learner.get(`/api/questions/${publishedId}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        question: {
          view: 'learner',
          id: publishedId,
          type: 'single_choice',
          title: null,
          stemHtml: '<p>Published question</p>',
          options: [
            { id: 'a', html: 'Paris' },
            { id: 'b', html: 'Lyon' },
          ],
          maxMarks: 1,
          difficulty: null,
        },
      });
      expect(res.body).not.toMatch(/secret|weight/);
    });

    it('never puts answers in a list, whoever asks', async () => {
      for (const client of [learner, instructor, admin]) {
        const res = await client.get('/api/questions');
        expect(res.body).not.toMatch(/secret|weight|right-answer-text|"answers"/);
      }
    });

    it('refuses learners every change, import and export', async () => {
      const attempts = [
        learner.post('/api/questions', { type: 'written', stem: 'x', answers: { maxMarks: 1 } }),
        learner.request('PATCH', `/api/questions/${publishedId}`, { stem: 'changed' }),
        learner.post(`/api/questions/${publishedId}/status`, { status: 'draft' }),
        learner.post('/api/questions/status', { ids: [publishedId], status: 'draft' }),
        learner.request('DELETE', `/api/questions/${publishedId}`),
        learner.post(`/api/questions/${publishedId}/restore`),
        learner.post(`/api/questions/${publishedId}/tags`, { node: 'fractions' }),
        importJson(learner, { format: 'gift', content: 'Q {T}' }),
        learner.get('/api/questions/export?format=gift'),
        learner.post('/api/questions/preview', { text: 'x' }),
      ];
      for (const res of await Promise.all(attempts)) expect(res.statusCode).toBe(403);
      expect(await count('questions')).toBe(2);
      const row = await t.deps.questions.get({ id: 'x', role: 'admin' }, publishedId);
      expect(row).toMatchObject({ status: 'published', stem: 'Published question' });
    });

    it('gives instructors and admins everything, drafts included', async () => {
      for (const client of [instructor, admin]) {
        expect((await list(client)).total).toBe(2);
        const res = await client.get(`/api/questions/${draftId}`);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({
          question: {
            view: 'staff',
            answers: { options: [{ text: 'right-answer-text', feedback: 'secret-feedback' }, {}] },
          },
        });
      }
    });

    it('declares access on every route', () => {
      const routes = t.app.routeSummaries.filter((r) => r.url.startsWith('/api/questions'));
      expect(routes.length).toBeGreaterThanOrEqual(12);
      for (const route of routes) expect(route.access, route.url).not.toBeNull();
    });
  });

  describe('authoring', () => {
    beforeEach(wipe);

    it('creates every type and answers with the staff view', async () => {
      const bodies = [
        { type: 'true_false', stem: 'T?', answers: { correct: true } },
        {
          type: 'multiple_choice',
          stem: 'M?',
          answers: {
            options: [
              { id: 'a', text: 'x', weight: 50 },
              { id: 'b', text: 'y', weight: 50 },
              { id: 'c', text: 'z', weight: -100 },
            ],
          },
        },
        {
          type: 'numeric',
          stem: 'N?',
          answers: { answers: [{ kind: 'range', min: 1, max: 2, weight: 100 }] },
        },
        {
          type: 'short_answer',
          stem: 'S?',
          answers: { answers: [{ text: 'Paris', weight: 100 }], caseSensitive: true },
        },
        {
          type: 'written',
          stem: 'W?',
          difficulty: 4,
          irt: { a: 1, b: 0.5, c: 0.2 },
          answers: { maxMarks: 6, markScheme: 'Two points' },
        },
      ];
      for (const body of bodies) await create(body);
      const page = await list(instructor);
      expect(page.questions.map((q) => q.type).sort()).toEqual([
        'multiple_choice',
        'numeric',
        'short_answer',
        'true_false',
        'written',
      ]);
      const written = page.questions.find((q) => q.type === 'written')!;
      const res = await instructor.get(`/api/questions/${written.id}`);
      expect(res.json()).toMatchObject({
        question: {
          maxMarks: 6,
          difficulty: 4,
          irt: { a: 1, b: 0.5, c: 0.2 },
          status: 'draft',
          rendered: { markScheme: '<p>Two points</p>' },
        },
      });
    });

    it.each([
      [
        {
          type: 'single_choice',
          stem: 'Q',
          answers: { options: [{ id: 'a', text: 'x', weight: 100 }] },
        },
        'body.answers.options',
        /at least 2 options/,
      ],
      [
        {
          type: 'single_choice',
          stem: 'Q',
          answers: {
            options: [
              { id: 'a', text: 'x', weight: 0 },
              { id: 'b', text: 'y', weight: 0 },
            ],
          },
        },
        'body.answers.options',
        /one option must be correct/,
      ],
      [
        { type: 'written', stem: '   ', answers: { maxMarks: 2 } },
        'body.stem',
        /must not be empty/,
      ],
      [
        { type: 'written', stem: 'Q', answers: { maxMarks: 0 } },
        'body.answers.maxMarks',
        /above 0/,
      ],
      [
        { type: 'written', stem: 'Q', difficulty: 9, answers: { maxMarks: 1 } },
        'body.difficulty',
        /from 1/,
      ],
      [
        {
          type: 'numeric',
          stem: 'Q',
          answers: { answers: [{ kind: 'range', min: 5, max: 1, weight: 100 }] },
        },
        'body.answers.answers.0.max',
        /min must not be above max/,
      ],
      [{ type: 'essay', stem: 'Q', answers: {} }, 'body.type', /must be one of/],
    ])('refuses a bad question with a 400 naming the field (%#)', async (body, field, message) => {
      const res = await instructor.post('/api/questions', body);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      const problem = res.json() as { errors: { path: string; message: string }[] };
      expect(problem.errors[0]).toEqual({ path: field, message: expect.stringMatching(message) });
      expect(await count('questions')).toBe(0);
    });

    it('updates only what is sent, keeps a valid question, and refuses a broken change', async () => {
      const id = await create({ type: 'true_false', stem: 'Old', answers: { correct: true } });
      const res = await instructor.request('PATCH', `/api/questions/${id}`, {
        stem: 'New **stem**',
        difficulty: 2,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        question: { stem: 'New **stem**', difficulty: 2, answers: { correct: true } },
      });
      const broken = await instructor.request('PATCH', `/api/questions/${id}`, { type: 'numeric' });
      expect(broken.statusCode).toBe(400);
      expect(broken.json()).toMatchObject({ errors: [{ path: 'body.answers.answers' }] });
      const after = await instructor.get(`/api/questions/${id}`);
      expect(after.json()).toMatchObject({
        question: { type: 'true_false', stem: 'New **stem**' },
      });
    });

    it('moves questions through draft, review and published; bulk changes are all or nothing', async () => {
      const a = await create({ type: 'true_false', stem: 'A', answers: { correct: true } });
      const b = await create({ type: 'true_false', stem: 'B', answers: { correct: false } });
      const one = await instructor.post(`/api/questions/${a}/status`, { status: 'review' });
      expect(one.json()).toMatchObject({ question: { status: 'review', publishedAt: null } });
      const missing = randomUUID();
      const partial = await instructor.post('/api/questions/status', {
        ids: [a, b, missing],
        status: 'published',
      });
      expect(partial.statusCode).toBe(404);
      expect((await list(learner)).total).toBe(0);
      const bulk = await instructor.post('/api/questions/status', {
        ids: [a, b],
        status: 'published',
      });
      expect(bulk.json()).toEqual({ updated: 2 });
      expect((await list(learner)).total).toBe(2);
      const bad = await instructor.post(`/api/questions/${a}/status`, { status: 'gone' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ errors: [{ path: 'body.status' }] });
    });

    it('archives (out of every list, hidden from learners) and restores', async () => {
      const id = await create({
        type: 'true_false',
        stem: 'A',
        status: 'published',
        answers: { correct: true },
      });
      const res = await instructor.request('DELETE', `/api/questions/${id}`);
      expect(res.statusCode).toBe(200);
      expect((await list(instructor)).total).toBe(0);
      expect((await list(instructor, '?archived=true')).questions.map((q) => q.id)).toEqual([id]);
      expect((await learner.get(`/api/questions/${id}`)).statusCode).toBe(404);
      const edit = await instructor.request('PATCH', `/api/questions/${id}`, { stem: 'x' });
      expect(edit.statusCode).toBe(400);
      await instructor.post(`/api/questions/${id}/restore`);
      expect((await list(learner)).total).toBe(1);
    });

    it('renders hostile markdown inert in the staff view and the preview', async () => {
      const id = await create({
        type: 'single_choice',
        stem: 'Hi <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>',
        generalFeedback: '<a href="javascript:alert(4)">go</a>',
        answers: {
          options: [
            { id: 'a', text: '<b onmouseover="alert(5)">bold</b>', weight: 100 },
            { id: 'b', text: 'plain', weight: 0, feedback: '<iframe src="https://e.example">' },
          ],
        },
      });
      const res = await instructor.get(`/api/questions/${id}`);
      const rendered = (res.json() as { question: { rendered: unknown } }).question.rendered;
      const html = JSON.stringify(rendered);
      expect(html).not.toMatch(/<script|onerror|onmouseover|href=\\"javascript|<iframe/i);
      expect(rendered).toMatchObject({
        options: [{ id: 'a', text: '<b>bold</b>' }, { id: 'b' }],
      });
      const preview = await instructor.post('/api/questions/preview', {
        text: '**ok** <img src=x onerror=alert(1)>',
      });
      expect(preview.json()).toEqual({ html: '<p><strong>ok</strong> <img src="x" /></p>' });
    });
  });

  describe('filters', () => {
    let ids: Record<string, string>;

    beforeAll(async () => {
      await wipe();
      const q = (stem: string, extra: Record<string, unknown> = {}) =>
        create({ type: 'true_false', stem, answers: { correct: true }, ...extra });
      ids = {
        fractions: await q('Halves and quarters', { difficulty: 1, status: 'published' }),
        equivalent: await q('Equivalent fractions 2/4', { difficulty: 3, status: 'published' }),
        simplify: await q('Simplify 6/8', { difficulty: 5, status: 'review' }),
        decimals: await q('Decimal point 0.5', { difficulty: 2, category: 'Maths/Decimals' }),
        percent: await create({
          type: 'numeric',
          stem: '100% of 50_%',
          category: 'Maths',
          answers: { answers: [{ kind: 'tolerance', value: 50, tolerance: 0, weight: 100 }] },
        }),
      };
      const tag = async (question: string, node: string) => {
        const res = await instructor.post(`/api/questions/${ids[question]}/tags`, { node });
        expect(res.statusCode, res.body).toBe(200);
      };
      await tag('fractions', 'fractions');
      await tag('equivalent', nodes['equivalent-fractions']!); // by internal id
      await tag('simplify', 'simplify-fractions');
      await tag('decimals', 'decimals');
      // A suggested tag does not count in filters.
      await t.deps.database.db
        .insertInto('question_tags')
        .values({
          question_id: ids.percent!,
          node_id: nodes.fractions!,
          status: 'suggested',
          confidence: 0.4,
          reason: 'shares words',
          source: 'offline',
          decided_by: null,
          decided_at: null,
          created_at: new Date().toISOString(),
        })
        .execute();
    });

    const idsOf = async (client: TestClient, query: string) =>
      (await list(client, query)).questions.map((q) => q.id).sort();
    const expected = (...names: string[]) => names.map((n) => ids[n]!).sort();

    it('by concept, including its sub-concepts and their skills, by external or internal id', async () => {
      expect(await idsOf(instructor, '?concept=fractions')).toEqual(
        expected('fractions', 'equivalent', 'simplify'),
      );
      expect(await idsOf(instructor, `?concept=${nodes['equivalent-fractions']}`)).toEqual(
        expected('equivalent', 'simplify'),
      );
      const page = await list(instructor, '?concept=equivalent-fractions');
      expect(page.node).toMatchObject({ id: nodes['equivalent-fractions'], kind: 'concept' });
      expect(await idsOf(learner, '?concept=fractions')).toEqual(
        expected('fractions', 'equivalent'),
      );
    });

    it('by a concept whose subtree is larger than a query may bind as parameters', async () => {
      const now = new Date().toISOString();
      const big = randomUUID();
      const skills = Array.from({ length: 1500 }, () => randomUUID());
      await t.deps.database.db
        .insertInto('graph_nodes')
        .values(
          [big, ...skills].map((id, i) => ({
            id,
            external_id: i === 0 ? 'big-concept' : `big-skill-${i}`,
            kind: i === 0 ? ('concept' as const) : ('skill' as const),
            name: i === 0 ? 'Big concept' : `Skill ${i}`,
            description: '',
            subject: null,
            level: null,
            parent_id: i === 0 ? null : big,
            attributes: '{}',
            ordinal: i,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
      await instructor.post(`/api/questions/${ids.decimals}/tags`, { node: 'big-skill-1499' });
      expect(await idsOf(instructor, '?concept=big-concept')).toEqual(expected('decimals'));
      await instructor.request('DELETE', `/api/questions/${ids.decimals}/tags/${skills[1498]}`);
      expect(await idsOf(instructor, '?concept=big-concept')).toEqual([]);
    });

    it('by skill, and an unknown node gives an empty list', async () => {
      expect(await idsOf(instructor, '?skill=simplify-fractions')).toEqual(expected('simplify'));
      const unknown = await list(instructor, '?concept=no-such-node');
      expect(unknown).toEqual({ questions: [], total: 0, node: null });
    });

    it('by type, status, difficulty range, category and free text', async () => {
      expect(await idsOf(instructor, '?type=numeric')).toEqual(expected('percent'));
      expect(await idsOf(instructor, '?status=review,draft')).toEqual(
        expected('simplify', 'decimals', 'percent'),
      );
      expect(await idsOf(instructor, '?difficultyMin=2&difficultyMax=3')).toEqual(
        expected('equivalent', 'decimals'),
      );
      expect(await idsOf(instructor, '?category=Maths')).toEqual(expected('decimals', 'percent'));
      expect(await idsOf(instructor, '?q=FRACTIONS%202/4')).toEqual(expected('equivalent'));
      // LIKE wildcards in the query are literal characters.
      expect(await idsOf(instructor, '?q=50_%25')).toEqual(expected('percent'));
      expect(await idsOf(instructor, '?q=%25')).toEqual(expected('percent'));
    });

    it('shows tags with node names; learners see accepted tags only', async () => {
      const page = await list(instructor, '?type=numeric');
      expect(page.questions[0]!.tags).toMatchObject([
        { externalId: 'fractions', status: 'suggested' },
      ]);
      const mine = await list(instructor, '?skill=simplify-fractions');
      expect(mine.questions[0]!.tags).toMatchObject([
        { externalId: 'simplify-fractions', status: 'accepted', kind: 'skill' },
      ]);
    });

    it.each([
      ['?type=essay', 'querystring.type'],
      ['?difficultyMin=0', 'querystring.difficultyMin'],
      ['?difficultyMin=4&difficultyMax=2', 'querystring.difficultyMin'],
      ['?limit=1000', 'querystring.limit'],
      ['?archived=maybe', 'querystring.archived'],
      ['?importId=nope', 'querystring.importId'],
    ])('refuses %s with a 400 naming the parameter', async (query, field) => {
      const res = await instructor.get(`/api/questions${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ errors: [{ path: field }] });
    });
  });

  describe('import and export', () => {
    beforeEach(wipe);

    it('imports the GIFT fixture in one go, with counts and warnings', async () => {
      const res = await importJson(instructor, {
        fileName: 'supported.gift',
        content: SUPPORTED_GIFT,
      });
      expect(res.statusCode, res.body).toBe(201);
      const result = res.json();
      expect(result).toMatchObject({
        dryRun: false,
        format: 'gift',
        imported: 21,
        byType: {
          single_choice: 6,
          multiple_choice: 1,
          true_false: 6,
          numeric: 4,
          short_answer: 2,
          written: 2,
        },
        warnings: [{ line: 67 }, { line: 69 }],
      });
      expect(await stored()).toEqual({ questions: 21, imports: 1, tags: 0 });
      const page = await list(instructor, `?importId=${result.importId}&limit=200`);
      expect(page.total).toBe(21);
      expect(page.questions.every((q) => q.status === 'draft')).toBe(true);
    });

    it('a dry run reports and writes nothing; a status applies to all new questions', async () => {
      const dry = await importJson(instructor, { content: SUPPORTED_GIFT, dryRun: true });
      expect(dry.statusCode).toBe(200);
      expect(dry.json()).toMatchObject({ dryRun: true, importId: null, imported: 21 });
      expect(await stored()).toEqual({ questions: 0, imports: 0, tags: 0 });
      const res = await importRaw(admin, SUPPORTED_GIFT, '?format=gift&status=published');
      expect(res.statusCode, res.body).toBe(201);
      expect((await list(learner, '?limit=200')).total).toBe(21);
    });

    it('rejects a file with any bad question, listing every problem by line, writing nothing', async () => {
      const content = `${SUPPORTED_GIFT}\n\nBroken {=a ~b\n\nMatching {=a -> b =c -> d}\n`;
      const res = await importJson(instructor, { format: 'gift', content });
      expect(res.statusCode).toBe(400);
      const problem = res.json() as { code: string; detail: string; errors: unknown[] };
      expect(problem.code).toBe('IMPORT_INVALID');
      expect(problem.detail).toMatch(/2 problems; nothing was imported\. Line 72: .*never closed/);
      expect(problem.errors).toEqual([
        { path: 'line 72', message: expect.stringMatching(/never closed/) },
        { path: 'line 74', message: expect.stringMatching(/matching/) },
      ]);
      expect(await stored()).toEqual({ questions: 0, imports: 0, tags: 0 });
    });

    it.each([
      ['unbalanced braces', Buffer.from('Q1 {=a ~b\n\nQ2 {=c ~d}}\n'), 400, /never closed/],
      [
        'a binary file',
        Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff, 0xfe]),
        415,
        /not a text file/,
      ],
      [
        'bytes that are not UTF-8',
        Buffer.from([0x51, 0x20, 0x7b, 0x54, 0x7d, 0xc3, 0x28]),
        415,
        /not valid UTF-8/,
      ],
      ['a 10 MB file', Buffer.alloc(10 * 1024 * 1024, 'Q {T}\n\n'), 413, /larger than 8 MiB/],
      ['an empty file', Buffer.alloc(0), 400, /no questions/],
      ['only comments', Buffer.from('// nothing\n// here\n'), 400, /no questions/],
    ])('refuses %s with a 4xx and writes nothing', async (_name, content, status, detail) => {
      const res = await importRaw(instructor, content, '?format=gift', 'application/octet-stream');
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect((res.json() as { detail: string }).detail).toMatch(detail);
      expect(await stored()).toEqual({ questions: 0, imports: 0, tags: 0 });
    });

    it('refuses binary and oversized content sent as JSON text too', async () => {
      const binary = await importJson(instructor, { content: 'Q {T}\u0000\u0001' });
      expect(binary.statusCode).toBe(415);
      const mangled = await importJson(instructor, { content: 'Q {T}\n\n\uFFFD\uFFFD {F}' });
      expect(mangled.statusCode).toBe(415);
      expect(mangled.json()).toMatchObject({ detail: expect.stringMatching(/line 3/) });
      const big = await importJson(instructor, { content: 'x'.repeat(9 * 1024 * 1024) });
      expect(big.statusCode).toBe(413);
      const missing = await importJson(instructor, { format: 'gift' });
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toMatchObject({ errors: [{ path: 'body.content' }] });
      expect(await stored()).toEqual({ questions: 0, imports: 0, tags: 0 });
    });

    it('imports CSV with tags as accepted tags; an unknown tag rejects the whole file', async () => {
      const csv = [
        'type,stem,options,correct,tags',
        'single_choice,Which is 1/2?,2/4|1/3,a,fractions|equivalent-fractions',
        'true_false,0.5 = 1/2,,true,decimals',
      ].join('\n');
      const bad = await importJson(instructor, {
        fileName: 'bank.csv',
        content: `${csv}\ntrue_false,Q,,false,no-such-skill`,
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({
        errors: [{ path: 'line 4', message: expect.stringMatching(/"no-such-skill"/) }],
      });
      expect(await stored()).toEqual({ questions: 0, imports: 0, tags: 0 });

      const res = await importJson(instructor, { fileName: 'bank.csv', content: csv });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ format: 'csv', imported: 2, tagged: 3 });
      expect(await stored()).toEqual({ questions: 2, imports: 1, tags: 3 });
      expect((await list(instructor, '?concept=decimals')).total).toBe(1);
      expect((await list(instructor, '?concept=fractions')).total).toBe(1);
    });

    it('exports GIFT and CSV that import back to the same questions', async () => {
      await importJson(instructor, { content: SUPPORTED_GIFT, status: 'published' });
      const [first] = (await list(instructor, '?limit=1&type=numeric')).questions;
      await instructor.post(`/api/questions/${first!.id}/tags`, { node: 'decimals' });

      const fetchAll = async () => {
        const page = await list(instructor, '?limit=200');
        const full = await Promise.all(
          page.questions.map(async (q) => {
            const res = await instructor.get(`/api/questions/${q.id}`);
            const { question } = res.json() as { question: Record<string, unknown> };
            return {
              ...Object.fromEntries(
                ['type', 'title', 'stem', 'format', 'generalFeedback', 'answers', 'category'].map(
                  (k) => [k, question[k]],
                ),
              ),
              tags: (question.tags as { externalId: string }[]).map((x) => x.externalId),
            };
          }),
        );
        return full.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      };
      const before = await fetchAll();

      const csv = await instructor.get('/api/questions/export?format=csv');
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.headers['content-disposition']).toMatch(
        /attachment; filename="questions-.*\.csv"/,
      );
      const gift = await instructor.get('/api/questions/export?format=gift&type=numeric');
      expect(gift.body.match(/\{#/g)).toHaveLength(4);

      await wipe();
      const back = await importJson(instructor, { fileName: 'export.csv', content: csv.body });
      expect(back.statusCode, back.body).toBe(201);
      expect(await fetchAll()).toEqual(before);

      const giftAll = await instructor.get('/api/questions/export?format=gift');
      await wipe();
      const again = await importJson(instructor, { format: 'gift', content: giftAll.body });
      expect(again.statusCode, again.body).toBe(201);
      expect((await fetchAll()).map((q) => ({ ...q, tags: [] }))).toEqual(
        before.map((q) => ({ ...q, tags: [] })),
      );
    });
  });
});
