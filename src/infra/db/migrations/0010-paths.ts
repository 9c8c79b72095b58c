// Migration 0010: learning paths. The role catalogue (path_roles with the skills each role needs
// and its golden resources, seeded from config/roles.yaml and edited by instructors), and each
// learner's paths: modules of skills in prerequisite order, each with one stored lesson (generated
// text with the model, provider and prompt that wrote it) and the bank questions it practises.
// A path keeps a snapshot of its role (title, resources): editing or deleting a role later never
// changes a path already made.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';
import type { MigrationContext } from './index.ts';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);
  const flag = (c: string) => sql.raw(`${c} in (0, 1)`);

  await db.schema
    .createTable('path_roles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('allow_mark_complete', 'integer', (c) =>
      c.notNull().check(flag('allow_mark_complete')),
    )
    .addColumn('include_prerequisites', 'integer', (c) =>
      c.notNull().check(flag('include_prerequisites')),
    )
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('path_role_skills')
    .addColumn('role_id', 'text', (c) =>
      c.notNull().references('path_roles.id').onDelete('cascade'),
    )
    .addColumn('skill_id', 'text', (c) =>
      c.notNull().references('graph_nodes.id').onDelete('cascade'),
    )
    // The P(L) the role asks for on this skill.
    .addColumn('target', 'double precision', (c) =>
      c.notNull().check(sql`target > 0 and target <= 1`),
    )
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('path_role_skills_pk', ['role_id', 'skill_id'])
    .execute();

  await db.schema
    .createTable('path_role_resources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('role_id', 'text', (c) =>
      c.notNull().references('path_roles.id').onDelete('cascade'),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) =>
      c.notNull().check(sql.raw(`type in ('article', 'video', 'course', 'book', 'exercise')`)),
    )
    .addColumn('description', 'text')
    // JSON text: the graph ids (internal) of the skills it teaches.
    .addColumn('skill_ids', 'text', (c) => c.notNull())
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('path_role_resources_role_idx')
    .on('path_role_resources')
    .columns(['role_id', 'ordinal'])
    .execute();

  await db.schema
    .createTable('learning_paths')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role_id', 'text', (c) => c.references('path_roles.id').onDelete('set null'))
    .addColumn('role_title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql.raw(`status in ('active', 'archived')`)),
    )
    .addColumn('allow_mark_complete', 'integer', (c) =>
      c.notNull().check(flag('allow_mark_complete')),
    )
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('archived_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('learning_paths_user_idx')
    .on('learning_paths')
    .columns(['user_id', 'status', 'created_at'])
    .execute();

  await db.schema
    .createTable('path_modules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('path_id', 'text', (c) =>
      c.notNull().references('learning_paths.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    // JSON text: the golden resources for its skills, copied from the role when the path was made.
    .addColumn('resources', 'text', (c) => c.notNull())
    .addColumn('completed_at', t.timestamp)
    .addColumn('completed_by', 'text', (c) =>
      c.check(sql.raw(`completed_by is null or completed_by in ('mastery', 'learner')`)),
    )
    .addUniqueConstraint('path_modules_position_uq', ['path_id', 'position'])
    .execute();

  await db.schema
    .createTable('path_module_skills')
    .addColumn('module_id', 'text', (c) =>
      c.notNull().references('path_modules.id').onDelete('cascade'),
    )
    .addColumn('skill_id', 'text', (c) =>
      c.notNull().references('graph_nodes.id').onDelete('cascade'),
    )
    .addColumn('target', 'double precision', (c) =>
      c.notNull().check(sql`target > 0 and target <= 1`),
    )
    // 1: the role asks for it; 0: a prerequisite of one it asks for.
    .addColumn('required', 'integer', (c) => c.notNull().check(flag('required')))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('path_module_skills_pk', ['module_id', 'skill_id'])
    .execute();

  await db.schema
    .createTable('path_module_questions')
    .addColumn('module_id', 'text', (c) =>
      c.notNull().references('path_modules.id').onDelete('cascade'),
    )
    .addColumn('question_id', 'text', (c) =>
      c.notNull().references('questions.id').onDelete('cascade'),
    )
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('path_module_questions_pk', ['module_id', 'question_id'])
    .execute();

  await db.schema
    .createTable('path_lessons')
    .addColumn('module_id', 'text', (c) =>
      c.primaryKey().references('path_modules.id').onDelete('cascade'),
    )
    // JSON text: {objectives[], explanation, workedExample, summary} (markdown, untrusted).
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('prompt_id', 'text', (c) => c.notNull())
    .addColumn('offline', 'integer', (c) => c.notNull().check(flag('offline')))
    // The gateway's ledger row (llm_calls.id) of the call that wrote it.
    .addColumn('llm_call_id', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('generated_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('generated_at', t.timestamp, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'path_lessons',
    'path_module_questions',
    'path_module_skills',
    'path_modules',
    'learning_paths',
    'path_role_resources',
    'path_role_skills',
    'path_roles',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
