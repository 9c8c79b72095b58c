// The real SkillBridge server for browser tests: a fresh data directory seeded with the demo
// accounts, removed again when the server stops.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer as startServerProcess } from '../helpers/server-process.ts';

export const DEMO_PASSWORD = 'e2e-demo-pass-2024';

export interface ServerProcess {
  url: string;
  dataDir: string;
  /** SIGTERM, then wait for the process to exit (SIGKILL after 10 s); removes the data. */
  stop(): Promise<void>;
  /** SIGKILL at once, then wait for the process to exit; removes the data. */
  kill(): Promise<void>;
}

export async function startServer(extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'skillbridge-e2e-'));
  const cleanUp = () => rm(dataDir, { recursive: true, force: true });
  try {
    const server = await startServerProcess({
      env: { DATA_DIR: dataDir, DEMO_PASSWORD, ...extraEnv },
    });
    return {
      url: server.url,
      dataDir,
      async stop() {
        await server.stop();
        await cleanUp();
      },
      async kill() {
        await server.kill();
        await cleanUp();
      },
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
