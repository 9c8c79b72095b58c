// Migration 0014: indexes that cost less on the answer path.
// - question_tags: the (status, confidence) index existed for the tag review queue, but SQLite's
//   planner (without ANALYZE statistics) also chose it for "the accepted skills of question X",
//   scanning every accepted tag of the bank on each practice answer instead of the primary key's
//   (question_id, …) prefix. A partial index over the pending suggestions serves the review queue
//   (its queries name the status as a literal) and cannot be used for accepted tags.
// - question_responses: most answers are not given inside a learning path; the module index now
//   holds only those that are, so practice outside paths does not maintain it.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('question_tags_status_idx').execute();
  await db.schema
    .createIndex('question_tags_suggested_idx')
    .on('question_tags')
    .column('confidence')
    .where(sql.ref('status'), '=', sql.lit('suggested'))
    .execute();

  await db.schema.dropIndex('question_responses_module_idx').execute();
  await db.schema
    .createIndex('question_responses_module_idx')
    .on('question_responses')
    .columns(['module_id', 'user_id'])
    .where(sql.ref('module_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('question_responses_module_idx').execute();
  await db.schema
    .createIndex('question_responses_module_idx')
    .on('question_responses')
    .columns(['module_id', 'user_id'])
    .execute();
  await db.schema.dropIndex('question_tags_suggested_idx').execute();
  await db.schema
    .createIndex('question_tags_status_idx')
    .on('question_tags')
    .columns(['status', 'confidence'])
    .execute();
}
