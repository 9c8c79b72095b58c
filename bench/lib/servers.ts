// Starting the processes under test (SkillBridge and the bare Fastify baseline), logging in, and
// a throw-away PostgreSQL database. Every server is a child process on 127.0.0.1.
import { pgUrlFor, uniqueDbName, withPgAdmin } from '../../test/helpers/pg-admin.ts';
import { startServer, type ServerProcess } from '../../test/helpers/server-process.ts';
import { SERVER_NODE_FLAGS } from '../../scripts/node-flags.mjs';
import { codeUnderTest } from './code.ts';
import { tempDir } from './tmp.ts';

export { tempDir };

export const DEMO_PASSWORD = 'bench-demo-pass-1';
export const LEARNER_EMAIL = 'learner@example.com';

export type DbKind = 'sqlite' | 'postgres';
export type LogLevel = 'warn' | 'info';

/**
 * Keep draining the child's stdout but stop accumulating it in memory: at LOG_LEVEL=info the
 * server writes two JSON lines per request. Returns a counter of the bytes seen since.
 */
export function discardStdout(server: ServerProcess): { bytes(): number } {
  let bytes = 0;
  const stdout = server.child.stdout;
  stdout?.removeAllListeners('data');
  stdout?.on('data', (d: Buffer) => (bytes += d.length));
  return { bytes: () => bytes };
}

export interface AppServer extends ServerProcess {
  dataDir: string;
  logBytes(): number;
  /** Stop the server and delete its DATA_DIR. */
  close(): Promise<void>;
}

export async function startApp(options: {
  logLevel: LogLevel;
  databaseUrl?: string;
  dataDir?: string;
  nodeArgs?: string[];
  /**
   * The CLI to run (default: that of the code under test, see lib/code.ts); TypeScript runs
   * through tsx, a compiled `.mjs` (lib/code.ts compiledEntry) as it is.
   */
  entry?: string;
  env?: Record<string, string>;
}): Promise<AppServer> {
  const owned = options.dataDir === undefined ? tempDir('data') : undefined;
  const dataDir = options.dataDir ?? owned!.dir;
  const entry = options.entry ?? codeUnderTest().entry;
  const loader = entry.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  let server: ServerProcess;
  try {
    server = await startServer({
      env: {
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        DEMO_PASSWORD,
        LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
        LOG_LEVEL: options.logLevel,
        ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
        ...options.env,
      },
      command: [
        process.execPath,
        ...SERVER_NODE_FLAGS,
        ...(options.nodeArgs ?? []),
        ...loader,
        entry,
      ],
      timeoutMs: 60_000,
    });
  } catch (err) {
    owned?.remove();
    throw err;
  }
  const counter = discardStdout(server);
  return {
    ...server,
    dataDir,
    logBytes: counter.bytes,
    async close() {
      await server.stop();
      owned?.remove();
    },
  };
}

export async function startBare(): Promise<ServerProcess> {
  return startServer({
    env: {},
    command: [process.execPath, '--import', 'tsx', 'bench/bare-server.ts'],
    args: [],
  });
}

function cookieValue(setCookie: string[], name: string): string {
  for (const header of setCookie) {
    const [pair] = header.split(';');
    const eq = pair!.indexOf('=');
    if (pair!.slice(0, eq).trim() === name) return pair!.slice(eq + 1);
  }
  throw new Error(`no ${name} cookie in ${JSON.stringify(setCookie)}`);
}

/** Log in as the seeded learner; returns the `cookie` header value carrying the session. */
export async function logIn(url: string): Promise<string> {
  const csrfRes = await fetch(`${url}/api/auth/csrf`);
  if (csrfRes.status !== 200) throw new Error(`GET /api/auth/csrf: ${csrfRes.status}`);
  const { token } = (await csrfRes.json()) as { token: string };
  const csrfCookie = cookieValue(csrfRes.headers.getSetCookie(), '_csrf');
  const loginRes = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-csrf-token': token,
      cookie: `_csrf=${csrfCookie}`,
    },
    body: JSON.stringify({ email: LEARNER_EMAIL, password: DEMO_PASSWORD }),
  });
  if (loginRes.status !== 200) {
    throw new Error(`POST /api/auth/login: ${loginRes.status} ${await loginRes.text()}`);
  }
  const cookie = `sb_session=${cookieValue(loginRes.headers.getSetCookie(), 'sb_session')}`;
  const me = await fetch(`${url}/api/me`, { headers: { cookie } });
  const body = (await me.json()) as { email?: string };
  if (me.status !== 200 || body.email !== LEARNER_EMAIL) {
    throw new Error(`GET /api/me with the session: ${me.status} ${JSON.stringify(body)}`);
  }
  return cookie;
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database for one benchmark run. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = uniqueDbName('sb_bench');
  await withPgAdmin((c) => c.query(`create database ${name}`));
  return {
    name,
    url: pgUrlFor(name),
    async drop() {
      await withPgAdmin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
