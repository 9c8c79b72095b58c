// Which code the benchmarks run. `--code=worktree` (the default): the checkout as it is, uncommitted
// changes included. `--code=<commit>` (e.g. HEAD): that commit extracted with `git archive` into a
// temporary directory, so that figures belong to a commit even while the checkout changes. The
// snapshot shares node_modules (symlink) and gets a copy of the built web app.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../test/helpers/server-process.ts';
import { option } from './cli.ts';
import { tempDir } from './tmp.ts';

export interface CodeUnderTest {
  /** "worktree" or "<short hash> (<rev>)". */
  label: string;
  root: string;
  /** The CLI, for `node --import tsx <entry> serve`. */
  entry: string;
  /** `npm start` for this code. */
  npmStart: string[];
  remove(): void;
}

let current: CodeUnderTest | undefined;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
}

/** web/dist copied (not linked: a rebuild must never write into the checkout), dated now. */
function copyWebBuild(root: string): void {
  if (!existsSync(path.join(REPO_ROOT, 'web/dist/index.html'))) {
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  mkdirSync(path.join(root, 'web'), { recursive: true });
  const dist = path.join(root, 'web/dist');
  cpSync(path.join(REPO_ROOT, 'web/dist'), dist, { recursive: true });
  const now = new Date();
  utimesSync(path.join(dist, 'index.html'), now, now);
}

/**
 * The compiled server of the code under test (what `npm start` runs), built now with
 * scripts/build-server.mjs.
 */
export function compiledEntry(code: CodeUnderTest = codeUnderTest()): string {
  execFileSync(process.execPath, ['scripts/build-server.mjs'], { cwd: code.root, stdio: 'ignore' });
  return path.join(code.root, 'dist/server/main.mjs');
}

export function codeUnderTest(): CodeUnderTest {
  if (current) return current;
  const rev = option('code', 'worktree');
  if (rev === 'worktree') {
    current = {
      label: 'worktree',
      root: REPO_ROOT,
      entry: 'src/main.ts',
      npmStart: ['npm', 'start'],
      remove: () => undefined,
    };
    return current;
  }
  current = snapshot(rev);
  return current;
}

/** The code of a commit, extracted into a temporary directory (removed when the process exits). */
export function snapshot(rev: string): CodeUnderTest {
  const hash = git('rev-parse', '--short', `${rev}^{commit}`);
  const tmp = tempDir(`code-${hash}`);
  const archive = execFileSync('git', ['archive', '--format=tar', hash], {
    cwd: REPO_ROOT,
    maxBuffer: 1 << 30,
  });
  execFileSync('tar', ['-x', '-C', tmp.dir], { input: archive });
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(tmp.dir, 'node_modules'));
  copyWebBuild(tmp.dir);
  const code: CodeUnderTest = {
    label: `${hash} (${rev})`,
    root: tmp.dir,
    entry: path.join(tmp.dir, 'src/main.ts'),
    npmStart: ['npm', '--prefix', tmp.dir, 'start'],
    remove: tmp.remove,
  };
  process.once('exit', () => code.remove());
  return code;
}
