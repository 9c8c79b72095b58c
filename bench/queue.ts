// Background jobs (issue 3 §1, Performance): throughput of no-op jobs end to end and the pickup
// latency of a new job when the worker is idle, for the embedded queue on SQLite and on
// PostgreSQL and for pg-boss on PostgreSQL.
//
//   node --import tsx bench/queue.ts [--jobs=2000] [--rounds=3] [--samples=40]
//                                   [--adapters=sqlite,postgres,pgboss]
//
// Everything is built the way `skillbridge serve` builds it (createDeps from the default
// configuration: JOB_WORKER_CONCURRENCY=4, JOB_POLL_INTERVAL_MS=250), with one more job type,
// `bench.noop`, whose handler returns at once. Per adapter:
// - throughput: the worker runs; --jobs no-op jobs are enqueued by 8 concurrent callers (as API
//   requests would); the clock stops when the last one is complete. Jobs per second = jobs /
//   (last complete − first enqueue). Median of --rounds, each on a fresh database.
// - pickup latency, worker idle: time from the enqueue call to the handler starting, (a) enqueued
//   in the worker's process (`serve`: API and worker together; the enqueue wakes the worker) and
//   (b) enqueued by another instance on its own connection (`serve --no-worker` + `worker`: on
//   SQLite the worker finds it at its next poll, on PostgreSQL NOTIFY wakes it). A random pause
//   of 100-400 ms before each sample lets the worker fall idle at a random phase of its poll.
// Raw figures go to bench/.tmp/queue-<time>.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { z } from 'zod';
import { loadConfig } from '../src/config/env.ts';
import { createDeps, type Deps } from '../src/container.ts';
import { createDatabase } from '../src/infra/db/database.ts';
import { migrateToLatest } from '../src/infra/db/migrate.ts';
import { pgAvailable, pgUrlFor, uniqueDbName, withPgAdmin } from '../test/helpers/pg-admin.ts';
import { REPO_ROOT } from '../test/helpers/server-process.ts';
import { isMain, listOption, numberOption, onInterrupt, runMain } from './lib/cli.ts';
import { machineSummary } from './lib/machine.ts';
import { median, round, table } from './lib/stats.ts';

export const TARGET_EMBEDDED_SQLITE_JOBS_PER_S = 300;
export const TARGET_PGBOSS_JOBS_PER_S = 100;
export const TARGET_PICKUP_MS = 250;

export type Adapter = 'sqlite' | 'postgres' | 'pgboss';
const ADAPTER_NAMES: Record<Adapter, string> = {
  sqlite: 'embedded queue, SQLite',
  postgres: 'embedded queue, PostgreSQL',
  pgboss: 'pg-boss, PostgreSQL',
};

const NOOP = 'bench.noop';
const logger = pino({ level: 'silent' });
const ENQUEUERS = 8;

interface Environment {
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one round. */
async function freshDatabase(adapter: Adapter): Promise<Environment> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-queue-'));
  if (adapter === 'sqlite') {
    const url = `sqlite:${path.join(dataDir, 'skillbridge.db')}`;
    const config = loadConfig({ DATABASE_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const handle = createDatabase(config.database);
    await migrateToLatest(handle);
    await handle.destroy();
    return { url, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = uniqueDbName('sb_bench_q');
  await withPgAdmin((c) => c.query(`create database "${name}"`));
  const url = pgUrlFor(name);
  const config = loadConfig({ DATABASE_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const handle = createDatabase(config.database);
  await migrateToLatest(handle);
  await handle.destroy();
  return {
    url,
    dataDir,
    async drop() {
      await withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One instance as `skillbridge serve` would build it, plus the no-op job type. */
function instance(adapter: Adapter, env: Environment, onStart?: (id: string) => void): Deps {
  const config = loadConfig({
    DATABASE_URL: env.url,
    DATA_DIR: env.dataDir,
    LOG_LEVEL: 'silent',
    JOB_QUEUE: adapter === 'pgboss' ? 'pgboss' : 'embedded',
  });
  const deps = createDeps(config, { logger });
  deps.jobs.register({
    type: NOOP,
    schema: z.object({ i: z.number().int() }),
    maxAttempts: 1,
    async handler(_payload, ctx) {
      onStart?.(ctx.job.id);
      return null;
    },
  });
  return deps;
}

async function countComplete(deps: Deps): Promise<number> {
  return (await deps.jobs.list({ type: NOOP, state: 'complete', limit: 1, offset: 0 })).total;
}

export interface ThroughputRound {
  jobs: number;
  enqueueMs: number;
  totalMs: number;
  jobsPerSecond: number;
}

async function throughputRound(adapter: Adapter, jobs: number): Promise<ThroughputRound> {
  const env = await freshDatabase(adapter);
  const deps = instance(adapter, env);
  const cleanUp = async () => {
    await deps.close();
    await env.drop();
  };
  const unregister = onInterrupt(cleanUp);
  try {
    await deps.jobs.startWorker();
    // Warm up connections and code paths outside the measurement.
    for (let i = 0; i < 20; i++) await deps.jobs.enqueue(NOOP, { i: -1 - i });
    while ((await countComplete(deps)) < 20) await new Promise((r) => setTimeout(r, 20));

    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: ENQUEUERS }, async () => {
        while (next < jobs) {
          const i = next++;
          await deps.jobs.enqueue(NOOP, { i });
        }
      }),
    );
    const enqueueMs = performance.now() - started;
    while ((await countComplete(deps)) < jobs + 20) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const totalMs = performance.now() - started;
    const failed = (await deps.jobs.list({ type: NOOP, state: 'failed', limit: 1, offset: 0 }))
      .total;
    if (failed > 0) throw new Error(`${failed} no-op jobs failed`);
    return { jobs, enqueueMs, totalMs, jobsPerSecond: jobs / (totalMs / 1000) };
  } finally {
    unregister();
    await cleanUp();
  }
}

export interface LatencyResult {
  /** Enqueued in the worker's own process. */
  sameProcessMs: number[];
  /** Enqueued by another instance with its own connection. */
  otherInstanceMs: number[];
}

async function latency(adapter: Adapter, samples: number): Promise<LatencyResult> {
  const env = await freshDatabase(adapter);
  const startedAt = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const onStart = (id: string) => {
    const at = performance.now();
    startedAt.set(id, at);
    waiters.get(id)?.(at);
  };
  const worker = instance(adapter, env, onStart);
  const api = instance(adapter, env);
  const cleanUp = async () => {
    await api.close();
    await worker.close();
    await env.drop();
  };
  const unregister = onInterrupt(cleanUp);
  const sample = async (from: Deps, i: number): Promise<number> => {
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 300));
    const t0 = performance.now();
    let id = '';
    const started = new Promise<number>((resolve) => {
      const check = () => {
        const at = id ? startedAt.get(id) : undefined;
        if (at !== undefined) resolve(at);
        return at !== undefined;
      };
      void from.jobs.enqueue(NOOP, { i }).then((job) => {
        id = job.id;
        if (!check()) waiters.set(id, resolve);
      });
    });
    const at = await started;
    waiters.delete(id);
    return at - t0;
  };
  try {
    await worker.jobs.startWorker();
    await api.jobs.start();
    // Warm-up, not recorded.
    for (let i = 0; i < 5; i++) {
      await sample(worker, -1);
      await sample(api, -1);
    }
    const result: LatencyResult = { sameProcessMs: [], otherInstanceMs: [] };
    for (let i = 0; i < samples; i++) {
      result.sameProcessMs.push(await sample(worker, i));
      result.otherInstanceMs.push(await sample(api, i));
    }
    return result;
  } finally {
    unregister();
    await cleanUp();
  }
}

export interface AdapterResults {
  adapter: Adapter;
  rounds: ThroughputRound[];
  medianJobsPerSecond: number;
  latency: LatencyResult;
}

export interface QueueBenchResults {
  machine: string;
  adapters: AdapterResults[];
}

export async function runQueueBench(options: {
  adapters: Adapter[];
  jobs: number;
  rounds: number;
  samples: number;
}): Promise<QueueBenchResults> {
  const machine = machineSummary();
  const adapters: AdapterResults[] = [];
  const pg = await pgAvailable();
  for (const adapter of options.adapters) {
    if (adapter !== 'sqlite' && !pg) {
      console.log(`PostgreSQL not reachable: skipping ${ADAPTER_NAMES[adapter]}`);
      continue;
    }
    const rounds: ThroughputRound[] = [];
    for (let r = 0; r < options.rounds; r++) {
      const round1 = await throughputRound(adapter, options.jobs);
      console.log(
        `${ADAPTER_NAMES[adapter]}, round ${r + 1}: ${round(round1.jobsPerSecond)} jobs/s ` +
          `(${options.jobs} jobs in ${round(round1.totalMs)} ms; enqueued in ${round(round1.enqueueMs)} ms)`,
      );
      rounds.push(round1);
    }
    const lat = await latency(adapter, options.samples);
    console.log(
      `${ADAPTER_NAMES[adapter]}, pickup when idle: same process median ${round(median(lat.sameProcessMs), 1)} ms, ` +
        `other instance median ${round(median(lat.otherInstanceMs), 1)} ms`,
    );
    adapters.push({
      adapter,
      rounds,
      medianJobsPerSecond: median(rounds.map((r) => r.jobsPerSecond)),
      latency: lat,
    });
  }
  return { machine, adapters };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export function throughputTarget(adapter: Adapter): number | undefined {
  if (adapter === 'sqlite') return TARGET_EMBEDDED_SQLITE_JOBS_PER_S;
  if (adapter === 'pgboss') return TARGET_PGBOSS_JOBS_PER_S;
  return undefined;
}

export function formatQueueBench(results: QueueBenchResults): string {
  const rows = results.adapters.map((a) => {
    const target = throughputTarget(a.adapter);
    return [
      ADAPTER_NAMES[a.adapter],
      round(a.medianJobsPerSecond),
      a.rounds.map((r) => round(r.jobsPerSecond)).join(', '),
      target === undefined
        ? '—'
        : `≥ ${target}: ${a.medianJobsPerSecond >= target ? 'pass' : 'FAIL'}`,
    ];
  });
  const latencyRows = results.adapters.flatMap((a) =>
    (['sameProcessMs', 'otherInstanceMs'] as const).map((k) => {
      const values = a.latency[k];
      const m = median(values);
      return [
        ADAPTER_NAMES[a.adapter],
        k === 'sameProcessMs' ? 'same process' : 'other instance',
        round(m, 1),
        round(percentile(values, 90), 1),
        round(Math.max(...values), 1),
        `< ${TARGET_PICKUP_MS}: ${m < TARGET_PICKUP_MS ? 'pass' : 'FAIL'}`,
      ];
    }),
  );
  return [
    table(['no-op jobs end to end', 'median jobs/s', 'rounds', 'target'], rows),
    '',
    table(
      ['pickup latency when idle', 'enqueued from', 'median ms', 'p90 ms', 'max ms', 'target'],
      latencyRows,
    ),
  ].join('\n');
}

export function queueBenchPasses(results: QueueBenchResults): boolean {
  return results.adapters.every((a) => {
    const target = throughputTarget(a.adapter);
    const throughputOk = target === undefined || a.medianJobsPerSecond >= target;
    const latencyOk =
      median(a.latency.sameProcessMs) < TARGET_PICKUP_MS &&
      median(a.latency.otherInstanceMs) < TARGET_PICKUP_MS;
    return throughputOk && latencyOk;
  });
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const results = await runQueueBench({
      adapters: listOption('adapters', 'sqlite,postgres,pgboss') as Adapter[],
      jobs: numberOption('jobs', 2000),
      rounds: numberOption('rounds', 3),
      samples: numberOption('samples', 40),
    });
    console.log('\n' + results.machine + '\n');
    console.log(formatQueueBench(results));
    const dir = path.join(REPO_ROOT, 'bench/.tmp');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `queue-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(results, null, 2));
    console.log(`\nRaw figures: ${path.relative(REPO_ROOT, file)}`);
    // Open handles (pg pools) must not keep the process: everything was closed above.
    process.exit(queueBenchPasses(results) ? 0 : 1);
  });
}
