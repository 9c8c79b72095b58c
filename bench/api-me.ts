// Target 1: `GET /api/me` with a valid session reaches at least 40% of the requests/second of a
// bare Fastify route returning constant JSON, on SQLite and on PostgreSQL.
//
//   node --import tsx bench/api-me.ts [--db=sqlite,postgres] [--log=warn,info]
//        [--connections=32,10] [--rounds=3] [--duration=8] [--warmup=2]
//
// Both servers are child processes (bench/bare-server.ts and `src/main.ts serve`); autocannon
// runs in this process. Each round measures both, alternating which goes first, each run after
// its own warm-up; the figures quoted are medians over the rounds and the ratio of the medians.
import type { ServerProcess } from '../test/helpers/server-process.ts';
import { isMain, listOption, numberOption, onInterrupt, runMain } from './lib/cli.ts';
import { isValid, load, type LoadResult } from './lib/load.ts';
import { peakRssMiB, rssMiB } from './lib/proc.ts';
import {
  createBenchDatabase,
  logIn,
  startApp,
  startBare,
  type BenchDatabase,
  type DbKind,
  type LogLevel,
} from './lib/servers.ts';
import { median, pct, round, table } from './lib/stats.ts';

export const TARGET_RATIO = 0.4;

export interface ApiMeOptions {
  dbs: DbKind[];
  logLevels: LogLevel[];
  connections: number[];
  rounds: number;
  duration: number;
  warmup: number;
}

export interface RoundResult {
  first: 'bare' | 'app';
  bare: LoadResult;
  app: LoadResult;
  ratio: number;
}

export interface ConfigResult {
  db: DbKind;
  logLevel: LogLevel;
  connections: number;
  rounds: RoundResult[];
  bareRps: number;
  appRps: number;
  /** median(app req/s) / median(bare req/s) */
  ratio: number;
  bareP50: number;
  bareP99: number;
  appP50: number;
  appP99: number;
  /** Median server CPU (cores) during the runs. */
  bareCpu: number;
  appCpu: number;
  /** Server CPU time per request, µs (medians over rounds). */
  bareUsPerReq: number;
  appUsPerReq: number;
  /** Median CPU (cores) used by the rest of the machine during the app runs: PostgreSQL, noise. */
  appOtherCpu: number;
  bareOtherCpu: number;
  valid: boolean;
}

export interface ServerMemory {
  db: DbKind;
  logLevel: LogLevel;
  rssAfterStart: number;
  rssAfterLoad: number;
  peakRss: number;
  /** Bytes the server wrote to stdout per /api/me request (log lines), warm-ups included. */
  logBytesPerRequest: number;
}

export interface ApiMeResults {
  options: ApiMeOptions;
  configs: ConfigResult[];
  memory: ServerMemory[];
}

export function defaultApiMeOptions(): ApiMeOptions {
  return {
    dbs: listOption('db', 'sqlite,postgres') as DbKind[],
    logLevels: listOption('log', 'warn,info') as LogLevel[],
    connections: listOption('connections', '32,10').map(Number),
    rounds: numberOption('rounds', 3),
    duration: numberOption('duration', 8),
    warmup: numberOption('warmup', 2),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runApiMe(
  options: ApiMeOptions,
  log: (line: string) => void = console.log,
): Promise<ApiMeResults> {
  const configs: ConfigResult[] = [];
  const memory: ServerMemory[] = [];
  const bare = await startBare();
  const stopBare = onInterrupt(async () => void (await bare.kill()));
  try {
    for (const db of options.dbs) {
      let database: BenchDatabase | undefined;
      if (db === 'postgres') {
        database = await createBenchDatabase();
        log(`PostgreSQL database ${database.name}`);
      }
      const dropDb = onInterrupt(async () => database?.drop());
      try {
        for (const logLevel of options.logLevels) {
          const app = await startApp({
            logLevel,
            ...(database ? { databaseUrl: database.url } : {}),
          });
          const stopApp = onInterrupt(() => app.close());
          try {
            const cookie = await logIn(app.url);
            await sleep(1000);
            const rssAfterStart = rssMiB(app.child.pid!);
            const logBytes0 = app.logBytes();
            let appRequests = 0;
            for (const connections of options.connections) {
              const result = await measureConfig(
                { db, logLevel, connections, bare, app, cookie, options },
                (n) => (appRequests += n),
                log,
              );
              configs.push(result);
            }
            memory.push({
              db,
              logLevel,
              rssAfterStart,
              rssAfterLoad: rssMiB(app.child.pid!),
              peakRss: peakRssMiB(app.child.pid!),
              logBytesPerRequest: (app.logBytes() - logBytes0) / appRequests,
            });
          } finally {
            await app.close();
            stopApp();
          }
        }
      } finally {
        await database?.drop();
        dropDb();
      }
    }
  } finally {
    await bare.stop();
    stopBare();
  }
  return { options, configs, memory };
}

async function measureConfig(
  c: {
    db: DbKind;
    logLevel: LogLevel;
    connections: number;
    bare: ServerProcess;
    app: ServerProcess;
    cookie: string;
    options: ApiMeOptions;
  },
  countAppRequests: (n: number) => void,
  log: (line: string) => void,
): Promise<ConfigResult> {
  const { connections, options } = c;
  const run = async (which: 'bare' | 'app') => {
    const target =
      which === 'bare'
        ? { url: `${c.bare.url}/bare`, pid: c.bare.child.pid! }
        : { url: `${c.app.url}/api/me`, pid: c.app.child.pid!, headers: { cookie: c.cookie } };
    const warm = await load({ ...target, connections, duration: options.warmup });
    const measured = await load({ ...target, connections, duration: options.duration });
    if (which === 'app') countAppRequests(warm.total + measured.total);
    return measured;
  };
  const rounds: RoundResult[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const first = i % 2 === 0 ? 'bare' : 'app';
    let bareResult: LoadResult;
    let appResult: LoadResult;
    if (first === 'bare') {
      bareResult = await run('bare');
      appResult = await run('app');
    } else {
      appResult = await run('app');
      bareResult = await run('bare');
    }
    const ratio = appResult.rps / bareResult.rps;
    rounds.push({ first, bare: bareResult, app: appResult, ratio });
    const flag = isValid(bareResult) && isValid(appResult) ? '' : '  INVALID (errors or non-2xx)';
    log(
      `  ${c.db}/${c.logLevel}/c${connections} round ${i + 1}: bare ${round(bareResult.rps)} req/s ` +
        `(cpu ${round(bareResult.serverCpu, 2)}), app ${round(appResult.rps)} req/s ` +
        `(cpu ${round(appResult.serverCpu, 2)}), ratio ${pct(ratio)}; ` +
        `client cpu ${round(bareResult.clientCpu, 2)}/${round(appResult.clientCpu, 2)}, ` +
        `other cpu ${round(bareResult.otherCpu, 2)}/${round(appResult.otherCpu, 2)}${flag}`,
    );
  }
  const m = (pick: (r: RoundResult) => number) => median(rounds.map(pick));
  const bareRps = m((r) => r.bare.rps);
  const appRps = m((r) => r.app.rps);
  return {
    db: c.db,
    logLevel: c.logLevel,
    connections,
    rounds,
    bareRps,
    appRps,
    ratio: appRps / bareRps,
    bareP50: m((r) => r.bare.p50),
    bareP99: m((r) => r.bare.p99),
    appP50: m((r) => r.app.p50),
    appP99: m((r) => r.app.p99),
    bareCpu: m((r) => r.bare.serverCpu),
    appCpu: m((r) => r.app.serverCpu),
    bareUsPerReq: m((r) => (r.bare.serverCpu / r.bare.rps) * 1e6),
    appUsPerReq: m((r) => (r.app.serverCpu / r.app.rps) * 1e6),
    bareOtherCpu: m((r) => r.bare.otherCpu),
    appOtherCpu: m((r) => r.app.otherCpu),
    valid: rounds.every((r) => isValid(r.bare) && isValid(r.app)),
  };
}

export function formatApiMe(results: ApiMeResults): string {
  const rows = results.configs.map((c) => [
    c.db,
    c.logLevel,
    c.connections,
    round(c.bareRps),
    round(c.appRps),
    pct(c.ratio),
    c.rounds.map((r) => pct(r.ratio)).join(' '),
    `${c.bareP50}/${c.bareP99}`,
    `${c.appP50}/${c.appP99}`,
    `${round(c.bareCpu, 2)}/${round(c.appCpu, 2)}`,
    `${round(c.bareUsPerReq, 1)}/${round(c.appUsPerReq, 1)}`,
    `${round(c.bareOtherCpu, 2)}/${round(c.appOtherCpu, 2)}`,
    c.valid ? (c.ratio >= TARGET_RATIO ? 'pass' : 'FAIL') : 'INVALID',
  ]);
  const memRows = results.memory.map((m) => [
    m.db,
    m.logLevel,
    round(m.rssAfterStart, 1),
    round(m.rssAfterLoad, 1),
    round(m.peakRss, 1),
    round(m.logBytesPerRequest),
  ]);
  return [
    table(
      [
        'db',
        'log',
        'conns',
        'bare req/s',
        '/api/me req/s',
        'ratio',
        'per-round ratios',
        'bare p50/p99 ms',
        'me p50/p99 ms',
        'server cpu bare/me',
        'cpu µs/req bare/me',
        'other cpu bare/me',
        `>= ${pct(TARGET_RATIO)}`,
      ],
      rows,
    ),
    '',
    table(
      ['db', 'log', 'RSS after start MiB', 'RSS after load MiB', 'peak RSS MiB', 'log bytes/req'],
      memRows,
    ),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const options = defaultApiMeOptions();
    console.log(`GET /api/me vs bare Fastify: ${JSON.stringify(options)}`);
    const results = await runApiMe(options);
    console.log('\n' + formatApiMe(results));
  });
}
