// Text analysis for the question tagger: the same steps turn a knowledge-graph node and a
// question into terms, so what a symbol means in one is what it means in the other.
//
// 1. Markup goes: HTML tags and entities, markdown emphasis, code marks, links' URLs.
// 2. Mathematical notation becomes words the curriculum uses: 3/4 → "fraction", 2 1/3 →
//    "mixed fraction", 35% → "percentage", 4.7 → "decimal", 2:3 → "ratio", × ÷ → "multiply",
//    "divide", < > → "compare", x² → "power", 3x + 5 = 17 → "equation" (a letter beside an
//    operator, with an equals sign), 4(x + 1) → "bracket". Other numbers carry no topic and are
//    dropped, except the powers of ten (10, 100, 1000), which curricula name.
// 3. Words are lower-cased, abbreviations expanded (HCF, LCM, BIDMAS…), irregular forms mapped
//    to one lemma (division → divide, simplest → simplify), common English stop words and
//    question boilerplate ("which", "work out", "correct") removed, and the rest reduced by a
//    small suffix stemmer (rounding → round, fractions → fraction, simplified → simplify).

/** A term and the word it came from (the first surface form seen), for reasons shown to people. */
export interface Term {
  stem: string;
  surface: string;
  /** Read from mathematical notation (3/4 → "fraction"), not written as a word. */
  notation: boolean;
}

const STOP_WORDS = new Set(
  (
    'a about above after again all also am an and any are as at be been being below between ' +
    'both but by can could did do does doing down during each either else even ever every for ' +
    'from further get gets give given gives had has have having he her here hers him his how i ' +
    'if in into is it its itself just let lets me more most my neither no nor not now of off ' +
    'on once only onto or other our out over own per please same she should since so some ' +
    'such than that the their them then there these they this those through thus to too under ' +
    'until up upon us very was we were what when where which while who whom whose why will with ' +
    'would yes yet you your ' +
    // Question boilerplate: words that say "this is a question", not what it is about.
    'answer answers calculate choose circle correct explain false following pick question ' +
    'questions right select show shows statement tick true wrong work working '
  )
    .trim()
    .split(/\s+/),
);

/** Abbreviations and spellings that stand for longer curriculum words. */
const EXPANSIONS: Record<string, string> = {
  hcf: 'highest common factor',
  gcf: 'highest common factor',
  gcd: 'highest common factor',
  lcm: 'lowest common multiple',
  bidmas: 'order operations',
  bodmas: 'order operations',
  pemdas: 'order operations',
  percent: 'percentage',
  pct: 'percentage',
  '%': 'percentage',
  dp: 'decimal places',
  'd.p': 'decimal places',
};

/** Irregular forms and derivations a suffix stemmer would not join. */
const LEMMAS: Record<string, string> = {
  division: 'divide',
  divisible: 'divide',
  divided: 'divide',
  dividing: 'divide',
  divides: 'divide',
  divisor: 'divide',
  multiplication: 'multiply',
  multiplied: 'multiply',
  multiplying: 'multiply',
  multiplies: 'multiply',
  times: 'multiply',
  product: 'multiply',
  addition: 'add',
  adding: 'add',
  added: 'add',
  sum: 'add',
  plus: 'add',
  total: 'add',
  subtraction: 'subtract',
  minus: 'subtract',
  difference: 'subtract',
  simplest: 'simplify',
  simplification: 'simplify',
  simplified: 'simplify',
  lowest: 'low',
  smallest: 'small',
  largest: 'large',
  biggest: 'large',
  greatest: 'high',
  highest: 'high',
  greater: 'compare',
  less: 'compare',
  larger: 'compare',
  smaller: 'compare',
  bigger: 'compare',
  equivalence: 'equivalent',
  equal: 'equivalent',
  equivalently: 'equivalent',
  proportional: 'proportion',
  proportionally: 'proportion',
  percentages: 'percentage',
  expansion: 'expand',
  factorisation: 'factorise',
  factorization: 'factorise',
  factorize: 'factorise',
  substitution: 'substitute',
  equations: 'equation',
  brackets: 'bracket',
  parentheses: 'bracket',
  parenthesis: 'bracket',
  denominators: 'denominator',
  numerators: 'numerator',
  digits: 'digit',
  tenths: 'tenth',
  hundredths: 'hundredth',
  thousandths: 'thousandth',
  unknowns: 'unknown',
  unknown: 'unknown',
  cheaper: 'cheap',
  cheapest: 'cheap',
  better: 'good',
  best: 'good',
  people: 'person',
  split: 'share',
  shared: 'share',
  reduce: 'decrease',
  reduced: 'decrease',
  reduces: 'decrease',
  reduction: 'decrease',
  discount: 'decrease',
  drop: 'decrease',
  drops: 'decrease',
  fall: 'decrease',
  falls: 'decrease',
  lose: 'decrease',
  loses: 'decrease',
  grow: 'increase',
  grows: 'increase',
  growth: 'increase',
  rise: 'increase',
  rises: 'increase',
  raise: 'increase',
  gain: 'increase',
  ascending: 'order',
  descending: 'order',
  arrange: 'order',
  sort: 'order',
};

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  times: '×',
  divide: '÷',
  minus: '-',
  le: '≤',
  ge: '≥',
  frac12: '1/2',
  frac14: '1/4',
  frac34: '3/4',
  pound: '£',
};

/** Remove HTML and markdown so only the words and the mathematics remain. */
export function stripMarkup(text: string): string {
  return (
    text
      // Script and style bodies are not words of the question.
      .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<\/?[a-z][^>]*>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/&(#x?[0-9a-f]+|[a-z][a-z0-9]*);/gi, (match, name: string) => {
        const lower = name.toLowerCase();
        if (lower.startsWith('#x')) return safeChar(Number.parseInt(lower.slice(2), 16));
        if (lower.startsWith('#')) return safeChar(Number.parseInt(lower.slice(1), 10));
        return ENTITIES[lower] ?? match;
      })
      // Markdown links keep their text, lose their URL; images keep their alt text.
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/https?:\/\/\S+/g, ' ')
      // Emphasis, code and heading marks; a GIFT escape backslash.
      .replace(/[*_`#~]+/g, ' ')
      .replace(/\\([~=#{}:\\])/g, '$1')
      .replace(/\\n/g, ' ')
  );
}

function safeChar(code: number): string {
  return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
}

/** Unicode fractions and superscripts as plain notation. */
const VULGAR: Record<string, string> = {
  '½': ' 1/2 ',
  '⅓': ' 1/3 ',
  '⅔': ' 2/3 ',
  '¼': ' 1/4 ',
  '¾': ' 3/4 ',
  '⅕': ' 1/5 ',
  '⅛': ' 1/8 ',
  '²': '^2',
  '³': '^3',
};

/**
 * Mathematical notation as words (see the header). Applied after markup is gone, before words
 * are split, so "3/4" is seen whole.
 */
export function describeMaths(text: string): string {
  let s = text.replace(/[½⅓⅔¼¾⅕⅛²³]/g, (c) => VULGAR[c] ?? c).replace(/\u2212/g, '-');
  // Money is a number like any other (£3.50 is not about decimals).
  s = s.replace(/[£$€]\s*\d+(?:[.,]\d+)*/g, ' ');
  s = describeNotation(s);
  s = s.replace(/\b\d+\s+\d+\s*\/\s*\d+\b/g, ' MIXED FRACTION ');
  s = s.replace(/\b\d+\s*\/\s*\d+\b/g, ' FRACTION ');
  s = s.replace(/\b\d+(\.\d+)?\s*%/g, ' PERCENTAGE ');
  // "3/4 of 20", "3/8 of them", "15% of 80": a part of an amount.
  s = s.replace(/\b(FRACTION|PERCENTAGE)\s+of\b/g, '$1 AMOUNT ');
  // A clock time (at 9:00, 7:30 pm) is not a ratio.
  s = s.replace(
    /\b(at|by|from|until|before|after)\s+\d{1,2}:\d{2}\b|\b\d{1,2}:\d{2}\s*(am|pm)\b/g,
    ' ',
  );
  s = s.replace(/\b\d+(\s*:\s*\d+)+\b/g, ' RATIO ');
  s = s.replace(/(^|[^\d.])\d*\.\d+\b/g, '$1 DECIMAL ');
  s = s.replace(/\b\d+(,\d{3})+\b/g, ' '); // 4,702: a number, nothing more
  s = s.replace(/\^\s*\d+|\bsquared\b|\bcubed\b/g, ' POWER ');
  s = s.replace(/[×✕]|(?<=\d\s*)[x*](?=\s*\d)/g, ' MULTIPLY ');
  s = s.replace(/÷/g, ' DIVIDE ');
  s = s.replace(/[<>≤≥]/g, ' COMPARE ');
  // A single letter with a number or an operator beside it is an unknown: algebra.
  const letterTerm =
    /(?:\b\d+[a-z]\b|(?<![a-z£$])[a-z](?=\s*[+\-=×*/^)]|\s*$)|(?<=[+\-=×*/(]\s*)[a-z]\b)/;
  const hasLetters = letterTerm.test(s);
  if (hasLetters) s += ' LETTER EXPRESSION ';
  if (/(\d|\b[a-z])\s*\(\s*[\da-z]/.test(s) && hasLetters) s += ' BRACKET ';
  // Powers of ten are named by curricula ("multiply by 10, 100 and 1000"); other numbers not.
  s = s.replace(/\b\d+\b/g, (n) => (/^10{1,3}$/.test(n) ? ` ${n} ` : ' '));
  return s;
}

/** A run of mathematical notation: numbers, single letters, operators, brackets, spaces. */
const MATH_RUN = /(?:\d+(?:\.\d+)?[a-z]?(?![a-z])|(?<![a-z])[a-z](?![a-z])|[()+\-*/×÷^=]|[ \t])+/g;
const UNKNOWN = /(?<![a-z])[a-z](?![a-z])/;
const OPERATION_WORDS: Record<string, string> = {
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '×': 'multiply',
  '/': 'divide',
  '÷': 'divide',
  '^': 'power',
};

/**
 * The shape of written mathematics, in a curriculum's words. An equation (a letter, an equals
 * sign): "one step" (x + 9 = 15, 4y = 28) or "two step" (3x + 4 = 19), "unknown both sides"
 * (5x + 2 = 3x + 10), "bracket" or "fraction" when the unknown is inside one. An assignment
 * such as x = 4 is not an equation. Arithmetic with several kinds of operation (3 + 4 × 5) is
 * an "operation" question, with "bracket" when it has brackets.
 */
function describeNotation(text: string): string {
  return text.replace(MATH_RUN, (run) => {
    if (!/[=+\-*/×÷^]/.test(run)) return run;
    const words: string[] = [];
    const [left = '', ...rest] = run.split('=');
    const right = rest.join('=');
    if (rest.length > 0 && UNKNOWN.test(run)) {
      const assignment = /^\s*[a-z]\s*$/.test(left) && /^\s*-?\d+(\.\d+)?\s*$/.test(right);
      const side = UNKNOWN.test(left) ? left : right;
      const other = side === left ? right : left;
      if (!assignment && side.trim() !== '') {
        words.push('equation');
        // The most telling feature names the equation: unknowns on both sides, then an unknown
        // in a bracket or a fraction, else how many steps undo it.
        const bracket = /\([^)]*[a-z][^)]*\)/.test(side);
        const fraction = /[a-z)]\s*\/\s*\d/.test(side);
        if (UNKNOWN.test(other)) words.push('unknown both sides');
        else if (bracket || fraction) words.push(bracket ? 'bracket' : 'fraction');
        else {
          const steps = (side.match(/[+\-*/×÷]|\d\s*[a-z(]|\)\s*[a-z(]/g) ?? []).length;
          words.push(steps <= 1 ? 'one step' : 'two step');
        }
      }
    } else if (!UNKNOWN.test(run)) {
      // 3/4 is a number here, not a division.
      const operators =
        run.replace(/\d+\s*\/\s*\d+/g, ' 1 ').match(/(?<=[\d)]\s*)[+\-*/×÷^]/g) ?? [];
      const kinds = new Set(operators.map((op) => OPERATION_WORDS[op] ?? op));
      for (const kind of kinds) if (kind !== 'power') words.push(kind);
      const bracketed = /\(/.test(run) && kinds.size >= 1;
      if (kinds.size >= 2 || bracketed) words.push('operation');
      if (bracketed) words.push('bracket');
    }
    return words.length > 0 ? `${run} ${words.join(' ').toUpperCase()} ` : run;
  });
}

const VOWEL = /[aeiouy]/;

/** A small English suffix stemmer (plural, -ing, -ed, -ly, -ation…), enough for curricula. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ches') || w.endsWith('shes') || w.endsWith('xes')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('ied') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('ing') && w.length > 5 && VOWEL.test(w.slice(0, -3)))
    w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && w.length > 4 && VOWEL.test(w.slice(0, -2)))
    w = undouble(w.slice(0, -2));
  if (w.endsWith('ication')) w = `${w.slice(0, -7)}y`;
  else if (w.endsWith('ly') && w.length > 5 && !w.endsWith('ply')) w = w.slice(0, -2);
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  return /([^aeiouslz])\1$/.test(w) ? w.slice(0, -1) : w;
}

/** One term per word of the text, in order (duplicates kept: counts matter to BM25). */
export function analyse(text: string): Term[] {
  // describeMaths writes the words it reads from notation in capitals (its input is lower case).
  const plain = describeMaths(stripMarkup(text).toLowerCase());
  const terms: Term[] = [];
  for (const match of plain.matchAll(/[\p{L}][\p{L}'-]*|\d+|%/gu)) {
    const notation = /^[A-Z]+$/.test(match[0]);
    const raw = match[0]
      .toLowerCase()
      .replace(/'s$/, '')
      .replace(/['-]+$/, '');
    if (/^\d+$/.test(raw) && !/^10{1,3}$/.test(raw)) continue;
    const expanded = EXPANSIONS[raw];
    const words = expanded ? expanded.split(' ') : raw.split('-');
    for (const word of words) {
      if (word === '' || STOP_WORDS.has(word)) continue;
      if (word.length === 1 && !/\d/.test(word)) continue;
      const lemma = LEMMAS[word] ?? word;
      if (STOP_WORDS.has(lemma)) continue;
      terms.push({
        stem: stem(lemma),
        surface: expanded || words.length > 1 ? word : raw,
        notation,
      });
    }
  }
  return terms;
}
