// Tokens each user spent with real providers per UTC day, kept by the database itself: a trigger
// on llm_calls adds every recorded call's input + output tokens in the same statement, so the
// per-call budget check reads one row instead of summing the user's calls of the day (which grew
// with every call). Offline calls and calls without a user are not counted, as before.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.ts';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('llm_daily_usage')
    // No foreign key, like llm_calls: the figures outlive users.
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('llm_daily_usage_pk', ['user_id', 'day'])
    .execute();

  await sql`
    insert into llm_daily_usage (user_id, day, tokens)
    select user_id, day, sum(input_tokens + output_tokens)
    from llm_calls
    where user_id is not null and provider <> 'offline'
    group by user_id, day
  `.execute(db);

  if (dialect === 'postgres') {
    // `or replace`: dropping every table (skillbridge wipe-db) leaves functions behind.
    await sql`
      create or replace function llm_calls_add_daily_usage() returns trigger language plpgsql as $$
      begin
        insert into llm_daily_usage (user_id, day, tokens)
        values (new.user_id, new.day, new.input_tokens + new.output_tokens)
        on conflict (user_id, day) do update set tokens = llm_daily_usage.tokens + excluded.tokens;
        return null;
      end
      $$
    `.execute(db);
    await sql`
      create trigger llm_calls_daily_usage after insert on llm_calls
      for each row when (new.user_id is not null and new.provider <> 'offline')
      execute function llm_calls_add_daily_usage()
    `.execute(db);
  } else {
    await sql`
      create trigger llm_calls_daily_usage after insert on llm_calls
      when new.user_id is not null and new.provider <> 'offline'
      begin
        insert into llm_daily_usage (user_id, day, tokens)
        values (new.user_id, new.day, new.input_tokens + new.output_tokens)
        on conflict (user_id, day) do update set tokens = tokens + excluded.tokens;
      end
    `.execute(db);
  }
}
