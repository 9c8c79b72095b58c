// Cron-like schedules that run once per tick across every instance (the Unleash
// JobService.singleInstance idea): each schedule is a job_schedules row with next_run_at; an
// instance that finds it due moves next_run_at forward with a conditional UPDATE and, in the same
// transaction, enqueues the job. Only the instance whose UPDATE matched enqueues; a crash between
// the two loses nothing because they commit together. Missed ticks (every instance down) run once,
// not once per missed tick.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { CronError, parseCron, type CronSchedule } from './cron.ts';
import { UnknownJobTypeError, type ScheduleDefinition } from './job-queue.ts';
import type { JobRegistry } from './job-registry.ts';
import type { JobStore } from './job-store.ts';

const SCHEDULE_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/** JSON with sorted keys, so the same payload compares equal whatever the dialect stored. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

export type EnqueueInTransaction = (
  tx: Kysely<Database>,
  job: { type: string; payload: string },
) => Promise<string>;

export interface SchedulerDeps {
  store: JobStore;
  registry: JobRegistry;
  clock: Clock;
  logger: Logger;
  /** Records the job in the tick's transaction; returns its id. */
  enqueueInTransaction: EnqueueInTransaction;
  /** Called after the transaction committed (wake workers). */
  afterEnqueue: (type: string) => void;
}

export class JobScheduler {
  private readonly schedules = new Map<string, CronSchedule>();

  constructor(private readonly deps: SchedulerDeps) {}

  names(): string[] {
    return [...this.schedules.keys()];
  }

  async define(definition: ScheduleDefinition): Promise<void> {
    const { store, registry, clock } = this.deps;
    if (!SCHEDULE_NAME.test(definition.name)) {
      throw new Error(
        `Schedule name "${definition.name}" must be lower-case words (a-z 0-9 . _ -)`,
      );
    }
    if (!registry.has(definition.type)) throw new UnknownJobTypeError(definition.type);
    const cron = parseCron(definition.cron);
    const payload = canonicalJson(registry.validate(definition.type, definition.payload));
    const now = clock.now();
    const existing = await store.getSchedule(definition.name);
    if (!existing) {
      await store.insertSchedule({
        name: definition.name,
        cron: definition.cron,
        type: definition.type,
        payload,
        next_run_at: cron.next(now).toISOString(),
        last_run_at: null,
        updated_at: now.toISOString(),
      });
    } else if (
      existing.cron !== definition.cron ||
      existing.type !== definition.type ||
      canonicalJson(JSON.parse(existing.payload)) !== payload
    ) {
      await store.updateSchedule(definition.name, {
        cron: definition.cron,
        type: definition.type,
        payload,
        next_run_at: cron.next(now).toISOString(),
        updated_at: now.toISOString(),
      });
    }
    this.schedules.set(definition.name, cron);
  }

  /** Enqueue every due schedule this instance wins; returns the ids of the jobs it enqueued. */
  async tick(): Promise<string[]> {
    const { store, clock, logger } = this.deps;
    const names = this.names();
    if (names.length === 0) return [];
    const now = clock.now();
    const due = await store.dueSchedules(now.toISOString(), names);
    const enqueued: string[] = [];
    for (const row of due) {
      let cron = this.schedules.get(row.name);
      try {
        // Another instance may run newer code with another expression: the stored one wins.
        if (row.cron !== cron?.expression) cron = parseCron(row.cron);
      } catch (err) {
        if (!(err instanceof CronError)) throw err;
        logger.error({ err, schedule: row.name }, 'stored schedule has an invalid cron expression');
        continue;
      }
      if (!cron) continue;
      const next = cron.next(now).toISOString();
      const id = await withTransaction(store.db, async (tx) => {
        const won = await store.withDb(tx).claimTick({
          name: row.name,
          expectedNextRunAt: row.next_run_at,
          nextRunAt: next,
          now: now.toISOString(),
        });
        if (!won) return undefined;
        return this.deps.enqueueInTransaction(tx, { type: row.type, payload: row.payload });
      });
      if (id) {
        enqueued.push(id);
        this.deps.afterEnqueue(row.type);
        logger.info({ schedule: row.name, jobId: id, next }, 'scheduled job enqueued');
      }
    }
    return enqueued;
  }
}
