// `skillbridge cat-sim` run as a real process: the JSON figures for a good bank, and bad files
// refused with their file and line, exit code 2 and no stack trace.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../../../test/helpers/server-process.ts';
import { normalDraw, seededRandom } from './cat.ts';
import {
  CatInputError,
  parseBank,
  parseThetas,
  registerAssessmentCommands,
} from './assessment-cli.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'cat-sim', ...args], {
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

let dir = '';
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-cat-sim-'));
});

describe('skillbridge cat-sim', () => {
  it('prints the simulation figures as JSON, the same for the same seed', async () => {
    const random = seededRandom(3);
    const rows = Array.from(
      { length: 120 },
      (_, i) =>
        `q${i},${(1.2 + 0.25 * normalDraw(random)).toFixed(3)},${normalDraw(random).toFixed(3)},0,1`,
    );
    const bank = file('bank.csv', `id,a,b,c,d\n${rows.join('\n')}\n`);
    const thetas = file(
      'thetas.csv',
      `theta\n${Array.from({ length: 40 }, () => normalDraw(random).toFixed(3)).join('\n')}\n`,
    );
    const run = await cli(['--bank', bank, '--thetas', thetas, '--seed', '7']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, number>;
    expect(Object.keys(summary).sort()).toEqual([
      'mean_length',
      'median_length',
      'reached_se_fraction',
      'rmse_theta',
    ]);
    expect(summary.mean_length).toBeGreaterThan(10);
    expect(summary.mean_length).toBeLessThanOrEqual(60);
    expect(summary.rmse_theta).toBeLessThan(0.45);
    expect(summary.reached_se_fraction).toBeGreaterThan(0.8);

    // A looser SE and a cap both shorten the test; the cap is never passed.
    const [again, loose, capped] = await Promise.all([
      cli(['--bank', bank, '--thetas', thetas, '--seed', '7']),
      cli(['--bank', bank, '--thetas', thetas, '--seed', '7', '--se', '0.5', '--exposure', '1']),
      cli(['--bank', bank, '--thetas', thetas, '--max-items', '5']),
    ]);
    expect(again.stdout).toBe(run.stdout);
    const looseSummary = JSON.parse(loose.stdout) as Record<string, number>;
    expect(looseSummary.mean_length).toBeLessThan(summary.mean_length!);
    expect(looseSummary.reached_se_fraction).toBe(1);
    const cappedSummary = JSON.parse(capped.stdout) as Record<string, number>;
    expect(cappedSummary.mean_length).toBe(5);
    expect(cappedSummary.reached_se_fraction).toBe(0);
  }, 180_000);

  it('refuses bad files with the file and line, exit code 2 and no stack trace', async () => {
    const thetas = file('p-thetas.csv', '0\n1.5\n');
    const bank = file('p-bank.csv', 'a,b\n1,0\n');
    const cases: [string[], RegExp][] = [
      [
        ['--bank', file('p-no-b.csv', 'a,c\n1,0\n'), '--thetas', thetas],
        /p-no-b\.csv:1: missing column b/,
      ],
      [
        ['--bank', file('p-a0.csv', 'a,b\n1,0\n0,1\n'), '--thetas', thetas],
        /p-a0\.csv:3: a must be above 0/,
      ],
      [
        ['--bank', bank, '--thetas', file('p-theta.csv', '0.5\nlow\n')],
        /p-theta\.csv:2: "low" is not a number/,
      ],
      [['--bank', file('p-empty.csv', ''), '--thetas', thetas], /p-empty\.csv: is empty/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i]!;
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe('');
    });
  }, 180_000);
});

/** The command in this process (starting Node for each hostile file would take minutes). */
async function inProcess(args: string[]): Promise<{ error: unknown; stdout: string }> {
  const stdout: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
  const program = new Command().exitOverride();
  registerAssessmentCommands(program);
  try {
    await program.parseAsync(['node', 'skillbridge', 'cat-sim', ...args]);
    return { error: undefined, stdout: stdout.join('') };
  } catch (error) {
    return { error, stdout: stdout.join('') };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('skillbridge cat-sim input checks', () => {
  it('names the file, line and problem of every kind of bad input', async () => {
    const thetas = file('ok-thetas.csv', '0\n1.5\n-0.5\n');
    const bank = file('ok-bank.csv', 'a,b\n1,0\n1.2,0.5\n');
    const cases: [string[], RegExp][] = [
      [
        ['--bank', file('no-b.csv', 'a,c\n1,0\n'), '--thetas', thetas],
        /no-b\.csv:1: missing column b/,
      ],
      [
        ['--bank', file('a0.csv', 'a,b\n1,0\n0,1\n'), '--thetas', thetas],
        /a0\.csv:3: a must be above 0/,
      ],
      [
        ['--bank', file('aneg.csv', 'a,b,c\n-1,0,0\n'), '--thetas', thetas],
        /aneg\.csv:2: a must be above 0/,
      ],
      [
        ['--bank', file('c1.csv', 'a,b,c\n1,0,0.2\n1,0,1\n'), '--thetas', thetas],
        /c1\.csv:3: c must be from 0 up to \(not including\) 1/,
      ],
      [
        ['--bank', file('cneg.csv', 'a,b,c\n1,0,-0.1\n'), '--thetas', thetas],
        /cneg\.csv:2: c must be from 0/,
      ],
      [
        ['--bank', file('d.csv', 'a,b,c,d\n1,0,0.3,0.3\n'), '--thetas', thetas],
        /d\.csv:2: d must be above c/,
      ],
      [
        ['--bank', file('text.csv', 'a,b\n1,hard\n'), '--thetas', thetas],
        /text\.csv:2: b is "hard", not a number/,
      ],
      [['--bank', file('blank.csv', 'a,b\n1,\n'), '--thetas', thetas], /blank\.csv:2: b is empty/],
      [
        ['--bank', file('short.csv', 'a,b,c\n1,0\n'), '--thetas', thetas],
        /short\.csv:2: 2 values where the header has 3 columns/,
      ],
      [['--bank', file('empty.csv', ''), '--thetas', thetas], /empty\.csv: is empty/],
      [
        ['--bank', file('header.csv', 'a,b\n'), '--thetas', thetas],
        /header\.csv: has a header but no items/,
      ],
      [
        ['--bank', bank, '--thetas', file('bad-theta.csv', '0.5\n\n1e3x\n')],
        /bad-theta\.csv:3: "1e3x" is not a number/,
      ],
      [
        ['--bank', bank, '--thetas', file('inf-theta.csv', '0.5\nInfinity\n')],
        /inf-theta\.csv:2: "Infinity" is not a number/,
      ],
      [['--bank', bank, '--thetas', file('no-theta.csv', '\n\n')], /no-theta\.csv: is empty/],
      [
        ['--bank', bank, '--thetas', path.join(dir, 'missing.csv')],
        /missing\.csv: cannot be read \(no such file\)/,
      ],
      [['--bank', bank, '--thetas', thetas, '--se', '0'], /--se must be a number above 0/],
      [['--bank', bank, '--thetas', thetas, '--max-items', '2.5'], /--max-items must be a whole/],
      [['--bank', bank, '--thetas', thetas, '--exposure', 'x'], /--exposure must be a whole/],
    ];
    for (const [args, message] of cases) {
      const { error, stdout } = await inProcess(args);
      expect(error, args.join(' ')).toBeInstanceOf(CatInputError);
      expect((error as CatInputError).message).toMatch(message);
      expect(stdout).toBe('');
    }
    const good = await inProcess(['--bank', bank, '--thetas', thetas]);
    expect(good.error).toBeUndefined();
    expect(JSON.parse(good.stdout)).toHaveProperty('mean_length');
  });
});

describe('bank and θ files', () => {
  it('reads optional c and d columns, ignores others, and skips blank lines', () => {
    expect(parseBank('\uFEFFid,A,b\nq1,1.5,-0.5\n\nq2,0.8,1\n', 'bank.csv')).toEqual([
      { id: 'item-2', params: { a: 1.5, b: -0.5, c: 0, d: 1 }, skillIds: [], area: null },
      { id: 'item-4', params: { a: 0.8, b: 1, c: 0, d: 1 }, skillIds: [], area: null },
    ]);
    expect(parseBank('a,b,c,d\n1.1,0.2,0.25,0.95\n', 'b.csv')[0]!.params).toEqual({
      a: 1.1,
      b: 0.2,
      c: 0.25,
      d: 0.95,
    });
    expect(parseThetas('theta\r\n-1.25\r\n\r\n2e-1\r\n', 't.csv')).toEqual([-1.25, 0.2]);
  });
});
