// The rules that turn recognised text into a draft: cleaning, lettered options, marks.
import { describe, expect, it } from 'vitest';
import { draftFromOcrText } from './ocr-draft-text.ts';

describe('draftFromOcrText', () => {
  it('reads options A) … D) on their own lines as a single-choice draft', () => {
    const draft = draftFromOcrText(
      '3. Which gas do plants take in\nfor photosynthesis?\nA) Oxygen\nB) Carbon dioxide\nC) Nitrogen\nD) Helium',
    );
    expect(draft).toMatchObject({
      type: 'single_choice',
      stem: 'Which gas do plants take in for photosynthesis?',
      options: ['Oxygen', 'Carbon dioxide', 'Nitrogen', 'Helium'],
    });
    expect(draft.reason).toMatch(/4 options labelled A\) to D\)/);
  });

  it('reads (a) (b) and A. B. styles, and options further along one line', () => {
    expect(draftFromOcrText('What is 2 + 2?\n(a) 3\n(b) 4\n(c) 5')).toMatchObject({
      type: 'single_choice',
      options: ['3', '4', '5'],
    });
    expect(draftFromOcrText('Pick the prime.\nA. 4 B. 6 C. 7')).toMatchObject({
      type: 'single_choice',
      stem: 'Pick the prime.',
      options: ['4', '6', '7'],
    });
    // OCR dropped the spaces after B) and C).
    expect(draftFromOcrText('6. Which is even?\nA) 6\nB)7\nC)8\nD) 9')).toMatchObject({
      type: 'single_choice',
      stem: 'Which is even?',
      options: ['6', '7', '8', '9'],
    });
    expect(draftFromOcrText('Capital of France?\na) Paris\nb) Lyon')).toMatchObject({
      type: 'single_choice',
      options: ['Paris', 'Lyon'],
    });
  });

  it('joins an option that runs over two lines and mends hyphenation', () => {
    const draft = draftFromOcrText(
      'Which process turns light into chemi-\ncal energy?\nA) photo-\nsynthesis\nB) respiration',
    );
    expect(draft).toMatchObject({
      stem: 'Which process turns light into chemical energy?',
      options: ['photosynthesis', 'respiration'],
    });
  });

  it('keeps a text without lettered options as a written question worth 1 mark', () => {
    const draft = draftFromOcrText(
      'Name the process that turns  light\ninto chemical energy .\n\nExplain your answer ,briefly.',
    );
    expect(draft).toEqual({
      type: 'written',
      stem: 'Name the process that turns light into chemical energy.\n\nExplain your answer,briefly.',
      maxMarks: 1,
      reason: expect.stringMatching(/No lettered options.*worth 1 mark$/),
    });
  });

  it('treats lettered parts with marks, questions or long text as a structured written question', () => {
    const parts = draftFromOcrText(
      'Photosynthesis\n(a) Define photosynthesis. [2 marks]\n(b) Name its two products. [2 marks]',
    );
    expect(parts).toMatchObject({ type: 'written', maxMarks: 4 });
    expect(parts.reason).toMatch(/carry marks/);
    expect(
      draftFromOcrText('Answer both.\n(a) What is a cell?\n(b) What is a tissue?'),
    ).toMatchObject({ type: 'written', maxMarks: 1 });
    expect(draftFromOcrText(`Essay.\nA) ${'long '.repeat(80)}\nB) short`).type).toBe('written');
  });

  it('does not take a sentence starting with "A" or letters out of order for options', () => {
    expect(draftFromOcrText('A train leaves at 3 pm.\nB is a letter.').type).toBe('written');
    expect(draftFromOcrText('Options:\nA) one\nC) three').type).toBe('written');
    expect(draftFromOcrText('A) first\nB) second').type).toBe('written');
    expect(draftFromOcrText('Compare f(a) and f(b) for a < b.').type).toBe('written');
  });

  it('escapes what markdown would turn into markup, and strips control characters', () => {
    const draft = draftFromOcrText('# of apples: 2*3*4 <b>bold</b>\u0007\n\n- dash\n1. first');
    expect(draft.stem).toBe('\\# of apples: 2\\*3\\*4 \\<b>bold\\</b>\n\n\\- dash 1. first');
  });
});
