// `skillbridge cat-sim --bank bank.csv --thetas thetas.csv`: simulate the placement test over an
// item bank for a set of true abilities, for test designers sizing a bank. Prints JSON:
// {mean_length, median_length, rmse_theta, reached_se_fraction}. Bad files are refused with the
// file and line of the first problem (exit code 2).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { AppError } from '../../platform/errors.ts';
import {
  DEFAULT_CAT_CONFIG,
  catConfig,
  seededRandom,
  simulateTest,
  summarise,
  type CatItem,
  type SimulationSummary,
} from './cat.ts';
import { itemParamsSchema } from './irt.ts';

export class CatInputError extends AppError {
  constructor(detail: string) {
    super(400, 'CAT_SIM_INPUT', 'Invalid input', detail);
  }
}

function readText(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CatInputError(
      `${file}: cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}).`,
    );
  }
  if (text.includes('\u0000')) throw new CatInputError(`${file}: is not a text file.`);
  if (text.trim() === '') throw new CatInputError(`${file}: is empty.`);
  return text;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A strict decimal number (no empty string, no "0x10", no "Infinity"). */
function toNumber(text: string): number | null {
  if (!NUMBER.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/**
 * The item bank: a CSV with a header naming the columns a and b, and optionally c (0 when absent)
 * and d (1 when absent); other columns (e.g. an id) are ignored. Items are numbered by line.
 */
export function parseBank(text: string, file: string): CatItem[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // csv-parse types the result as bare records; with info: true each comes with its lines.
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new CatInputError(`${file}${line ? `:${line}` : ''}: ${err.message}`);
    }
    throw err;
  }
  const [header, ...body] = rows;
  if (!header) throw new CatInputError(`${file}: is empty.`);
  const columns = header.record.map((c) => c.toLowerCase());
  const at = (name: string) => columns.indexOf(name);
  const missing = ['a', 'b'].filter((c) => at(c) < 0);
  if (missing.length > 0) {
    throw new CatInputError(
      `${file}:${header.info.lines}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the header must name a,b and optionally c,d).`,
    );
  }
  if (body.length === 0) throw new CatInputError(`${file}: has a header but no items.`);
  return body.map(({ record, info }) => {
    const where = `${file}:${info.lines}`;
    if (record.length !== columns.length) {
      throw new CatInputError(
        `${where}: ${record.length} values where the header has ${columns.length} columns.`,
      );
    }
    const value = (name: 'a' | 'b' | 'c' | 'd'): number | undefined => {
      const i = at(name);
      if (i < 0) return undefined;
      const text = record[i]!;
      const n = toNumber(text);
      if (n === null) {
        throw new CatInputError(
          `${where}: ${name} is ${text === '' ? 'empty' : `"${text}"`}, not a number.`,
        );
      }
      return n;
    };
    const parsed = itemParamsSchema.safeParse({
      a: value('a'),
      b: value('b'),
      c: value('c'),
      d: value('d'),
    });
    if (!parsed.success) {
      throw new CatInputError(`${where}: ${parsed.error.issues.map((i) => i.message).join('; ')}.`);
    }
    return { id: `item-${info.lines}`, params: parsed.data, skillIds: [], area: null };
  });
}

/** True abilities: one number per line; blank lines are skipped, a first line "theta" is a header. */
export function parseThetas(text: string, file: string): number[] {
  const thetas: number[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || (thetas.length === 0 && /^"?theta"?$/i.test(line))) return;
      const n = toNumber(line);
      if (n === null) throw new CatInputError(`${file}:${i + 1}: "${line}" is not a number.`);
      thetas.push(n);
    });
  if (thetas.length === 0) throw new CatInputError(`${file}: has no θ values.`);
  return thetas;
}

export interface CatSimOptions {
  targetSe: number;
  maxItems: number;
  exposureK: number;
  seed: number;
}

export function runCatSim(
  bank: readonly CatItem[],
  thetas: readonly number[],
  options: CatSimOptions,
): SimulationSummary {
  const config = catConfig({
    targetSe: options.targetSe,
    maxItems: options.maxItems,
    exposureK: options.exposureK,
  });
  const random = seededRandom(options.seed);
  return summarise(thetas.map((theta) => simulateTest(theta, bank, config, random)));
}

function positive(name: string, integer: boolean) {
  return (text: string): number => {
    const n = toNumber(text);
    if (n === null || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new CatInputError(
        `${name} must be ${integer ? 'a whole number of 1 or more' : 'a number above 0'}, not "${text}".`,
      );
    }
    return n;
  };
}

function seedOption(text: string): number {
  const n = toNumber(text);
  if (n === null || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new CatInputError(`--seed must be a whole number from 0 to 4294967295, not "${text}".`);
  }
  return n;
}

export function registerAssessmentCommands(program: Command): void {
  program
    .command('cat-sim')
    .description(
      'simulate the adaptive placement test over an item bank (CSV a,b[,c,d]) for true abilities (one θ per line); prints JSON {mean_length, median_length, rmse_theta, reached_se_fraction}',
    )
    .requiredOption('--bank <file>', 'item bank CSV with a header: a,b and optionally c,d')
    .requiredOption('--thetas <file>', 'true abilities, one θ per line')
    .option(
      '--se <number>',
      'stop when the standard error is at most this',
      positive('--se', false),
      DEFAULT_CAT_CONFIG.targetSe,
    )
    .option(
      '--max-items <n>',
      'stop after this many items',
      positive('--max-items', true),
      DEFAULT_CAT_CONFIG.maxItems,
    )
    .option(
      '--exposure <k>',
      'randomesque exposure control: draw each item among the k most informative',
      positive('--exposure', true),
      DEFAULT_CAT_CONFIG.exposureK,
    )
    .option('--seed <n>', 'seed of the simulated answers and item draws', seedOption, 1)
    .action(
      (options: {
        bank: string;
        thetas: string;
        se: number;
        maxItems: number;
        exposure: number;
        seed: number;
      }) => {
        const bank = parseBank(readText(options.bank), options.bank);
        const thetas = parseThetas(readText(options.thetas), options.thetas);
        const summary = runCatSim(bank, thetas, {
          targetSe: options.se,
          maxItems: options.maxItems,
          exposureK: options.exposure,
          seed: options.seed,
        });
        process.stdout.write(JSON.stringify(summary) + '\n');
      },
    );
}
