// The machine a run happened on, for the record in RESULTS.md.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { REPO_ROOT } from '../../test/helpers/server-process.ts';
import { option } from './cli.ts';
import { codeUnderTest } from './code.ts';

export function machineSummary(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const memGiB = (os.totalmem() / 2 ** 30).toFixed(1);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const under = codeUnderTest();
  let code = `--code=${option('code', 'worktree')}: ${under.label}`;
  if (under.label === 'worktree') {
    try {
      const git = (...args: string[]) =>
        execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
      const dirty = git('status', '--porcelain', '--', 'src', 'package.json', 'package-lock.json');
      const files = dirty.split('\n').filter(Boolean).length;
      code += ` at ${git('rev-parse', '--short', 'HEAD')}`;
      if (files > 0) code += ` + ${files} uncommitted file(s) in src/ or package*.json`;
    } catch {
      // not a git checkout
    }
  }
  return [
    `${os.availableParallelism()} CPUs (${model}), ${memGiB} GiB RAM, ${os.type()} ${os.release()}`,
    `Node ${process.version}, ${new Date().toISOString()}, load average at start ${load}`,
    `Code under test: ${code}`,
  ].join('\n');
}
