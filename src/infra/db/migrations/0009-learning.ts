// Migration 0009: the learning record. Every answer a learner gives in practice (or a review) is a
// question_response; the ones that count as an opportunity move the learner's Bayesian Knowledge
// Tracing state on each skill the question tests (mastery_states, one row per learner and skill)
// and leave one mastery_evidence row per skill: P(L) before and after, so a learner can see what
// moved the estimate. A placement test seeds mastery_states with evidence rows of its own.
// bkt_skill_params holds the parameters fitted per skill; a skill without a row uses the
// defaults. review_cards are FSRS cards, one per learner and question.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';
import type { MigrationContext } from './index.ts';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);
  const probability = (c: string) => sql.raw(`${c} >= 0 and ${c} <= 1`);

  await db.schema
    .createTable('question_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) =>
      c.notNull().references('questions.id').onDelete('cascade'),
    )
    // JSON text: the learner's response as sent ({type, optionId | optionIds | value | text}).
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull().check(probability('score')))
    .addColumn('correct', 'integer', (c) => c.notNull().check(sql`correct in (0, 1)`))
    // 1 when the answer was an opportunity for knowledge tracing (see practice-service.ts).
    .addColumn('counted', 'integer', (c) => c.notNull().check(sql`counted in (0, 1)`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql.raw(`kind in ('practice', 'review')`)))
    // Where the answer was given: a learning path's module, when it was (no foreign key: the
    // paths tables come later and a deleted path keeps its learner's history).
    .addColumn('path_id', 'text')
    .addColumn('module_id', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('question_responses_user_idx')
    .on('question_responses')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('question_responses_user_question_idx')
    .on('question_responses')
    .columns(['user_id', 'question_id'])
    .execute();
  await db.schema
    .createIndex('question_responses_module_idx')
    .on('question_responses')
    .columns(['module_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('bkt_skill_params')
    .addColumn('skill_id', 'text', (c) =>
      c.primaryKey().references('graph_nodes.id').onDelete('cascade'),
    )
    .addColumn('prior', 'double precision', (c) => c.notNull().check(probability('prior')))
    .addColumn('learn', 'double precision', (c) => c.notNull().check(probability('learn')))
    .addColumn('guess', 'double precision', (c) => c.notNull().check(probability('guess')))
    .addColumn('slip', 'double precision', (c) => c.notNull().check(probability('slip')))
    .addColumn('forget', 'double precision', (c) => c.notNull().check(probability('forget')))
    .addColumn('learners', 'integer', (c) => c.notNull())
    .addColumn('responses', 'integer', (c) => c.notNull())
    .addColumn('log_likelihood', 'double precision', (c) => c.notNull())
    .addColumn('fitted_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('mastery_states')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('skill_id', 'text', (c) =>
      c.notNull().references('graph_nodes.id').onDelete('cascade'),
    )
    .addColumn('p_known', 'double precision', (c) => c.notNull().check(probability('p_known')))
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) =>
      c.notNull().check(sql.raw(`source in ('placement', 'practice')`)),
    )
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_answered_at', t.timestamp)
    .addPrimaryKeyConstraint('mastery_states_pk', ['user_id', 'skill_id'])
    .execute();
  await db.schema
    .createIndex('mastery_states_skill_idx')
    .on('mastery_states')
    .column('skill_id')
    .execute();

  await db.schema
    .createTable('mastery_evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('skill_id', 'text', (c) =>
      c.notNull().references('graph_nodes.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql.raw(`kind in ('practice', 'review', 'placement')`)),
    )
    .addColumn('response_id', 'text', (c) =>
      c.references('question_responses.id').onDelete('cascade'),
    )
    // The placement test that set the value (no foreign key: its table comes later).
    .addColumn('placement_id', 'text')
    .addColumn('correct', 'integer')
    .addColumn('p_correct', 'double precision')
    .addColumn('p_before', 'double precision', (c) => c.notNull())
    .addColumn('p_after', 'double precision', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('mastery_evidence_user_skill_idx')
    .on('mastery_evidence')
    .columns(['user_id', 'skill_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('mastery_evidence_skill_idx')
    .on('mastery_evidence')
    .columns(['skill_id', 'kind'])
    .execute();

  await db.schema
    .createTable('review_cards')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) =>
      c.notNull().references('questions.id').onDelete('cascade'),
    )
    .addColumn('due', t.timestamp, (c) => c.notNull())
    .addColumn('stability', 'double precision', (c) => c.notNull())
    .addColumn('difficulty', 'double precision', (c) => c.notNull())
    .addColumn('scheduled_days', 'integer', (c) => c.notNull())
    .addColumn('learning_steps', 'integer', (c) => c.notNull())
    .addColumn('reps', 'integer', (c) => c.notNull())
    .addColumn('lapses', 'integer', (c) => c.notNull())
    // ts-fsrs State: 0 new, 1 learning, 2 review, 3 relearning.
    .addColumn('state', 'integer', (c) => c.notNull())
    .addColumn('last_review', t.timestamp)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('review_cards_pk', ['user_id', 'question_id'])
    .execute();
  await db.schema
    .createIndex('review_cards_due_idx')
    .on('review_cards')
    .columns(['user_id', 'due'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'review_cards',
    'mastery_evidence',
    'mastery_states',
    'bkt_skill_params',
    'question_responses',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
