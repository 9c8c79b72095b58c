// Target 2: the server's resident memory after start-up is below 150 MB.
//
//   node --import tsx bench/rss.ts [--runs=3] [--duration=8]
//
// Each run starts the server as `npm start` does (the compiled dist/server/main.mjs, LOG_LEVEL=info)
// on SQLite with an empty DATA_DIR (so start-up includes migrating and seeding the demo accounts,
// graph and questions), waits until /readyz answers 200 and one more second, and reads VmRSS of
// the node process. It then logs in, puts /api/me under load for a few seconds and reads VmRSS
// again, and the peak (VmHWM). For reference: the bare Fastify server, and the same server run
// from the TypeScript through tsx (`npx skillbridge serve` without a build).
import type { ServerProcess } from '../test/helpers/server-process.ts';
import { startServer } from '../test/helpers/server-process.ts';
import { isMain, numberOption, onInterrupt, runMain } from './lib/cli.ts';
import { codeUnderTest, compiledEntry } from './lib/code.ts';
import { isValid, load } from './lib/load.ts';
import { descendants, peakRssMiB, rssMiB } from './lib/proc.ts';
import { discardStdout, logIn, startApp, startBare, tempDir } from './lib/servers.ts';
import { DEMO_PASSWORD } from './lib/servers.ts';
import { median, round, table } from './lib/stats.ts';

export const TARGET_RSS_MB = 150;
const MiB_PER_MB = 1e6 / 2 ** 20; // the target says MB; /proc reports KiB

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RssRun {
  afterStart: number;
  afterLoad: number;
  peak: number;
  /** Processes started by the server (none expected). */
  children: number;
  loadValid: boolean;
}

export interface RssResults {
  runs: RssRun[];
  afterStart: number;
  afterLoad: number;
  peak: number;
  bareAfterStart: number;
  tsxAfterStart: number;
  loadSeconds: number;
  pass: boolean;
}

async function measure(server: ServerProcess, duration: number): Promise<RssRun> {
  const pid = server.child.pid!;
  await sleep(1000);
  const afterStart = rssMiB(pid);
  const children = descendants(pid).length;
  const cookie = await logIn(server.url);
  const result = await load({
    url: `${server.url}/api/me`,
    pid,
    connections: 32,
    duration,
    headers: { cookie },
  });
  await sleep(1000);
  return {
    afterStart,
    afterLoad: rssMiB(pid),
    peak: peakRssMiB(pid),
    children,
    loadValid: isValid(result),
  };
}

export async function runRss(
  options: { runs: number; duration: number },
  log: (line: string) => void = console.log,
): Promise<RssResults> {
  const runs: RssRun[] = [];
  const entry = compiledEntry();
  for (let i = 0; i < options.runs; i++) {
    const app = await startApp({ logLevel: 'info', entry });
    const stop = onInterrupt(() => app.close());
    try {
      const run = await measure(app, options.duration);
      runs.push(run);
      log(
        `  run ${i + 1}: after start ${round(run.afterStart, 1)} MiB, after load ` +
          `${round(run.afterLoad, 1)} MiB, peak ${round(run.peak, 1)} MiB` +
          (run.loadValid ? '' : '  (load run had errors)'),
      );
    } finally {
      await app.close();
      stop();
    }
  }

  const bare = await startBare();
  await sleep(1000);
  const bareAfterStart = rssMiB(bare.child.pid!);
  await bare.stop();

  const tsxValues: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const data = tempDir('data-tsx');
    const server = await startServer({
      command: [process.execPath, '--import', 'tsx', codeUnderTest().entry],
      env: { DATA_DIR: data.dir, DEMO_PASSWORD, LOG_LEVEL: 'info' },
    });
    discardStdout(server);
    await sleep(1000);
    tsxValues.push(rssMiB(server.child.pid!));
    await server.stop();
    data.remove();
  }

  const afterStart = median(runs.map((r) => r.afterStart));
  return {
    runs,
    afterStart,
    afterLoad: median(runs.map((r) => r.afterLoad)),
    peak: median(runs.map((r) => r.peak)),
    bareAfterStart,
    tsxAfterStart: median(tsxValues),
    loadSeconds: options.duration,
    pass: afterStart / MiB_PER_MB < TARGET_RSS_MB,
  };
}

export function mb(mib: number): number {
  return round(mib / MiB_PER_MB, 1);
}

export function formatRss(r: RssResults): string {
  const rows: (string | number)[][] = [
    ['server (npm start), after start-up + 1 s', round(r.afterStart, 1), mb(r.afterStart)],
    [`server, after ${r.loadSeconds} s of /api/me load`, round(r.afterLoad, 1), mb(r.afterLoad)],
    ['server, peak (VmHWM)', round(r.peak, 1), mb(r.peak)],
    [
      'reference: bare Fastify + tsx, after start-up',
      round(r.bareAfterStart, 1),
      mb(r.bareAfterStart),
    ],
    [
      'reference: the server through tsx, after start-up',
      round(r.tsxAfterStart, 1),
      mb(r.tsxAfterStart),
    ],
  ];
  return table(['median RSS', 'MiB', 'MB'], rows);
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const results = await runRss({
      runs: numberOption('runs', 3),
      duration: numberOption('duration', 8),
    });
    console.log('\n' + formatRss(results));
    console.log(
      `\nTarget: RSS after start-up < ${TARGET_RSS_MB} MB: ${mb(results.afterStart)} MB → ` +
        (results.pass ? 'pass' : 'FAIL'),
    );
  });
}
