// What `npm start` runs: the server compiled into one file by scripts/build-server.mjs. The bundle
// must find config/ (llm.yaml, prompts, demo data) and the migrations as the TypeScript does, on
// both databases: a fresh start seeds the demo accounts, graph and questions and serves them.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs build script without type declarations
import { buildServer } from '../../scripts/build-server.mjs';
import { pgUrlFor, uniqueDbName, withPgAdmin } from '../helpers/pg-admin.ts';
import { REPO_ROOT, startServer } from '../helpers/server-process.ts';
import { testDialects } from '../helpers/test-db.ts';

const DEMO_PASSWORD = 'compiled-demo-pass-1';
// Two levels below the project root, like dist/server/main.mjs, and this run's own.
const OUT_DIR = path.join(REPO_ROOT, 'dist', `test-${process.pid}`);
const BUNDLE = path.join(OUT_DIR, 'main.mjs');

async function logIn(url: string, email: string) {
  const csrf = await fetch(`${url}/api/auth/csrf`);
  let cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { token } = (await csrf.json()) as { token: string };
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  expect(login.status).toBe(200);
  cookie +=
    '; ' +
    login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  return (p: string) => fetch(`${url}${p}`, { headers: { cookie } });
}

beforeAll(async () => {
  await (buildServer as (outfile: string) => Promise<void>)(BUNDLE);
}, 60_000);

afterAll(() => {
  rmSync(OUT_DIR, { recursive: true, force: true });
});

describe('the compiled bundle', () => {
  it('loads the S3 SDK and the PostgreSQL driver only when they are used', async () => {
    const main = readFileSync(BUNDLE, 'utf8');
    // The packages main.mjs imports statically, i.e. loads at start-up.
    const imported = [...main.matchAll(/^import\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);
    expect(imported).toContain('fastify');
    expect(imported.filter((p) => p!.startsWith('@aws-sdk/') || p === 'pg')).toEqual([]);
    // The S3 store is a chunk of its own, loaded with STORAGE=s3.
    const chunks = readdirSync(path.join(OUT_DIR, 'chunks'));
    const s3 = chunks.find((f) => f.startsWith('s3-blob-store-') && f.endsWith('.mjs'));
    expect(s3).toBeDefined();
    const mod = (await import(path.join(OUT_DIR, 'chunks', s3!))) as Record<string, unknown>;
    expect(typeof mod.S3BlobStore).toBe('function');
  });
});

describe.each(testDialects())('the compiled server on %s', (dialect) => {
  it('starts on an empty database, seeds the demo content and serves it', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-compiled-'));
    const dbName = uniqueDbName('sb_compiled');
    const env: Record<string, string> = { DATA_DIR: dataDir, DEMO_PASSWORD };
    if (dialect === 'postgres') {
      await withPgAdmin((c) => c.query(`create database ${dbName}`));
      env.DATABASE_URL = pgUrlFor(dbName);
    }
    const server = await startServer({ command: [process.execPath, BUNDLE], env });
    try {
      expect(server.output()).toContain('Demo knowledge graph imported: 12 concepts, 45 skills');
      expect(server.output()).toContain('Demo question bank imported: 52 published questions');

      const asInstructor = await logIn(server.url, 'instructor@example.com');
      const stats = (await (await asInstructor('/api/graph/stats')).json()) as {
        concepts: number;
        skills: number;
      };
      expect(stats).toMatchObject({ concepts: 12, skills: 45 });
      const questions = (await (await asInstructor('/api/questions?limit=1')).json()) as {
        total: number;
      };
      expect(questions.total).toBe(52);

      // The LLM configuration and prompts come from config/: the admin's provider list shows
      // each feature on the offline generator.
      const asAdmin = await logIn(server.url, 'admin@example.com');
      const features = await asAdmin('/api/admin/llm/features');
      expect(features.status).toBe(200);
      expect(JSON.stringify(await features.json())).toContain('offline');
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (dialect === 'postgres') {
        await withPgAdmin((c) => c.query(`drop database if exists ${dbName} with (force)`));
      }
    }
  }, 60_000);
});
