// The names of the people who asked for jobs, for the staff view of the Jobs page: a read across
// the accounts domain, kept out of the jobs store.
import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.ts';

export class JobsReadModel {
  constructor(private readonly db: Kysely<Database>) {}

  async ownerNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
