// From recognised text to a draft question. OCR output is untrusted and noisy, so the rules are
// deliberately plain and a person corrects the result beside the image:
//
// Cleaning: control characters dropped, ligatures (ﬁ ﬂ …) spelled out, runs of spaces made one,
// no space before , ; : ? ! or a closing full stop. Lines of a paragraph are joined with a space; a line ending in a
// hyphen after a letter, followed by a line starting with a lower-case letter, is joined without
// the hyphen ("photo-" + "synthesis"). Paragraphs (blank lines) stay paragraphs. A leading
// question number ("3.", "3)", "Q3.", "Question 3:") is dropped. Characters markdown would read
// as markup (\ * _ ` < and #, >, -, +, "1." at the start of a paragraph) are escaped, so the
// text shows as it was printed.
//
// Single choice, when the text plainly has lettered options: a line starting with the label of
// A in one style — "A)", "A.", "(A)" or the same in lower case (the space after ")" may be
// missing, as OCR often drops it) — followed by B, C … in the same style and case, in order (at
// the start of later lines, or further along a line: "A) 3 B) 4").
// At least 2 options, at most 26; the text before A is the stem and must not be empty. No option
// is set as correct: the instructor picks. The text stays a written question instead when any
// "option" is long (over 300 characters), asks a question of its own (ends with "?") or carries
// marks ("[2 marks]", "(2 marks)", "[2]"): those are the parts of a structured question.
//
// Otherwise a marked written question: worth the marks the text states ("[3 marks]",
// "(3 marks)", "[3]", added up), else 1 mark.
import { LIMITS } from './question-model.ts';

export type OcrDraftText =
  | { type: 'single_choice'; stem: string; options: string[]; reason: string }
  | { type: 'written'; stem: string; maxMarks: number; reason: string };

const LIGATURES: Record<string, string> = {
  ﬀ: 'ff',
  ﬁ: 'fi',
  ﬂ: 'fl',
  ﬃ: 'ffi',
  ﬄ: 'ffl',
  ﬅ: 'st',
  ﬆ: 'st',
};

/** Lines as read, tidied; '' marks a paragraph break. */
function tidyLines(text: string): string[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/[ﬀ-ﬆ]/g, (c) => LIGATURES[c] ?? c)
    // eslint-disable-next-line no-control-regex -- dropping control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200d\ufeff]/g, '')
    .replace(/[\t\u00a0\u2000-\u200a\u202f\u3000]/g, ' ')
    .split('\n')
    .map((line) =>
      line
        .replace(/ {2,}/g, ' ')
        .replace(/ +([,;:?!]|\.(?= |$))/g, '$1')
        .trim(),
    );
  // Collapse runs of blank lines and drop them at both ends.
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out.at(-1) === '')) continue;
    out.push(line);
  }
  while (out.at(-1) === '') out.pop();
  return out;
}

/** Join the lines of one paragraph: hyphenated line ends mended, otherwise one space. */
function joinLines(lines: string[]): string {
  let out = '';
  for (const line of lines) {
    if (out === '') out = line;
    else if (/\p{L}-$/u.test(out) && /^\p{Ll}/u.test(line)) out = out.slice(0, -1) + line;
    else out = `${out} ${line}`;
  }
  return out.trim();
}

/** Paragraphs joined into running text, separated by a blank line. */
function joinParagraphs(lines: string[]): string {
  const paragraphs: string[][] = [[]];
  for (const line of lines) {
    if (line === '') paragraphs.push([]);
    else paragraphs.at(-1)!.push(line);
  }
  return paragraphs
    .map(joinLines)
    .filter((p) => p !== '')
    .join('\n\n');
}

/** Markdown-significant characters escaped so the text renders as printed. */
export function escapeMarkdown(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(/[\\*_`<]/g, (c) => `\\${c}`)
        .replace(/^([#>+-])/, '\\$1')
        .replace(/^(\d+)([.)])(\s)/, '$1\\$2$3'),
    )
    .join('\n');
}

const QUESTION_NUMBER = /^(?:(?:Q|Question)\s*)?\d{1,3}\s*[.):]\s+(?=\S)/i;

type LabelStyle = 'paren' | 'close' | 'dot';

const STYLE_LABEL: Record<LabelStyle, (letter: string) => string> = {
  paren: (l) => `(${l})`,
  close: (l) => `${l})`,
  dot: (l) => `${l}.`,
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface LabelMatch {
  /** Index of the label in the flattened text. */
  at: number;
  /** Index just after the label and its space. */
  textStart: number;
}

/**
 * The labels A, B, C … of one style and case in `flat` (lines joined by \n): A must start a
 * line; each later letter follows the previous one, at a line start or after a space.
 */
function findLabels(flat: string, style: LabelStyle, upper: boolean): LabelMatch[] {
  const found: LabelMatch[] = [];
  let from = 0;
  for (let index = 0; index < 26; index++) {
    const letter = String.fromCharCode((upper ? 65 : 97) + index);
    const label = escapeRegExp(STYLE_LABEL[style](letter));
    const boundary = index === 0 ? '(?:^|\\n)' : '(?:^|\\n| )';
    // OCR often drops the space after "B)" ("B)7"); a dot label needs one ("A.B" is not a label).
    const after = style === 'dot' ? '(?: |(?=\\n)|$)' : ' ?';
    const pattern = new RegExp(`${boundary}(${label})${after}`, 'g');
    pattern.lastIndex = from;
    const match = pattern.exec(flat);
    if (!match) break;
    const at = match.index + match[0].indexOf(match[1]!);
    found.push({ at, textStart: match.index + match[0].length });
    from = match.index + match[0].length;
  }
  return found;
}

const MARKS = /(?:\[\s*(\d{1,3})\s*(?:marks?)?\s*\]|\(\s*(\d{1,3})\s*marks?\s*\))/gi;
const MAX_OPTION_CHARS = 300;

function statedMarks(text: string): number {
  let total = 0;
  for (const paragraph of text.split(/\n\n/)) {
    for (const match of paragraph.matchAll(MARKS)) total += Number(match[1] ?? match[2]);
  }
  return total;
}

function stripQuestionNumber(lines: string[]): string[] {
  const first = lines.findIndex((l) => l !== '');
  if (first === -1) return lines;
  const copy = [...lines];
  copy[first] = copy[first]!.replace(QUESTION_NUMBER, '');
  return copy;
}

/** The draft a recognised text becomes (see the header for the rules). */
export function draftFromOcrText(text: string): OcrDraftText {
  const lines = stripQuestionNumber(tidyLines(text));
  const flat = lines.join('\n');

  let best: { style: LabelStyle; labels: LabelMatch[] } | undefined;
  for (const style of ['close', 'paren', 'dot'] as const) {
    for (const upper of [true, false]) {
      const labels = findLabels(flat, style, upper);
      if (labels.length >= 2 && (!best || labels.length > best.labels.length)) {
        best = { style, labels };
      }
    }
  }

  const written = (reason: string): OcrDraftText => {
    const stem = escapeMarkdown(joinParagraphs(lines));
    const marks = Math.min(1000, statedMarks(stem));
    return {
      type: 'written',
      stem,
      maxMarks: marks > 0 ? marks : 1,
      reason:
        marks > 0
          ? `${reason}; worth the ${marks} mark${marks === 1 ? '' : 's'} the text states`
          : `${reason}; worth 1 mark`,
    };
  };

  if (!best)
    return written('No lettered options (A) B) …) were found, so it is a written question');
  const { labels } = best;
  const stemText = joinParagraphs(flat.slice(0, labels[0]!.at).split('\n'));
  const options = labels.map((label, i) => {
    const end = i + 1 < labels.length ? labels[i + 1]!.at : flat.length;
    return joinParagraphs(flat.slice(label.textStart, end).split('\n'));
  });
  if (stemText === '') {
    return written(
      `The lettered parts start the text (no question before them), so it is a written question`,
    );
  }
  if (options.some((o) => o === '')) {
    return written(`An option label has no text after it, so it is a written question`);
  }
  if (options.some((o) => o.length > MAX_OPTION_CHARS)) {
    return written(
      `A lettered part is longer than ${MAX_OPTION_CHARS} characters, so it is a written question`,
    );
  }
  if (options.some((o) => /\?\s*$/.test(o))) {
    return written(`A lettered part asks a question of its own, so it is a written question`);
  }
  if (options.some((o) => new RegExp(MARKS.source, 'i').test(o))) {
    return written(`The lettered parts carry marks, so it is a structured written question`);
  }
  const labelOf = (l: LabelMatch) => flat.slice(l.at, l.textStart).trim();
  return {
    type: 'single_choice',
    stem: escapeMarkdown(stemText),
    options: options.map((o) => escapeMarkdown(o).slice(0, LIMITS.option)),
    reason: `Read as single choice: ${labels.length} options labelled ${labelOf(labels[0]!)} to ${labelOf(labels.at(-1)!)}; pick the correct one`,
  };
}
