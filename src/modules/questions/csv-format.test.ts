// The question CSV format: every type from a spreadsheet-style file, each kind of error with its
// line and column, and a round trip through the writer.
import { describe, expect, it } from 'vitest';
import { parseQuestionCsv, splitList, joinList, writeQuestionCsv } from './csv-format.ts';

const defaults = { status: 'draft' as const, source: 'bank.csv' };

const GOOD = [
  'type,stem,options,correct,weights,feedback,general_feedback,difficulty,max_marks,case_sensitive,mark_scheme,irt_a,irt_b,irt_c,category,status,tags,title',
  'single_choice,What is 1/2 + 1/4?,2/6|3/4|1/6,b,,You added the denominators.|Right.|,Use a common denominator.,2,,,,,,,Maths/Fractions,published,fractions,Quarters',
  'multiple_choice,Which are prime?,2|3|4|9,a|c,,,,3,2,,,1.2,0.4,0.2,,,,',
  'multiple_choice,Partial credit,x|y|z,,60|40|-100,,,,,,,,,,,,,',
  'true_false,The sun rises in the east.,,true,,Well done.|Look at a sunrise.,,1,,,,,,,,review,,',
  'numeric,What is pi?,3.14:0.01|3..3.5,,100|50,Close enough|Too rough,,,,,,,,,,,,',
  'short_answer,Capital of France?,Paris|paris city,,,,,,,true,,,,,,,,',
  '"written","Explain, in two lines,\nwhy ""1/2 = 2/4"".",,,,,,,5,,"Mentions equal parts.",,,,,,,',
].join('\n');

describe('CSV import', () => {
  it('reads every question type', async () => {
    const result = await parseQuestionCsv(GOOD, defaults);
    expect(result.errors).toEqual([]);
    const drafts = result.questions.map((q) => q.draft);
    expect(result.questions.map((q) => q.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(drafts[0]).toEqual({
      type: 'single_choice',
      title: 'Quarters',
      stem: 'What is 1/2 + 1/4?',
      format: 'markdown',
      generalFeedback: 'Use a common denominator.',
      answers: {
        options: [
          { id: 'a', text: '2/6', weight: 0, feedback: 'You added the denominators.' },
          { id: 'b', text: '3/4', weight: 100, feedback: 'Right.' },
          { id: 'c', text: '1/6', weight: 0 },
        ],
      },
      difficulty: 2,
      irt: null,
      maxMarks: 1,
      source: 'bank.csv',
      category: 'Maths/Fractions',
      status: 'published',
    });
    expect(result.questions[0]!.tags).toEqual(['fractions']);
    expect(drafts[1]).toMatchObject({
      type: 'multiple_choice',
      maxMarks: 2,
      irt: { a: 1.2, b: 0.4, c: 0.2 },
      answers: {
        options: [
          { id: 'a', weight: 50 },
          { id: 'b', weight: 0 },
          { id: 'c', weight: 50 },
          { id: 'd', weight: 0 },
        ],
      },
    });
    expect(drafts[2]!.answers).toMatchObject({
      options: [{ weight: 60 }, { weight: 40 }, { weight: -100 }],
    });
    expect(drafts[3]).toMatchObject({
      status: 'review',
      answers: {
        correct: true,
        feedbackCorrect: 'Well done.',
        feedbackWrong: 'Look at a sunrise.',
      },
    });
    expect(drafts[4]!.answers).toEqual({
      answers: [
        { kind: 'tolerance', value: 3.14, tolerance: 0.01, weight: 100, feedback: 'Close enough' },
        { kind: 'range', min: 3, max: 3.5, weight: 50, feedback: 'Too rough' },
      ],
    });
    expect(drafts[5]!.answers).toEqual({
      answers: [
        { text: 'Paris', weight: 100 },
        { text: 'paris city', weight: 100 },
      ],
      caseSensitive: true,
    });
    expect(drafts[6]).toMatchObject({
      type: 'written',
      stem: 'Explain, in two lines,\nwhy "1/2 = 2/4".',
      maxMarks: 5,
      answers: { maxMarks: 5, markScheme: 'Mentions equal parts.' },
    });
  });

  it.each([
    ['no header columns', 'foo,bar\n1,2', 1, /unknown columns "foo", "bar"/],
    ['a missing required column', 'type,title\nnumeric,x', 1, /required column "stem"/],
    ['an unknown type', 'type,stem\nessay,Write', 2, /type: "essay" is not one of/],
    ['an empty stem', 'type,stem,options\nshort_answer,,a', 2, /stem: must not be empty/],
    [
      'no right choice',
      'type,stem,options,correct\nsingle_choice,Q,a|b,',
      2,
      /correct: say which choice is right/,
    ],
    [
      'a letter past the options',
      'type,stem,options,correct\nsingle_choice,Q,a|b,c',
      2,
      /correct: "c" is not one of the choices a-b/,
    ],
    [
      'two right answers in single choice',
      'type,stem,options,correct\nsingle_choice,Q,a|b,a|b',
      2,
      /use multiple_choice/,
    ],
    [
      'weights that do not add up',
      'type,stem,options,weights\nmultiple_choice,Q,a|b,30|30',
      2,
      /options: the weights of the correct options must add up to 100/,
    ],
    [
      'a weight count mismatch',
      'type,stem,options,weights\nmultiple_choice,Q,a|b,100',
      2,
      /weights: 1 weights for 2 options/,
    ],
    ['a bad number', 'type,stem,options\nnumeric,Q,pi', 2, /options: "pi" is not a numeric answer/],
    ['a bad difficulty', 'type,stem,difficulty\nwritten,Q,7', 2, /max_marks: a written question/],
    [
      'difficulty out of range',
      'type,stem,difficulty,max_marks\nwritten,Q,7,3',
      2,
      /difficulty: must be from 1/,
    ],
    [
      'two of three IRT parameters',
      'type,stem,max_marks,irt_a,irt_b\nwritten,Q,3,1,0',
      2,
      /all three IRT parameters/,
    ],
    [
      'a bad status',
      'type,stem,options,correct\ntrue_false,Q,,maybe',
      2,
      /correct: "maybe" is not true or false/,
    ],
    [
      'a ragged row',
      'type,stem\nwritten,Q,extra',
      2,
      /this row has 3 cells but the header row has 2/,
    ],
    ['an unclosed quote', 'type,stem\nwritten,"Q', 2, /never closed/],
    [
      'a stray quote',
      'type,stem,max_marks\nwritten,Who wrote "Hamlet"?,2',
      2,
      /quote the whole cell/,
    ],
    ['an empty file', '', 1, /the file is empty/],
  ])('reports %s with its line', async (_name, text, line, message) => {
    const result = await parseQuestionCsv(text, defaults);
    expect(result.questions).toEqual([]);
    expect(result.errors[0]).toEqual({ line, message: expect.stringMatching(message) });
  });

  it('reports every bad row, not only the first', async () => {
    const text = 'type,stem,options\nnumeric,A,1\nnumeric,B,x\nnumeric,C,2\nnumeric,D,y';
    const result = await parseQuestionCsv(text, defaults);
    expect(result.errors.map((e) => e.line)).toEqual([3, 5]);
  });
});

describe('CSV lists and export', () => {
  it('escapes the list separator', () => {
    const items = ['a|b', 'back\\slash', ' padded '];
    expect(splitList(joinList(items))).toEqual(['a|b', 'back\\slash', 'padded']);
  });

  it('writes what it reads: every column survives a round trip', async () => {
    const first = await parseQuestionCsv(GOOD, defaults);
    const csv = writeQuestionCsv(
      first.questions.map((q, i) => ({ id: `id-${i}`, draft: q.draft, tags: q.tags })),
    );
    const second = await parseQuestionCsv(csv, defaults);
    expect(second.errors).toEqual([]);
    expect(second.questions.map((q) => [q.draft, q.tags])).toEqual(
      first.questions.map((q) => [q.draft, q.tags]),
    );
  });
});
