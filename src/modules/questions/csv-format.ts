// The question bank's CSV format: one question per row, lists inside a cell separated by "|"
// (a literal "|" is written "\|", a literal backslash "\\"). Columns (header row required, any
// order, names case-insensitive; only type and stem are required):
//
//   type              single_choice | multiple_choice | true_false | numeric | short_answer | written
//   stem              the question (markdown, or HTML when format is html)
//   title, format     optional title; markdown (default) or html
//   options           choices (single/multiple choice), accepted answers (short answer), or
//                     numbers (numeric: 3.14:0.01 for value:tolerance, 1..5 for a range, 42)
//   correct           letters of the right choices ("b", "a|c"; choice types) or true/false
//   weights           percent per option, "100|0|0" or "50|50|-100"; when empty the right
//                     choices share 100 and the others get 0 (short answer, numeric: 100 each)
//   feedback          per option, aligned with options; true/false: "when right|when wrong"
//   general_feedback  shown after any answer
//   case_sensitive    short answer: true or false (default false)
//   max_marks         marks the question is worth (default 1; written questions: required)
//   mark_scheme       written questions: what a marker looks for
//   difficulty        1 (easiest) to 5 (hardest)
//   irt_a, irt_b, irt_c  IRT parameters, all three or none
//   category, source  free text; category paths use "/"
//   status            draft | review | published (default: the import's status)
//   tags              graph node ids ("fractions|equivalent-fractions"), stored as accepted tags
//   id                written by the export, ignored by the import
import { CsvError, parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import {
  QUESTION_TYPES,
  optionId,
  validateDraft,
  type AnswersOf,
  type ChoiceOption,
  type QuestionDraft,
  type QuestionStatus,
  type QuestionType,
} from './question-model.ts';
import { MAX_REPORTED_PROBLEMS, type ImportProblem } from './gift-format.ts';

export const CSV_COLUMNS = [
  'id',
  'type',
  'title',
  'stem',
  'format',
  'options',
  'correct',
  'weights',
  'feedback',
  'general_feedback',
  'case_sensitive',
  'max_marks',
  'mark_scheme',
  'difficulty',
  'irt_a',
  'irt_b',
  'irt_c',
  'category',
  'source',
  'status',
  'tags',
] as const;
type Column = (typeof CSV_COLUMNS)[number];

export interface CsvQuestion {
  line: number;
  draft: QuestionDraft;
  /** Graph node ids from the tags column, as written. */
  tags: string[];
}

export interface CsvParseResult {
  questions: CsvQuestion[];
  errors: ImportProblem[];
  warnings: ImportProblem[];
}

/** Split a cell at unescaped "|"; "\|" and "\\" are a literal bar and backslash. */
export function splitList(cell: string): string[] {
  if (cell.trim() === '') return [];
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < cell.length; i++) {
    const ch = cell[i]!;
    const next = cell[i + 1];
    if (ch === '\\' && (next === '|' || next === '\\')) {
      current += next;
      i++;
    } else if (ch === '|') {
      items.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  items.push(current.trim());
  return items;
}

export function joinList(items: string[]): string {
  return items.map((i) => i.replace(/\\/g, '\\\\').replace(/\|/g, '\\|')).join('|');
}

class RowProblem extends Error {
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(message);
  }
}

function numberCell(value: string, column: string): number | null {
  if (value.trim() === '') return null;
  const n = Number(value.trim());
  if (!Number.isFinite(n)) throw new RowProblem(column, `"${value}" is not a number`);
  return n;
}

function booleanCell(value: string, column: string): boolean | null {
  const v = value.trim().toLowerCase();
  if (v === '') return null;
  if (['true', 't', 'yes', 'y', '1'].includes(v)) return true;
  if (['false', 'f', 'no', 'n', '0'].includes(v)) return false;
  throw new RowProblem(column, `"${value}" is not true or false`);
}

const NUMBER = '[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';
const RANGE = new RegExp(`^(${NUMBER})\\s*\\.\\.\\s*(${NUMBER})$`);
const TOLERANCE = new RegExp(`^(${NUMBER})(?:\\s*(?::|±|\\+-)\\s*(${NUMBER}))?$`);

function numericSpec(
  spec: string,
):
  | { kind: 'range'; min: number; max: number }
  | { kind: 'tolerance'; value: number; tolerance: number } {
  const range = RANGE.exec(spec);
  if (range) return { kind: 'range', min: Number(range[1]), max: Number(range[2]) };
  const tol = TOLERANCE.exec(spec);
  if (tol) {
    return { kind: 'tolerance', value: Number(tol[1]), tolerance: Number(tol[2] ?? '0') };
  }
  throw new RowProblem(
    'options',
    `"${spec}" is not a numeric answer: write 3.14:0.01 (value:tolerance), 1..5 (range) or 42`,
  );
}

function weightsCell(cell: string, count: number): number[] | null {
  const items = splitList(cell);
  if (items.length === 0) return null;
  if (items.length !== count) {
    throw new RowProblem(
      'weights',
      `${items.length} weights for ${count} options: give one per option, or none`,
    );
  }
  return items.map((w) => {
    const n = Number(w.replace(/%$/, ''));
    if (w === '' || !Number.isFinite(n)) throw new RowProblem('weights', `"${w}" is not a number`);
    return n;
  });
}

function feedbackList(cell: string, count: number): (string | undefined)[] {
  const items = splitList(cell);
  if (items.length > count) {
    throw new RowProblem(
      'feedback',
      `${items.length} feedbacks for ${count} options: give one per option, in order`,
    );
  }
  return Array.from({ length: count }, (_, i) => items[i] || undefined);
}

function choiceAnswers(
  row: Record<Column, string>,
  type: QuestionType,
): { options: ChoiceOption[] } {
  const texts = splitList(row.options);
  if (texts.length < 2) throw new RowProblem('options', 'list at least 2 choices separated by |');
  if (texts.length > 26) throw new RowProblem('options', 'at most 26 choices');
  const letters = splitList(row.correct.replace(/,/g, '|')).map((l) => l.toLowerCase());
  for (const l of letters) {
    const index = l.length === 1 ? l.charCodeAt(0) - 97 : -1;
    if (index < 0 || index >= texts.length) {
      throw new RowProblem(
        'correct',
        `"${l}" is not one of the choices a-${optionId(texts.length - 1)}`,
      );
    }
  }
  let weights = weightsCell(row.weights, texts.length);
  if (weights === null) {
    if (letters.length === 0) {
      throw new RowProblem('correct', 'say which choice is right, e.g. "b" (or "a|c")');
    }
    if (type === 'single_choice' && letters.length > 1) {
      throw new RowProblem(
        'correct',
        'a single-choice question has one right choice; use multiple_choice for several',
      );
    }
    const share = 100 / letters.length;
    weights = texts.map((_, i) => (letters.includes(optionId(i)) ? share : 0));
  } else if (letters.length > 0) {
    const positive = weights.flatMap((w, i) => (w > 0 ? [optionId(i)] : []));
    if (positive.sort().join() !== [...letters].sort().join()) {
      throw new RowProblem(
        'correct',
        `the right choices "${letters.join('|')}" do not match the options with a positive weight ("${positive.join('|')}")`,
      );
    }
  }
  const feedback = feedbackList(row.feedback, texts.length);
  return {
    options: texts.map((text, i) => ({
      id: optionId(i),
      text,
      weight: weights[i]!,
      ...(feedback[i] ? { feedback: feedback[i] } : {}),
    })),
  };
}

function answersFor(row: Record<Column, string>, type: QuestionType): unknown {
  switch (type) {
    case 'single_choice':
    case 'multiple_choice':
      return choiceAnswers(row, type);
    case 'true_false': {
      const correct = booleanCell(row.correct, 'correct');
      if (correct === null) throw new RowProblem('correct', 'write true or false');
      const [right, wrong] = splitList(row.feedback);
      return {
        correct,
        ...(right ? { feedbackCorrect: right } : {}),
        ...(wrong ? { feedbackWrong: wrong } : {}),
      };
    }
    case 'numeric':
    case 'short_answer': {
      const items = splitList(row.options);
      if (items.length === 0) {
        throw new RowProblem(
          'options',
          type === 'numeric'
            ? 'give the accepted number, e.g. 3.14:0.01 or 1..5'
            : 'give the accepted answers separated by |',
        );
      }
      const weights = weightsCell(row.weights, items.length) ?? items.map(() => 100);
      const feedback = feedbackList(row.feedback, items.length);
      const answers = items.map((item, i) => ({
        ...(type === 'numeric' ? numericSpec(item) : { text: item }),
        weight: weights[i]!,
        ...(feedback[i] ? { feedback: feedback[i] } : {}),
      }));
      return type === 'numeric'
        ? { answers }
        : { answers, caseSensitive: booleanCell(row.case_sensitive, 'case_sensitive') ?? false };
    }
    case 'written': {
      const maxMarks = numberCell(row.max_marks, 'max_marks');
      if (maxMarks === null)
        throw new RowProblem('max_marks', 'a written question needs its marks');
      return { maxMarks, ...(row.mark_scheme.trim() ? { markScheme: row.mark_scheme } : {}) };
    }
  }
}

function rowToDraft(
  row: Record<Column, string>,
  defaults: { status: QuestionStatus; source: string | null },
): QuestionDraft {
  const type = row.type.trim().toLowerCase() as QuestionType;
  if (!QUESTION_TYPES.includes(type)) {
    throw new RowProblem(
      'type',
      row.type.trim() === ''
        ? `missing: one of ${QUESTION_TYPES.join(', ')}`
        : `"${row.type}" is not one of ${QUESTION_TYPES.join(', ')}`,
    );
  }
  const irtCells = [row.irt_a, row.irt_b, row.irt_c].map((v, i) =>
    numberCell(v, ['irt_a', 'irt_b', 'irt_c'][i]!),
  );
  const irtGiven = irtCells.filter((v) => v !== null).length;
  if (irtGiven !== 0 && irtGiven !== 3) {
    throw new RowProblem('irt_a', 'give all three IRT parameters (irt_a, irt_b, irt_c) or none');
  }
  const candidate = {
    type,
    title: row.title.trim() || null,
    stem: row.stem,
    format: row.format.trim().toLowerCase() || 'markdown',
    generalFeedback: row.general_feedback.trim() || null,
    answers: answersFor(row, type),
    difficulty: numberCell(row.difficulty, 'difficulty'),
    irt: irtGiven === 3 ? { a: irtCells[0], b: irtCells[1], c: irtCells[2] } : null,
    maxMarks: numberCell(row.max_marks, 'max_marks') ?? 1,
    source: row.source.trim() || defaults.source,
    category: row.category.trim() || null,
    status: row.status.trim().toLowerCase() || defaults.status,
  };
  const checked = validateDraft(candidate);
  if (!checked.ok) {
    const issue = checked.issues[0]!;
    const column = columnOfPath(issue.path);
    throw new RowProblem(column, issue.message);
  }
  return checked.draft;
}

function columnOfPath(path: string): string {
  const head = path.split('.')[0]!;
  const map: Record<string, string> = {
    generalFeedback: 'general_feedback',
    maxMarks: 'max_marks',
    irt: 'irt_a',
    answers: path.includes('maxMarks')
      ? 'max_marks'
      : path.includes('feedback')
        ? 'feedback'
        : 'options',
  };
  return map[head] ?? head;
}

/** Parse a whole CSV file (decoded text), validating every row. */
export async function parseQuestionCsv(
  text: string,
  defaults: { status: QuestionStatus; source: string | null },
): Promise<CsvParseResult> {
  const errors: ImportProblem[] = [];
  const warnings: ImportProblem[] = [];
  const questions: CsvQuestion[] = [];
  const parser = parse(text.replace(/^\uFEFF/, ''), {
    bom: true,
    info: true,
    raw: true,
    // Checked per row below, so one ragged row does not hide the other problems.
    relax_column_count: true,
    skip_empty_lines: true,
    // A malformed record is reported (below) and skipped, so the rest is still checked.
    skip_records_with_error: true,
  });
  parser.on('skip', (err: unknown) => {
    if (err instanceof CsvError) errors.push(csvProblem(err));
  });
  let header: string[] | null = null;
  try {
    for await (const record of parser as AsyncIterable<{
      record: string[];
      raw: string;
      info: { lines: number };
    }>) {
      if (errors.length >= MAX_REPORTED_PROBLEMS) break;
      // info.lines is where the record ends; a quoted cell may span lines, so count back.
      const line = record.info.lines - (record.raw.replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);
      if (header === null) {
        header = record.record.map((h) => h.trim().toLowerCase());
        const headerErrors: ImportProblem[] = [];
        const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
        if (unknown.length > 0) {
          headerErrors.push({
            line,
            message: `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}: the columns are ${CSV_COLUMNS.join(', ')}`,
          });
        }
        const duplicate = header.find((h, i) => header!.indexOf(h) !== i);
        if (duplicate)
          headerErrors.push({ line, message: `the column "${duplicate}" appears twice` });
        for (const required of ['type', 'stem']) {
          if (!header.includes(required)) {
            headerErrors.push({ line, message: `the required column "${required}" is missing` });
          }
        }
        if (headerErrors.length > 0) {
          // With the wrong columns, what the rows say is noise: report the header alone.
          return { questions: [], errors: headerErrors, warnings };
        }
        continue;
      }
      if (record.record.length !== header.length) {
        errors.push({
          line,
          message: `this row has ${record.record.length} cells but the header row has ${header.length}`,
        });
        continue;
      }
      const row = Object.fromEntries(CSV_COLUMNS.map((c) => [c, ''])) as Record<Column, string>;
      header.forEach((h, i) => {
        row[h as Column] = record.record[i] ?? '';
      });
      try {
        const draft = rowToDraft(row, defaults);
        questions.push({ line, draft, tags: splitList(row.tags) });
      } catch (err) {
        if (!(err instanceof RowProblem)) throw err;
        errors.push({ line, message: `${err.column}: ${err.message}` });
      }
    }
  } catch (err) {
    // Any parser error is a problem with the file, never with the server.
    if (!(err instanceof CsvError)) throw err;
    errors.push(csvProblem(err));
  }
  if (header === null && errors.length === 0) {
    errors.push({ line: 1, message: 'the file is empty: the first row names the columns' });
  }
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const key = `${e.line}\u0000${e.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  unique.sort((a, b) => a.line - b.line);
  return { questions, errors: unique, warnings };
}

function csvProblem(err: CsvError): ImportProblem {
  const line =
    typeof err.lines === 'number' ? err.lines : Number(/line (\d+)/.exec(err.message)?.[1] ?? 1);
  return { line, message: csvMessage(err.code, err.message) };
}

function csvMessage(code: string, message: string): string {
  switch (code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return 'this row has a different number of cells than the header row';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted cell is never closed (a " is missing)';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside a cell that does not start with one: quote the whole cell and double the quotes inside ("")';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote inside a quoted cell must be doubled ("")';
    default:
      return `the CSV cannot be read: ${message}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing CSV

function fmt(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : String(n);
}

function defaultChoiceWeights(type: QuestionType, options: ChoiceOption[]): number[] {
  const right = options.filter((o) => o.weight > 0).length;
  return options.map((o) => (o.weight > 0 ? (type === 'single_choice' ? 100 : 100 / right) : 0));
}

export interface CsvExportQuestion {
  id: string;
  draft: QuestionDraft;
  tags: string[];
}

/** Questions as CSV with every column, so an import reads them back unchanged. */
export function writeQuestionCsv(questions: CsvExportQuestion[]): string {
  const rows = questions.map(({ id, draft, tags }) => {
    const row = Object.fromEntries(CSV_COLUMNS.map((c) => [c, ''])) as Record<Column, string>;
    row.id = id;
    row.type = draft.type;
    row.title = draft.title ?? '';
    row.stem = draft.stem;
    row.format = draft.format;
    row.general_feedback = draft.generalFeedback ?? '';
    row.max_marks = fmt(draft.maxMarks);
    row.difficulty = fmt(draft.difficulty);
    row.irt_a = fmt(draft.irt?.a);
    row.irt_b = fmt(draft.irt?.b);
    row.irt_c = fmt(draft.irt?.c);
    row.category = draft.category ?? '';
    row.source = draft.source ?? '';
    row.status = draft.status;
    row.tags = joinList(tags);
    switch (draft.type) {
      case 'single_choice':
      case 'multiple_choice': {
        const { options } = draft.answers as { options: ChoiceOption[] };
        row.options = joinList(options.map((o) => o.text));
        row.correct = joinList(options.filter((o) => o.weight > 0).map((o) => o.id));
        const defaults = defaultChoiceWeights(draft.type, options);
        if (options.some((o, i) => Math.abs(o.weight - defaults[i]!) > 1e-9)) {
          row.weights = joinList(options.map((o) => String(o.weight)));
        }
        row.feedback = optionalList(options.map((o) => o.feedback));
        break;
      }
      case 'true_false': {
        const a = draft.answers as AnswersOf<'true_false'>;
        row.correct = String(a.correct);
        row.feedback = optionalList([a.feedbackCorrect, a.feedbackWrong]);
        break;
      }
      case 'numeric': {
        const { answers } = draft.answers as AnswersOf<'numeric'>;
        row.options = joinList(
          answers.map((a) =>
            a.kind === 'range' ? `${a.min}..${a.max}` : `${a.value}:${a.tolerance}`,
          ),
        );
        if (answers.some((a) => a.weight !== 100)) {
          row.weights = joinList(answers.map((a) => String(a.weight)));
        }
        row.feedback = optionalList(answers.map((a) => a.feedback));
        break;
      }
      case 'short_answer': {
        const a = draft.answers as AnswersOf<'short_answer'>;
        row.options = joinList(a.answers.map((x) => x.text));
        if (a.answers.some((x) => x.weight !== 100)) {
          row.weights = joinList(a.answers.map((x) => String(x.weight)));
        }
        row.feedback = optionalList(a.answers.map((x) => x.feedback));
        row.case_sensitive = String(a.caseSensitive);
        break;
      }
      case 'written': {
        const a = draft.answers as AnswersOf<'written'>;
        row.mark_scheme = a.markScheme ?? '';
        break;
      }
    }
    return CSV_COLUMNS.map((c) => row[c]);
  });
  return stringify([[...CSV_COLUMNS], ...rows]);
}

function optionalList(items: (string | undefined)[]): string {
  return items.some((i) => i) ? joinList(items.map((i) => i ?? '')) : '';
}
