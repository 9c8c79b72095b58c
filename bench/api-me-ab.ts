// Two versions of the server side by side: the CPU time per `GET /api/me` request of a base commit
// and of the checkout (or another commit), measured in the same rounds, with the bare Fastify route
// as the reference. On a shared, loaded machine absolute req/s drift from minute to minute; the
// server's CPU µs per request and the paired difference within a round drift much less.
//
//   node --import tsx bench/api-me-ab.ts [--base=HEAD] [--head=worktree] [--db=sqlite,postgres]
//        [--log=warn] [--connections=32] [--rounds=5] [--duration=5] [--warmup=2]
//
// Each round loads bare, base and head in a rotating order, each after its own warm-up.
import os from 'node:os';
import { isMain, listOption, numberOption, onInterrupt, option, runMain } from './lib/cli.ts';
import { codeUnderTest, snapshot, type CodeUnderTest } from './lib/code.ts';
import { isValid, load, type LoadResult } from './lib/load.ts';
import {
  createBenchDatabase,
  logIn,
  startApp,
  startBare,
  type AppServer,
  type BenchDatabase,
  type DbKind,
  type LogLevel,
} from './lib/servers.ts';
import { median, pct, round, table } from './lib/stats.ts';

type Arm = 'bare' | 'base' | 'head';

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function usPerRequest(r: LoadResult): number {
  return (r.serverCpu / r.rps) * 1e6;
}

function codeFor(rev: string): CodeUnderTest {
  return rev === 'worktree' ? codeUnderTest() : snapshot(rev);
}

async function compare(options: {
  db: DbKind;
  logLevel: LogLevel;
  connections: number;
  rounds: number;
  duration: number;
  warmup: number;
  base: CodeUnderTest;
  head: CodeUnderTest;
}): Promise<(string | number)[]> {
  const bare = await startBare();
  const databases: BenchDatabase[] = [];
  const apps: AppServer[] = [];
  const cleanup = async () => {
    await Promise.allSettled([bare.stop(), ...apps.map((a) => a.close())]);
    await Promise.allSettled(databases.map((d) => d.drop()));
  };
  const stop = onInterrupt(cleanup);
  try {
    const start = async (code: CodeUnderTest) => {
      let database: BenchDatabase | undefined;
      if (options.db === 'postgres') {
        database = await createBenchDatabase();
        databases.push(database);
      }
      const app = await startApp({
        logLevel: options.logLevel,
        entry: code.entry,
        ...(database ? { databaseUrl: database.url } : {}),
      });
      apps.push(app);
      return { app, cookie: await logIn(app.url) };
    };
    const servers = { base: await start(options.base), head: await start(options.head) };
    const target = (arm: Arm) =>
      arm === 'bare'
        ? { url: `${bare.url}/bare`, pid: bare.child.pid! }
        : {
            url: `${servers[arm].app.url}/api/me`,
            pid: servers[arm].app.child.pid!,
            headers: { cookie: servers[arm].cookie },
          };
    const order: Arm[] = ['bare', 'base', 'head'];
    const results: Record<Arm, LoadResult[]> = { bare: [], base: [], head: [] };
    for (let i = 0; i < options.rounds; i++) {
      const arms = [...order.slice(i % 3), ...order.slice(0, i % 3)];
      for (const arm of arms) {
        const t = { ...target(arm), connections: options.connections };
        await load({ ...t, duration: options.warmup });
        const r = await load({ ...t, duration: options.duration });
        if (!isValid(r)) throw new Error(`${arm}: errors or non-2xx answers`);
        results[arm].push(r);
      }
      const line = order
        .map((arm) => {
          const r = results[arm][i]!;
          return `${arm} ${round(r.rps)} req/s ${round(usPerRequest(r), 1)} µs (other ${round(r.otherCpu, 2)})`;
        })
        .join(', ');
      console.log(`  ${options.db}/${options.logLevel} round ${i + 1}: ${line}`);
    }
    const m = (arm: Arm, pick: (r: LoadResult) => number) => median(results[arm].map(pick));
    const ratio = (arm: Arm) => median(results[arm].map((r, i) => r.rps / results.bare[i]!.rps));
    return [
      options.db,
      options.logLevel,
      round(m('bare', usPerRequest), 1),
      round(m('base', usPerRequest), 1),
      round(m('head', usPerRequest), 1),
      round(m('bare', (r) => r.rps)),
      round(m('base', (r) => r.rps)),
      round(m('head', (r) => r.rps)),
      pct(ratio('base')),
      pct(ratio('head')),
      `${round(
        m('base', (r) => r.otherCpu),
        2,
      )}/${round(
        m('head', (r) => r.otherCpu),
        2,
      )}`,
    ];
  } finally {
    await cleanup();
    stop();
  }
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const base = codeFor(option('base', 'HEAD'));
    const head = codeFor(option('head', 'worktree'));
    console.log(`base ${base.label}, head ${head.label}, load average ${loadAverage()}`);
    const rows: (string | number)[][] = [];
    for (const db of listOption('db', 'sqlite,postgres') as DbKind[]) {
      for (const logLevel of listOption('log', 'warn') as LogLevel[]) {
        rows.push(
          await compare({
            db,
            logLevel,
            connections: numberOption('connections', 32),
            rounds: numberOption('rounds', 5),
            duration: numberOption('duration', 5),
            warmup: numberOption('warmup', 2),
            base,
            head,
          }),
        );
      }
    }
    console.log(`load average at the end ${loadAverage()}\n`);
    console.log(
      table(
        [
          'db',
          'log',
          'bare µs/req',
          'base µs/req',
          'head µs/req',
          'bare req/s',
          'base req/s',
          'head req/s',
          'base ratio',
          'head ratio',
          'other cpu base/head',
        ],
        rows,
      ),
    );
  });
}
