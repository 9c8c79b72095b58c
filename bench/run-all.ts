// `npm run bench`: every benchmark of the foundation in turn, then a summary against the targets.
// Options are passed on to the benchmarks (e.g. `npm run bench -- --rounds=1 --duration=4`);
// `--code=HEAD` runs a snapshot of a commit instead of the checkout (see lib/code.ts);
// `--skip=api-me,rss,startup,profile,queue,llm,answer,tracker,…` leaves some out (the later
// benchmarks, from blob-upload to tracker, are skipped by their file name). The raw figures go to
// bench/.tmp/results-<time>.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../test/helpers/server-process.ts';
import {
  defaultApiMeOptions,
  formatApiMe,
  runApiMe,
  TARGET_RATIO,
  type ApiMeResults,
} from './api-me.ts';
import { listOption, numberOption, runMain } from './lib/cli.ts';
import { formatLlmGateway, runLlmGateway, type LlmGatewayResults } from './llm-gateway.ts';
import { machineSummary } from './lib/machine.ts';
import { pct, round } from './lib/stats.ts';
import { formatProfile, profileApiMe, type ProfileResult } from './profile-me.ts';
import {
  formatQueueBench,
  queueBenchPasses,
  runQueueBench,
  type Adapter as QueueAdapter,
  type QueueBenchResults,
} from './queue.ts';
import { formatRss, mb, runRss, TARGET_RSS_MB, type RssResults } from './rss.ts';
import { formatStartup, runStartup, TARGET_START_MS, type StartupResults } from './startup.ts';

function heading(title: string): void {
  console.log(`\n=== ${title} ===\n`);
}

function apiMeVerdict(results: ApiMeResults): string[] {
  return results.configs.map((c) => {
    const verdict = !c.valid ? 'INVALID' : c.ratio >= TARGET_RATIO ? 'pass' : 'FAIL';
    return (
      `  ${c.db}, LOG_LEVEL=${c.logLevel}, ${c.connections} connections: ` +
      `${pct(c.ratio)} of bare (${round(c.appRps)} vs ${round(c.bareRps)} req/s) → ${verdict}`
    );
  });
}

runMain(async () => {
  const skip = new Set(listOption('skip', ''));
  const machine = machineSummary();
  heading('Machine');
  console.log(machine);

  let apiMe: ApiMeResults | undefined;
  let rss: RssResults | undefined;
  let startup: StartupResults | undefined;
  const profiles: ProfileResult[] = [];

  if (!skip.has('api-me')) {
    heading('Target 1: GET /api/me vs bare Fastify (bench/api-me.ts)');
    apiMe = await runApiMe(defaultApiMeOptions());
    console.log('\n' + formatApiMe(apiMe));
  }
  if (!skip.has('rss')) {
    heading('Target 2: RSS after start-up (bench/rss.ts)');
    rss = await runRss({ runs: numberOption('runs', 3), duration: numberOption('duration', 8) });
    console.log('\n' + formatRss(rss));
  }
  if (!skip.has('startup')) {
    heading('Target 3: npm start to /readyz 200 (bench/startup.ts)');
    startup = await runStartup({ runs: numberOption('start-runs', 5) });
    console.log('\n' + formatStartup(startup));
  }
  if (!skip.has('profile')) {
    heading('CPU profile of GET /api/me under load (bench/profile-me.ts)');
    for (const db of ['sqlite', 'postgres'] as const) {
      const p = await profileApiMe({ db, logLevel: 'warn', connections: 32, duration: 10 });
      profiles.push(p);
      console.log(formatProfile(p, 20) + '\n');
    }
  }

  let queue: QueueBenchResults | undefined;
  if (!skip.has('queue')) {
    heading('Background jobs: throughput and pickup latency (bench/queue.ts)');
    queue = await runQueueBench({
      adapters: listOption('adapters', 'sqlite,postgres,pgboss') as QueueAdapter[],
      jobs: numberOption('jobs', 2000),
      rounds: numberOption('queue-rounds', 3),
      samples: numberOption('samples', 40),
    });
    console.log('\n' + formatQueueBench(queue));
  }

  let llm: LlmGatewayResults | undefined;
  if (!skip.has('llm')) {
    heading('LLM gateway: overhead per call and concurrency (bench/llm-gateway.ts)');
    llm = await runLlmGateway({
      calls: numberOption('calls', 200),
      rounds: numberOption('llm-rounds', 7),
      concRounds: numberOption('conc-rounds', 3),
      ledgers: ['sqlite', 'postgres', 'memory'],
      ns: [1, 4, 16, 64],
      latencies: [20, 100, 250, 1000],
    });
    console.log('\n' + formatLlmGateway(llm));
  }

  // The benchmarks of the later features run as they are, one process each, with their own
  // output and verdicts (options are not passed on: each has its own defaults).
  const standalone: [string, string][] = [
    ['blob-upload', 'File storage: memory while a 100 MB upload streams'],
    ['graph-import', 'Knowledge graph: large import and prerequisites'],
    ['gift-import', 'Question bank: GIFT import'],
    ['auto-tag', 'Auto-tagging: quality and speed'],
    ['mastery-fit', 'Mastery: EM fit of 400k responses'],
    ['cat-sim', 'Placement test: simulated test length and accuracy'],
    ['answer', 'Practice: POST an answer vs bare Fastify'],
    ['path-generation', 'Learning paths: path generation for a 30-skill role'],
    ['tracker', 'Performance tracker: dashboard, PUT result, weekly aggregate'],
  ];
  const failed: string[] = [];
  for (const [name, title] of standalone) {
    if (skip.has(name)) continue;
    heading(`${title} (bench/${name}.ts)`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    if (run.status !== 0) failed.push(name);
  }

  heading('Summary');
  console.log(machine + '\n');
  if (failed.length > 0)
    console.log(`Benchmarks that exited with an error: ${failed.join(', ')}\n`);
  if (apiMe) {
    console.log(`1. GET /api/me ≥ ${pct(TARGET_RATIO)} of bare Fastify req/s (ratio of medians):`);
    for (const line of apiMeVerdict(apiMe)) console.log(line);
  }
  if (rss) {
    console.log(
      `2. RSS after start-up < ${TARGET_RSS_MB} MB: ${mb(rss.afterStart)} MB ` +
        `(${round(rss.afterStart, 1)} MiB) → ${rss.pass ? 'pass' : 'FAIL'}`,
    );
  }
  if (startup) {
    const targets = startup.variants.filter((v) => v.target);
    console.log(
      `3. npm start to /readyz 200 < ${TARGET_START_MS} ms: ` +
        targets.map((v) => `${v.name} ${round(v.medianMs)} ms`).join(', ') +
        ` → ${startup.pass ? 'pass' : 'FAIL'}`,
    );
  }

  if (queue) {
    console.log(
      `Background jobs (no-op jobs/s, pickup latency when idle): ${queueBenchPasses(queue) ? 'pass' : 'FAIL'}`,
    );
    for (const line of formatQueueBench(queue).split('\n')) console.log(`  ${line}`);
  }

  if (llm) {
    console.log('LLM gateway (overhead < 2 ms per call; 10·N calls within 1.2 × 10·L):');
    for (const line of formatLlmGateway(llm).split('\n')) console.log(`  ${line}`);
  }

  const dir = path.join(REPO_ROOT, 'bench/.tmp');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const trimmedProfiles = profiles.map((p) => ({
    ...p,
    summary: {
      ...p.summary,
      selfByFunction: p.summary.selfByFunction.slice(0, 50),
      inclusiveByFunction: p.summary.inclusiveByFunction.slice(0, 50),
    },
  }));
  writeFileSync(
    file,
    JSON.stringify(
      { machine, apiMe, rss, startup, profiles: trimmedProfiles, queue, llm },
      null,
      2,
    ),
  );
  console.log(`\nRaw figures: ${path.relative(REPO_ROOT, file)}`);
});
