// The skillbridge command line, run as a real process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startServer } from '../helpers/server-process.ts';
import { testDialects } from '../helpers/test-db.ts';
import { pgUrlFor, uniqueDbName, withPgAdmin } from '../helpers/pg-admin.ts';

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

async function databaseFor(
  dialect: 'sqlite' | 'postgres',
): Promise<{ env: Record<string, string> & { DATA_DIR: string }; drop: () => Promise<unknown> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-cli-'));
  if (dialect === 'sqlite') return { env: { DATA_DIR: dataDir }, drop: async () => undefined };
  const name = uniqueDbName('sb_cli');
  await withPgAdmin((c) => c.query(`create database "${name}"`));
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: pgUrlFor(name) },
    drop: () => withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`)),
  };
}

describe.each(testDialects())('skillbridge CLI on %s', (dialect) => {
  it('creates an admin from the environment, idempotently, and refuses a weak password', async () => {
    const db = await databaseFor(dialect);
    try {
      const env = {
        ...db.env,
        INITIAL_ADMIN_EMAIL: 'Alex@School.example',
        INITIAL_ADMIN_PASSWORD: 'admin passphrase 1',
      };
      const first = await cli(['create-admin'], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain('Administrator alex@school.example created.');
      const again = await cli(['create-admin'], env);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('already an administrator');
      const weak = await cli(['create-admin'], {
        ...db.env,
        INITIAL_ADMIN_EMAIL: 'other@school.example',
        INITIAL_ADMIN_PASSWORD: 'password1',
      });
      expect(weak.code).toBe(2);
      expect(weak.stderr).toMatch(/too common|at least/);
      expect(weak.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('wipes the database only when confirmed', async () => {
    const db = await databaseFor(dialect);
    try {
      const env = { ...db.env, DEMO_PASSWORD: 'demo passphrase 1' };
      expect((await cli(['seed', '--demo'], env)).stdout).toContain('learner@example.com');
      const refused = await cli(['wipe-db'], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('pass --yes');
      expect((await cli(['seed', '--demo'], env)).stdout).toContain('already exist');
      const wiped = await cli(['wipe-db', '--yes'], env);
      expect(wiped.code, wiped.stderr).toBe(0);
      expect((await cli(['seed', '--demo'], env)).stdout).toContain('Demo accounts created');
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('refuses demo data in production without --force', async () => {
    const db = await databaseFor(dialect);
    try {
      const run = await cli(['seed', '--demo'], {
        ...db.env,
        NODE_ENV: 'production',
        SESSION_SECRET: 's'.repeat(40),
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('never created in production');
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('backs up: a consistent SQLite copy, or the pg_dump command', async () => {
    const db = await databaseFor(dialect);
    try {
      const env = { ...db.env, DEMO_PASSWORD: 'demo passphrase 1' };
      await cli(['seed', '--demo'], env);
      const out = path.join(db.env.DATA_DIR, 'copy.db');
      const run = await cli(['backup', '--out', out], env);
      expect(run.code, run.stderr).toBe(0);
      if (dialect === 'postgres') {
        expect(run.stdout).toContain('pg_dump --format=custom');
        expect(run.stdout).toContain('"$DATABASE_URL"');
        expect(existsSync(out)).toBe(false);
        return;
      }
      expect(run.stdout).toContain(`Backup written to ${out}`);
      const copy = new Database(out, { readonly: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(copy.prepare('select count(*) as n from users').get()).toEqual({ n: 3 });
      } finally {
        copy.close();
      }
    } finally {
      await db.drop();
    }
  }, 60_000);
});

describe('skillbridge CLI configuration errors', () => {
  it('names the wrong variable and exits 2 without a stack trace', async () => {
    const run = await cli(['migrate'], {
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'sb-cli-')),
      PORT: 'eighty',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('PORT:');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to serve in production without SESSION_SECRET', async () => {
    const run = await cli(['serve'], {
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'sb-cli-')),
      NODE_ENV: 'production',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SESSION_SECRET: required when NODE_ENV=production');
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests on SIGTERM and exits 0', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-term-'));
    const server = await startServer({
      env: {
        DATA_DIR: dataDir,
        DEMO_PASSWORD: 'demo passphrase 1',
        LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
        LOG_LEVEL: 'info',
      },
    });
    try {
      const csrf = await fetch(`${server.url}/api/auth/csrf`);
      const cookie = csrf.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const { token } = (await csrf.json()) as { token: string };
      // Sign-ups hash passwords with argon2 on a pool of 4 threads: 12 take a while to finish.
      const requests = Array.from({ length: 12 }, (_, i) =>
        fetch(`${server.url}/api/auth/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
          body: JSON.stringify({
            email: `term-${i}@example.com`,
            name: 'T',
            password: 'term passphrase 1',
          }),
        }).then(
          (r) => r.status,
          (e: Error) => `${i}: ${String((e.cause as Error | undefined)?.message ?? e.message)}`,
        ),
      );
      // SIGTERM once the server has received all of them (its info log says so), while most are
      // still hashing: requests that arrive after SIGTERM rightly get 503 instead.
      const received = () => server.output().split('"url":"/api/auth/signup"').length - 1;
      const deadline = Date.now() + 20_000;
      while (received() < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      const exitCode = server.stop();
      const statuses = await Promise.all(requests);
      expect(statuses.join(',')).toBe(Array(12).fill(201).join(','));
      expect(await exitCode, server.output()).toBe(0);
      await expect(fetch(`${server.url}/livez`)).rejects.toThrow();
    } finally {
      await server.kill();
    }
  }, 60_000);
});
