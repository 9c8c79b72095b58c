// Migration 0007: the question bank: questions (type-specific answers as one JSON document, validated by zod in
// src/modules/questions/question-model.ts), the import runs they came from, and their tags on
// knowledge-graph nodes (suggested | accepted | rejected), ready for the auto-tagging work.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';
import type { MigrationContext } from './index.ts';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
const TYPES = [
  'single_choice',
  'multiple_choice',
  'true_false',
  'numeric',
  'short_answer',
  'written',
] as const;
const STATUSES = ['draft', 'review', 'published'] as const;

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('question_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('format', 'text', (c) => c.notNull().check(sql.raw(`format in ('gift', 'csv')`)))
    .addColumn('file_name', 'text')
    .addColumn('question_count', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('questions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull().check(sql.raw(`type in (${list(TYPES)})`)))
    .addColumn('title', 'text')
    .addColumn('stem', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) =>
      c.notNull().check(sql.raw(`format in ('markdown', 'html')`)),
    )
    // JSON text on both dialects: the zod schema of the type is the contract.
    .addColumn('answers', 'text', (c) => c.notNull())
    .addColumn('general_feedback', 'text')
    .addColumn('difficulty', 'integer', (c) => c.check(sql`difficulty between 1 and 5`))
    .addColumn('irt_a', 'double precision')
    .addColumn('irt_b', 'double precision')
    .addColumn('irt_c', 'double precision')
    .addColumn('max_marks', 'double precision', (c) => c.notNull().check(sql`max_marks > 0`))
    .addColumn('source', 'text')
    .addColumn('category', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql.raw(`status in (${list(STATUSES)})`)))
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('import_id', 'text', (c) => c.references('question_imports.id').onDelete('set null'))
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('published_at', t.timestamp)
    .addColumn('archived_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('questions_status_created_idx')
    .on('questions')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema.createIndex('questions_import_idx').on('questions').column('import_id').execute();
  await db.schema
    .createIndex('questions_category_idx')
    .on('questions')
    .column('category')
    .execute();

  await db.schema
    .createTable('question_tags')
    .addColumn('question_id', 'text', (c) =>
      c.notNull().references('questions.id').onDelete('cascade'),
    )
    .addColumn('node_id', 'text', (c) =>
      c.notNull().references('graph_nodes.id').onDelete('cascade'),
    )
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql.raw(`status in ('suggested', 'accepted', 'rejected')`)),
    )
    .addColumn('confidence', 'double precision', (c) =>
      c.check(sql`confidence is null or (confidence >= 0 and confidence <= 1)`),
    )
    .addColumn('reason', 'text')
    .addColumn('source', 'text', (c) =>
      c.notNull().check(sql.raw(`source in ('offline', 'llm', 'manual')`)),
    )
    .addColumn('decided_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('decided_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('question_tags_pk', ['question_id', 'node_id'])
    .execute();
  await db.schema
    .createIndex('question_tags_node_status_idx')
    .on('question_tags')
    .columns(['node_id', 'status'])
    .execute();
  await db.schema
    .createIndex('question_tags_status_idx')
    .on('question_tags')
    .columns(['status', 'confidence'])
    .execute();
}
