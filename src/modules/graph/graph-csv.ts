// Reading and writing the three graph CSV files. Reading streams: bytes are checked as UTF-8 text
// without NUL bytes, parsed by csv-parse record by record, and each record becomes a row with the
// line it starts on, or a problem naming the file and line. Nothing here touches the database.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, Parser, type Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { GraphEdgeType, GraphNodeKind } from '../../infra/db/schema.ts';

export const GRAPH_FILES = {
  concept: 'concept_nodes.csv',
  skill: 'skill_nodes.csv',
  edges: 'edges.csv',
} as const;

export type GraphFileName = (typeof GRAPH_FILES)[keyof typeof GRAPH_FILES];
export const GRAPH_FILE_NAMES: readonly GraphFileName[] = Object.values(GRAPH_FILES);

export type ProblemCode =
  | 'NOT_TEXT'
  | 'CSV_SYNTAX'
  | 'EMPTY_FILE'
  | 'MISSING_COLUMN'
  | 'DUPLICATE_COLUMN'
  | 'MISSING_VALUE'
  | 'INVALID_VALUE'
  | 'DUPLICATE_ID'
  | 'DUPLICATE_EDGE'
  | 'UNKNOWN_ID'
  | 'WRONG_KIND'
  | 'KIND_CHANGED'
  | 'SELF_LOOP'
  | 'PREREQUISITE_CYCLE'
  | 'HIERARCHY_CYCLE'
  | 'STILL_REFERENCED';

/** One thing wrong with the files: where (file and line, 1-based) and what, in words. */
export interface ImportProblem {
  file: GraphFileName | null;
  line: number | null;
  code: ProblemCode;
  message: string;
  /** The external ids involved (a cycle lists them in order, the first repeated at the end). */
  ids?: string[];
}

export interface NodeRow {
  line: number;
  /** Position among the file's rows, 0-based. */
  ordinal: number;
  kind: GraphNodeKind;
  externalId: string;
  name: string;
  description: string;
  /** parent_id (concepts) or concept_id (skills); null when empty. */
  parentExternalId: string | null;
  subject: string | null;
  level: string | null;
  /** JSON object text of the extra columns, in header order. */
  attributes: string;
}

export interface EdgeRow {
  line: number;
  ordinal: number;
  sourceExternalId: string;
  targetExternalId: string;
  type: GraphEdgeType;
  /** False when the type column is not a known type (reported already; ids still checked). */
  typeOk: boolean;
  attributes: string;
}

export const EDGE_TYPES: readonly GraphEdgeType[] = ['prerequisite', 'part_of'];

/** Limits on values, so a hostile file cannot store megabytes in a name. */
export const LIMITS = {
  id: 200,
  name: 500,
  description: 10_000,
  subject: 200,
  level: 200,
  attribute: 10_000,
  /** A record longer than this is a broken file (e.g. a quote never closed). */
  recordChars: 1_000_000,
  extraColumns: 50,
} as const;

interface FileSpec {
  file: GraphFileName;
  /** Columns that must be in the header (lower case). */
  required: readonly string[];
  /** Columns with a meaning of their own; every other column becomes an attribute. */
  known: readonly string[];
}

export const NODE_SPECS: Record<GraphNodeKind, FileSpec> = {
  concept: {
    file: GRAPH_FILES.concept,
    required: ['id', 'name', 'description', 'parent_id'],
    known: ['id', 'name', 'description', 'parent_id', 'subject', 'level'],
  },
  skill: {
    file: GRAPH_FILES.skill,
    required: ['id', 'name', 'description', 'concept_id'],
    known: ['id', 'name', 'description', 'concept_id', 'subject', 'level'],
  },
};

export const EDGE_SPEC: FileSpec = {
  file: GRAPH_FILES.edges,
  required: ['source_id', 'target_id', 'type'],
  known: ['source_id', 'target_id', 'type'],
};

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- ids are one line: no tab, newline or control
const ID_CONTROL = /[\u0000-\u001f\u007f]/;

/** Why an external id is unusable, or undefined when it is fine. */
export function idProblem(id: string): string | undefined {
  if (id.length > LIMITS.id) return `is longer than ${LIMITS.id} characters`;
  if (ID_CONTROL.test(id)) return 'contains a control character (tab, newline, ...)';
  if (id.trim() !== id) return 'starts or ends with a space';
  return undefined;
}

/**
 * Bytes in, text out: fails on a NUL byte or invalid UTF-8, the signs of a binary file or another
 * encoding, before csv-parse tries to make records of it.
 */
class TextCheck extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private bytes = 0;

  constructor(private readonly onBytes?: (bytes: number) => void) {
    super({ readableObjectMode: false, decodeStrings: true });
  }

  get byteCount(): number {
    return this.bytes;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.onBytes?.(chunk.length);
    if (chunk.includes(0)) {
      callback(new NotTextError('it contains NUL bytes: it looks like a binary file, not CSV'));
      return;
    }
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      // Control bytes besides tab and line breaks: a binary file; otherwise text in another
      // encoding (e.g. Latin-1 from an old spreadsheet).
      callback(
        BINARY_CONTROL.test(chunk.toString('latin1'))
          ? new NotTextError('it looks like a binary file, not CSV')
          : new NotTextError('it is not UTF-8 text; save it as CSV UTF-8'),
      );
      return;
    }
    callback(null, text);
  }

  override _flush(callback: TransformCallback): void {
    try {
      callback(null, this.decoder.decode());
    } catch {
      callback(new NotTextError('it ends in the middle of a UTF-8 character'));
    }
  }
}

class NotTextError extends Error {}

// eslint-disable-next-line no-control-regex -- control bytes are what marks a binary file
const BINARY_CONTROL = /[\u0000-\u0008\u000e-\u001f]/;

/**
 * csv-parse's stream with each record paired with the line it ends on. csv-parse can tell that
 * itself (`info: true` or `on_record`), but builds an object of a dozen fields per record to do
 * so, a large share of the parse time of a big file; here its line counter is read as each record
 * is pushed, which is the same moment.
 */
class LineCountingParser extends Parser {
  constructor(
    options: Options,
    private readonly locate: (record: string[], lines: number) => LocatedRecord,
  ) {
    super(options);
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (!Array.isArray(chunk)) return super.push(chunk, encoding);
    return super.push(this.locate(chunk as string[], this.info.lines), encoding);
  }
}

/** A record with the line it starts on. */
interface LocatedRecord {
  record: string[];
  line: number;
}

interface Header {
  /** Column index of each known column present (lower-case name). */
  known: Map<string, number>;
  /** Extra columns: their names as written, and their indexes. */
  extra: Array<{ name: string; index: number }>;
  width: number;
}

function readHeader(
  spec: FileSpec,
  record: string[],
  line: number,
  problems: ImportProblem[],
): Header | undefined {
  const known = new Map<string, number>();
  const extra: Header['extra'] = [];
  const seen = new Map<string, number>();
  let ok = true;
  record.forEach((raw, index) => {
    const name = raw.trim();
    const key = name.toLowerCase();
    if (name === '') {
      problems.push({
        file: spec.file,
        line,
        code: 'MISSING_VALUE',
        message: `column ${index + 1} of the header has no name`,
      });
      ok = false;
      return;
    }
    if (seen.has(key)) {
      problems.push({
        file: spec.file,
        line,
        code: 'DUPLICATE_COLUMN',
        message: `the column "${name}" appears twice in the header (columns ${(seen.get(key) ?? 0) + 1} and ${index + 1})`,
      });
      ok = false;
      return;
    }
    seen.set(key, index);
    if (spec.known.includes(key)) known.set(key, index);
    else extra.push({ name, index });
  });
  const missing = spec.required.filter((c) => !known.has(c));
  if (missing.length > 0) {
    problems.push({
      file: spec.file,
      line,
      code: 'MISSING_COLUMN',
      message: `the header has no ${missing.map((c) => `"${c}"`).join(', ')} column${missing.length > 1 ? 's' : ''}; the columns are ${spec.required.join(',')} (extra columns are kept as attributes)`,
    });
    ok = false;
  }
  if (extra.length > LIMITS.extraColumns) {
    problems.push({
      file: spec.file,
      line,
      code: 'INVALID_VALUE',
      message: `the header has ${extra.length} extra columns; at most ${LIMITS.extraColumns} are kept as attributes`,
    });
    ok = false;
  }
  return ok ? { known, extra, width: record.length } : undefined;
}

/** The spec of each of the three files, by the key the import uses for it. */
export const FILE_SPECS: Record<'concept' | 'skill' | 'edges', FileSpec> = {
  concept: NODE_SPECS.concept,
  skill: NODE_SPECS.skill,
  edges: EDGE_SPEC,
};

/** How much of the start of a file is enough to judge its header line. */
export const HEADER_HEAD_BYTES = 64 * 1024;

/**
 * The header problems of a file from its first bytes (missing, repeated or unnamed columns), for
 * an upload to be refused at once instead of by the import job. `whole` says the bytes are the
 * entire file. Whatever cannot be judged from them (a header longer than the bytes, broken CSV
 * on the first line) is left to the full check, which reports it with its line.
 */
export function headerProblems(
  key: keyof typeof FILE_SPECS,
  head: Buffer,
  whole: boolean,
): ImportProblem[] {
  const spec = FILE_SPECS[key];
  let bytes = head;
  if (!whole) {
    // Only complete lines: the header may not end inside the bytes.
    const lastBreak = head.lastIndexOf(0x0a);
    if (lastBreak === -1) return [];
    bytes = head.subarray(0, lastBreak + 1);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return [];
  }
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parseSync(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      to: 1,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch {
    return [];
  }
  const first = records[0];
  const problems: ImportProblem[] = [];
  if (!first) {
    if (whole) {
      problems.push({
        file: spec.file,
        line: null,
        code: 'EMPTY_FILE',
        message: `${spec.file} is empty; it needs at least the header line ${spec.required.join(',')}`,
      });
    }
    return problems;
  }
  // The line the header starts on, counted as readCsv counts it.
  let lines = first.info.lines;
  for (const field of first.record) {
    const crlf = count(field, '\r\n');
    lines -= crlf + (count(field, '\n') + count(field, '\r') - crlf);
  }
  readHeader(spec, first.record, lines, problems);
  return problems;
}

export interface ReadOptions {
  /** Called with the byte count of every chunk read (progress). */
  onBytes?: (bytes: number) => void;
}

/**
 * Parse one file record by record. `onRecord` gets every data record with its values by column;
 * problems (file-level and per-field) are appended to `problems`. Resolves false when the file
 * could not be read to its end (not text, broken CSV, bad header), so later cross-file checks
 * know the rows are incomplete.
 */
async function readCsv(
  spec: FileSpec,
  source: Readable,
  problems: ImportProblem[],
  onRecord: (get: (column: string) => string, attributes: string, line: number) => void,
  options: ReadOptions,
): Promise<{ complete: boolean; records: number }> {
  let header: Header | undefined;
  let headerSeen = false;
  let readable = true;
  let records = 0;
  let inflation = 0;
  /** The line the last record the parser produced ended on (counted as the parser goes). */
  let lastEnd = 0;
  // Line numbers are worked out as each record is produced, rather than where records are
  // consumed: a parse error can end the stream before the consumer has seen the records before
  // it, and the error's line must still be right.
  const parser = new LineCountingParser(
    {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: LIMITS.recordChars,
    },
    (record, lines) => {
      // `lines` is the line a record ends on, as csv-parse counts: a quoted field may span
      // several lines (its value keeps the breaks), and csv-parse counts a CRLF inside quotes as
      // two lines, so the CRLFs seen so far are taken off.
      let inner = 0;
      for (const field of record) {
        if (!field.includes('\n') && !field.includes('\r')) continue;
        const crlf = count(field, '\r\n');
        inflation += crlf;
        inner += count(field, '\n') + count(field, '\r') - crlf;
      }
      lastEnd = lines - inflation;
      return { record, line: lastEnd - inner };
    },
  );
  const consume = async (parsed: AsyncIterable<LocatedRecord>): Promise<void> => {
    for await (const { record, line } of parsed) {
      if (!headerSeen) {
        headerSeen = true;
        header = readHeader(spec, record, line, problems);
        if (!header) {
          readable = false;
          return;
        }
        continue;
      }
      if (!header) return;
      if (record.length !== header.width) {
        problems.push({
          file: spec.file,
          line,
          code: 'CSV_SYNTAX',
          message: `the line has ${record.length} field${record.length === 1 ? '' : 's'} but the header has ${header.width}`,
        });
        continue;
      }
      const h = header;
      const get = (column: string) => {
        const index = h.known.get(column);
        return index === undefined ? '' : (record[index] ?? '');
      };
      let attributes = '{}';
      if (h.extra.length > 0) {
        const obj: Record<string, string> = {};
        for (const { name, index } of h.extra) {
          const value = record[index] ?? '';
          if (value.length > LIMITS.attribute) {
            problems.push({
              file: spec.file,
              line,
              code: 'INVALID_VALUE',
              message: `the "${name}" value is longer than ${LIMITS.attribute} characters`,
            });
          }
          obj[name] = value;
        }
        attributes = JSON.stringify(obj);
      }
      records++;
      onRecord(get, attributes, line);
    }
  };
  const check = new TextCheck(options.onBytes);
  try {
    await pipeline(source, check, parser, consume);
  } catch (err) {
    readable = false;
    if (err instanceof NotTextError) {
      problems.push({
        file: spec.file,
        line: null,
        code: 'NOT_TEXT',
        message: `${spec.file} cannot be read: ${err.message}`,
      });
    } else if (err instanceof CsvError) {
      // An unclosed quote is found at the end of the file: name the record it opened in.
      const lines = (err as CsvError & { lines?: number }).lines;
      const line =
        err.code === 'CSV_QUOTE_NOT_CLOSED' || err.code === 'CSV_MAX_RECORD_SIZE'
          ? lastEnd + 1
          : typeof lines === 'number'
            ? lines - inflation
            : null;
      problems.push({ file: spec.file, line, code: 'CSV_SYNTAX', message: csvErrorMessage(err) });
    } else {
      throw err;
    }
  }
  if (readable && !headerSeen) {
    problems.push({
      file: spec.file,
      line: null,
      code: 'EMPTY_FILE',
      message: `${spec.file} is empty; it needs at least the header line ${spec.required.join(',')}`,
    });
    return { complete: false, records };
  }
  return { complete: readable, records };
}

function count(text: string, what: string): number {
  let n = 0;
  for (let i = text.indexOf(what); i !== -1; i = text.indexOf(what, i + what.length)) n++;
  return n;
}

function csvErrorMessage(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field that starts in this record is never closed (unbalanced quotes); the rest of the file was not read';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote inside a field must be doubled ("") or the field must not be quoted; the rest of the file was not read';
    case 'CSV_MAX_RECORD_SIZE':
      return `the record starting here is longer than ${LIMITS.recordChars} characters (probably an unclosed quote); the rest of the file was not read`;
    default:
      return `the file is not valid CSV (${err.code}); the rest of the file was not read`;
  }
}

function optional(value: string): string | null {
  return value === '' ? null : value;
}

/**
 * One copy of each short value that repeats across rows (subject, level): a big file has a
 * hundred thousand rows but a handful of subjects.
 */
class Interner {
  private readonly seen = new Map<string, string>();
  get(value: string | null): string | null {
    if (value === null || value.length > 64) return value;
    const known = this.seen.get(value);
    if (known !== undefined) return known;
    if (this.seen.size < 10_000) this.seen.set(value, value);
    return value;
  }
}

function checkLength(
  file: GraphFileName,
  line: number,
  column: string,
  value: string,
  max: number,
  problems: ImportProblem[],
): void {
  if (value.length > max) {
    problems.push({
      file,
      line,
      code: 'INVALID_VALUE',
      message: `the ${column} is longer than ${max} characters`,
    });
  } else if (CONTROL.test(value)) {
    problems.push({
      file,
      line,
      code: 'INVALID_VALUE',
      message: `the ${column} contains a control character`,
    });
  }
}

function checkId(
  file: GraphFileName,
  line: number,
  column: string,
  value: string,
  problems: ImportProblem[],
): boolean {
  const problem = idProblem(value);
  if (!problem) return true;
  problems.push({
    file,
    line,
    code: 'INVALID_VALUE',
    message: `the ${column} "${value.slice(0, 60)}" ${problem}`,
  });
  return false;
}

/** Read concept_nodes.csv or skill_nodes.csv. Rows with a problem are left out. */
export async function readNodeFile(
  kind: GraphNodeKind,
  source: Readable,
  problems: ImportProblem[],
  options: ReadOptions = {},
): Promise<{ rows: NodeRow[]; complete: boolean; records: number }> {
  const spec = NODE_SPECS[kind];
  const parentColumn = kind === 'concept' ? 'parent_id' : 'concept_id';
  const rows: NodeRow[] = [];
  const interned = new Interner();
  let ordinal = 0;
  const { complete, records } = await readCsv(
    spec,
    source,
    problems,
    (get, attributes, line) => {
      const before = problems.length;
      const externalId = get('id');
      const name = get('name');
      const description = get('description');
      const parent = get(parentColumn);
      const subject = get('subject');
      const level = get('level');
      if (externalId === '') {
        problems.push({ file: spec.file, line, code: 'MISSING_VALUE', message: 'the id is empty' });
      } else checkId(spec.file, line, 'id', externalId, problems);
      if (name.trim() === '') {
        problems.push({
          file: spec.file,
          line,
          code: 'MISSING_VALUE',
          message: `the name of "${externalId}" is empty`,
        });
      }
      checkLength(spec.file, line, 'name', name, LIMITS.name, problems);
      checkLength(spec.file, line, 'description', description, LIMITS.description, problems);
      checkLength(spec.file, line, 'subject', subject, LIMITS.subject, problems);
      checkLength(spec.file, line, 'level', level, LIMITS.level, problems);
      if (parent !== '') checkId(spec.file, line, parentColumn, parent, problems);
      const row: NodeRow = {
        line,
        ordinal: ordinal++,
        kind,
        externalId,
        name,
        description,
        parentExternalId: optional(parent),
        subject: interned.get(optional(subject)),
        level: interned.get(optional(level)),
        attributes,
      };
      // A row with a broken id cannot take part in the cross checks; other field problems are
      // reported and the row still counts, so its id is not reported again as unknown.
      if (problems.length === before || (externalId !== '' && !idProblem(externalId))) {
        rows.push(row);
      }
    },
    options,
  );
  return { rows, complete, records };
}

/**
 * Read edges.csv, handing each row whose ids are usable to `onEdge` as it is read (a big graph
 * has hundreds of thousands of edges: the caller keeps them in a compact form).
 */
export async function readEdgeFile(
  source: Readable,
  problems: ImportProblem[],
  onEdge: (edge: EdgeRow) => void,
  options: ReadOptions = {},
): Promise<{ complete: boolean; records: number }> {
  const spec = EDGE_SPEC;
  let ordinal = 0;
  return readCsv(
    spec,
    source,
    problems,
    (get, attributes, line) => {
      const source = get('source_id');
      const target = get('target_id');
      const type = get('type').trim();
      let idsOk = true;
      if (source === '') {
        problems.push({
          file: spec.file,
          line,
          code: 'MISSING_VALUE',
          message: 'the source_id is empty',
        });
        idsOk = false;
      } else idsOk = checkId(spec.file, line, 'source_id', source, problems) && idsOk;
      if (target === '') {
        problems.push({
          file: spec.file,
          line,
          code: 'MISSING_VALUE',
          message: 'the target_id is empty',
        });
        idsOk = false;
      } else idsOk = checkId(spec.file, line, 'target_id', target, problems) && idsOk;
      const typeOk = (EDGE_TYPES as readonly string[]).includes(type);
      if (!typeOk) {
        problems.push({
          file: spec.file,
          line,
          code: type === '' ? 'MISSING_VALUE' : 'INVALID_VALUE',
          message:
            type === ''
              ? 'the type is empty; it is prerequisite or part_of'
              : `the type "${type.slice(0, 40)}" is not prerequisite or part_of`,
        });
      }
      const row: EdgeRow = {
        line,
        ordinal: ordinal++,
        sourceExternalId: source,
        targetExternalId: target,
        type: type as GraphEdgeType,
        typeOk,
        attributes,
      };
      // With a bad type the ends are still checked (unknown ids are reported too).
      if (idsOk) onEdge(row);
    },
    options,
  );
}

// ---- Writing -------------------------------------------------------------------------------

export interface ExportNode {
  externalId: string;
  name: string;
  description: string;
  parentExternalId: string | null;
  subject: string | null;
  level: string | null;
  attributes: string;
}

export interface ExportEdge {
  sourceExternalId: string;
  targetExternalId: string;
  type: GraphEdgeType;
  attributes: string;
}

/** Extra column names in order of first appearance. */
function attributeColumns(rows: Iterable<{ attributes: string }>): {
  names: string[];
  parsed: Array<Record<string, string>>;
} {
  const names: string[] = [];
  const seen = new Set<string>();
  const parsed: Array<Record<string, string>> = [];
  for (const row of rows) {
    const obj = JSON.parse(row.attributes) as Record<string, string>;
    parsed.push(obj);
    for (const key of Object.keys(obj)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  return { names, parsed };
}

/**
 * A node file as text: the documented columns, then subject and level when any row has one, then
 * the extra columns in the order they were imported. Quoting only where CSV needs it.
 */
export function nodesToCsv(kind: GraphNodeKind, nodes: readonly ExportNode[]): string {
  const parentColumn = kind === 'concept' ? 'parent_id' : 'concept_id';
  const withSubject = nodes.some((n) => n.subject !== null);
  const withLevel = nodes.some((n) => n.level !== null);
  const { names, parsed } = attributeColumns(nodes);
  const header = ['id', 'name', 'description', parentColumn];
  if (withSubject) header.push('subject');
  if (withLevel) header.push('level');
  header.push(...names);
  const records = nodes.map((n, i) => {
    const record = [n.externalId, n.name, n.description, n.parentExternalId ?? ''];
    if (withSubject) record.push(n.subject ?? '');
    if (withLevel) record.push(n.level ?? '');
    const attrs = parsed[i] ?? {};
    for (const name of names) record.push(attrs[name] ?? '');
    return record;
  });
  return stringify([header, ...records], { record_delimiter: 'unix' });
}

export function edgesToCsv(edges: readonly ExportEdge[]): string {
  const { names, parsed } = attributeColumns(edges);
  const header = ['source_id', 'target_id', 'type', ...names];
  const records = edges.map((e, i) => {
    const attrs = parsed[i] ?? {};
    return [e.sourceExternalId, e.targetExternalId, e.type, ...names.map((n) => attrs[n] ?? '')];
  });
  return stringify([header, ...records], { record_delimiter: 'unix' });
}
