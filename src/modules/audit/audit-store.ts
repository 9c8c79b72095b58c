import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.ts';

export interface AuditRow {
  id: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: string | null;
  ip: string | null;
  created_at: string;
}

export class AuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  withTransaction(tx: Kysely<Database>): AuditStore {
    return new AuditStore(tx);
  }

  async insert(row: AuditRow): Promise<void> {
    await this.db.insertInto('audit_log').values(row).execute();
  }

  async list(limit: number, offset: number) {
    const [rows, count] = await Promise.all([
      this.db
        .selectFrom('audit_log')
        .leftJoin('users', 'users.id', 'audit_log.actor_id')
        .select([
          'audit_log.id',
          'audit_log.actor_id',
          'users.email as actor_email',
          'audit_log.action',
          'audit_log.target_type',
          'audit_log.target_id',
          'audit_log.details',
          'audit_log.ip',
          'audit_log.created_at',
        ])
        .orderBy('audit_log.created_at', 'desc')
        .orderBy('audit_log.id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }
}
