// PostgreSQL LISTEN/NOTIFY between queue instances: an enqueue anywhere wakes idle workers at
// once (instead of at their next poll), and a cancel reaches the worker running the job. One
// dedicated connection per worker process, reconnected after errors; the poll interval stays
// the fallback, so a lost notification only costs latency.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type pg from 'pg';
import { pgDriver } from '../db/pg-driver.ts';
import type { Logger } from 'pino';

export const JOBS_CHANNEL = 'skillbridge_jobs';

export type JobNotification =
  { kind: 'enqueued'; type: string } | { kind: 'cancelled'; id: string };

export function encodeNotification(n: JobNotification): string {
  return n.kind === 'enqueued' ? `enqueued:${n.type}` : `cancelled:${n.id}`;
}

export function decodeNotification(payload: string): JobNotification | undefined {
  const [kind, value] = [
    payload.slice(0, payload.indexOf(':')),
    payload.slice(payload.indexOf(':') + 1),
  ];
  if (!value) return undefined;
  if (kind === 'enqueued') return { kind, type: value };
  if (kind === 'cancelled') return { kind, id: value };
  return undefined;
}

/** Send a notification; delivered when the surrounding transaction (if any) commits. */
export async function notifyJobs(db: Kysely<Database>, n: JobNotification): Promise<void> {
  await sql`select pg_notify(${JOBS_CHANNEL}, ${encodeNotification(n)})`.execute(db);
}

export class PgJobListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly onNotification: (n: JobNotification) => void,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new (pgDriver().Client)({
      connectionString: this.url,
      connectionTimeoutMillis: 5000,
    });
    client.on('notification', (message) => {
      if (message.channel !== JOBS_CHANNEL || !message.payload) return;
      const n = decodeNotification(message.payload);
      if (n) this.onNotification(n);
    });
    const reconnect = (err?: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      if (err) this.logger.warn({ err }, 'job notifications lost their connection; reconnecting');
      this.retry = setTimeout(() => void this.connect(), 1000);
      this.retry.unref();
    };
    client.on('error', reconnect);
    client.on('end', () => reconnect());
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${JOBS_CHANNEL}`);
    } catch (err) {
      reconnect(err);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
