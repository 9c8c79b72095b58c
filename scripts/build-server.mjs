// `npm run build` (and `npm start` when it is missing or stale): the server and CLI compiled ahead
// of time into dist/server/main.mjs with esbuild (which tsx already brings), dependencies left
// in node_modules. The compiled server starts faster and uses less memory than running the
// TypeScript through tsx. It sits two levels below the project root, as src/platform/paths.ts
// expects, so config/ and web/dist are found the same way.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverBundle = path.join(root, 'dist/server/main.mjs');

/** Build the bundle (to `outfile`, which must also sit two levels below the project root). */
export async function buildServer(outfile = serverBundle) {
  const { build } = await import('esbuild');
  const outdir = path.dirname(outfile);
  // Chunk names carry a content hash: remove the previous build's. (Code that finds config/ from
  // its own location runs in main.mjs, two levels below the root.)
  rmSync(path.join(outdir, 'chunks'), { recursive: true, force: true });
  await build({
    entryPoints: { [path.basename(outfile, '.mjs')]: path.join(root, 'src/main.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildServer();
  console.log(`Server built: ${path.relative(root, serverBundle)}`);
}
