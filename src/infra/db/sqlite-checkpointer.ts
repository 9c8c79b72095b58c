// WAL checkpoints for a SQLite database file, on a thread of their own.
//
// In WAL mode every commit appends the changed pages to the -wal file; a checkpoint copies them
// back into the database file and syncs it to disk. By default SQLite runs that checkpoint inside
// whichever commit pushes the WAL past 1,000 pages, so about one request in a few dozen waits for
// a copy of 4 MB and an fsync — on a busy disk tens of milliseconds, during which the event loop
// is blocked. Here a worker thread with its own connection runs a PASSIVE checkpoint (it never
// waits for, or blocks, readers and writers) every intervalMs, and the request connection's
// automatic checkpoint is raised to a safety net far above what the worker lets build up.
//
// The thread costs about 15 MB, so it starts only once writes are sustained: the write paths that
// see load (infra/db/write-batch.ts) call OnDemandCheckpointer.noteWrite() before each commit,
// which starts it once START_COMMITS_PER_SECOND commits come within a second. Until then (a server
// that has only seeded its demo data, a CLI command, a quiet site) SQLite checkpoints as it
// always does.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** The request connection still checkpoints by itself if the WAL ever reaches this many pages. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;

/**
 * A WAL this long has not started over: under a steady stream of commits a PASSIVE checkpoint
 * always trails the newest frames, so the WAL would grow to the fallback above (and be
 * checkpointed on the request thread). barrier() then lets one checkpoint finish with the
 * batched writes held back, after which the next write starts the WAL from the beginning.
 */
export const BARRIER_PAGES = 2_000;

/**
 * noteWrite() starts the thread once this many commits come within one second. Below that rate
 * SQLite's own checkpoint (at 1,000 pages) runs at most every few seconds and costs little; at
 * this rate and above it would land inside requests again and again. (The WAL file's size is no
 * guide: it never shrinks, so a start-up that seeded a database leaves it long.)
 */
export const START_COMMITS_PER_SECOND = 50;

export interface CheckpointReport {
  /** Pages in the WAL when the checkpoint ran, and how many of them it copied back. */
  log: number;
  checkpointed: number;
  busy: boolean;
}

// A CommonJS script, run with eval so that the bundled server (dist/) needs no extra file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    if (row && row.log > 0) {
      parentPort.postMessage({ log: row.log, checkpointed: row.checkpointed, busy: row.busy === 1 });
    }
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (msg) => {
  if (msg === 'stop') {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort.postMessage({ stopped: true });
  } else if (msg === 'now') {
    checkpoint();
    parentPort.postMessage({ ran: true });
  }
});
`;

export interface CheckpointerOptions {
  intervalMs?: number;
  onError?: (message: string) => void;
  onCheckpoint?: (report: CheckpointReport) => void;
}

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private stopping: Promise<void> | undefined;
  private exited = false;
  private readonly waitingForRun: Array<() => void> = [];

  private constructor(worker: Worker, options: CheckpointerOptions) {
    this.worker = worker;
    worker.on('message', (msg: Record<string, unknown>) => {
      if (typeof msg.error === 'string') options.onError?.(msg.error);
      else if (typeof msg.log === 'number')
        options.onCheckpoint?.(msg as unknown as CheckpointReport);
      else if (msg.ran === true) {
        this.waitingForRun.shift()?.();
        if (this.waitingForRun.length === 0 && this.stopping === undefined) worker.unref();
      }
    });
    worker.on('error', (err) => options.onError?.(err.message));
    worker.on('exit', () => {
      this.exited = true;
      for (const resolve of this.waitingForRun.splice(0)) resolve();
    });
    // The process may exit while the thread sleeps between checkpoints.
    worker.unref();
  }

  /** Start checkpointing `file`; the connection's own automatic checkpoint becomes a fallback. */
  static start(
    conn: SqliteDatabase.Database,
    file: string,
    options: CheckpointerOptions = {},
  ): SqliteCheckpointer {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, file, intervalMs: options.intervalMs ?? 200 },
    });
    conn.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    return new SqliteCheckpointer(worker, options);
  }

  /** Run a checkpoint now and resolve when it has run (for tests and before a backup). */
  checkpointNow(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.waitingForRun.push(resolve);
      // Keep the process alive until the answer comes (the thread is otherwise unref'd).
      this.worker.ref();
      this.worker.postMessage('now');
    });
  }

  /** A last checkpoint, then the thread's connection is closed and the thread ends. */
  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    this.stopping ??= new Promise<void>((resolve) => {
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      this.worker.on('message', (msg: Record<string, unknown>) => {
        if (msg.stopped === true) void this.worker.terminate();
      });
      this.worker.postMessage('stop');
    });
    return this.stopping;
  }
}

/**
 * Starts the checkpoint thread the first time demand() is called, or once noteWrite() is called
 * START_COMMITS_PER_SECOND times within a second; stop() ends it.
 */
export class OnDemandCheckpointer {
  private running: SqliteCheckpointer | undefined;
  private closed = false;
  private windowStart = Number.NEGATIVE_INFINITY;
  private commitsInWindow = 0;
  /** Pages in the WAL at the thread's last checkpoint. */
  private walPages = 0;
  private lastBarrier = 0;
  private readonly options: CheckpointerOptions;

  constructor(
    private readonly conn: SqliteDatabase.Database,
    private readonly file: string,
    options: CheckpointerOptions = {},
  ) {
    this.options = {
      ...options,
      onCheckpoint: (report) => {
        this.walPages = report.log;
        options.onCheckpoint?.(report);
      },
    };
  }

  /**
   * For a writer about to write: resolves at once, or — when the WAL has grown past
   * BARRIER_PAGES without starting over — after a checkpoint that ran while the writer waited
   * (at most one such wait per 100 ms). Only the waiting writer's work is held up; the event
   * loop and reads go on.
   */
  async barrier(): Promise<void> {
    if (!this.running || this.walPages < BARRIER_PAGES) return;
    const now = Date.now();
    if (now - this.lastBarrier < 100) return;
    this.lastBarrier = now;
    await this.running.checkpointNow();
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  /** Start the thread now. */
  demand(): void {
    if (this.running || this.closed) return;
    this.running = SqliteCheckpointer.start(this.conn, this.file, this.options);
  }

  /** For a writer about to commit: starts the thread once commits are frequent. */
  noteWrite(now = Date.now()): void {
    if (this.running || this.closed) return;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.commitsInWindow = 0;
    }
    if (++this.commitsInWindow >= START_COMMITS_PER_SECOND) this.demand();
  }

  /** Run a checkpoint on the thread now, if it has started. */
  async checkpointNow(): Promise<void> {
    await this.running?.checkpointNow();
  }

  async stop(): Promise<void> {
    this.closed = true;
    await this.running?.stop();
  }
}
