#!/usr/bin/env node
// The skillbridge command: the compiled CLI (dist/server/main.mjs, from `npm run build` or
// `npm start`) when it is up to date with src/, otherwise the TypeScript through tsx, so that
// `npx skillbridge …` works without a build step and never runs stale code.
import { serverBuildStale } from '../scripts/ensure-build.mjs';

if (serverBuildStale()) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
} else {
  await import('../dist/server/main.mjs');
}
