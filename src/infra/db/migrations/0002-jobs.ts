// Background jobs: the one record of every job (both queue adapters write it) and the cron-like
// schedules whose ticks are claimed by exactly one instance.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';
import type { MigrationContext } from './index.ts';

const JOB_STATES = ['queued', 'running', 'complete', 'failed', 'cancelled'] as const;

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql.raw(`state in (${JOB_STATES.map((s) => `'${s}'`).join(', ')})`)),
    )
    .addColumn('progress', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`progress >= 0 and progress <= 100`),
    )
    .addColumn('message', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('backoff_ms', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('failure_reason', 'text')
    .addColumn('error_detail', 'text')
    .addColumn('result', t.json)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('started_at', t.timestamp)
    .addColumn('finished_at', t.timestamp)
    .addColumn('run_after', t.timestamp, (c) => c.notNull())
    .addColumn('lease_expires_at', t.timestamp)
    .addColumn('locked_by', 'text')
    .execute();
  // Claiming scans queued jobs that are due; the sweeper scans running ones.
  await db.schema
    .createIndex('jobs_state_run_after_idx')
    .on('jobs')
    .columns(['state', 'run_after'])
    .execute();
  await db.schema
    .createIndex('jobs_user_created_idx')
    .on('jobs')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('jobs_created_idx')
    .on('jobs')
    .columns(['created_at', 'id'])
    .execute();
  // Live updates read what changed since the last look.
  await db.schema.createIndex('jobs_updated_idx').on('jobs').column('updated_at').execute();

  await db.schema
    .createTable('job_schedules')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('cron', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('next_run_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_run_at', t.timestamp)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
}
