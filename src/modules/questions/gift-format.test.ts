// GIFT parsing against two fixture files: every construct SkillBridge imports (supported.gift)
// and every construct it rejects (rejected.gift), with the line each is reported on; then the
// writer: what it writes parses back to the same questions.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseGift, writeGift, type ParsedQuestion } from './gift-format.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(path.join(here, 'fixtures', name), 'utf8');
const options = { status: 'draft' as const, source: 'fixture.gift' };

describe('GIFT import: supported constructs', () => {
  const result = parseGift(fixture('supported.gift'), options);
  const byLine = new Map<number, ParsedQuestion['draft']>(
    result.questions.map((q) => [q.line, q.draft]),
  );
  const at = (line: number) => {
    const draft = byLine.get(line);
    if (!draft) throw new Error(`no question starts on line ${line}`);
    return draft;
  };

  it('reads every question without an error, essays with a warning', () => {
    expect(result.errors).toEqual([]);
    expect(result.questions).toHaveLength(21);
    expect(result.warnings).toEqual([
      { line: 67, message: 'essay {} imported as a marked written question worth 1 mark' },
      { line: 69, message: 'essay {} imported as a marked written question worth 1 mark' },
    ]);
  });

  it('single choice with title, per-answer and general feedback, under a category', () => {
    expect(at(5)).toEqual({
      type: 'single_choice',
      title: 'Adding quarters',
      stem: 'What is 1/2 + 1/4?',
      format: 'markdown',
      generalFeedback: 'Write both fractions over a common denominator first.',
      answers: {
        options: [
          { id: 'a', text: '3/4', weight: 100, feedback: 'Right: 2/4 + 1/4.' },
          { id: 'b', text: '2/6', weight: 0, feedback: 'You added the denominators.' },
          { id: 'c', text: '1/6', weight: 0 },
        ],
      },
      difficulty: null,
      irt: null,
      maxMarks: 1,
      source: 'fixture.gift',
      category: 'Maths/Fractions',
      status: 'draft',
    });
  });

  it('multiple choice from weights without "=", negative weights and partial credit', () => {
    expect(at(12).type).toBe('multiple_choice');
    expect(at(12).answers).toEqual({
      options: [
        { id: 'a', text: 'Grant', weight: 50 },
        { id: 'b', text: "Grant's wife", weight: 50 },
        { id: 'c', text: 'No one', weight: -100 },
      ],
    });
    expect(at(19).type).toBe('single_choice');
    expect(at(19).answers).toEqual({
      options: [
        { id: 'a', text: '3.14159', weight: 100 },
        { id: 'b', text: '3.14', weight: 50 },
        { id: 'c', text: '3', weight: -50 },
      ],
    });
  });

  it('true/false in all four spellings, with wrong-then-right feedback', () => {
    expect(at(21).answers).toEqual({ correct: true });
    expect(at(23).answers).toEqual({
      correct: false,
      feedbackWrong: 'It rises in the east.',
      feedbackCorrect: 'Right, it does not.',
    });
    expect(at(25).answers).toEqual({ correct: true });
    expect(at(27).answers).toEqual({ correct: false });
    for (const line of [21, 23, 25, 27]) expect(at(line).type).toBe('true_false');
  });

  it('short answer with several accepted answers, partial credit and feedback', () => {
    expect(at(29)).toMatchObject({
      type: 'short_answer',
      stem: 'Who wrote "Hamlet"?',
      answers: {
        answers: [
          { text: 'Shakespeare', weight: 100 },
          { text: 'William Shakespeare', weight: 100 },
          { text: 'Marlowe', weight: 50, feedback: 'Close, but no.' },
        ],
        caseSensitive: false,
      },
    });
  });

  it('numeric: tolerance, range, exact value and several answers with partial credit', () => {
    expect(at(31).answers).toEqual({
      answers: [{ kind: 'tolerance', value: 3.14159, tolerance: 0.000005, weight: 100 }],
    });
    expect(at(33).answers).toEqual({ answers: [{ kind: 'range', min: 1, max: 5, weight: 100 }] });
    expect(at(35).answers).toEqual({
      answers: [{ kind: 'tolerance', value: 6, tolerance: 0, weight: 100 }],
    });
    expect(at(37).answers).toEqual({
      answers: [
        { kind: 'tolerance', value: 1822, tolerance: 0, weight: 100, feedback: 'Exactly right.' },
        { kind: 'tolerance', value: 1822, tolerance: 2, weight: 50, feedback: 'Close.' },
      ],
    });
  });

  it('missing-word questions keep the text after the answer block', () => {
    expect(at(42)).toMatchObject({
      type: 'short_answer',
      stem: 'Two plus two equals _____ in any base above four.',
    });
  });

  it('escapes, \\n, a second category and a title with an escaped colon', () => {
    expect(at(46)).toMatchObject({
      title: 'Escaped: colons',
      stem: 'Braces {like these}, = ~ # and a backslash \\ stay text.',
      category: 'Escapes',
      answers: {
        options: [
          { id: 'a', text: 'a = b', weight: 100, feedback: 'equal #1' },
          { id: 'b', text: 'a ~ b', weight: 0 },
        ],
      },
    });
    expect(at(51).stem).toBe('Line one\nline two of the stem.');
  });

  it('format tags: markdown and moodle stay markdown, html is kept as html, plain is escaped', () => {
    expect(at(53)).toMatchObject({ format: 'markdown', stem: '**Bold** and _italic_ stem.' });
    expect(at(53).answers).toMatchObject({ options: [{ text: '*right*' }, { text: 'wrong' }] });
    expect(at(58)).toMatchObject({
      format: 'html',
      stem: '<p>Which element is H<sub>2</sub>O made of?</p>',
      answers: { options: [{ text: '<b>hydrogen</b> and oxygen' }, { text: 'helium' }] },
    });
    expect(at(63)).toMatchObject({
      format: 'markdown',
      stem: 'A plain \\*stem\\* keeps its stars\\.',
    });
    expect(at(65)).toMatchObject({ format: 'markdown', stem: 'Moodle auto-format text.' });
  });

  it('essays become marked written questions worth 1 mark, with general feedback', () => {
    expect(at(67)).toMatchObject({
      type: 'written',
      title: 'Essay',
      stem: 'Explain why the sky is blue.',
      answers: { maxMarks: 1 },
      maxMarks: 1,
    });
    expect(at(69)).toMatchObject({
      type: 'written',
      generalFeedback: 'A good answer names light, water and CO2.',
    });
  });
});

describe('GIFT import: rejected constructs', () => {
  const result = parseGift(fixture('rejected.gift'), options);

  it('reports each problem on its line and imports none of them', () => {
    expect(result.questions).toEqual([]);
    expect(result.errors.map((e) => e.line)).toEqual([
      2, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31,
    ]);
  });

  it.each([
    [2, /matching questions .* not supported/],
    [7, /no answer block/],
    [9, /never closed/],
    [11, /"}" before the answer block/],
    [13, /a second answer block/],
    [15, /a "\{" inside the answer block/],
    [17, /text before the first answer \("maybe"\)/],
    [19, /weight that is not a percentage/],
    [21, /weight 150%/],
    [23, /"abc" is not a numeric answer/],
    [25, /minimum above its maximum/],
    [27, /multiple choice: the weights of the correct options must add up to 100/],
    [29, /must add up to 100/],
    [31, /numeric answer 2 starts with ~/],
  ])('line %i: %s', (line, message) => {
    const error = result.errors.find((e) => e.line === line);
    expect(error?.message).toMatch(message);
  });

  it('reports the line of the problem inside a multi-line question', () => {
    const text = 'First {=a ~b}\n\nSecond question\ncontinues here {\n=a\n~b\n=c -> d\n}\n';
    expect(parseGift(text, options).errors).toEqual([
      { line: 4, message: expect.stringMatching(/matching questions/) },
    ]);
  });

  it('refuses private-use characters, which it uses internally for escapes', () => {
    expect(parseGift('ok {=a ~b}\n\nbad \uE001 {=a ~b}', options).errors).toEqual([
      { line: 3, message: expect.stringMatching(/private-use characters/) },
    ]);
  });

  it('handles Windows line endings and a byte-order mark', () => {
    const result = parseGift('\uFEFF// c\r\nQ1 {T}\r\n\r\nQ2 {F}\r\n', options);
    expect(result.errors).toEqual([]);
    expect(result.questions.map((q) => [q.line, q.draft.stem])).toEqual([
      [2, 'Q1'],
      [4, 'Q2'],
    ]);
  });
});

describe('GIFT export', () => {
  it('writes what it reads: every supported question survives a round trip', () => {
    const first = parseGift(fixture('supported.gift'), options);
    const written = writeGift(first.questions.map((q) => q.draft));
    const second = parseGift(written, options);
    expect(second.errors).toEqual([]);
    expect(second.questions.map((q) => q.draft)).toEqual(first.questions.map((q) => q.draft));
  });

  it('escapes special characters and newlines so they come back as text', () => {
    const draft = {
      ...parseGift('x {=a ~b}', options).questions[0]!.draft,
      title: 'a::b',
      stem: 'Use {braces}, a = b, ~tilde, #hash, C:\\path, \\n literally\n\nand a blank line',
    };
    const back = parseGift(writeGift([draft]), options);
    expect(back.errors).toEqual([]);
    expect(back.questions[0]!.draft).toEqual(draft);
  });
});
