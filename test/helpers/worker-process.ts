// `skillbridge worker` as a child process (no HTTP server): started, waited for until it says it
// works jobs, then stopped with SIGTERM or killed with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from './server-process.ts';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit code (SIGKILL after stopTimeoutMs). */
  stop(stopTimeoutMs?: number): Promise<number | null>;
  /** SIGKILL: no shutdown hooks run, leases are left to expire. */
  kill(): Promise<void>;
}

export async function startWorkerProcess(options: {
  env: Record<string, string>;
  timeoutMs?: number;
}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const started = new Promise<boolean>((resolve) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('background worker: on')) resolve(true);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    void exit.then(() => resolve(false));
  });
  let timer: NodeJS.Timeout | undefined;
  const ok = await Promise.race([
    started,
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), options.timeoutMs ?? 30_000);
    }),
  ]);
  clearTimeout(timer);
  if (!ok) {
    if (!exited) child.kill('SIGKILL');
    throw new Error(`the worker did not start:\n${output}`);
  }
  return {
    child,
    output: () => output,
    async stop(stopTimeoutMs = 15_000) {
      if (!exited) child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(force);
      }
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
  };
}
