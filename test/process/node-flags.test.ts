// The server's Node flags (scripts/node-flags.mjs) are the same wherever it is started: `npm start`,
// the `skillbridge` command's shebang, and the benchmarks (bench/lib/servers.ts imports them).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../scripts/node-flags.mjs';
import { REPO_ROOT } from '../helpers/server-process.ts';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

describe('the server Node flags', () => {
  it('npm start runs the compiled server with them', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.start).toContain(
      `node ${SERVER_NODE_FLAGS.join(' ')} dist/server/main.mjs serve`,
    );
  });

  it('the skillbridge command runs with them', () => {
    const shebang = read('bin/skillbridge.mjs').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
  });
});
