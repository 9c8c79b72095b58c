// Migration 0011: placement tests. One row per test a learner takes (at most one in progress per
// learner, by a partial unique index); each answer is a placement_responses row with the item's
// IRT parameters as used, so the ability estimate can be recomputed from the rows alone and a
// test resumes after a restart exactly where it was. (placement_id, question_id) is unique: the
// same answer submitted twice is stored once.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';
import type { MigrationContext } from './index.ts';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('placement_tests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql.raw(`status in ('in_progress', 'finished')`)),
    )
    // JSON text: the areas (top-level concept ids) the test covers.
    .addColumn('areas', 'text', (c) => c.notNull())
    .addColumn('max_items', 'integer', (c) => c.notNull())
    .addColumn('target_se', 'double precision', (c) => c.notNull())
    .addColumn('current_question_id', 'text', (c) =>
      c.references('questions.id').onDelete('set null'),
    )
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addColumn('theta', 'double precision', (c) => c.notNull())
    .addColumn('se', 'double precision', (c) => c.notNull())
    .addColumn('stop_reason', 'text')
    // JSON text: per-area estimates and the mastery seeded, once finished.
    .addColumn('result', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .execute();
  await sql`create unique index placement_tests_one_in_progress on placement_tests (user_id) where status = 'in_progress'`.execute(
    db,
  );
  await db.schema
    .createIndex('placement_tests_user_idx')
    .on('placement_tests')
    .columns(['user_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('placement_responses')
    .addColumn('placement_id', 'text', (c) =>
      c.notNull().references('placement_tests.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) =>
      c.notNull().references('questions.id').onDelete('cascade'),
    )
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('correct', 'integer', (c) => c.notNull().check(sql`correct in (0, 1)`))
    .addColumn('area', 'text')
    .addColumn('irt_a', 'double precision', (c) => c.notNull())
    .addColumn('irt_b', 'double precision', (c) => c.notNull())
    .addColumn('irt_c', 'double precision', (c) => c.notNull())
    .addColumn('irt_d', 'double precision', (c) => c.notNull())
    .addColumn('theta_after', 'double precision', (c) => c.notNull())
    .addColumn('se_after', 'double precision', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('placement_responses_pk', ['placement_id', 'position'])
    .addUniqueConstraint('placement_responses_question_uq', ['placement_id', 'question_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('placement_responses').ifExists().execute();
  await db.schema.dropTable('placement_tests').ifExists().execute();
}
