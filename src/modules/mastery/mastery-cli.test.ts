// `skillbridge mastery-eval` run as a real process: the JSON report on a good export, and a clear
// one-line message with exit code 2 (no stack trace) on bad files and options.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/helpers/server-process.ts';
import type { BktParams } from './bkt.ts';
import { simulateResponses } from './bkt-synthetic.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const TRUTH: BktParams = { prior: 0.3, learn: 0.2, guess: 0.15, slip: 0.1, forget: 0 };

function exportCsv(file: string, seed: number, learners: number, skills: string[]): void {
  let order = 0;
  const lines = ['order_id,user_id,skill_name,correct'];
  for (const skill of skills) {
    for (const r of simulateResponses(TRUTH, { learners, answersPerLearner: 12, seed, skill })) {
      lines.push(`${++order},${r.learner},${r.skill},${r.correct}`);
    }
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

describe('skillbridge mastery-eval', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-mastery-cli-'));
  const train = path.join(tmp, 'train.csv');
  const test = path.join(tmp, 'test.csv');
  exportCsv(train, 1, 300, ['fractions', 'ratios']);
  exportCsv(test, 2, 100, ['fractions', 'ratios', 'unseen']);

  it('fits on one file, predicts the other and prints the JSON report', async () => {
    const [run, withForgets] = await Promise.all([
      cli(['mastery-eval', '--train', train, '--test', test, '--restarts', '2']),
      cli(['mastery-eval', '--train', train, '--test', test, '--forgets', '--min-learners', '301']),
    ]);
    const report = JSON.parse(run.stdout) as Record<string, number>;
    expect(Object.keys(report).sort()).toEqual(['auc', 'fit_seconds', 'rmse', 'rows', 'skills']);
    expect(report.rows).toBe(3 * 100 * 12);
    expect(report.skills).toBe(2);
    // Answers simulated with guess .15 and slip .10 are well predicted once learners show them.
    expect(report.auc).toBeGreaterThan(0.75);
    expect(report.rmse).toBeGreaterThan(0.2);
    expect(report.rmse).toBeLessThan(0.45);
    expect(report.fit_seconds).toBeGreaterThanOrEqual(0);
    expect(run.stderr).toContain(
      '1 skill(s) of the test file are not in the training file and were predicted with the default parameters',
    );
    // With --forgets, and every skill below --min-learners: the defaults predict everything.
    expect(withForgets.code, withForgets.stderr).toBe(0);
    const onDefaults = JSON.parse(withForgets.stdout) as Record<string, number>;
    expect(onDefaults.rows).toBe(report.rows);
    expect(onDefaults.auc).toBeLessThan(report.auc!);
    expect(withForgets.stderr).toContain(
      '2 skill(s) with fewer than 301 learners kept the default parameters',
    );
  }, 120_000);

  it('refuses bad files and options with file:line, exit code 2 and no stack trace', async () => {
    const bad = path.join(tmp, 'bad');
    mkdirSync(bad);
    const file = (name: string, text: string) => {
      const f = path.join(bad, name);
      writeFileSync(f, text);
      return f;
    };
    const noColumn = file('no-column.csv', 'order_id,user_id,correct\n1,ann,1\n');
    const notBinary = file(
      'not-binary.csv',
      'order_id,user_id,skill_name,correct\n1,a,x,1\n2,a,x,2\n',
    );
    const binary = file('binary.csv', '\u0000\u0001PK\u0003\u0004');
    const cases: [string[], string][] = [
      [['--train', noColumn, '--test', test], `${noColumn}:1: missing column skill_name`],
      [['--train', train, '--test', notBinary], `${notBinary}:3: correct must be 0 or 1, not "2"`],
      [['--train', binary, '--test', test], `${binary}: not a text CSV file`],
      [['--train', path.join(bad, 'none.csv'), '--test', test], 'none.csv: no such file'],
      [['--train', bad, '--test', test], `${bad}: is a directory, not a file`],
      [
        ['--train', train, '--test', test, '--restarts', 'many'],
        '--restarts must be a whole number',
      ],
      [['--train', train, '--test', test, '--max-guess', '1.5'], '--max-guess must be a number'],
      [['--test', test], '--train <file> is required'],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(['mastery-eval', ...args])));
    runs.forEach((run, i) => {
      const [, message] = cases[i]!;
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe('');
    });
  }, 180_000);
});
