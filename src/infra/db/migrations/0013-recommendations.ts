// Migration 0013: recommendation sets (src/modules/recommendations). A set is a list of bank
// questions chosen for one learner, each with the knowledge-graph node it practises and the
// reason it was chosen. At most one set per learner is active: a partial unique index on
// learner_id where status = 'active' (both dialects support partial indexes) backs the
// transaction that archives the previous set and inserts the new one.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';
import type { MigrationContext } from './index.ts';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('recommendation_sets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('learner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql.raw(`status in ('active', 'archived')`)),
    )
    .addColumn('trigger', 'text', (c) =>
      c.notNull().check(sql.raw(`trigger in ('request', 'job', 'seed')`)),
    )
    .addColumn('built_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    // When the statistics it was chosen from were read: results written after it are "new".
    .addColumn('built_at', t.timestamp, (c) => c.notNull())
    .addColumn('archived_at', t.timestamp)
    // The learner's latest result write the statistics included (null: none).
    .addColumn('results_at', t.timestamp)
    .addColumn('item_count', 'integer', (c) => c.notNull())
    // JSON text: the targets (nodes) in order with their figures and reasons.
    .addColumn('summary', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('recommendation_sets_one_active')
    .on('recommendation_sets')
    .column('learner_id')
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute();
  await db.schema
    .createIndex('recommendation_sets_learner_idx')
    .on('recommendation_sets')
    .columns(['learner_id', 'built_at'])
    .execute();

  await db.schema
    .createTable('recommendation_items')
    .addColumn('set_id', 'text', (c) =>
      c.notNull().references('recommendation_sets.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) =>
      c.notNull().references('questions.id').onDelete('cascade'),
    )
    // The node it practises, with its name and kind as they were (a later import may rename it).
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('node_name', 'text', (c) => c.notNull())
    .addColumn('node_kind', 'text', (c) =>
      c.notNull().check(sql.raw(`node_kind in ('concept', 'skill')`)),
    )
    .addColumn('tier', 'text', (c) =>
      c.notNull().check(sql.raw(`tier in ('weak', 'prerequisite', 'consolidate')`)),
    )
    .addColumn('difficulty', 'integer')
    .addColumn('level', 'double precision', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('recommendation_items_pk', ['set_id', 'position'])
    .execute();
  await db.schema
    .createIndex('recommendation_items_question_idx')
    .on('recommendation_items')
    .column('question_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recommendation_items').ifExists().execute();
  await db.schema.dropTable('recommendation_sets').ifExists().execute();
}
