// Reading first attempts from CSV files: the export format of `skillbridge mastery-eval`
// (order_id,user_id,skill_name,correct) and the Cognitive Tutor layout of the reference data
// (Anon Student Id, KC(Default), Correct First Attempt). Rows are taken in file order, which is
// time order. Any problem is reported as "file:line: what is wrong".
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { AppError } from '../../platform/errors.ts';
import type { BktResponse } from './bkt-fit.ts';

/** Which header names hold the learner, the skill and the 0/1 first-attempt correctness. */
export interface ResponseColumns {
  learner: string;
  skill: string;
  correct: string;
  /** Required but not interpreted (the order is the file's). */
  others?: readonly string[];
}

export const EXPORT_COLUMNS: ResponseColumns = {
  learner: 'user_id',
  skill: 'skill_name',
  correct: 'correct',
  others: ['order_id'],
};

export const CT_COLUMNS: ResponseColumns = {
  learner: 'Anon Student Id',
  skill: 'KC(Default)',
  correct: 'Correct First Attempt',
  others: ['Row'],
};

/** A response with where it came from. */
export interface LocatedResponse extends BktResponse {
  /** 1-based line in the file. */
  line: number;
  /** Every column of the row, by header name. */
  fields: Record<string, string>;
}

export class ResponsesFileError extends AppError {
  constructor(detail: string) {
    super(400, 'RESPONSES_INVALID', 'Invalid responses file', detail);
  }
}

interface Parsed {
  record: string[];
  info: { lines: number; bytes: number };
}

const shown = (value: string) =>
  JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);

/** Parses CSV text; `file` only names it in messages. */
export function parseResponsesCsv(
  text: string,
  file: string,
  columns: ResponseColumns = EXPORT_COLUMNS,
): LocatedResponse[] {
  if (text.includes('\u0000')) throw new ResponsesFileError(`${file}: not a text CSV file`);
  const bytes = Buffer.from(text, 'utf8');
  let rows: Parsed[];
  try {
    // csv-parse's types do not follow `info: true` (records become { record, info }).
    rows = parse(bytes, { bom: true, info: true, skip_empty_lines: true }) as unknown as Parsed[];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    const message = err instanceof Error ? err.message.replace(/^Invalid [^:]*: /, '') : 'invalid';
    throw new ResponsesFileError(`${file}${line ? `:${line}` : ''}: ${message}`);
  }
  // The line a record starts on, from the byte offset where the previous one ended (csv-parse's
  // own line count is off by one for each CR of a file mixing CRLF and LF line ends).
  let offset = 0;
  let cursorLine = 1;
  const startLine = (end: number): number => {
    while (offset < bytes.length && (bytes[offset] === 0x0a || bytes[offset] === 0x0d)) {
      if (bytes[offset] === 0x0a) cursorLine++;
      offset++;
    }
    const start = cursorLine;
    for (; offset < end; offset++) if (bytes[offset] === 0x0a) cursorLine++;
    return start;
  };
  const header = rows[0];
  if (!header) throw new ResponsesFileError(`${file}:1: the file is empty (no header row)`);
  startLine(header.info.bytes);
  const names = header.record.map((h) => h.trim());
  const wanted = [columns.learner, columns.skill, columns.correct, ...(columns.others ?? [])];
  const missing = wanted.filter((w) => !names.includes(w));
  if (missing.length > 0) {
    throw new ResponsesFileError(
      `${file}:1: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the header must name ${wanted.join(', ')})`,
    );
  }
  const at = (name: string) => names.indexOf(name);
  const learnerAt = at(columns.learner);
  const skillAt = at(columns.skill);
  const correctAt = at(columns.correct);
  const out: LocatedResponse[] = [];
  for (let i = 1; i < rows.length; i++) {
    const { record, info } = rows[i]!;
    const line = startLine(info.bytes);
    const learner = (record[learnerAt] ?? '').trim();
    const skill = (record[skillAt] ?? '').trim();
    const correct = (record[correctAt] ?? '').trim();
    if (record.length !== names.length) {
      throw new ResponsesFileError(
        `${file}:${line}: ${record.length} fields where the header has ${names.length}`,
      );
    }
    if (learner === '')
      throw new ResponsesFileError(`${file}:${line}: ${columns.learner} is empty`);
    if (skill === '') throw new ResponsesFileError(`${file}:${line}: ${columns.skill} is empty`);
    if (correct !== '0' && correct !== '1') {
      throw new ResponsesFileError(
        `${file}:${line}: ${columns.correct} must be 0 or 1, not ${shown(correct)}`,
      );
    }
    const fields: Record<string, string> = {};
    names.forEach((name, k) => (fields[name] = record[k] ?? ''));
    out.push({ learner, skill, correct: correct === '1' ? 1 : 0, line, fields });
  }
  return out;
}

/** Reads and parses a responses file; an unreadable file is a ResponsesFileError too. */
export function readResponsesCsv(
  file: string,
  columns: ResponseColumns = EXPORT_COLUMNS,
): LocatedResponse[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : `cannot be read (${code ?? 'error'})`;
    throw new ResponsesFileError(`${file}: ${reason}`);
  }
  return parseResponsesCsv(text, file, columns);
}
