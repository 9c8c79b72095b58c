// The static migration registry. A merged migration is never edited: add a new one.
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../database.ts';
import * as m0001 from './0001-accounts.ts';
import * as m0002 from './0002-jobs.ts';
import * as m0003 from './0003-files.ts';
import * as m0004 from './0004-llm-usage.ts';
import * as m0005 from './0005-llm-daily-usage.ts';
import * as m0006 from './0006-graph.ts';
import * as m0007 from './0007-questions.ts';
import * as m0008 from './0008-question-ocr.ts';
import * as m0009 from './0009-learning.ts';
import * as m0010 from './0010-paths.ts';
import * as m0011 from './0011-placement.ts';
import * as m0012 from './0012-tracker.ts';
import * as m0013 from './0013-recommendations.ts';
import * as m0014 from './0014-lean-indexes.ts';
import * as m0015 from './0015-placement-target.ts';

export interface MigrationContext {
  dialect: Dialect;
}

interface DialectMigration {
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
  down?(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
}

/** Names sort in the order they run. */
const registry: Record<string, DialectMigration> = {
  '0001-accounts': m0001,
  '0002-jobs': m0002,
  '0003-files': m0003,
  '0004-llm-usage': m0004,
  '0005-llm-daily-usage': m0005,
  '0006-graph': m0006,
  '0007-questions': m0007,
  '0008-question-ocr': m0008,
  '0009-learning': m0009,
  '0010-paths': m0010,
  '0011-placement': m0011,
  '0012-tracker': m0012,
  '0013-recommendations': m0013,
  '0014-lean-indexes': m0014,
  '0015-placement-target': m0015,
};

export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly ctx: MigrationContext) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(registry)) {
      const down = m.down;
      out[name] = {
        up: (db) => m.up(db, this.ctx),
        ...(down ? { down: (db: Kysely<unknown>) => down(db, this.ctx) } : {}),
      };
    }
    return out;
  }
}
