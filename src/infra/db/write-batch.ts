// Group commit for SQLite: short write transactions that arrive together share one commit.
//
// SQLite has one writer, and each commit writes every page the transaction changed to the WAL
// (two write calls per page) — for a practice answer that is most of its cost. Transactions
// submitted here in the same turn of the event loop run one after another inside a single
// SQLite transaction, each in its own savepoint: one that throws is rolled back to its savepoint
// and rejects with its own error, the others go on. Every caller's promise settles only after
// the shared COMMIT, so a caller never sees a result that is not durable; if BEGIN or COMMIT
// fails, nothing of the batch is stored and every caller gets that error.
//
// Each caller sees the writes of the callers before it in the batch, exactly as if their
// transactions had run one after another — which, on SQLite's single connection, they do anyway.
// Only short transactions that touch nothing but the database belong here: work that waits on
// anything else (a network call, a timer) would hold up the whole batch.
//
// On PostgreSQL every call is its own transaction: concurrent transactions run in parallel there
// and the server groups commits by itself.
import { sql } from 'kysely';
import type { Db, Dialect, Tx } from './database.ts';

export type Transact = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

interface Pending {
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface WriteBatcherStats {
  batches: number;
  transactions: number;
  largestBatch: number;
}

export class WriteBatcher {
  private readonly queue: Pending[] = [];
  private flushing = false;
  private readonly counts: WriteBatcherStats = { batches: 0, transactions: 0, largestBatch: 0 };

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly options: {
      maxBatch?: number;
      /**
       * Awaited before each batch: where the write load starts the checkpoint thread and lets a
       * checkpoint catch up (infra/db/sqlite-checkpointer.ts).
       */
      beforeBatch?: () => Promise<void>;
    } = {},
  ) {}

  /** Run fn in a transaction (shared with others submitted at the same time on SQLite). */
  readonly transact: Transact = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    if (this.dialect !== 'sqlite') return this.db.transaction().execute(fn);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        // After the current I/O callbacks, so requests read in the same turn join one batch.
        setImmediate(() => void this.flush());
      }
    });
  };

  stats(): WriteBatcherStats {
    return { ...this.counts };
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.options.beforeBatch?.();
        const batch = this.queue.splice(0, this.options.maxBatch ?? 64);
        this.counts.batches += 1;
        this.counts.transactions += batch.length;
        this.counts.largestBatch = Math.max(this.counts.largestBatch, batch.length);
        await this.runBatch(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    if (batch.length === 1) {
      // Alone: a plain transaction, no savepoint needed.
      const [only] = batch as [Pending];
      await this.db.transaction().execute(only.fn).then(only.resolve, only.reject);
      return;
    }
    const outcomes: Outcome[] = [];
    try {
      await this.db.transaction().execute(async (tx) => {
        for (const item of batch) {
          await sql`savepoint batch_item`.execute(tx);
          try {
            const value = await item.fn(tx);
            await sql`release batch_item`.execute(tx);
            outcomes.push({ ok: true, value });
          } catch (error) {
            await sql`rollback to batch_item`.execute(tx);
            await sql`release batch_item`.execute(tx);
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // BEGIN, a rollback to a savepoint or COMMIT failed: nothing of the batch was stored.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
