// Moodle GIFT: parse a file into question drafts, and write drafts back as GIFT.
//
// Supported: $CATEGORY:, ::titles::, [markdown]/[html]/[moodle]/[plain] format tags, // comment
// lines, the escapes \~ \= \# \{ \} \: \\ and \n, single choice (=right ~wrong), multiple choice
// (no "=", weights ~%50%), partial credit (~%50%, =%50%, negative weights), per-answer feedback
// (#…), general feedback (####…), true/false ({T} {F} {TRUE} {FALSE}, with #wrong#right
// feedback), short answer (only "=" answers, weights allowed), numeric ({#3.14:0.01},
// {#1..5}, {#3}, several {#=…=%50%…} answers), missing-word questions (text after the answer
// block) and essays ({}), which become marked written questions worth 1 mark.
// Rejected with a message: matching (->) questions, text before the first answer, unbalanced or
// repeated braces, unknown weights, numbers that do not parse.
//
// Every problem carries the line number in the file; parsing goes on after an error so one run
// reports them all (up to MAX_REPORTED_PROBLEMS).
import {
  optionId,
  validateDraft,
  type AnswersOf,
  type ChoiceOption,
  type NumericAnswer,
  type QuestionDraft,
  type QuestionStatus,
  type QuestionTextFormat,
} from './question-model.ts';

export interface ImportProblem {
  line: number;
  message: string;
}

export interface ParsedQuestion {
  /** First line of the question in the file. */
  line: number;
  draft: QuestionDraft;
}

export interface ParseResult {
  questions: ParsedQuestion[];
  errors: ImportProblem[];
  warnings: ImportProblem[];
}

export interface ParseOptions {
  status: QuestionStatus;
  source: string | null;
}

export const MAX_REPORTED_PROBLEMS = 200;

// Escaped characters are replaced by private-use sentinels so the structural characters left
// are all unescaped. One sentinel per escape keeps offsets line-accurate (\n is a sentinel too).
const ESCAPES: Record<string, string> = {
  '~': '\uE000',
  '=': '\uE001',
  '#': '\uE002',
  '{': '\uE003',
  '}': '\uE004',
  ':': '\uE005',
  '\\': '\uE006',
  n: '\uE007',
};
const UNESCAPE: Record<string, string> = {
  '\uE000': '~',
  '\uE001': '=',
  '\uE002': '#',
  '\uE003': '{',
  '\uE004': '}',
  '\uE005': ':',
  '\uE006': '\\',
  '\uE007': '\n',
};
const SENTINELS = /[\uE000-\uE007]/g;

function escapeSpecials(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '\\' && next !== undefined && ESCAPES[next] !== undefined) {
      out += ESCAPES[next];
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

function unescape(text: string): string {
  return text.replace(SENTINELS, (s) => UNESCAPE[s] ?? s);
}

const FORMAT_TAG = /^\s*\[(markdown|html|moodle|plain)\]/i;
const NUMBER = '[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';
const TOLERANCE_SPEC = new RegExp(`^(${NUMBER})(?:\\s*:\\s*(${NUMBER}))?$`);
const RANGE_SPEC = new RegExp(`^(${NUMBER})\\s*\\.\\.\\s*(${NUMBER})$`);
const TRUE_FALSE = /^(T|TRUE|F|FALSE)$/i;
const WEIGHT = /^%([^%]*)%/;

/** Markdown-escape text that arrived as [plain], so it shows exactly as typed. */
function plainToMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!<>|~])/g, '\\$1');
}

class QuestionProblem extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

interface Block {
  /** Line number (1-based) of the block's first line. */
  line: number;
  /** The block with comment lines blanked (same number of lines). */
  text: string;
}

/** Questions are separated by blank lines; comment lines belong to no question. */
function splitBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let current: string[] = [];
  let start = 0;
  const flush = () => {
    if (current.some((l) => l.trim() !== '')) {
      // Trailing blanked comment lines would only shift nothing; keep them for offsets.
      blocks.push({ line: start + 1, text: current.join('\n') });
    }
    current = [];
  };
  lines.forEach((raw, index) => {
    if (raw.trim() === '') {
      flush();
      return;
    }
    if (current.length === 0) start = index;
    current.push(raw.trimStart().startsWith('//') ? '' : raw);
  });
  flush();
  return blocks;
}

function lineAt(block: Block, offset: number): number {
  let line = block.line;
  const end = Math.min(offset, block.text.length);
  for (let i = 0; i < end; i++) if (block.text[i] === '\n') line++;
  return line;
}

/** GIFT text to markdown or HTML, with its format tag (if any) removed. */
function takeFormat(
  text: string,
  inherited: QuestionTextFormat,
): { text: string; format: QuestionTextFormat; plain: boolean } {
  const match = FORMAT_TAG.exec(text);
  if (!match) return { text, format: inherited, plain: false };
  const tag = match[1]!.toLowerCase();
  const rest = text.slice(match[0].length);
  if (tag === 'html') return { text: rest, format: 'html', plain: false };
  return { text: rest, format: 'markdown', plain: tag === 'plain' };
}

function finishText(escaped: string, plain: boolean): string {
  const text = unescape(escaped).trim();
  return plain ? plainToMarkdown(text) : text;
}

/** Text of an answer or feedback: a leading format tag is dropped, escapes resolved. */
function answerText(escaped: string): string {
  const { text, plain } = takeFormat(escaped, 'markdown');
  return finishText(text, plain);
}

interface RawAnswer {
  marker: '=' | '~';
  weight: number | null;
  text: string;
  feedback: string | undefined;
  offset: number;
}

/** Split "=a#fb ~%50%b" at every unescaped = or ~; offsets are relative to the block. */
function splitAnswers(body: string, bodyOffset: number): RawAnswer[] {
  const answers: RawAnswer[] = [];
  const starts: number[] = [];
  for (let i = 0; i < body.length; i++) if (body[i] === '=' || body[i] === '~') starts.push(i);
  const first = starts[0] ?? body.length;
  if (body.slice(0, first).trim() !== '') {
    throw new QuestionProblem(
      bodyOffset,
      `text before the first answer ("${unescape(body.slice(0, first)).trim().slice(0, 40)}"): start every answer with = (right) or ~ (wrong), or escape = and ~ as \\= and \\~`,
    );
  }
  starts.forEach((start, n) => {
    const end = starts[n + 1] ?? body.length;
    let rest = body.slice(start + 1, end).trimStart();
    let weight: number | null = null;
    if (rest.startsWith('%')) {
      const match = WEIGHT.exec(rest);
      const value = match ? Number(match[1]) : Number.NaN;
      if (!match || match[1]!.trim() === '' || !Number.isFinite(value)) {
        throw new QuestionProblem(
          bodyOffset + start,
          `answer ${n + 1} has a weight that is not a percentage: write it like ~%50%text or ~%-25%text`,
        );
      }
      if (value < -100 || value > 100) {
        throw new QuestionProblem(
          bodyOffset + start,
          `answer ${n + 1} has the weight ${value}%: weights go from -100% to 100%`,
        );
      }
      weight = value;
      rest = rest.slice(match[0].length);
    }
    const hash = rest.indexOf('#');
    const text = hash === -1 ? rest : rest.slice(0, hash);
    const feedback = hash === -1 ? undefined : answerText(rest.slice(hash + 1));
    answers.push({
      marker: body[start] as '=' | '~',
      weight,
      text,
      feedback: feedback === '' ? undefined : feedback,
      offset: bodyOffset + start,
    });
  });
  return answers;
}

function parseNumericSpec(
  spec: string,
  offset: number,
):
  | { kind: 'tolerance'; value: number; tolerance: number }
  | { kind: 'range'; min: number; max: number } {
  const clean = unescape(spec).trim();
  const range = RANGE_SPEC.exec(clean);
  if (range) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (min > max) {
      throw new QuestionProblem(offset, `the range ${clean} has its minimum above its maximum`);
    }
    return { kind: 'range', min, max };
  }
  const tolerance = TOLERANCE_SPEC.exec(clean);
  if (tolerance) {
    return {
      kind: 'tolerance',
      value: Number(tolerance[1]),
      tolerance: Math.abs(Number(tolerance[2] ?? '0')),
    };
  }
  throw new QuestionProblem(
    offset,
    `"${clean.slice(0, 40)}" is not a numeric answer: write {#3.14:0.01} (value:tolerance), {#1..5} (range) or {#42}`,
  );
}

function parseNumeric(body: string, bodyOffset: number): AnswersOf<'numeric'> {
  const inner = body.slice(1);
  const innerOffset = bodyOffset + 1;
  if (inner.trim().startsWith('=') || inner.trim().startsWith('~')) {
    const answers: NumericAnswer[] = splitAnswers(inner, innerOffset).map((a, n) => {
      if (a.marker === '~') {
        throw new QuestionProblem(
          a.offset,
          `numeric answer ${n + 1} starts with ~: list the accepted numbers with = and give partial credit as =%50%…`,
        );
      }
      if (a.text.trim() === '') {
        throw new QuestionProblem(a.offset, `numeric answer ${n + 1} has no number`);
      }
      return {
        ...parseNumericSpec(a.text, a.offset),
        weight: a.weight ?? 100,
        ...(a.feedback ? { feedback: a.feedback } : {}),
      };
    });
    return { answers };
  }
  const hash = inner.indexOf('#');
  const spec = hash === -1 ? inner : inner.slice(0, hash);
  const feedback = hash === -1 ? '' : answerText(inner.slice(hash + 1));
  if (spec.trim() === '') {
    throw new QuestionProblem(bodyOffset, 'the numeric answer {#…} has no number');
  }
  return {
    answers: [
      {
        ...parseNumericSpec(spec, innerOffset),
        weight: 100,
        ...(feedback ? { feedback } : {}),
      },
    ],
  };
}

type Classified =
  | { type: 'single_choice' | 'multiple_choice'; answers: { options: ChoiceOption[] } }
  | { type: 'true_false'; answers: AnswersOf<'true_false'> }
  | { type: 'numeric'; answers: AnswersOf<'numeric'> }
  | { type: 'short_answer'; answers: AnswersOf<'short_answer'> }
  | { type: 'written'; answers: AnswersOf<'written'> };

function classify(body: string, bodyOffset: number): Classified {
  const trimmed = body.trim();
  if (trimmed === '') return { type: 'written', answers: { maxMarks: 1 } };
  if (trimmed.startsWith('#'))
    return { type: 'numeric', answers: parseNumeric(trimmed, bodyOffset + body.indexOf('#')) };
  if (body.includes('->')) {
    throw new QuestionProblem(
      bodyOffset,
      'matching questions (pairs written with ->) are not supported: split them into single-choice questions',
    );
  }
  const parts = trimmed.split('#');
  if (TRUE_FALSE.test(parts[0]!.trim())) {
    if (parts.length > 3) {
      throw new QuestionProblem(
        bodyOffset,
        'a true/false answer takes at most two feedbacks: {T#shown when wrong#shown when right}',
      );
    }
    const wrong = parts[1] === undefined ? '' : answerText(parts[1]);
    const right = parts[2] === undefined ? '' : answerText(parts[2]);
    return {
      type: 'true_false',
      answers: {
        correct: parts[0]!.trim().toUpperCase().startsWith('T'),
        ...(right ? { feedbackCorrect: right } : {}),
        ...(wrong ? { feedbackWrong: wrong } : {}),
      },
    };
  }
  if (body.includes('~')) {
    const raw = splitAnswers(body, bodyOffset);
    const single = raw.some((a) => a.marker === '=');
    if (raw.length > 26) {
      throw new QuestionProblem(bodyOffset, `${raw.length} options: at most 26 are allowed`);
    }
    const options = raw.map((a, n): ChoiceOption => {
      const text = answerText(a.text);
      if (text === '') throw new QuestionProblem(a.offset, `option ${n + 1} is empty`);
      const weight = a.weight ?? (a.marker === '=' ? 100 : 0);
      return { id: optionId(n), text, weight, ...(a.feedback ? { feedback: a.feedback } : {}) };
    });
    return { type: single ? 'single_choice' : 'multiple_choice', answers: { options } };
  }
  if (body.includes('=')) {
    const answers = splitAnswers(body, bodyOffset).map((a, n) => {
      const text = answerText(a.text);
      if (text === '') throw new QuestionProblem(a.offset, `accepted answer ${n + 1} is empty`);
      return { text, weight: a.weight ?? 100, ...(a.feedback ? { feedback: a.feedback } : {}) };
    });
    return { type: 'short_answer', answers: { answers, caseSensitive: false } };
  }
  throw new QuestionProblem(
    bodyOffset,
    `cannot tell the question type from {${unescape(trimmed).slice(0, 40)}}: mark answers with = (right) and ~ (wrong), or write T/F, #number, or {} for an essay`,
  );
}

/** The category path of a $CATEGORY: line, without Moodle's context prefixes. */
function categoryPath(raw: string): string | null {
  const parts = unescape(raw)
    .split('/')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  while (parts.length > 0 && /^\$\w+\$$/.test(parts[0]!)) parts.shift();
  if (parts[0]?.toLowerCase() === 'top') parts.shift();
  return parts.length === 0 ? null : parts.join('/');
}

function parseBlock(
  block: Block,
  category: string | null,
  options: ParseOptions,
): { draft: QuestionDraft; line: number; warnings: ImportProblem[] } {
  const text = block.text;
  const open = text.indexOf('{');
  const firstClose = text.indexOf('}');
  if (open === -1) {
    if (firstClose !== -1) {
      throw new QuestionProblem(
        firstClose,
        '"}" without an opening "{": escape a literal brace as \\}',
      );
    }
    throw new QuestionProblem(
      text.search(/\S/),
      'no answer block: a GIFT question needs its answers in {…} (a question ends at a blank line)',
    );
  }
  if (firstClose !== -1 && firstClose < open) {
    throw new QuestionProblem(firstClose, '"}" before the answer block opens: escape it as \\}');
  }
  const close = text.indexOf('}', open + 1);
  if (close === -1) {
    throw new QuestionProblem(
      open,
      'the answer block "{" is never closed: add "}" before the next blank line',
    );
  }
  const nestedOpen = text.indexOf('{', open + 1);
  if (nestedOpen !== -1 && nestedOpen < close) {
    throw new QuestionProblem(
      nestedOpen,
      'a "{" inside the answer block: close the block with "}" first, or escape a literal brace as \\{',
    );
  }
  const extra = text.slice(close + 1).search(/[{}]/);
  if (extra !== -1) {
    throw new QuestionProblem(
      close + 1 + extra,
      'a second answer block: one question has one {…}; separate questions with a blank line or escape braces as \\{ \\}',
    );
  }

  let head = text.slice(0, open);
  let title: string | null = null;
  const headStart = head.search(/\S|$/);
  if (head.slice(headStart).startsWith('::')) {
    const end = head.indexOf('::', headStart + 2);
    if (end === -1) {
      throw new QuestionProblem(
        headStart,
        'the title opened with "::" is not closed: write ::Title:: before the question',
      );
    }
    title = unescape(head.slice(headStart + 2, end)).trim() || null;
    head = head.slice(end + 2);
  }
  const formatted = takeFormat(head, 'markdown');
  let stem = finishText(formatted.text, formatted.plain);
  const tail = finishText(
    takeFormat(text.slice(close + 1), formatted.format).text,
    formatted.plain,
  );
  if (tail !== '') stem = `${stem} _____ ${tail}`.trim();
  if (stem === '') {
    if (!title) {
      throw new QuestionProblem(open, 'the question has no text before its answers');
    }
    stem = title;
  }

  let body = text.slice(open + 1, close);
  let generalFeedback: string | null = null;
  const general = body.indexOf('####');
  if (general !== -1) {
    generalFeedback = answerText(body.slice(general + 4)) || null;
    body = body.slice(0, general);
  }
  const classified = classify(body, open + 1);
  const warnings: ImportProblem[] = [];
  if (classified.type === 'written') {
    warnings.push({
      line: lineAt(block, open),
      message: 'essay {} imported as a marked written question worth 1 mark',
    });
  }
  const candidate: Record<string, unknown> = {
    type: classified.type,
    title,
    stem,
    format: formatted.format,
    generalFeedback,
    answers: classified.answers,
    source: options.source,
    category,
    status: options.status,
  };
  const checked = validateDraft(candidate);
  if (!checked.ok) {
    const issue = checked.issues[0]!;
    const more = checked.issues.length > 1 ? ` (and ${checked.issues.length - 1} more)` : '';
    throw new QuestionProblem(open, `${describeIssue(classified.type, issue)}${more}`);
  }
  return { draft: checked.draft, line: lineAt(block, headStart), warnings };
}

function describeIssue(type: string, issue: { path: string; message: string }): string {
  if (issue.path === 'answers.options' || issue.path === 'answers.answers') {
    const what = type.replace('_', ' ');
    if (type === 'multiple_choice') {
      return `${what}: ${issue.message} (a block without "=" is multiple choice; give each right option a weight like ~%50%)`;
    }
    return `${what}: ${issue.message}`;
  }
  return `${issue.path}: ${issue.message}`;
}

/** Parse a whole GIFT file (already decoded text). */
export function parseGift(source: string, options: ParseOptions): ParseResult {
  const normalised = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const errors: ImportProblem[] = [];
  const warnings: ImportProblem[] = [];
  const questions: ParsedQuestion[] = [];

  const sentinel = normalised.search(SENTINELS);
  if (sentinel !== -1) {
    const line = normalised.slice(0, sentinel).split('\n').length;
    return {
      questions,
      errors: [{ line, message: 'the file contains private-use characters (U+E000-U+E007)' }],
      warnings,
    };
  }

  let category: string | null = null;
  for (const rawBlock of splitBlocks(escapeSpecials(normalised))) {
    if (errors.length >= MAX_REPORTED_PROBLEMS) break;
    let block = rawBlock;
    const firstLine = block.text.split('\n').findIndex((l) => l.trim() !== '');
    const lines = block.text.split('\n');
    const categoryLine = lines[firstLine]!.trim();
    if (categoryLine.startsWith('$CATEGORY:')) {
      category = categoryPath(categoryLine.slice('$CATEGORY:'.length));
      const rest = lines.slice(firstLine + 1);
      if (!rest.some((l) => l.trim() !== '')) continue;
      block = { line: block.line + firstLine + 1, text: rest.join('\n') };
    }
    try {
      const parsed = parseBlock(block, category, options);
      questions.push({ line: parsed.line, draft: parsed.draft });
      warnings.push(...parsed.warnings);
    } catch (err) {
      if (!(err instanceof QuestionProblem)) throw err;
      errors.push({ line: lineAt(block, Math.max(0, err.offset)), message: err.message });
    }
  }
  return { questions, errors, warnings };
}

// ---------------------------------------------------------------------------------------------
// Writing GIFT

function escapeGift(text: string): string {
  return text.replace(/[\\~=#{}:]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}

function feedbackPart(feedback: string | undefined): string {
  return feedback ? `#${escapeGift(feedback)}` : '';
}

function weightPart(weight: number): string {
  return `%${Number(weight.toFixed(5))}%`;
}

function numericSpec(answer: NumericAnswer): string {
  return answer.kind === 'range'
    ? `${answer.min}..${answer.max}`
    : `${answer.value}:${answer.tolerance}`;
}

function answerBlock(draft: QuestionDraft): string {
  const general = draft.generalFeedback ? `\n\t####${escapeGift(draft.generalFeedback)}\n` : '';
  switch (draft.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const { options } = draft.answers as { options: ChoiceOption[] };
      const lines = options.map((o) => {
        const marker =
          draft.type === 'single_choice' && o.weight === 100
            ? '='
            : `~${o.weight === 0 ? '' : weightPart(o.weight)}`;
        return `\t${marker}${escapeGift(o.text)}${feedbackPart(o.feedback)}`;
      });
      return `{\n${lines.join('\n')}${general || '\n'}}`;
    }
    case 'true_false': {
      const a = draft.answers as AnswersOf<'true_false'>;
      let out = a.correct ? 'TRUE' : 'FALSE';
      if (a.feedbackWrong || a.feedbackCorrect) out += `#${escapeGift(a.feedbackWrong ?? '')}`;
      if (a.feedbackCorrect) out += `#${escapeGift(a.feedbackCorrect)}`;
      return `{${out}${general ? general : ''}}`;
    }
    case 'numeric': {
      const { answers } = draft.answers as AnswersOf<'numeric'>;
      const only = answers[0]!;
      if (answers.length === 1 && only.weight === 100) {
        return `{#${numericSpec(only)}${feedbackPart(only.feedback)}${general}}`;
      }
      const lines = answers.map(
        (a) =>
          `\t=${a.weight === 100 ? '' : weightPart(a.weight)}${numericSpec(a)}${feedbackPart(a.feedback)}`,
      );
      return `{#\n${lines.join('\n')}${general || '\n'}}`;
    }
    case 'short_answer': {
      const { answers } = draft.answers as AnswersOf<'short_answer'>;
      const lines = answers.map(
        (a) =>
          `\t=${a.weight === 100 ? '' : weightPart(a.weight)}${escapeGift(a.text)}${feedbackPart(a.feedback)}`,
      );
      return `{\n${lines.join('\n')}${general || '\n'}}`;
    }
    case 'written':
      return `{${general}}`;
  }
}

export interface GiftExportQuestion {
  draft: QuestionDraft;
}

/**
 * Questions as one GIFT file, grouped by category in first-seen order (uncategorised first).
 * What GIFT cannot say is left out: difficulty, IRT parameters, status, source, short-answer
 * case sensitivity and the marks of written questions (an essay re-imports as 1 mark). Use CSV
 * for a complete export.
 */
export function writeGift(drafts: QuestionDraft[]): string {
  const groups = new Map<string | null, QuestionDraft[]>();
  for (const d of drafts) {
    const list = groups.get(d.category) ?? [];
    list.push(d);
    groups.set(d.category, list);
  }
  const order = [...groups.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : 0));
  const out: string[] = ['// Exported from SkillBridge (Moodle GIFT format)', ''];
  for (const category of order) {
    if (category !== null) out.push(`$CATEGORY: ${escapeGift(category)}`, '');
    for (const d of groups.get(category)!) {
      const title = d.title ? `::${escapeGift(d.title)}::` : '';
      out.push(`${title}[${d.format}]${escapeGift(d.stem)} ${answerBlock(d)}`, '');
    }
  }
  return out.join('\n');
}
