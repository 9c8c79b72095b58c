// Migration 0008: OCR ingestion of printed questions. A batch is one upload of images; each image
// is a source: its blob (server-generated key, the file name kept as metadata), what OCR read
// (text, mean confidence, every word and line with its confidence and pixel box, as JSON text),
// the draft question made from it, and whether a person has reviewed that draft. question_id is
// unique: one draft per image, however often its job is retried.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';
import type { MigrationContext } from './index.ts';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('question_ocr_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('image_count', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('question_ocr_batches_created_idx')
    .on('question_ocr_batches')
    .column('created_at')
    .execute();

  await db.schema
    .createTable('question_ocr_sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'text', (c) =>
      c.notNull().references('question_ocr_batches.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull().unique())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) =>
      c.notNull().check(sql.raw(`content_type in ('image/png', 'image/jpeg')`)),
    )
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql.raw(`status in ('pending', 'drafted', 'failed')`)),
    )
    .addColumn('failure_reason', 'text')
    .addColumn('question_id', 'text', (c) =>
      c.unique().references('questions.id').onDelete('set null'),
    )
    .addColumn('text', 'text')
    .addColumn('confidence', 'double precision', (c) =>
      c.check(sql`confidence is null or (confidence >= 0 and confidence <= 100)`),
    )
    // JSON text on both dialects: [{text, confidence, bbox: {x0, y0, x1, y1}}].
    .addColumn('words', 'text')
    .addColumn('lines', 'text')
    .addColumn('recognised_at', t.timestamp)
    .addColumn('reviewed_at', t.timestamp)
    .addColumn('reviewed_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('question_ocr_sources_batch_idx')
    .on('question_ocr_sources')
    .columns(['batch_id', 'position'])
    .execute();
  await db.schema
    .createIndex('question_ocr_sources_status_idx')
    .on('question_ocr_sources')
    .columns(['status', 'created_at'])
    .execute();
}
