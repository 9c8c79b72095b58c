// Server-sent events for one job: `event: job` with the job's view whenever it changes, then
// `event: end` once it has finished, and the stream closes. It reads the jobs table (both queue
// adapters keep it current, whichever process runs the job), so it works the same on SQLite and
// PostgreSQL, embedded or pg-boss. Every stream stops its timers when the client goes away, when
// the server closes, or after a maximum lifetime (the browser's EventSource then reconnects and
// is authenticated again).
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { NotFoundError, TooManyRequestsError } from '../../platform/errors.ts';
import type { JobsService, JobViewer, JobView } from './jobs-service.ts';
import { isFinished } from './jobs-service.ts';

export interface JobEventOptions {
  /** How often an open stream reads the job (default 500 ms). */
  pollMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
  /** Streams end after this long; EventSource reconnects (default 5 minutes). */
  maxStreamMs?: number;
  /** What EventSource waits before reconnecting (default 2 s). */
  retryMs?: number;
  /** Streams one user may hold open at once, across tabs (default 12); more get 429. */
  maxStreamsPerUser?: number;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // nginx would otherwise buffer the stream.
  'x-accel-buffering': 'no',
  // The socket closes with the stream: a stream ended at shutdown must not leave a keep-alive
  // connection that holds the server's close() until its keep-alive timeout.
  connection: 'close',
} as const;

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class JobEventStreams {
  private readonly streams = new Set<{ userId: string; close(): void }>();
  private readonly pollMs: number;
  private readonly heartbeatMs: number;
  private readonly maxStreamMs: number;
  private readonly retryMs: number;
  private readonly maxStreamsPerUser: number;

  constructor(
    private readonly service: JobsService,
    private readonly log: Logger,
    options: JobEventOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxStreamMs = options.maxStreamMs ?? 5 * 60_000;
    this.retryMs = options.retryMs ?? 2000;
    this.maxStreamsPerUser = options.maxStreamsPerUser ?? 12;
  }

  /** Streams currently open (for tests and shutdown). */
  get openCount(): number {
    return this.streams.size;
  }

  /**
   * The event stream of a job the viewer may see (the caller checked with service.get, which
   * gave `first`). Resolves nothing itself: the stream ends by its own timers or by close().
   */
  open(viewer: JobViewer, first: JobView): Readable {
    const held = [...this.streams].filter((s) => s.userId === viewer.id).length;
    if (held >= this.maxStreamsPerUser) {
      // Each stream reads the database while it is open: bound what one account can hold.
      throw new TooManyRequestsError(
        `You are already following ${held} jobs live; close a tab or wait for a job to finish.`,
        this.retryMs / 1000,
        'TOO_MANY_STREAMS',
      );
    }
    const body = new Readable({ read() {} });
    let closed = false;
    let pollTimer: NodeJS.Timeout | undefined;
    const ownerName = first.owner && !first.mine ? first.owner.name : undefined;
    let last = JSON.stringify(first);

    const entry = {
      userId: viewer.id,
      close: () => {
        if (closed) return;
        closed = true;
        clearTimeout(pollTimer);
        clearInterval(heartbeat);
        clearTimeout(lifetime);
        this.streams.delete(entry);
        body.push(null);
      },
    };
    this.streams.add(entry);
    const heartbeat = setInterval(() => body.push(': keep-alive\n\n'), this.heartbeatMs);
    const lifetime = setTimeout(entry.close, this.maxStreamMs);
    // The client went away (the response pipe destroys the body) or the body was consumed.
    body.once('close', entry.close);

    const finishWith = (view: JobView | undefined) => {
      body.push(frame('end', view ? { state: view.state } : { state: null }));
      entry.close();
    };

    const poll = async () => {
      pollTimer = undefined;
      if (closed) return;
      try {
        const job = await this.service.record(viewer, first.id);
        if (closed) return;
        const view = this.service.toView(viewer, job, ownerName);
        const serialised = JSON.stringify(view);
        if (serialised !== last) {
          last = serialised;
          body.push(frame('job', view));
        }
        if (isFinished(view)) {
          finishWith(view);
          return;
        }
      } catch (err) {
        if (closed) return;
        if (err instanceof NotFoundError) {
          // Deleted (retention) while someone watched.
          finishWith(undefined);
          return;
        }
        this.log.warn({ err, jobId: first.id }, 'job event stream could not read the job');
      }
      if (!closed) pollTimer = setTimeout(() => void poll(), this.pollMs);
    };

    body.push(`retry: ${this.retryMs}\n\n`);
    body.push(frame('job', first));
    if (isFinished(first)) finishWith(first);
    else pollTimer = setTimeout(() => void poll(), this.pollMs);
    return body;
  }

  /** End every open stream (server shutdown): clients reconnect elsewhere. */
  closeAll(): void {
    for (const stream of [...this.streams]) stream.close();
  }
}
