// Not a target: how much of the /api/me gap the src/ changes proposed in bench/RESULTS.md would
// close. Makes two copies of src/ (of the code under test, see lib/code.ts) in temporary
// directories, applies bench/experiments/hot-path.patch to one (src/ itself is never touched), and
// measures the bare Fastify baseline, the unpatched and the patched copy, rotating their order
// round by round. Both copies are taken at the same moment, so they differ only by the patch.
//
//   node --import tsx bench/experiment-hot-path.ts [--db=sqlite,postgres] [--log=warn]
//        [--connections=32] [--rounds=3] [--duration=8] [--warmup=2]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, type ServerProcess } from '../test/helpers/server-process.ts';
import { codeUnderTest, copyTree } from './lib/code.ts';
import { isMain, listOption, numberOption, onInterrupt, runMain } from './lib/cli.ts';
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

const PATCH = path.join(REPO_ROOT, 'bench/experiments/hot-path.patch');
const SECURITY_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

/** Copies of the code under test outside the repository (tsc and ESLint never see them). */
export function copies(): { asIs: string; patched: string; remove(): void } {
  const root = codeUnderTest().root;
  const asIs = copyTree(root, 'as-is');
  const patched = copyTree(root, 'hot-path');
  execFileSync('patch', ['-p1', '--forward', '-d', patched.root, '-i', PATCH], { stdio: 'pipe' });
  return {
    asIs: path.join(asIs.root, 'src/main.ts'),
    patched: path.join(patched.root, 'src/main.ts'),
    remove() {
      asIs.remove();
      patched.remove();
    },
  };
}

async function securityHeaders(url: string, cookie: string): Promise<string> {
  const res = await fetch(`${url}/api/me`, { headers: { cookie } });
  return SECURITY_HEADERS.map((h) => `${h}: ${res.headers.get(h)}`).join('\n');
}

interface Target {
  name: string;
  url: string;
  pid: number;
  headers?: Record<string, string>;
}

export interface ExperimentRow {
  db: DbKind;
  name: string;
  rps: number;
  ratio: number;
  perRound: number[];
  p50: number;
  p99: number;
  usPerReq: number;
  valid: boolean;
}

export async function runExperiment(options: {
  dbs: DbKind[];
  logLevel: LogLevel;
  connections: number;
  rounds: number;
  duration: number;
  warmup: number;
}): Promise<ExperimentRow[]> {
  const copy = copies();
  const rows: ExperimentRow[] = [];
  const bare = await startBare();
  const cleanup = onInterrupt(async () => {
    await bare.kill();
    copy.remove();
  });
  try {
    for (const db of options.dbs) {
      let database: BenchDatabase | undefined;
      if (db === 'postgres') database = await createBenchDatabase();
      const servers: AppServer[] = [];
      const dropDb = onInterrupt(async () => {
        await Promise.allSettled(servers.map((s) => s.close()));
        await database?.drop();
      });
      try {
        const common = {
          logLevel: options.logLevel,
          ...(database ? { databaseUrl: database.url } : {}),
        };
        const current = await startApp({ ...common, entry: copy.asIs });
        servers.push(current);
        const patched = await startApp({ ...common, entry: copy.patched });
        servers.push(patched);
        const cookies = [await logIn(current.url), await logIn(patched.url)];
        const [h1, h2] = [
          await securityHeaders(current.url, cookies[0]!),
          await securityHeaders(patched.url, cookies[1]!),
        ];
        if (h1 !== h2) throw new Error(`security headers differ:\n${h1}\n---\n${h2}`);
        const targets: Target[] = [
          { name: 'bare Fastify', url: `${bare.url}/bare`, pid: pidOf(bare) },
          ...[current, patched].map((s, i) => ({
            name: i === 0 ? 'GET /api/me, unpatched' : 'GET /api/me, patched copy',
            url: `${s.url}/api/me`,
            pid: pidOf(s),
            headers: { cookie: cookies[i]! },
          })),
        ];
        const results = targets.map(() => [] as LoadResult[]);
        for (let n = 0; n < options.rounds; n++) {
          for (let k = 0; k < targets.length; k++) {
            const i = (k + n) % targets.length;
            const t = targets[i]!;
            const run = { ...t, connections: options.connections };
            await load({ ...run, duration: options.warmup });
            results[i]!.push(await load({ ...run, duration: options.duration }));
          }
          console.log(
            `  ${db} round ${n + 1}: ` +
              targets.map((t, i) => `${t.name} ${round(results[i]!.at(-1)!.rps)} req/s`).join(', '),
          );
        }
        const bareRps = median(results[0]!.map((r) => r.rps));
        targets.forEach((t, i) => {
          const rs = results[i]!;
          const rps = median(rs.map((r) => r.rps));
          rows.push({
            db,
            name: t.name,
            rps,
            ratio: rps / bareRps,
            perRound: rs.map((r, k) => r.rps / results[0]![k]!.rps),
            p50: median(rs.map((r) => r.p50)),
            p99: median(rs.map((r) => r.p99)),
            usPerReq: median(rs.map((r) => (r.serverCpu / r.rps) * 1e6)),
            valid: rs.every(isValid),
          });
        });
      } finally {
        await Promise.allSettled(servers.map((s) => s.close()));
        await database?.drop();
        dropDb();
      }
    }
  } finally {
    await bare.stop();
    copy.remove();
    cleanup();
  }
  return rows;
}

const pidOf = (s: ServerProcess) => s.child.pid!;

export function formatExperiment(rows: ExperimentRow[]): string {
  return table(
    ['db', 'server', 'req/s', 'of bare', 'per round', 'p50/p99 ms', 'cpu µs/req', 'valid'],
    rows.map((r) => [
      r.db,
      r.name,
      round(r.rps),
      pct(r.ratio),
      r.perRound.map(pct).join(' '),
      `${r.p50}/${r.p99}`,
      round(r.usPerReq, 1),
      r.valid ? 'yes' : 'NO',
    ]),
  );
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const rows = await runExperiment({
      dbs: listOption('db', 'sqlite,postgres') as DbKind[],
      logLevel: listOption('log', 'warn')[0] as LogLevel,
      connections: numberOption('connections', 32),
      rounds: numberOption('rounds', 3),
      duration: numberOption('duration', 8),
      warmup: numberOption('warmup', 2),
    });
    console.log('\n' + formatExperiment(rows));
  });
}
