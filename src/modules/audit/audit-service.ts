// The audit trail of administrative actions: who did what to whom, when, from where.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';
import type { Database } from '../../infra/db/schema.ts';
import { AuditStore } from './audit-store.ts';

export interface AuditEvent {
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export interface AuditEntry {
  id: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
  createdAt: string;
}

export class AuditService {
  private readonly store: AuditStore;

  constructor(
    db: Kysely<Database>,
    private readonly clock: Clock,
  ) {
    this.store = new AuditStore(db);
  }

  /** Record an event; pass the transaction so the entry commits with the action it describes. */
  async record(event: AuditEvent, tx?: Kysely<Database>): Promise<void> {
    const store = tx ? this.store.withTransaction(tx) : this.store;
    await store.insert({
      id: newId(),
      actor_id: event.actorId,
      action: event.action,
      target_type: event.targetType ?? null,
      target_id: event.targetId ?? null,
      details: event.details ? JSON.stringify(event.details) : null,
      ip: event.ip ?? null,
      created_at: this.clock.now().toISOString(),
    });
  }

  async list(limit: number, offset: number): Promise<{ entries: AuditEntry[]; total: number }> {
    const { rows, total } = await this.store.list(limit, offset);
    return {
      total,
      entries: rows.map((r) => ({
        id: r.id,
        actorId: r.actor_id,
        actorEmail: r.actor_email,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
        ip: r.ip,
        createdAt: r.created_at,
      })),
    };
  }
}
