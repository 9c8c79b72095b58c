// A reference point, not what `npm start` runs: the same server compiled ahead of time into one
// JavaScript file with esbuild (dependencies left external), so that it runs without tsx. Used to
// show how much of the start-up time and memory is the on-the-fly TypeScript loader.
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { REPO_ROOT } from '../../test/helpers/server-process.ts';
import { tempDir } from './tmp.ts';

export interface CompiledServer {
  /** node <bundle>: pass to startServer as `command` (it appends `serve`). */
  command: string[];
  remove(): void;
}

/** Bundle <root>/src/main.ts; undefined when esbuild (a tsx dependency) is missing. */
export async function buildCompiledServer(root: string): Promise<CompiledServer | undefined> {
  let esbuild: typeof Esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  const out = tempDir('compiled');
  // At src/platform/, where src/platform/paths.ts finds the project root two levels up.
  const outfile = path.join(out.dir, 'src/platform/main.mjs');
  await esbuild.build({
    entryPoints: [path.join(root, 'src/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'silent',
  });
  // Dependencies resolve through node_modules; web/dist and config/ are read from the root.
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(out.dir, 'node_modules'));
  mkdirSync(path.join(out.dir, 'web'));
  symlinkSync(path.join(root, 'web/dist'), path.join(out.dir, 'web/dist'));
  const configRoot = existsSync(path.join(root, 'config')) ? root : REPO_ROOT;
  symlinkSync(path.join(configRoot, 'config'), path.join(out.dir, 'config'));
  return { command: [process.execPath, outfile], remove: out.remove };
}
