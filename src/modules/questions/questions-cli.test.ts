// `skillbridge import-questions` and `export-questions` as real processes, on both databases:
// a good file is imported and exported in file order; a bad one prints every problem as
// FILE:LINE and imports nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/helpers/server-process.ts';
import { pgUrlFor, uniqueDbName, withPgAdmin } from '../../../test/helpers/pg-admin.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';

const FIXTURES = path.join(REPO_ROOT, 'src/modules/questions/fixtures');

function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
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

describe.each(testDialects())('question CLI on %s', (dialect) => {
  it('imports a GIFT file, refuses a bad one whole, and exports in file order', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-qcli-'));
    const name = uniqueDbName('sb_qcli');
    const env: Record<string, string> = { DATA_DIR: dataDir };
    if (dialect === 'postgres') {
      await withPgAdmin((c) => c.query(`create database "${name}"`));
      env.DATABASE_URL = pgUrlFor(name);
    }
    try {
      const bad = path.join(dataDir, 'bad.gift');
      writeFileSync(bad, 'Fine {T}\n\nBroken {=a ~b\n\nAlso fine {F}\n\nMatch {=a -> b}\n');
      const refused = await cli(['import-questions', bad], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${bad}:3: the answer block "{" is never closed`);
      expect(refused.stderr).toContain(`${bad}:7: matching questions`);
      expect(refused.stderr).toContain('2 problems in');

      const dry = await cli(
        ['import-questions', path.join(FIXTURES, 'supported.gift'), '--dry-run'],
        env,
      );
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('21 questions are valid');

      const good = await cli(
        ['import-questions', path.join(FIXTURES, 'supported.gift'), '--status', 'published'],
        env,
      );
      expect(good.code, good.stderr).toBe(0);
      expect(good.stdout).toMatch(/Imported 21 questions .* as published \(6 single choice/);
      expect(good.stdout).toContain('supported.gift:67: note: essay {}');

      const exported = await cli(['export-questions', '--format', 'csv'], env);
      expect(exported.code, exported.stderr).toBe(0);
      const rows = exported.stdout.trim().split('\n');
      expect(rows[0]).toMatch(/^id,type,title,stem,/);
      // The first questions of the file, in its order.
      expect(rows[1]).toContain('What is 1/2 + 1/4?');
      expect(rows[2]).toContain("Who is buried in Grant's tomb?");

      const wrongFormat = await cli(
        ['import-questions', path.join(FIXTURES, 'supported.gift'), '--format', 'csv'],
        env,
      );
      expect(wrongFormat.code).toBe(2);
      expect(wrongFormat.stderr).toMatch(/supported\.gift:1: unknown column/);
    } finally {
      if (dialect === 'postgres') {
        await withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
      }
    }
  });
});
