// The configured JobQueue adapter: JOB_QUEUE=embedded (default) or pgboss (PostgreSQL only).
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/env.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { EmbeddedJobQueue } from './embedded-queue.ts';
import { PgBossJobQueue } from './pgboss-queue.ts';
import type { TableJobQueue } from './table-queue.ts';

export function createJobQueue(
  config: AppConfig,
  deps: { database: DatabaseHandle; clock: Clock; logger: Logger },
): TableJobQueue {
  const databaseUrl = config.database.dialect === 'postgres' ? config.database.url : undefined;
  const common = { ...deps, config: config.jobs, databaseUrl };
  if (config.jobs.queue === 'pgboss') {
    if (!databaseUrl) throw new Error('JOB_QUEUE=pgboss needs a PostgreSQL DATABASE_URL');
    return new PgBossJobQueue({ ...common, databaseUrl });
  }
  return new EmbeddedJobQueue(common);
}
