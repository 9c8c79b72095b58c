// `skillbridge mastery-eval --train A.csv --test B.csv [--forgets] [--restarts N]`: fit BKT
// parameters per skill on one export of first attempts, predict another one step ahead (each
// learner and skill from the skill's prior, updated after every answer) and print the quality of
// those predictions as JSON: { auc, rmse, fit_seconds, skills, rows }. No database is involved.
import type { Command } from 'commander';
import { AppError } from '../../platform/errors.ts';
import { DEFAULT_BKT_BOUNDS } from './bkt.ts';
import { DEFAULT_FIT_OPTIONS, fitSkills, predictResponses, type FitOptions } from './bkt-fit.ts';
import { EXPORT_COLUMNS, readResponsesCsv } from './mastery-csv.ts';
import type { MasteryService } from './mastery-service.ts';
import { auc, rmse } from './metrics.ts';

export interface MasteryEvalReport {
  auc: number | null;
  rmse: number | null;
  fit_seconds: number;
  /** Skills in the training file (fitted, or on defaults for too few learners). */
  skills: number;
  /** Rows of the test file predicted. */
  rows: number;
}

export interface MasteryEvalOptions {
  train: string;
  test: string;
  fit?: Partial<FitOptions>;
}

export interface MasteryEvalOutcome {
  report: MasteryEvalReport;
  /** Skills kept on default parameters, and test skills never seen in training. */
  defaulted: string[];
  unseen: string[];
}

export function evaluateMastery(options: MasteryEvalOptions): MasteryEvalOutcome {
  const train = readResponsesCsv(options.train, EXPORT_COLUMNS);
  const test = readResponsesCsv(options.test, EXPORT_COLUMNS);
  const started = performance.now();
  const fits = fitSkills(train, options.fit);
  const fitSeconds = (performance.now() - started) / 1000;
  const defaults = options.fit?.defaults ?? DEFAULT_FIT_OPTIONS.defaults;
  const { pCorrect } = predictResponses(test, (skill) => fits.get(skill)?.params, defaults);
  const outcomes = Uint8Array.from(test, (r) => r.correct);
  const unseen = [...new Set(test.map((r) => r.skill))].filter((s) => !fits.has(s));
  return {
    report: {
      auc: auc(pCorrect, outcomes),
      rmse: rmse(pCorrect, outcomes),
      fit_seconds: Math.round(fitSeconds * 1000) / 1000,
      skills: fits.size,
      rows: test.length,
    },
    defaulted: [...fits.values()].filter((f) => f.source === 'default').map((f) => f.skill),
    unseen,
  };
}

function invalid(detail: string): AppError {
  return new AppError(400, 'INVALID_OPTION', 'Invalid option', detail);
}

function integerOption(name: string, value: string | undefined, min: number, max: number) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw invalid(
      `--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function probabilityOption(name: string, value: string | undefined) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1) {
    throw invalid(`--${name} must be a number in (0, 1], not ${JSON.stringify(value)}`);
  }
  return n;
}

interface CliOptions {
  train?: string;
  test?: string;
  forgets?: boolean;
  restarts?: string;
  seed?: string;
  minLearners?: string;
  maxGuess?: string;
  maxSlip?: string;
}

export function registerMasteryCommands(
  program: Command,
  withMastery?: <T>(fn: (deps: { mastery: MasteryService }) => Promise<T>) => Promise<T>,
): void {
  if (withMastery) {
    program
      .command('fit-mastery')
      .description(
        "fit every skill's knowledge-tracing parameters by EM from the answers recorded in the database (skills with too few learners keep the defaults); prints JSON: skills, fitted, keptDefaults, responses, seconds",
      )
      .option('--restarts <n>', `random starts of EM per skill (default MASTERY_FIT_RESTARTS)`)
      .option(
        '--min-learners <n>',
        'skills with fewer learners keep the defaults (default MASTERY_MIN_LEARNERS)',
      )
      .action(async (options: { restarts?: string; minLearners?: string }) => {
        const restarts = integerOption('restarts', options.restarts, 1, 50);
        const minLearners = integerOption('min-learners', options.minLearners, 1, 1_000_000_000);
        const summary = await withMastery(({ mastery }) =>
          mastery.fitParameters({
            ...(restarts !== undefined ? { restarts } : {}),
            ...(minLearners !== undefined ? { minLearners } : {}),
          }),
        );
        process.stdout.write(JSON.stringify(summary) + '\n');
      });
  }
  program
    .command('mastery-eval')
    .description(
      'fit knowledge tracing (BKT) per skill on one CSV of first attempts and measure its one-step-ahead predictions on another (JSON: auc, rmse, fit_seconds, skills, rows)',
    )
    .option('--train <file>', 'CSV to fit on: order_id,user_id,skill_name,correct in time order')
    .option('--test <file>', 'CSV to predict, same columns')
    .option('--forgets', 'also fit a probability of forgetting')
    .option(
      '--restarts <n>',
      `random starts of EM per skill (default ${DEFAULT_FIT_OPTIONS.restarts})`,
    )
    .option('--seed <n>', `seed of the random starts (default ${DEFAULT_FIT_OPTIONS.seed})`)
    .option(
      '--min-learners <n>',
      `skills with fewer learners keep default parameters (default ${DEFAULT_FIT_OPTIONS.minLearners})`,
    )
    .option('--max-guess <p>', `upper bound of guess (default ${DEFAULT_BKT_BOUNDS.maxGuess})`)
    .option('--max-slip <p>', `upper bound of slip (default ${DEFAULT_BKT_BOUNDS.maxSlip})`)
    .action((options: CliOptions) => {
      if (!options.train) throw invalid('--train <file> is required');
      if (!options.test) throw invalid('--test <file> is required');
      const fit: Partial<FitOptions> = {
        forgets: options.forgets === true,
        restarts: integerOption('restarts', options.restarts, 1, 100),
        seed: integerOption('seed', options.seed, 0, 2 ** 32 - 1),
        minLearners: integerOption('min-learners', options.minLearners, 1, 1_000_000_000),
        bounds: {
          maxGuess: probabilityOption('max-guess', options.maxGuess) ?? DEFAULT_BKT_BOUNDS.maxGuess,
          maxSlip: probabilityOption('max-slip', options.maxSlip) ?? DEFAULT_BKT_BOUNDS.maxSlip,
        },
      };
      for (const key of Object.keys(fit) as (keyof FitOptions)[]) {
        if (fit[key] === undefined) delete fit[key];
      }
      const outcome = evaluateMastery({ train: options.train, test: options.test, fit });
      if (outcome.defaulted.length > 0) {
        process.stderr.write(
          `${outcome.defaulted.length} skill(s) with fewer than ${fit.minLearners ?? DEFAULT_FIT_OPTIONS.minLearners} learners kept the default parameters\n`,
        );
      }
      if (outcome.unseen.length > 0) {
        process.stderr.write(
          `${outcome.unseen.length} skill(s) of the test file are not in the training file and were predicted with the default parameters\n`,
        );
      }
      process.stdout.write(JSON.stringify(outcome.report) + '\n');
    });
}
