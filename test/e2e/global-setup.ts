// Builds the web app before the end-to-end tests when web/dist is missing or older than any
// source of the web app, so the tests always drive the current UI.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webRoot = path.join(repoRoot, 'web');
const builtIndex = path.join(webRoot, 'dist', 'index.html');

function newestMtime(target: string): number {
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(target)) {
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

function buildIsStale(): boolean {
  if (!existsSync(builtIndex)) return true;
  const builtAt = statSync(builtIndex).mtimeMs;
  const inputs = [
    path.join(webRoot, 'src'),
    path.join(webRoot, 'public'),
    path.join(webRoot, 'index.html'),
    path.join(webRoot, 'vite.config.ts'),
  ].filter((input) => existsSync(input));
  return inputs.some((input) => newestMtime(input) > builtAt);
}

export default function setup(): void {
  if (!buildIsStale()) return;
  console.log('[e2e] web/dist is missing or stale; running npm run build');
  // Vitest sets NODE_ENV=test, which would give a development build of React.
  execFileSync('npm', ['run', 'build'], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
