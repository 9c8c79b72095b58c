// Practice: a learner answers a published bank question and gets feedback. In one transaction the
// response is recorded, knowledge tracing moves on every skill the question tests (its accepted
// skill tags) and the question's review card is rescheduled.
//
// Which answers count. BKT learns from first attempts: the first answer a learner ever gives to a
// question is an opportunity; answering it again straight after seeing the feedback is a retry,
// recorded and graded but not counted (the learner has just been told the answer). An answer to a
// question whose review is due counts again — as a review — since FSRS scheduled it as a fresh
// test of memory. Retries also leave the review card alone.
import type { Kysely } from 'kysely';
import type { Dialect } from '../../infra/db/database.ts';
import { PreparedQuery } from '../../infra/db/prepared.ts';
import type { Transact } from '../../infra/db/write-batch.ts';
import type { Database, Role } from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { plainText, renderInlineRichText, renderRichText } from '../../platform/markdown.ts';
import type { MasteryService, SkillChange } from '../mastery/mastery-service.ts';
import type { StoredCard } from '../mastery/review-scheduler.ts';
import { correctAnswerText, gradeResponse, type LearnerResponse } from '../questions/grading.ts';
import {
  parseStoredAnswers,
  type QuestionType,
  type TypedAnswers,
} from '../questions/question-model.ts';
import { learnerQuestionView } from '../questions/questions-service.ts';

type Db = Kysely<Database>;

export interface PracticeActor {
  id: string;
  role: Role;
}

export interface AnswerInput {
  questionId: string;
  response: LearnerResponse;
  context?: { pathId?: string | undefined; moduleId?: string | undefined } | undefined;
}

export interface AnswerResult {
  responseId: string;
  correct: boolean;
  score: number;
  /** Whether the answer moved knowledge tracing (see the header of this file). */
  counted: boolean;
  kind: 'practice' | 'review';
  /** Sanitised HTML, for what the learner chose. */
  feedback: string[];
  generalFeedbackHtml: string | null;
  correctAnswerHtml: string | null;
  mastery: (SkillChange & { name: string })[];
  review: { dueAt: string };
}

export interface PracticeServiceDeps {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  mastery: MasteryService;
  /** Runs the answer's transaction; a shared group commit on SQLite (infra/db/write-batch.ts). */
  transact?: Transact;
}

const STEM_PREVIEW = 160;
const PARSED_CACHE_SIZE = 2000;

interface ParsedQuestion {
  question: TypedAnswers;
  /** Rendered feedback by its source text. */
  html: Map<string, string>;
  generalFeedbackHtml: string | null;
  correctAnswerHtml: string | null;
}

/** A review card's scheduling columns (StoredCard). */
const CARD_COLUMNS = [
  'due',
  'stability',
  'difficulty',
  'scheduled_days',
  'learning_steps',
  'reps',
  'lapses',
  'state',
  'last_review',
] as const satisfies readonly (keyof StoredCard)[];

export class PracticeService {
  private readonly db: Db;
  private readonly dialect: Dialect;
  private readonly clock: Clock;
  private readonly mastery: MasteryService;
  private readonly transact: Transact;

  constructor(deps: PracticeServiceDeps) {
    this.db = deps.db;
    this.dialect = deps.dialect;
    this.clock = deps.clock;
    this.mastery = deps.mastery;
    this.transact = deps.transact ?? ((fn) => this.db.transaction().execute(fn));
  }

  /** A published question as a learner sees it (no answers), with the skills it practises. */
  async question(questionId: string) {
    const row = await this.publishedQuestion(questionId);
    const skills = await this.skillsOf(questionId);
    return { ...learnerQuestionView(row), skills };
  }

  private async publishedQuestion(questionId: string) {
    const row = await this.sql.publishedQuestion.first(this.db, { questionId });
    if (!row) throw new NotFoundError('There is no such question to practise.');
    return row;
  }

  private async skillsOf(questionId: string, db: Db = this.db) {
    return this.sql.skillsOf.rows(db, { questionId });
  }

  /** The statements of an answer, built once (infra/db/prepared.ts). */
  private readonly sql = {
    publishedQuestion: new PreparedQuery((db, a: { questionId: string }) =>
      db
        .selectFrom('questions')
        .selectAll()
        .where('id', '=', a.questionId)
        .where('status', '=', 'published')
        .where('archived_at', 'is', null),
    ),
    skillsOf: new PreparedQuery((db, a: { questionId: string }) =>
      db
        .selectFrom('question_tags as t')
        .innerJoin('graph_nodes as n', 'n.id', 't.node_id')
        .select(['n.id', 'n.name'])
        .where('t.question_id', '=', a.questionId)
        .where('t.status', '=', 'accepted')
        .where('n.kind', '=', 'skill')
        .orderBy('n.id'),
    ),
    lockCard: new PreparedQuery((db, a: { userId: string; questionId: string; at: string }) =>
      db
        .insertInto('review_cards')
        .values({
          user_id: a.userId,
          question_id: a.questionId,
          due: a.at,
          stability: 0,
          difficulty: 0,
          scheduled_days: 0,
          learning_steps: 0,
          reps: 0,
          lapses: 0,
          state: 0,
          last_review: null,
          updated_at: a.at,
        })
        .onConflict((oc) =>
          oc
            .columns(['user_id', 'question_id'])
            .doUpdateSet((eb) => ({ reps: eb.ref('review_cards.reps') })),
        )
        .returning(CARD_COLUMNS),
    ),
    anyResponse: new PreparedQuery((db, a: { userId: string; questionId: string }) =>
      db
        .selectFrom('question_responses')
        .select('id')
        .where('user_id', '=', a.userId)
        .where('question_id', '=', a.questionId)
        .limit(1),
    ),
    insertResponse: new PreparedQuery(
      (
        db,
        a: {
          id: string;
          userId: string;
          questionId: string;
          response: string;
          score: number;
          correct: number;
          counted: number;
          kind: 'practice' | 'review';
          pathId: string | null;
          moduleId: string | null;
          at: string;
        },
      ) =>
        db.insertInto('question_responses').values({
          id: a.id,
          user_id: a.userId,
          question_id: a.questionId,
          response: a.response,
          score: a.score,
          correct: a.correct,
          counted: a.counted,
          kind: a.kind,
          path_id: a.pathId,
          module_id: a.moduleId,
          created_at: a.at,
        }),
    ),
    updateCard: new PreparedQuery(
      (db, a: { userId: string; questionId: string; at: string } & StoredCard) =>
        db
          .updateTable('review_cards')
          .set({
            due: a.due,
            stability: a.stability,
            difficulty: a.difficulty,
            scheduled_days: a.scheduled_days,
            learning_steps: a.learning_steps,
            reps: a.reps,
            lapses: a.lapses,
            state: a.state,
            last_review: a.last_review,
            updated_at: a.at,
          })
          .where('user_id', '=', a.userId)
          .where('question_id', '=', a.questionId),
    ),
  };

  /**
   * A question's parsed answers and rendered feedback, reused while the row is unchanged
   * (keyed by id and updated_at, so an edit is seen at once).
   */
  private readonly parsed = new Map<string, ParsedQuestion>();

  private parsedQuestion(row: {
    id: string;
    type: string;
    answers: string;
    format: 'markdown' | 'html';
    general_feedback: string | null;
    updated_at: string;
  }): ParsedQuestion {
    const key = `${row.id}|${row.updated_at}`;
    const hit = this.parsed.get(key);
    if (hit) return hit;
    const question = {
      type: row.type,
      answers: parseStoredAnswers(row.type as QuestionType, row.answers),
    } as TypedAnswers;
    const correct = correctAnswerText(question);
    const entry: ParsedQuestion = {
      question,
      html: new Map(),
      generalFeedbackHtml: row.general_feedback
        ? renderRichText(row.general_feedback, row.format)
        : null,
      correctAnswerHtml: correct === null ? null : renderInlineRichText(correct, row.format),
    };
    if (this.parsed.size >= PARSED_CACHE_SIZE) {
      this.parsed.delete(this.parsed.keys().next().value!);
    }
    this.parsed.set(key, entry);
    return entry;
  }

  async answer(actor: PracticeActor, input: AnswerInput): Promise<AnswerResult> {
    const row = await this.publishedQuestion(input.questionId);
    const parsed = this.parsedQuestion(row);
    const question = parsed.question;
    // Grading first: a response of the wrong shape is refused before anything is written.
    const grade = gradeResponse(question, input.response);
    const skills = await this.skillsOf(row.id);
    const names = new Map(skills.map((s) => [s.id, s.name]));
    const now = this.clock.now();
    const at = now.toISOString();
    const responseId = newId();

    const outcome = await this.transact(async (trx) => {
      // The review card is the learner's lock on this question: it is created (empty) if
      // missing or touched, which locks it until commit, and read back in the same statement, so a second answer at the same moment (a double click)
      // waits for this one and then sees it as an earlier answer: a retry, not counted twice.
      const locked = await this.sql.lockCard.first(trx, {
        userId: actor.id,
        questionId: row.id,
        at,
      });
      if (!locked) throw new Error('The review card upsert returned no row');
      const card = Number(locked.reps) > 0 ? locked : undefined;
      const answeredBefore =
        card !== undefined ||
        (await this.sql.anyResponse.first(trx, { userId: actor.id, questionId: row.id })) !==
          undefined;
      const due = card !== undefined && new Date(card.due).getTime() <= now.getTime();
      const counted = !answeredBefore || due;
      const kind: 'practice' | 'review' = due ? 'review' : 'practice';
      await this.sql.insertResponse.execute(trx, {
        id: responseId,
        userId: actor.id,
        questionId: row.id,
        response: JSON.stringify(input.response),
        score: grade.score,
        correct: grade.correct ? 1 : 0,
        counted: counted ? 1 : 0,
        kind,
        pathId: input.context?.pathId ?? null,
        moduleId: input.context?.moduleId ?? null,
        at,
      });
      let changes: SkillChange[] = [];
      let dueAt = card?.due ?? at;
      if (counted) {
        changes = await this.mastery.applyAnswer(trx, {
          userId: actor.id,
          skillIds: skills.map((s) => s.id),
          correct: grade.correct,
          responseId,
          kind,
          at,
        });
        const stored = card
          ? { ...card, stability: Number(card.stability), difficulty: Number(card.difficulty) }
          : null;
        const next = this.mastery.scheduler.review(stored, grade.score, now);
        dueAt = next.due;
        await this.sql.updateCard.execute(trx, {
          ...next,
          userId: actor.id,
          questionId: row.id,
          at,
        });
      } else if (card === undefined) {
        // Answered before but never scheduled (history from before reviews existed): schedule
        // from this answer rather than leave an empty card due now.
        const next = this.mastery.scheduler.review(null, grade.score, now);
        dueAt = next.due;
        await this.sql.updateCard.execute(trx, {
          ...next,
          userId: actor.id,
          questionId: row.id,
          at,
        });
      }
      return { counted, kind, changes, dueAt };
    });

    const fmt = row.format;
    return {
      responseId,
      correct: grade.correct,
      score: grade.score,
      counted: outcome.counted,
      kind: outcome.kind,
      feedback: grade.feedback.map((f) => {
        let html = parsed.html.get(f);
        if (html === undefined) {
          html = renderInlineRichText(f, fmt);
          parsed.html.set(f, html);
        }
        return html;
      }),
      generalFeedbackHtml: parsed.generalFeedbackHtml,
      correctAnswerHtml: parsed.correctAnswerHtml,
      mastery: outcome.changes.map((c) => ({ ...c, name: names.get(c.skillId) ?? c.skillId })),
      review: { dueAt: outcome.dueAt },
    };
  }

  /** Questions whose review is due, most overdue first. */
  async dueReviews(userId: string, limit = 50) {
    const at = this.clock.now().toISOString();
    const base = this.db
      .selectFrom('review_cards as rc')
      .innerJoin('questions as q', 'q.id', 'rc.question_id')
      .where('rc.user_id', '=', userId)
      .where('rc.due', '<=', at)
      .where('q.status', '=', 'published')
      .where('q.archived_at', 'is', null);
    const [rows, total] = await Promise.all([
      base
        .select([
          'q.id',
          'q.title',
          'q.stem',
          'q.format',
          'q.type',
          'rc.due',
          'rc.reps',
          'rc.lapses',
        ])
        .orderBy('rc.due')
        .orderBy('q.id')
        .limit(limit)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const next = await this.db
      .selectFrom('review_cards')
      .select((eb) => eb.fn.min('due').as('due'))
      .where('user_id', '=', userId)
      .where('due', '>', at)
      .executeTakeFirst();
    return {
      total: Number(total.n),
      nextDueAt: (next?.due as string | null | undefined) ?? null,
      items: rows.map((r) => ({
        questionId: r.id,
        title: r.title,
        preview: preview(r.stem, r.format),
        type: r.type,
        dueAt: r.due,
        reps: Number(r.reps),
        lapses: Number(r.lapses),
      })),
    };
  }

  /** The learner's latest answers with what they did to mastery. */
  async recent(userId: string, limit = 20) {
    const rows = await this.db
      .selectFrom('question_responses as r')
      .innerJoin('questions as q', 'q.id', 'r.question_id')
      .select([
        'r.id',
        'r.question_id',
        'r.score',
        'r.correct',
        'r.counted',
        'r.kind',
        'r.path_id',
        'r.module_id',
        'r.created_at',
        'q.title',
        'q.stem',
        'q.format',
      ])
      .where('r.user_id', '=', userId)
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(limit)
      .execute();
    const ids = rows.map((r) => r.id);
    const evidence =
      ids.length === 0
        ? []
        : await this.db
            .selectFrom('mastery_evidence as e')
            .innerJoin('graph_nodes as n', 'n.id', 'e.skill_id')
            .select(['e.response_id', 'e.skill_id', 'n.name', 'e.p_before', 'e.p_after'])
            .where('e.response_id', 'in', ids)
            .execute();
    const bySkill = new Map<
      string,
      { skillId: string; name: string; before: number; after: number }[]
    >();
    for (const e of evidence) {
      const list = bySkill.get(e.response_id!) ?? [];
      list.push({
        skillId: e.skill_id,
        name: e.name,
        before: Number(e.p_before),
        after: Number(e.p_after),
      });
      bySkill.set(e.response_id!, list);
    }
    return rows.map((r) => ({
      id: r.id,
      questionId: r.question_id,
      title: r.title,
      preview: preview(r.stem, r.format),
      score: Number(r.score),
      correct: Number(r.correct) === 1,
      counted: Number(r.counted) === 1,
      kind: r.kind,
      pathId: r.path_id,
      moduleId: r.module_id,
      at: r.created_at,
      skills: bySkill.get(r.id) ?? [],
    }));
  }
}

function preview(stem: string, format: 'markdown' | 'html'): string {
  const text = plainText(stem, format).replace(/\s+/g, ' ').trim();
  return text.length > STEM_PREVIEW ? `${text.slice(0, STEM_PREVIEW - 1)}…` : text;
}
