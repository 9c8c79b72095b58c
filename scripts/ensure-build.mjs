// Used by `npm start` and the `skillbridge` command: (re)build what is missing or older than its
// sources — the web app (web/dist) and the compiled server (dist/server/main.mjs).
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer, root, serverBundle } from './build-server.mjs';

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

const inRoot = (...parts) => path.join(root, ...parts);

function stale(output, sources) {
  return !existsSync(output) || statSync(output).mtimeMs < Math.max(...sources.map(newestMtime));
}

/** True when dist/server/main.mjs is missing or older than src/ or the lock file. */
export function serverBuildStale() {
  return stale(serverBundle, [inRoot('src'), inRoot('package-lock.json')]);
}

export async function ensureBuild() {
  if (stale(inRoot('web/dist/index.html'), [inRoot('web/src'), inRoot('web/index.html')])) {
    console.error('Building the web app (first start or sources changed)…');
    execSync('npm run build:web', { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  if (serverBuildStale()) {
    console.error('Building the server (first start or sources changed)…');
    await buildServer();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureBuild();
}
