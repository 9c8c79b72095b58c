// A spaced review in Chromium against the real server (demo questions): the learner practises two
// questions (one right, one wrong), nothing is due yet, then time passes, both come back on the
// review queue (most overdue first) and the dashboard, and a review session records two answers as
// reviews and empties the queue again. Screenshots of the queue, a session question and the end.
//
// FSRS learning steps: a new card answered right is due again in 10 minutes, one answered wrong in
// 1 minute (src/modules/mastery/review-scheduler.ts). So the checks that nothing is due yet and
// that the next review is "in 1 minute" must come within a minute of a wrong answer; they come
// within seconds.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { atPath, chromiumAvailable, logIn, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD } from './server-process.ts';

const LEARNER = 'learner@example.com';
const DAY_MS = 86_400_000;

/** Two demo single-choice questions, by a piece of their stem, with a right and a wrong option. */
const PLACE_VALUE = {
  stem: 'digit 7 in 4,702',
  shown: 'What is the value of the digit 7 in 4,702?',
  right: '700',
  wrong: '70',
};
const RATIO = {
  stem: 'ratio of boys to girls',
  shown: 'There are 12 boys and 18 girls in a class.',
  right: '2:3',
  wrong: '3:2',
};

interface AnswerResult {
  correct: boolean;
  counted: boolean;
  kind: 'practice' | 'review';
  review: { dueAt: string };
}
interface DueReviews {
  total: number;
  nextDueAt: string | null;
  items: { questionId: string; dueAt: string }[];
}
interface RecentAnswer {
  questionId: string;
  correct: boolean;
  counted: boolean;
  kind: 'practice' | 'review';
}
interface ReviewCardRow {
  user_id: string;
  question_id: string;
  due: string;
  [column: string]: unknown;
}

describe.skipIf(!chromiumAvailable)('spaced review', () => {
  const suite = useBrowserSuite();
  /** Runs fn on a second connection to the server's own SQLite file (the test's clock). */
  function withServerDb<T>(fn: (db: Database.Database) => T): T {
    const dbFile = path.join(suite.server.dataDir, 'skillbridge.db');
    expect(existsSync(dbFile), dbFile).toBe(true);
    const db = new Database(dbFile);
    try {
      db.pragma('busy_timeout = 10000');
      return fn(db);
    } finally {
      db.close();
    }
  }

  /** Picks the option by its label, checks the answer and returns what the server recorded. */
  async function answer(page: Page, option: string): Promise<AnswerResult> {
    await page.getByRole('radio', { name: option, exact: true }).check();
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.url().endsWith('/api/practice/answers') && r.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Check answer' }).click(),
    ]);
    expect(response.status()).toBe(200);
    return (await response.json()) as AnswerResult;
  }

  /** The session's progress bar (an empty one has no width, so it is attached, not visible). */
  async function progress(page: Page, reviewed: number, of: number) {
    const bar = page.getByRole('progressbar', { name: `${reviewed} of ${of} reviewed` });
    await bar.waitFor({ state: 'attached', timeout: 15_000 });
    expect(await bar.getAttribute('aria-valuenow')).toBe(String((reviewed / of) * 100));
  }

  async function due(page: Page): Promise<DueReviews> {
    const res = await page.request.get('/api/reviews/due');
    expect(res.status()).toBe(200);
    return (await res.json()) as DueReviews;
  }

  it('practised questions fall due, are reviewed in a session and leave the queue', async () => {
    const page = suite.page;
    await page.goto('/login');
    await logIn(page, LEARNER, DEMO_PASSWORD);
    await atPath(page, '/dashboard');

    const list = (await (
      await page.request.get('/api/questions?type=single_choice&limit=100')
    ).json()) as { questions: { id: string; excerpt: string }[] };
    const idOf = (stem: string) => {
      const found = list.questions.filter((q) => q.excerpt.includes(stem));
      expect(found, stem).toHaveLength(1);
      return found[0]!.id;
    };
    const placeValueId = idOf(PLACE_VALUE.stem);
    const ratioId = idOf(RATIO.stem);
    expect((await due(page)).total).toBe(0);

    // 1. Practice: place value right, ratio wrong.
    await page.goto(`/practice/${placeValueId}`);
    await visible(page.getByText(PLACE_VALUE.shown));
    const first = await answer(page, PLACE_VALUE.right);
    expect(first).toMatchObject({ correct: true, counted: true, kind: 'practice' });
    await visible(page.getByText('Correct', { exact: true }));

    await page.goto(`/practice/${ratioId}`);
    await visible(page.getByText(RATIO.shown));
    const second = await answer(page, RATIO.wrong);
    expect(second).toMatchObject({ correct: false, counted: true, kind: 'practice' });
    await visible(page.getByText('Not quite', { exact: true }));
    // FSRS learning steps: a wrong first answer comes back sooner than a right one.
    expect(new Date(second.review.dueAt).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(second.review.dueAt).getTime()).toBeLessThan(
      new Date(first.review.dueAt).getTime(),
    );

    // 2. Nothing is due yet; the page names when the next review is (the ratio question's).
    await page.goto('/reviews');
    await visible(page.getByRole('heading', { name: 'Nothing due for review' }));
    await visible(page.getByText('The next review is due in 1 minute.', { exact: true }));
    expect(await page.getByRole('table', { name: 'Due for review' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /Start review/ }).count()).toBe(0);
    const before = await due(page);
    expect(before).toMatchObject({ total: 0, items: [], nextDueAt: second.review.dueAt });

    // 2b. The page follows the queue: with the ratio card due in 3 s (moved in the server's
    // file as below), the table appears without a reload once that time has come.
    const moved = withServerDb((db) =>
      db
        .prepare(
          'UPDATE review_cards SET due = ? WHERE question_id = ? AND user_id = (SELECT id FROM users WHERE email = ?)',
        )
        .run(new Date(Date.now() + 3_000).toISOString(), ratioId, LEARNER),
    );
    expect(moved.changes).toBe(1);
    await page.reload();
    await visible(page.getByRole('heading', { name: 'Nothing due for review' }));
    await page
      .getByRole('table', { name: 'Due for review' })
      .waitFor({ state: 'visible', timeout: 20_000 });
    await visible(page.getByText('1 question due, most overdue first.'));

    // 3. Time passes. The server runs on the real clock, so the test moves the two cards' due
    // dates into the past in the server's own SQLite file: this is the test's clock. WAL mode lets
    // a second connection write while the server runs; only `due` changes, nothing else.
    let cardsBefore: ReviewCardRow[] = [];
    let cardsAfter: ReviewCardRow[] = [];
    const now = Date.now();
    withServerDb((db) => {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const learner = db.prepare('SELECT id FROM users WHERE email = ?').get(LEARNER) as {
        id: string;
      };
      const cards = db.prepare('SELECT * FROM review_cards WHERE user_id = ? ORDER BY question_id');
      cardsBefore = cards.all(learner.id) as ReviewCardRow[];
      expect(cardsBefore.map((c) => c.question_id).sort()).toEqual([placeValueId, ratioId].sort());
      const setDue = db.prepare(
        'UPDATE review_cards SET due = ? WHERE user_id = ? AND question_id = ?',
      );
      // The place-value card, due later, becomes the more overdue one.
      const moved = db.transaction(() => [
        setDue.run(new Date(now - 3 * DAY_MS).toISOString(), learner.id, placeValueId).changes,
        setDue.run(new Date(now - 1 * DAY_MS).toISOString(), learner.id, ratioId).changes,
      ])();
      expect(moved).toEqual([1, 1]);
      cardsAfter = cards.all(learner.id) as ReviewCardRow[];
    });
    expect(cardsAfter.map(({ due: _due, ...rest }) => rest)).toEqual(
      cardsBefore.map(({ due: _due, ...rest }) => rest),
    );

    // 4. Both are due, most overdue first, and the dashboard counts them.
    await page.reload();
    const queue = await visible(page.getByRole('table', { name: 'Due for review' }));
    await visible(page.getByText('2 questions due, most overdue first.'));
    const rows = queue.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain(PLACE_VALUE.shown);
    expect(await rows.nth(0).textContent()).toContain('3 days ago');
    expect(await rows.nth(1).textContent()).toContain(RATIO.shown);
    expect(await rows.nth(1).textContent()).toContain('yesterday');
    const start = await visible(page.getByRole('link', { name: 'Start review (2)' }));
    expect((await due(page)).items.map((i) => i.questionId)).toEqual([placeValueId, ratioId]);
    await screenshot(page, 'reviews-queue');

    await page.goto('/dashboard');
    const card = page
      .locator('.mantine-Card-root')
      .filter({ has: page.getByRole('heading', { name: 'Due for review' }) });
    await visible(card.getByLabel('2 due'));
    await visible(card.getByText('2 reviews due', { exact: true }));
    await visible(card.getByText(PLACE_VALUE.shown));
    await visible(card.getByText(RATIO.shown));

    // 5. The session: the place-value question wrong this time, the ratio one right.
    await page.goto('/reviews');
    await start.click();
    await atPath(page, '/reviews/session');
    await visible(page.getByText('Question 1 of 2', { exact: true }));
    await progress(page, 0, 2);
    await visible(page.getByText(PLACE_VALUE.shown));
    const review1 = await answer(page, PLACE_VALUE.wrong);
    expect(review1).toMatchObject({ correct: false, counted: true, kind: 'review' });
    await visible(page.getByText('Not quite', { exact: true }));
    await visible(page.getByText(/^Reviewed\. Next review of this question/));
    await screenshot(page, 'reviews-session-question');
    await page.getByRole('button', { name: 'Next question' }).click();

    await visible(page.getByText('Question 2 of 2', { exact: true }));
    await progress(page, 1, 2);
    await visible(page.getByText(RATIO.shown));
    const review2 = await answer(page, RATIO.right);
    expect(review2).toMatchObject({ correct: true, counted: true, kind: 'review' });
    await visible(page.getByText('Correct', { exact: true }));
    await page.getByRole('button', { name: 'Finish' }).click();

    await visible(page.getByRole('heading', { name: 'Review done' }));
    await visible(page.getByText('1 of 2 right.'));
    await progress(page, 2, 2);
    await screenshot(page, 'reviews-session-done');

    // Recorded as reviews, newest first, after the two practice answers.
    const recent = (await (await page.request.get('/api/practice/recent')).json()) as {
      items: RecentAnswer[];
    };
    expect(
      recent.items.map(({ questionId, correct, counted, kind }) => ({
        questionId,
        correct,
        counted,
        kind,
      })),
    ).toEqual([
      { questionId: ratioId, correct: true, counted: true, kind: 'review' },
      { questionId: placeValueId, correct: false, counted: true, kind: 'review' },
      { questionId: ratioId, correct: false, counted: true, kind: 'practice' },
      { questionId: placeValueId, correct: true, counted: true, kind: 'practice' },
    ]);

    // The queue is empty again; the next review is in the future (the place-value card, wrong).
    await page.goto('/reviews');
    await visible(page.getByRole('heading', { name: 'Nothing due for review' }));
    await visible(page.getByText('The next review is due in 1 minute.', { exact: true }));
    const after = await due(page);
    expect(after).toMatchObject({ total: 0, items: [], nextDueAt: review1.review.dueAt });
    expect(new Date(after.nextDueAt!).getTime()).toBeGreaterThan(Date.now());
  });
});
