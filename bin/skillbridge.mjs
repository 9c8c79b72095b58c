#!/usr/bin/env -S node --max-semi-space-size=8
// The skillbridge command: the compiled CLI (dist/server/main.mjs, from `npm run build` or
// `npm start`) when it is up to date with src/, otherwise the TypeScript through tsx, so that
// `npx skillbridge …` works without a build step and never runs stale code. Node's flags are those
// of scripts/node-flags.mjs.
import { serverBuildStale } from '../scripts/ensure-build.mjs';

if (serverBuildStale()) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
} else {
  await import('../dist/server/main.mjs');
}
