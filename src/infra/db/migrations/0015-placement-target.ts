// Migration 0015: what a placement test covers. A test is either over the whole catalogue (all
// three columns null, as every test before this migration was) or over one role's required
// skills: the role's id, its title and the skill ids as they were when the test started, so a
// test resumes over the same items even if the role is edited or deleted meanwhile. Expand only:
// nullable columns, nothing existing changes.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('placement_tests').addColumn('target_role_id', 'text').execute();
  await db.schema.alterTable('placement_tests').addColumn('target_title', 'text').execute();
  // JSON text: the skill ids the test draws its items from.
  await db.schema.alterTable('placement_tests').addColumn('target_skills', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('placement_tests').dropColumn('target_skills').execute();
  await db.schema.alterTable('placement_tests').dropColumn('target_title').execute();
  await db.schema.alterTable('placement_tests').dropColumn('target_role_id').execute();
}
