// The one place where a logical column type maps to each dialect's SQL type.
import type { ColumnDataType } from 'kysely';
import type { Dialect } from './database.ts';

export interface ColumnTypes {
  /** A point in time: timestamptz on PostgreSQL, ISO-8601 text on SQLite. */
  timestamp: ColumnDataType;
  /** A JSON document: jsonb on PostgreSQL, text on SQLite. */
  json: ColumnDataType;
}

export function columnTypes(dialect: Dialect): ColumnTypes {
  return dialect === 'postgres'
    ? { timestamp: 'timestamptz', json: 'jsonb' }
    : { timestamp: 'text', json: 'text' };
}
