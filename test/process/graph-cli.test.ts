// `skillbridge import-graph` and `export-graph` run as real processes on SQLite and PostgreSQL:
// an import with its progress lines, a rejected folder that writes nothing, an idempotent
// re-import, and an export equal to the files imported.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SMALL } from '../../src/modules/graph/graph-test-kit.ts';
import { pgUrlFor, uniqueDbName, withPgAdmin } from '../helpers/pg-admin.ts';
import { REPO_ROOT } from '../helpers/server-process.ts';
import { testDialects } from '../helpers/test-db.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const FILES = ['concept_nodes.csv', 'skill_nodes.csv', 'edges.csv'] as const;

function writeGraph(dir: string, files: { concept: string; skill: string; edges: string }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'concept_nodes.csv'), files.concept);
  writeFileSync(path.join(dir, 'skill_nodes.csv'), files.skill);
  writeFileSync(path.join(dir, 'edges.csv'), files.edges);
}

describe.each(testDialects())('skillbridge import-graph and export-graph on %s', (dialect) => {
  it('imports a folder, refuses a broken one, re-imports without change and exports the same files', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-graph-cli-'));
    const env: Record<string, string> = { DATA_DIR: path.join(tmp, 'data') };
    let drop = async () => undefined as unknown;
    if (dialect === 'postgres') {
      const name = uniqueDbName('sb_graph_cli');
      await withPgAdmin((c) => c.query(`create database "${name}"`));
      env.DATABASE_URL = pgUrlFor(name);
      drop = () => withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
    }
    try {
      const good = path.join(tmp, 'good');
      writeGraph(good, SMALL);
      const first = await cli(['import-graph', good], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain('Imported 3 concepts, 4 skills and 5 edges.');
      expect(first.stdout).toContain('nodes: 7 created, 0 updated, 0 unchanged, 0 removed');
      // Without a terminal the progress is a line per phase.
      expect(first.stderr).toContain('Reading the files…\nChecking links and cycles…\nWriting');

      const broken = path.join(tmp, 'broken');
      writeGraph(broken, {
        ...SMALL,
        edges: `${SMALL.edges}adding,equivalent,prerequisite,\nghost,adding,prerequisite,\n`,
      });
      const refused = await cli(['import-graph', broken], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('Nothing was imported: 2 problems in the files.');
      expect(refused.stderr).toContain(
        'edges.csv line 2: prerequisite cycle: equivalent → adding → equivalent',
      );
      expect(refused.stderr).toContain('edges.csv line 8: the source_id "ghost" is not a node');

      const again = await cli(['import-graph', good], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('nodes: 0 created, 0 updated, 7 unchanged, 0 removed');
      expect(again.stdout).toContain('edges: 0 created, 0 updated, 5 unchanged, 0 removed');

      const out = path.join(tmp, 'out');
      const exported = await cli(['export-graph', out], env);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toContain('Exported 3 concepts, 4 skills and 5 edges:');
      for (const file of FILES) {
        expect(readFileSync(path.join(out, file), 'utf8'), file).toBe(
          readFileSync(path.join(good, file), 'utf8'),
        );
      }
    } finally {
      await drop();
    }
  }, 90_000);
});
