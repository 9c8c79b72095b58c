// node-postgres, loaded the first time a PostgreSQL connection is made. On the embedded default
// (SQLite) the driver and its type parsers are never loaded (about 10 MB of a server's memory).
import { createRequire } from 'node:module';
import type pg from 'pg';

let driver: typeof pg | undefined;

export function pgDriver(): typeof pg {
  driver ??= createRequire(import.meta.url)('pg') as typeof pg;
  return driver;
}
