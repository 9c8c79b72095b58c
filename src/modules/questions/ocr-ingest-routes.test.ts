// OCR ingestion through the real application on SQLite and PostgreSQL, with the OCR fake (same
// image checks as the engine, scripted text): uploads that become single-choice and written
// drafts, hostile uploads refused whole with nothing stored, access rules, failed recognition,
// retries that never make a second question, the image route and marking a draft reviewed.
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { createTestDatabase, testDialects } from '../../../test/helpers/test-db.ts';
import { buildApp } from '../../app.ts';
import { createDeps } from '../../container.ts';
import { FakeOcr, scriptedOcrResult } from '../../infra/ocr/fake-ocr.ts';
import {
  OcrImageError,
  type OcrInput,
  type OcrResult,
  type RecogniseOptions,
} from '../../infra/ocr/ocr.ts';
import { greyPng, jpegStructure, pngClaiming } from '../../infra/ocr/ocr-test-images.ts';
import type { JobContext } from '../../infra/queue/job-queue.ts';
import { waitForJob } from '../../infra/queue/queue-test-kit.ts';
import { multipartBody, type FormPart } from '../files/test-fixtures.ts';
import { createOcrDraftJob } from './ocr-ingest-jobs.ts';
import { OCR_BATCH_MAX_IMAGES } from './ocr-ingest-service.ts';

const LIMIT = 256 * 1024;
const MC_TEXT =
  '4. Which gas do plants take in\nfor photosynthesis?\nA) Oxygen\nB) Carbon dioxide\nC) Nitrogen';
const WRITTEN_TEXT = 'Explain how the heart pumps blood around the body.\n[3 marks]';

/** The fake, plus a way to make the next recognitions fail as the engine would. */
class ScriptedOcr extends FakeOcr {
  failWith: Error | undefined;
  override async recognise(image: OcrInput, options?: RecogniseOptions): Promise<OcrResult> {
    if (this.failWith) {
      if (!(image instanceof Uint8Array)) image.resume();
      throw this.failWith;
    }
    return super.recognise(image, options);
  }
}

/** A small readable-looking PNG: a white page with a dark band. */
const png = (seed = 0) =>
  greyPng(120, 40, (x, y) => (y > 15 && y < 25 && x > 10 + seed ? 20 : 250));

describe.each(testDialects())('OCR ingestion routes, %s', (dialect) => {
  let t: TestApp;
  let ocr: ScriptedOcr;
  let instructor: TestClient;
  let learner: TestClient;
  let anonymous: TestClient;

  const upload = (client: TestClient, parts: FormPart[]) => {
    const { payload, contentType } = multipartBody(parts);
    return client.request('POST', '/api/questions/ocr', payload, {
      headers: { 'content-type': contentType },
    });
  };
  const image = (filename: string, data: Buffer): FormPart => ({
    name: 'images',
    filename,
    data,
    contentType: 'image/png',
  });
  const count = async (
    table: 'questions' | 'question_ocr_sources' | 'question_ocr_batches' | 'jobs',
  ) => {
    const row = await t.deps.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const blobCount = async () => {
    let n = 0;
    for await (const _ of t.deps.blobs.list('uploads/')) n += 1;
    return n;
  };
  const stored = async () => ({
    blobs: await blobCount(),
    jobs: await count('jobs'),
    questions: await count('questions'),
    sources: await count('question_ocr_sources'),
    batches: await count('question_ocr_batches'),
  });
  const uploadAndWait = async (parts: FormPart[]) => {
    const res = await upload(instructor, parts);
    expect(res.statusCode, res.body).toBe(202);
    const body = res.json() as {
      batch: { id: string; imageCount: number };
      drafts: { id: string; fileName: string; jobId: string }[];
      jobs: { id: string; type: string; state: string }[];
    };
    const jobs = await Promise.all(body.jobs.map((j) => waitForJob(t.deps.jobs, j.id)));
    return { ...body, finished: jobs };
  };
  const detail = async (id: string) => {
    const res = await instructor.get(`/api/questions/ocr/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { draft: Record<string, unknown> & { question: { id: string } | null } })
      .draft;
  };

  beforeAll(async () => {
    const db = await createTestDatabase(dialect);
    const config = testConfig({ DATABASE_URL: db.url, UPLOAD_MAX_BYTES: String(LIMIT) });
    ocr = new ScriptedOcr();
    const deps = createDeps(config, {
      database: db.handle,
      logger: pino({ level: 'silent' }),
      ocr,
    });
    const app = await buildApp(deps);
    await app.ready();
    await deps.jobs.startWorker();
    t = {
      app,
      deps,
      config,
      db,
      async close() {
        await app.close();
        await deps.jobs.stop();
        await db.drop();
      },
    };
    const login = async (role: 'learner' | 'instructor') => {
      const user = await createUser(t.deps, { role });
      const client = new TestClient(t.app);
      expect((await client.login(user.email, user.password)).statusCode).toBe(200);
      return client;
    };
    instructor = await login('instructor');
    learner = await login('learner');
    anonymous = new TestClient(t.app);
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(() => {
    ocr.failWith = undefined;
    ocr.result = scriptedOcrResult(MC_TEXT, 91);
  });

  it('turns an image with lettered options into a single-choice draft, no answer chosen', async () => {
    const bytes = png();
    const { batch, drafts, finished } = await uploadAndWait([image('question 4.png', bytes)]);
    expect(batch.imageCount).toBe(1);
    expect(finished[0]).toMatchObject({
      type: 'questions.ocr-draft',
      state: 'complete',
      progress: 100,
      message: expect.stringMatching(
        /^Draft single-choice question from 16 words \(mean confidence 91%\)$/,
      ),
    });

    const draft = await detail(drafts[0]!.id);
    expect(draft).toMatchObject({
      fileName: 'question 4.png',
      contentType: 'image/png',
      width: 120,
      height: 40,
      status: 'drafted',
      confidence: 91,
      wordCount: 16,
      lowConfidenceWords: 0,
      needsReview: true,
      text: MC_TEXT,
      draftReason: expect.stringMatching(/3 options labelled A\) to C\)/),
      question: { type: 'single_choice', status: 'draft', answerChosen: false },
    });
    const words = draft.words as { text: string; confidence: number; bbox: { x1: number } }[];
    expect(words[0]).toMatchObject({ text: '4.', confidence: 91 });
    expect(words[0]!.bbox.x1).toBeGreaterThan(0);

    const question = await instructor.get(`/api/questions/${draft.question!.id}`);
    expect(question.json().question).toMatchObject({
      type: 'single_choice',
      status: 'draft',
      source: 'ocr',
      stem: 'Which gas do plants take in for photosynthesis?',
      answers: {
        options: [
          { id: 'a', text: 'Oxygen', weight: 0 },
          { id: 'b', text: 'Carbon dioxide', weight: 0 },
          { id: 'c', text: 'Nitrogen', weight: 0 },
        ],
      },
    });

    // The question page can find its image.
    const byQuestion = await instructor.get(`/api/questions/${draft.question!.id}/ocr`);
    expect(byQuestion.statusCode).toBe(200);
    expect(byQuestion.json().draft.id).toBe(drafts[0]!.id);

    // The image comes back as stored, as an attachment, to staff only.
    const img = await instructor.get(`/api/questions/ocr/${drafts[0]!.id}/image`);
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.headers['content-disposition']).toBe(
      `attachment; filename="question 4.png"; filename*=UTF-8''question%204.png`,
    );
    expect(img.headers['x-content-type-options']).toBe('nosniff');
    expect(img.rawPayload.equals(bytes)).toBe(true);
    expect((await learner.get(`/api/questions/ocr/${drafts[0]!.id}/image`)).statusCode).toBe(403);
    expect((await anonymous.get(`/api/questions/ocr/${drafts[0]!.id}/image`)).statusCode).toBe(401);
  });

  it('turns plain text into a written draft worth the marks it states', async () => {
    ocr.result = scriptedOcrResult(WRITTEN_TEXT, 64);
    const { drafts, finished } = await uploadAndWait([image('heart.png', png(1))]);
    expect(finished[0]!.state).toBe('complete');
    const draft = await detail(drafts[0]!.id);
    expect(draft).toMatchObject({
      status: 'drafted',
      confidence: 64,
      lowConfidenceWords: 11,
      question: { type: 'written', answerChosen: true },
    });
    const question = (await instructor.get(`/api/questions/${draft.question!.id}`)).json().question;
    expect(question).toMatchObject({
      type: 'written',
      maxMarks: 3,
      answers: { maxMarks: 3 },
      stem: 'Explain how the heart pumps blood around the body. [3 marks]',
    });
  });

  it('uploads many images as one batch, one job and one draft each, in order', async () => {
    const before = await stored();
    const { batch, drafts, finished } = await uploadAndWait([
      image('p1.png', png(2)),
      image('p2.jpg', png(3)),
      image('p3.png', png(4)),
    ]);
    expect(drafts.map((d) => d.fileName)).toEqual(['p1.png', 'p2.jpg', 'p3.png']);
    expect(finished.map((j) => j.state)).toEqual(['complete', 'complete', 'complete']);
    expect(await stored()).toEqual({
      blobs: before.blobs + 3,
      jobs: before.jobs + 3,
      questions: before.questions + 3,
      sources: before.sources + 3,
      batches: before.batches + 1,
    });
    const list = await instructor.get(`/api/questions/ocr?batch=${batch.id}`);
    expect(list.statusCode, list.body).toBe(200);
    const listed = list.json() as {
      drafts: { fileName: string; needsReview: boolean }[];
      total: number;
    };
    expect(listed.total).toBe(3);
    expect(listed.drafts.map((d) => d.fileName)).toEqual(['p1.png', 'p2.jpg', 'p3.png']);
    expect(listed.drafts.every((d) => d.needsReview)).toBe(true);
    const bad = await instructor.get('/api/questions/ocr?status=done');
    expect(bad.statusCode).toBe(400);
  });

  it('refuses hostile uploads whole, naming the file, and stores nothing', async () => {
    const before = await stored();
    const cases: [string, FormPart[], number, RegExp][] = [
      [
        'a text file named .png',
        [image('good.png', png()), image('notes.png', Buffer.from('just some text\n'.repeat(20)))],
        415,
        /^notes\.png: OCR reads PNG or JPEG images, but the file is not an image/,
      ],
      [
        'a truncated PNG',
        [image('cut.png', png().subarray(0, 60))],
        400,
        /^cut\.png: The PNG image is incomplete/,
      ],
      [
        'an oversized image',
        [
          image(
            'big.png',
            greyPng(700, 700, () => Math.floor(Math.random() * 256)),
          ),
        ],
        413,
        /^big\.png: The image is larger than the OCR limit/,
      ],
      [
        'an image bomb header',
        [image('bomb.png', pngClaiming(100_000, 100_000))],
        413,
        /^bomb\.png: The PNG image is 100000 × 100000 pixels/,
      ],
      [
        'a JPEG without its end',
        [image('half.jpg', jpegStructure(100, 100, { eoi: false }))],
        400,
        /^half\.jpg: The JPEG image is incomplete/,
      ],
      ['zero files', [{ name: 'note', value: 'x' }], 400, /Unknown form field "note"/],
      ['an empty form', [], 400, /The form has no images/],
      [
        'too many files',
        Array.from({ length: OCR_BATCH_MAX_IMAGES + 1 }, (_, i) => image(`q${i}.png`, png())),
        413,
        new RegExp(
          `at most ${OCR_BATCH_MAX_IMAGES} images \\(q${OCR_BATCH_MAX_IMAGES}\\.png is one more\\)`,
        ),
      ],
      [
        'a file in the wrong field',
        [{ name: 'photo', filename: 'a.png', data: png() }],
        400,
        /fields named "images"/,
      ],
    ];
    for (const [what, parts, status, detail] of cases) {
      const res = await upload(instructor, parts);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
      expect(res.json().detail, what).toMatch(detail);
      expect(await stored(), what).toEqual(before);
    }
    const json = await instructor.post('/api/questions/ocr', { images: [] });
    expect(json.statusCode).toBe(415);
    expect(await stored()).toEqual(before);
  });

  it('describes every route in the OpenAPI document', async () => {
    const doc = (await instructor.get('/api/docs/json')).json() as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      '/api/questions/ocr',
      '/api/questions/ocr/{id}',
      '/api/questions/ocr/{id}/image',
      '/api/questions/ocr/{id}/review',
      '/api/questions/{id}/ocr',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });

  it('is for instructors and admins only', async () => {
    const before = await stored();
    const res = await upload(learner, [image('a.png', png())]);
    expect(res.statusCode).toBe(403);
    expect((await upload(anonymous, [image('a.png', png())])).statusCode).toBe(401);
    expect((await learner.get('/api/questions/ocr')).statusCode).toBe(403);
    expect(await stored()).toEqual(before);
  });

  it('ends the job failed with the reason, and no question, when the image cannot be read', async () => {
    const before = await stored();
    ocr.failWith = new OcrImageError('unreadable', 'The PNG image could not be decoded.');
    const { drafts, finished } = await uploadAndWait([image('smudge.png', png(5))]);
    expect(finished[0]).toMatchObject({
      state: 'failed',
      attempts: 1,
      failureReason: 'The PNG image could not be decoded.',
    });
    ocr.failWith = undefined;
    ocr.result = scriptedOcrResult('', 0);
    const blank = await uploadAndWait([image('blank.png', png(6))]);
    expect(blank.finished[0]).toMatchObject({
      state: 'failed',
      attempts: 1,
      failureReason: expect.stringMatching(/^No text was recognised in the image/),
    });
    expect(await count('questions')).toBe(before.questions);
    const failed = await detail(drafts[0]!.id);
    expect(failed).toMatchObject({
      status: 'failed',
      failureReason: 'The PNG image could not be decoded.',
      needsReview: false,
      question: null,
    });
    const list = await instructor.get('/api/questions/ocr?status=failed');
    expect((list.json() as { total: number }).total).toBeGreaterThanOrEqual(2);
    // No draft to review yet.
    const review = await instructor.post(`/api/questions/ocr/${drafts[0]!.id}/review`, {});
    expect(review.statusCode).toBe(409);
  });

  it('never makes a second question for an image, however often its job runs', async () => {
    const { drafts } = await uploadAndWait([image('again.png', png(7))]);
    const first = await detail(drafts[0]!.id);
    const before = await count('questions');

    // The same job type enqueued again for the same image.
    const again = await t.deps.jobs.enqueue('questions.ocr-draft', { sourceId: drafts[0]!.id });
    const done = await waitForJob(t.deps.jobs, again.id);
    expect(done).toMatchObject({
      state: 'complete',
      result: { questionId: first.question!.id, created: false },
    });

    // Two attempts racing past the "already drafted?" check: one question, both see it.
    const second = await uploadAndWait([image('race.png', png(8))]);
    await t.deps.database.db
      .deleteFrom('questions')
      .where('id', '=', (await detail(second.drafts[0]!.id)).question!.id)
      .execute();
    await t.deps.database.db
      .updateTable('question_ocr_sources')
      .set({ status: 'pending', question_id: null })
      .where('id', '=', second.drafts[0]!.id)
      .execute();
    const countBeforeRace = await count('questions');
    const result = {
      ...scriptedOcrResult(MC_TEXT, 80),
      image: { format: 'png' as const, width: 1, height: 1 },
    };
    const outcomes = await Promise.all([
      t.deps.ocrIngest.createDraft(second.drafts[0]!.id, result),
      t.deps.ocrIngest.createDraft(second.drafts[0]!.id, result),
    ]);
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    expect(outcomes[0]!.questionId).toBe(outcomes[1]!.questionId);
    expect(await count('questions')).toBe(countBeforeRace + 1);

    // A handler run after a crash that followed the commit returns the same draft.
    const handler = createOcrDraftJob({ ocrIngest: t.deps.ocrIngest, blobs: t.deps.blobs, ocr });
    const ctx = {
      attempt: 2,
      job: { maxAttempts: 3 },
      progress: async () => {},
      signal: new AbortController().signal,
      log: pino({ level: 'silent' }),
    } as unknown as JobContext; // the handler reads attempt, job.maxAttempts, progress, signal, log
    const rerun = await handler.handler({ sourceId: drafts[0]!.id }, ctx);
    expect(rerun).toMatchObject({ questionId: first.question!.id, created: false });
    expect(await count('questions')).toBe(before + 1);
  });

  it('marks a draft reviewed, moving it on only once its answer is chosen', async () => {
    const { drafts } = await uploadAndWait([image('review.png', png(9))]);
    const draft = await detail(drafts[0]!.id);
    const questionId = draft.question!.id;

    // Correcting the text keeps an unanswered choice draft saveable.
    const fixText = await instructor.request('PATCH', `/api/questions/${questionId}`, {
      stem: 'Which gas do plants take in for photosynthesis? (corrected)',
    });
    expect(fixText.statusCode, fixText.body).toBe(200);

    // Not to review or published without the correct option, by either route.
    const early = await instructor.post(`/api/questions/ocr/${drafts[0]!.id}/review`, {
      status: 'review',
    });
    expect(early.statusCode).toBe(400);
    expect(early.json().code).toBe('ANSWER_MISSING');
    expect((await detail(drafts[0]!.id)).needsReview).toBe(true);
    const publish = await instructor.post(`/api/questions/${questionId}/status`, {
      status: 'published',
    });
    expect(publish.statusCode).toBe(400);
    expect(publish.json().code).toBe('ANSWER_MISSING');
    const bulk = await instructor.post('/api/questions/status', {
      ids: [questionId],
      status: 'review',
    });
    expect(bulk.statusCode).toBe(400);

    const pick = await instructor.request('PATCH', `/api/questions/${questionId}`, {
      answers: {
        options: [
          { id: 'a', text: 'Oxygen', weight: 0 },
          { id: 'b', text: 'Carbon dioxide', weight: 100 },
          { id: 'c', text: 'Nitrogen', weight: 0 },
        ],
      },
    });
    expect(pick.statusCode, pick.body).toBe(200);
    const reviewed = await instructor.post(`/api/questions/ocr/${drafts[0]!.id}/review`, {
      status: 'review',
    });
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    expect(reviewed.json().draft).toMatchObject({
      needsReview: false,
      reviewedAt: expect.any(String),
      question: { status: 'review', answerChosen: true },
    });
    const pending = await instructor.get('/api/questions/ocr?needsReview=true');
    const ids = (pending.json() as { drafts: { id: string }[] }).drafts.map((d) => d.id);
    expect(ids).not.toContain(drafts[0]!.id);
    expect((await learner.post(`/api/questions/ocr/${drafts[0]!.id}/review`, {})).statusCode).toBe(
      403,
    );
  });
});
