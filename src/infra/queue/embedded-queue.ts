// The embedded adapter: the jobs table worked by a claim loop in this process, on SQLite or
// PostgreSQL. Several processes (serve, serve --no-worker + worker, several workers) can share one
// database: claims are atomic, leases recover the jobs of a worker that died. An idle worker
// polls every JOB_POLL_INTERVAL_MS; an enqueue in the same process (or, on PostgreSQL, in any
// process through NOTIFY) wakes it at once.
import type { JobRow } from './job-store.ts';
import { TableJobQueue } from './table-queue.ts';

export class EmbeddedJobQueue extends TableJobQueue {
  readonly kind = 'embedded' as const;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;

  protected async dispatchInTransaction(): Promise<void> {}

  protected wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  protected async afterCancel(): Promise<void> {}

  protected async recoverExpired(row: JobRow): Promise<void> {
    const outcome = await this.requeueOrFail(row);
    if (outcome.kind === 'retry') this.wake();
  }

  protected async startDispatch(): Promise<void> {
    this.loop = this.claimLoop();
  }

  protected async stopDispatch(): Promise<void> {
    this.wake();
    await this.loop;
    this.loop = undefined;
  }

  protected async closeDispatch(): Promise<void> {}

  /** Resolves on wake() or after `ms`; a wake that came while busy is not lost. */
  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const wakeUp = () => done();
      this.wakeUp = wakeUp;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      // A wake between the check above and here is caught by the flag.
      if (this.woken) done();
    }).then(() => {
      this.wakeUp = undefined;
      this.woken = false;
    });
  }

  private async claimLoop(): Promise<void> {
    const { config, clock } = this.deps;
    const types = () => this.registry.types();
    while (!this.stopping) {
      const free = config.concurrency - this.executor.running.size;
      if (free <= 0) {
        await this.sleep(config.pollIntervalMs);
        continue;
      }
      let rows: JobRow[];
      try {
        const now = clock.now();
        // One lease length for the whole claim: the longest of the registered types; each
        // job's own heartbeat then keeps it at its definition's lease.
        const lease = Math.max(...types().map((t) => this.registry.get(t).leaseMs), 1000);
        rows = await this.store.claim({
          types: types(),
          limit: free,
          workerId: this.workerId,
          now: now.toISOString(),
          leaseUntil: new Date(now.getTime() + lease).toISOString(),
        });
      } catch (err) {
        this.log.warn({ err }, 'claiming jobs failed; retrying');
        await this.sleep(Math.max(config.pollIntervalMs, 1000));
        continue;
      }
      for (const row of rows) {
        const job = this.executor.start(row);
        // A finished job frees a slot: look for more at once.
        void job.done.then(() => this.wake());
      }
      // A full claim means more may be waiting; otherwise nothing is due until a wake or a poll.
      if (rows.length === 0 || rows.length < free) await this.sleep(config.pollIntervalMs);
    }
  }
}
