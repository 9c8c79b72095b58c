// The offline tagger without a database: text analysis (markup, mathematical notation,
// stemming, stop words), BM25 ranking of the most specific nodes with confidence and reason,
// hostile input, and the evaluation measures.
import { describe, expect, it } from 'vitest';
import { TaggingIndex, type TaggingNode } from './auto-tagger.ts';
import { evaluate, parseLabelledCsv } from './tagging-eval.ts';
import { analyse, stem, stripMarkup } from './tagging-text.ts';

const stems = (text: string) => analyse(text).map((t) => t.stem);

const node = (
  id: string,
  kind: 'concept' | 'skill',
  name: string,
  description: string,
  parentId: string | null = null,
): TaggingNode => ({ id: `id-${id}`, externalId: id, kind, name, description, parentId });

const GRAPH: TaggingNode[] = [
  node('number', 'concept', 'Number', 'Whole numbers and fractions.'),
  node('fractions', 'concept', 'Fractions', 'Parts of a whole.', 'id-number'),
  node(
    'simplify',
    'skill',
    'Simplify fractions',
    'Divide the numerator and denominator by the highest common factor.',
    'id-fractions',
  ),
  node(
    'add-fractions',
    'skill',
    'Add fractions',
    'Add fractions with a common denominator.',
    'id-fractions',
  ),
  node('percentages', 'concept', 'Percentages', 'Find a percentage of an amount.', 'id-number'),
  node('algebra', 'concept', 'Algebra', 'Letters for numbers.'),
  node('one-step', 'skill', 'Solve one-step equations', 'Solve x + 7 = 12.', 'id-algebra'),
  node('two-step', 'skill', 'Solve two-step equations', 'Solve 2x + 5 = 17.', 'id-algebra'),
];

describe('text analysis', () => {
  it('strips HTML, entities and markdown, keeping the words', () => {
    expect(
      stripMarkup('<p>Write <b>12/18</b> &amp; <script>alert(1)</script>simplify</p>'),
    ).not.toMatch(/<|alert/);
    expect(stems('<p>**Simplify** the [fraction](https://x.example/a) &frac12;</p>')).toEqual([
      'simplify',
      'fraction',
      'fraction',
    ]);
  });

  it('turns mathematical notation into curriculum words', () => {
    expect(stems('3/4')).toEqual(['fraction']);
    expect(stems('2 1/3')).toEqual(['mix', 'fraction']);
    expect(stems('35%')).toEqual(['percentag']);
    expect(stems('4.7')).toEqual(['decimal']);
    expect(stems('2:3')).toEqual(['ratio']);
    expect(stems('What is 15% of 80?')).toEqual(['percentag', 'amount']);
    expect(stems('Solve x + 9 = 15')).toEqual(expect.arrayContaining(['equation', 'one', 'step']));
    expect(stems('Solve 3x + 4 = 19')).toEqual(expect.arrayContaining(['equation', 'two', 'step']));
    expect(stems('5x + 2 = 3x + 10')).toEqual(expect.arrayContaining(['unknown', 'side']));
    expect(stems('2(x + 3) = 14')).toEqual(expect.arrayContaining(['equation', 'bracket']));
    expect(stems('Work out 3 + 4 × 5')).toEqual(expect.arrayContaining(['add', 'operation']));
    // An assignment is not an equation; money is not a decimal.
    expect(stems('when x = 4')).not.toContain('equation');
    expect(stems('It costs £3.50')).not.toContain('decimal');
    // Numbers carry no topic, except the powers of ten curricula name.
    expect(stems('Multiply 47 by 100')).toEqual(['multiply', '100']);
  });

  it('expands abbreviations, joins word forms and drops stop words', () => {
    expect(stems('Find the HCF')).toEqual(['find', 'high', 'common', 'factor']);
    expect(stems('Which is the correct answer?')).toEqual([]);
    expect(stem('rounding')).toBe(stem('round'));
    expect(stem('fractions')).toBe('fraction');
    expect(stem('simplifies')).toBe(stem('simplify'));
    expect(stems('division')).toEqual(stems('divide'));
    expect(stems('simplest')).toEqual(stems('simplify'));
  });
});

describe('ranking', () => {
  const index = new TaggingIndex(GRAPH);

  it('proposes skills and leaf concepts, never a concept that has nodes under it', () => {
    expect(index.size).toBe(5);
    const ranked = index.rank({ stem: 'Fractions and numbers and algebra' }, { limit: 10 });
    const ids = ranked.map((c) => c.externalId);
    expect(ids).not.toContain('fractions');
    expect(ids).not.toContain('number');
    expect(ids).not.toContain('algebra');
    // A concept with nothing under it is as specific as it gets.
    expect(index.rank({ stem: 'What percentage of the amount?' })[0]?.externalId).toBe(
      'percentages',
    );
  });

  it('ranks the skill the question is about first, with a confidence and a reason', () => {
    const [first, second] = index.rank({
      stem: 'Write 12/18 in its simplest form.',
      answers: ['2/3', '6/9'],
    });
    expect(first?.externalId).toBe('simplify');
    expect(first?.nodeId).toBe('id-simplify');
    expect(first?.reason).toMatch(
      /^Matched “simplest”, plus “fraction” read from the maths, in the skill name/,
    );
    expect(first!.confidence).toBeGreaterThan(second!.confidence);
    expect(first!.score).toBeGreaterThan(second!.score);
    expect(index.rank({ stem: 'Solve 3x + 4 = 19' })[0]?.externalId).toBe('two-step');
    expect(index.rank({ stem: 'Solve x + 4 = 19' })[0]?.externalId).toBe('one-step');
  });

  it('is less confident when two nodes match equally, and when evidence is thin', () => {
    const clear = index.rank({ stem: 'Simplify 12/18 by the highest common factor' })[0]!;
    const tie = index.rank({ stem: 'Solve the equations' });
    expect(tie[0]!.score).toBeCloseTo(tie[1]!.score, 6);
    expect(tie[0]!.confidence).toBeLessThan(0.55);
    expect(clear.confidence).toBeGreaterThan(0.8);
    for (const c of [...tie, clear]) {
      expect(c.confidence).toBeGreaterThanOrEqual(0);
      expect(c.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('returns nothing when nothing matches, and survives hostile input', () => {
    expect(index.rank({ stem: 'Who wrote Hamlet?' })).toEqual([]);
    expect(index.rank({ stem: '' })).toEqual([]);
    const huge = `${'<b>'.repeat(10_000)}simplify ${'fraction '.repeat(20_000)}`;
    const started = performance.now();
    expect(index.rank({ stem: huge })[0]?.externalId).toBe('simplify');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(new TaggingIndex([]).rank({ stem: 'fractions' })).toEqual([]);
    // A parent cycle in bad data does not loop.
    const cyclic = new TaggingIndex([
      node('a', 'concept', 'Alpha', '', 'id-b'),
      node('b', 'concept', 'Beta', '', 'id-a'),
      node('s', 'skill', 'Gamma skill', '', 'id-a'),
    ]);
    expect(cyclic.rank({ stem: 'gamma beta' })[0]?.externalId).toBe('s');
  });
});

describe('evaluation', () => {
  it('parses the labelled CSV and reports its problems by line', () => {
    const ok = parseLabelledCsv(
      'stem,options,skills\n"Simplify 4/8",1/2|2/4,simplify\nSolve x + 1 = 2,,one-step|two-step\n',
    );
    expect(ok.problems).toEqual([]);
    expect(ok.questions).toEqual([
      {
        line: 2,
        stem: 'Simplify 4/8',
        options: ['1/2', '2/4'],
        feedback: [],
        skills: ['simplify'],
      },
      {
        line: 3,
        stem: 'Solve x + 1 = 2',
        options: [],
        feedback: [],
        skills: ['one-step', 'two-step'],
      },
    ]);
    expect(parseLabelledCsv('question,answer\nx,y\n').problems[0]?.message).toMatch(
      /stem and skills/,
    );
    expect(parseLabelledCsv('stem,skills,colour\n,\n').problems.map((p) => p.line)).toEqual([
      1, 2, 2,
    ]);
    expect(parseLabelledCsv('stem,skills\n"unclosed,x\n').problems[0]?.message).toMatch(
      /not a readable CSV/,
    );
  });

  it('computes precision@1 and recall@3 over the gold skills', () => {
    const { questions } = parseLabelledCsv(
      [
        'stem,skills',
        'Simplify 12/18 to its simplest form,simplify', // hit at 1
        'Solve 3x + 4 = 19,one-step|two-step', // first is two-step: hit; both in the top 3
        'Add 1/4 and 1/3 with a common denominator,simplify', // miss at 1; simplify within 3
        'Who wrote Hamlet?,percentages', // nothing matches
      ].join('\n'),
    );
    const report = evaluate(new TaggingIndex(GRAPH), questions);
    expect(report.questions).toBe(4);
    expect(report.goldSkills).toBe(5);
    expect(report.precisionAt1).toBe(2 / 4);
    expect(report.recallAt3).toBe(4 / 5);
    expect(report.unmatched).toBe(1);
    expect(report.misses.map((m) => m.line)).toEqual([4, 5]);
    expect(report.byConfidence[0]).toEqual({ threshold: 0, questions: 4, precisionAt1: 0.5 });
  });
});
