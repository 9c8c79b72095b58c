// `skillbridge import-questions FILE` and `skillbridge export-questions`: the question bank from
// and to GIFT or CSV files. An import is checked whole first; a bad file prints every problem
// as FILE:LINE: message and imports nothing.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { Deps } from '../../container.ts';
import { AppError, PayloadTooLargeError } from '../../platform/errors.ts';
import { QUESTION_STATUSES, QUESTION_TYPES, type QuestionStatus } from './question-model.ts';
import { IMPORT_MAX_BYTES, ImportRejectedError } from './questions-service.ts';

type WithDeps = <T>(fn: (deps: Deps) => Promise<T>) => Promise<T>;

const out = (line = '') => process.stdout.write(line + '\n');
const err = (line: string) => process.stderr.write(line + '\n');

/** The CLI acts as the system: no user owns what it imports. */
const SYSTEM = null;

export function registerQuestionsCommands(program: Command, withDeps: WithDeps): void {
  program
    .command('import-questions')
    .description('import questions from a Moodle GIFT or CSV file (all or nothing)')
    .argument('<file>', 'the GIFT or CSV file')
    .addOption(
      new Option('--format <format>', 'file format (default: from the extension)').choices([
        'gift',
        'csv',
      ]),
    )
    .addOption(
      new Option('--status <status>', 'status of the new questions')
        .choices([...QUESTION_STATUSES])
        .default('draft'),
    )
    .option('--dry-run', 'check the file and report, without importing')
    .action(
      async (
        file: string,
        options: { format?: 'gift' | 'csv'; status: QuestionStatus; dryRun?: boolean },
      ) => {
        const info = await stat(file).catch(() => {
          throw new AppError(400, 'NO_FILE', 'No file', `Cannot read ${file}.`);
        });
        if (info.size > IMPORT_MAX_BYTES) {
          throw new PayloadTooLargeError(
            `${file} is ${(info.size / 1024 / 1024).toFixed(1)} MiB; the limit is ${IMPORT_MAX_BYTES / 1024 / 1024} MiB. Split it.`,
          );
        }
        const content = await readFile(file);
        await withDeps(async (deps) => {
          const started = performance.now();
          try {
            const result = await deps.questions.importQuestions(SYSTEM, {
              content,
              fileName: path.basename(file),
              format: options.format,
              status: options.status,
              dryRun: options.dryRun === true,
            });
            for (const w of result.warnings) out(`${file}:${w.line}: note: ${w.message}`);
            const types = QUESTION_TYPES.filter((t) => result.byType[t]! > 0)
              .map((t) => `${result.byType[t]} ${t.replace('_', ' ')}`)
              .join(', ');
            const seconds = ((performance.now() - started) / 1000).toFixed(2);
            out(
              result.dryRun
                ? `${file}: ${result.imported} questions are valid (${types}); nothing imported (--dry-run).`
                : `Imported ${result.imported} questions from ${file} as ${options.status} (${types}) in ${seconds} s.`,
            );
            if (result.importId) out(`  import id: ${result.importId}`);
          } catch (error) {
            if (error instanceof ImportRejectedError) {
              for (const p of error.problems) err(`${file}:${p.line}: ${p.message}`);
              throw new AppError(
                400,
                'IMPORT_INVALID',
                'Import rejected',
                `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in ${file}; nothing was imported.`,
              );
            }
            throw error;
          }
        });
      },
    );

  program
    .command('export-questions')
    .description('write every (unarchived) question as GIFT or CSV')
    .addOption(
      new Option('--format <format>', 'file format').choices(['gift', 'csv']).default('csv'),
    )
    .option('--out <file>', 'where to write (default: standard output)')
    .action(async (options: { format: 'gift' | 'csv'; out?: string }) => {
      await withDeps(async (deps) => {
        const file = await deps.questions.exportQuestions(
          { id: 'cli', role: 'admin' },
          { format: options.format },
        );
        if (options.out) {
          await writeFile(options.out, file.body);
          out(`Wrote ${options.out}`);
        } else {
          process.stdout.write(file.body);
        }
      });
    });
}
