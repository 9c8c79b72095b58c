// The real server as a child process, for crash, end-to-end and benchmark runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit code (SIGKILL if it has not exited after stopTimeoutMs). */
  stop(stopTimeoutMs?: number): Promise<number | null>;
  /** SIGKILL: no shutdown hooks run. */
  kill(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForReady(url: string, timeoutMs: number, isAlive: () => boolean) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) return false;
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export async function startServer(options: {
  env: Record<string, string>;
  args?: string[];
  command?: string[];
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const port = await freePort();
  const command = options.command ?? [process.execPath, '--import', 'tsx', 'src/main.ts'];
  const [bin, ...baseArgs] = command as [string, ...string[]];
  const child = spawn(bin, [...baseArgs, ...(options.args ?? ['serve'])], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...options.env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: command[0] !== process.execPath,
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const ready = await waitForReady(url, options.timeoutMs ?? 30_000, () => !exited);
  const signal = (sig: NodeJS.Signals) => {
    if (exited || child.pid === undefined) return;
    // A wrapper (npm) runs in its own process group: signal the whole group.
    if (command[0] !== process.execPath) process.kill(-child.pid, sig);
    else child.kill(sig);
  };
  if (!ready) {
    signal('SIGKILL');
    throw new Error(`server did not become ready at ${url}:\n${output}`);
  }
  return {
    url,
    port,
    child,
    output: () => output,
    async stop(stopTimeoutMs = 10_000) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), stopTimeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      signal('SIGKILL');
      await exit;
    },
  };
}
