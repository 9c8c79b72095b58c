// LLM gateway targets (issue 3, Performance):
//   1. overhead: under 2 ms per call over calling the provider client directly, against the same
//      local OpenAI-compatible server;
//   2. with feature concurrency N and server latency L, 10·N calls finish within 1.2 × 10·L.
//
//   node --import tsx bench/llm-gateway.ts [--calls=200] [--rounds=7] [--conc-rounds=3]
//        [--ledgers=sqlite,postgres,memory] [--n=1,4,16,64] [--latency=20,100,250,1000]
//
// The server is test/helpers/fake-openai-server.ts in a child process (bench/lib/fake-openai-
// process.ts), so client and server do not share an event loop. Both arms make the same
// structured-output request through the same AI SDK client (@ai-sdk/openai-compatible,
// generateText + Output.object); the gateway arm adds what every real call pays: prompt
// rendering, the per-user budget check (two queries), the feature and global semaphores, the
// deadline timer, cost and one ledger row. Calls are sequential for target 1; the two arms
// alternate first place round by round, and the overhead is the median over rounds of
// (gateway − direct) per call. Raw figures go to bench/.tmp/llm-gateway-<time>.json.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, Output, type LanguageModel } from 'ai';
import pino from 'pino';
import { z } from 'zod';
import { parseDatabaseUrl } from '../src/config/env.ts';
import { createDatabase, type DatabaseHandle } from '../src/infra/db/database.ts';
import { migrateToLatest } from '../src/infra/db/migrate.ts';
import { llmFileSchema } from '../src/infra/llm/llm-config.ts';
import { LlmGateway } from '../src/infra/llm/llm-gateway.ts';
import { PriceTable } from '../src/infra/llm/pricing.ts';
import { loadPrompts } from '../src/infra/llm/prompts.ts';
import {
  InMemoryUsageLedger,
  KyselyUsageLedger,
  type UsageLedger,
} from '../src/infra/llm/usage-ledger.ts';
import { systemClock } from '../src/platform/clock.ts';
import { pgAvailable, pgUrlFor, uniqueDbName, withPgAdmin } from '../test/helpers/pg-admin.ts';
import { REPO_ROOT } from '../test/helpers/server-process.ts';
import type { ControlMessage, ReplyMessage } from './lib/fake-openai-process.ts';
import { isMain, listOption, numberOption, onInterrupt, runMain } from './lib/cli.ts';
import { machineSummary } from './lib/machine.ts';
import { tempDir } from './lib/tmp.ts';
import { median, round, table } from './lib/stats.ts';

export const TARGET_OVERHEAD_MS = 2;
export const TARGET_CONCURRENCY_RATIO = 1.2;

const MODEL = 'fake-model';
const USER_ID = '0b7f6f3e-3c2a-4d7e-9f51-2a1c5e8d9b10';
const schema = z.object({ ok: z.boolean(), greeting: z.string().max(500) });
const prompts = loadPrompts(path.join(REPO_ROOT, 'config', 'prompts'));
const pricing = new PriceTable([
  {
    provider: 'openai-compatible',
    model: MODEL,
    effectiveFrom: '2024-01-01',
    input: 2,
    output: 10,
    cacheRead: 0.5,
    cacheWrite: 2,
  },
]);

type LedgerKind = 'sqlite' | 'postgres' | 'memory';

// ---------------------------------------------------------------- the fake server process

interface FakeServer {
  baseUrl: string;
  setLatency(ms: number): Promise<void>;
  stats(): Promise<{ maxInFlight: number; requests: number }>;
  close(): Promise<void>;
}

async function startFakeServer(): Promise<FakeServer> {
  const child: ChildProcess = fork(path.join(REPO_ROOT, 'bench/lib/fake-openai-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends ReplyMessage>(match: (m: ReplyMessage) => m is T): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: ReplyMessage) => {
        if (!match(m)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m);
      };
      const onExit = (code: number | null) => reject(new Error(`fake server exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const send = (m: ControlMessage) => child.send(m);
  const { baseUrl } = await next((m): m is { baseUrl: string } => 'baseUrl' in m);
  return {
    baseUrl,
    async setLatency(latencyMs) {
      const ready = next((m): m is { ready: true } => 'ready' in m);
      send({ latencyMs });
      await ready;
    },
    async stats() {
      const reply = next((m): m is { maxInFlight: number; requests: number } => 'maxInFlight' in m);
      send({ stats: true });
      return reply;
    },
    async close() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      await exited;
    },
  };
}

// ---------------------------------------------------------------- ledgers

interface Ledger {
  kind: LedgerKind;
  ledger: UsageLedger;
  rows(): Promise<number>;
  close(): Promise<void>;
}

async function openLedger(kind: LedgerKind): Promise<Ledger> {
  if (kind === 'memory') {
    const ledger = new InMemoryUsageLedger();
    return { kind, ledger, rows: async () => ledger.rows.length, close: async () => {} };
  }
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  if (kind === 'sqlite') {
    // A file in WAL mode, as `npm start` runs it.
    const dir = tempDir('llm');
    handle = createDatabase(parseDatabaseUrl(`sqlite:${dir.dir}/bench.db`, 1));
    cleanup = async () => dir.remove();
  } else {
    const name = uniqueDbName('sb_bench_llm');
    await withPgAdmin((c) => c.query(`create database "${name}"`));
    handle = createDatabase(parseDatabaseUrl(pgUrlFor(name), 10));
    cleanup = () =>
      withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => {});
  }
  await migrateToLatest(handle);
  const unregister = onInterrupt(async () => {
    await handle.destroy();
    await cleanup();
  });
  return {
    kind,
    ledger: new KyselyUsageLedger(handle.db),
    async rows() {
      const r = await handle.db
        .selectFrom('llm_calls')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async close() {
      unregister();
      await handle.destroy();
      await cleanup();
    },
  };
}

// ---------------------------------------------------------------- the two arms

function gatewayFor(
  baseUrl: string,
  ledger: UsageLedger,
  concurrency: { feature: number; global: number },
): LlmGateway {
  const settings = llmFileSchema.parse({
    concurrency: concurrency.global,
    retry: { baseDelayMs: 100, maxDelayMs: 1000 },
    features: {
      default: {
        provider: 'openai-compatible',
        model: MODEL,
        temperature: 0,
        maxTokens: 256,
        timeoutMs: 60_000,
        retries: 0,
        concurrency: concurrency.feature,
      },
    },
  });
  return new LlmGateway({
    settings,
    prompts,
    pricing,
    ledger,
    credentials: {
      openaiApiKey: 'sk-bench',
      openaiBaseUrl: baseUrl,
      anthropicApiKey: undefined,
      anthropicBaseUrl: undefined,
      ollamaBaseUrl: undefined,
    },
    // A budget that is never reached, so every call pays for the full budget check.
    dailyTokenBudgetPerUser: 1_000_000_000,
    clock: systemClock,
    logger: pino({ level: 'warn' }),
  });
}

/** What the gateway would send, built once: the direct arm does no templating. */
function directCaller(baseUrl: string): () => Promise<unknown> {
  // The same client and options the gateway's ProviderRegistry creates for openai-compatible.
  const model: LanguageModel = createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: baseUrl,
    apiKey: 'sk-bench',
    supportsStructuredOutputs: true,
  }).chatModel(MODEL);
  const prompt = prompts.get('provider-check').render({ feature: 'bench' });
  const output = Output.object({ schema, name: 'response' });
  return async () => {
    const result = await generateText({
      model,
      ...(prompt.system === undefined ? {} : { system: prompt.system }),
      prompt: prompt.user,
      temperature: 0,
      maxOutputTokens: 256,
      maxRetries: 0,
      providerOptions: { openaiCompatible: { strictJsonSchema: false } },
      output,
    });
    return result.output;
  };
}

function gatewayCaller(gateway: LlmGateway): () => Promise<unknown> {
  return async () => {
    const result = await gateway.generateObject({
      feature: 'default',
      prompt: 'provider-check',
      variables: { feature: 'bench' },
      schema,
      userId: USER_ID,
    });
    return result.object;
  };
}

async function sequential(call: () => Promise<unknown>, calls: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await call();
  return (performance.now() - t0) / calls;
}

// ---------------------------------------------------------------- target 1: overhead

export interface OverheadRow {
  ledger: LedgerKind;
  directMsPerCall: number[];
  gatewayMsPerCall: number[];
  /** Per round: gateway − direct, ms per call. */
  overheadMs: number[];
  medianDirectMs: number;
  medianGatewayMs: number;
  medianOverheadMs: number;
  ledgerRows: number;
  pass: boolean;
}

async function measureOverhead(
  server: FakeServer,
  kind: LedgerKind,
  options: { calls: number; rounds: number },
): Promise<OverheadRow> {
  await server.setLatency(0);
  const ledger = await openLedger(kind);
  try {
    const direct = directCaller(server.baseUrl);
    const gateway = gatewayCaller(
      gatewayFor(server.baseUrl, ledger.ledger, { feature: 4, global: 16 }),
    );
    // Warm-up: JIT, connection pool, prepared statements.
    await sequential(direct, Math.min(200, options.calls));
    await sequential(gateway, Math.min(200, options.calls));
    const d: number[] = [];
    const g: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      if (round % 2 === 0) {
        d.push(await sequential(direct, options.calls));
        g.push(await sequential(gateway, options.calls));
      } else {
        g.push(await sequential(gateway, options.calls));
        d.push(await sequential(direct, options.calls));
      }
    }
    const overhead = d.map((dm, i) => g[i]! - dm);
    const medianOverheadMs = median(overhead);
    return {
      ledger: kind,
      directMsPerCall: d,
      gatewayMsPerCall: g,
      overheadMs: overhead,
      medianDirectMs: median(d),
      medianGatewayMs: median(g),
      medianOverheadMs,
      ledgerRows: await ledger.rows(),
      pass: medianOverheadMs < TARGET_OVERHEAD_MS,
    };
  } finally {
    await ledger.close();
  }
}

// ---------------------------------------------------------------- target 2: concurrency

export interface ConcurrencyRow {
  n: number;
  latencyMs: number;
  calls: number;
  idealMs: number;
  wallMs: number[];
  medianWallMs: number;
  ratio: number;
  /** The bare client with N workers taking the same calls from a queue: the machine's floor. */
  directWallMs: number[];
  directRatio: number;
  /** The most requests the server saw at once: must be N. */
  maxInFlight: number;
  pass: boolean;
}

async function measureConcurrency(
  server: FakeServer,
  options: { ns: number[]; latencies: number[]; rounds: number },
  log: (line: string) => void,
): Promise<ConcurrencyRow[]> {
  const ledger = await openLedger('sqlite');
  const rows: ConcurrencyRow[] = [];
  try {
    for (const latencyMs of options.latencies) {
      for (const n of options.ns) {
        const gateway = gatewayFor(server.baseUrl, ledger.ledger, {
          feature: n,
          global: Math.max(16, n),
        });
        const call = gatewayCaller(gateway);
        const direct = directCaller(server.baseUrl);
        await server.setLatency(latencyMs);
        await Promise.all(Array.from({ length: n }, () => call())); // warm-up wave
        const wall: number[] = [];
        const directWall: number[] = [];
        for (let round = 0; round < options.rounds; round++) {
          // The gateway gets all 10·N calls at once and queues them on its semaphores.
          let t0 = performance.now();
          await Promise.all(Array.from({ length: 10 * n }, () => call()));
          wall.push(performance.now() - t0);
          // The bare client: N workers, 10 calls each, no queueing machinery at all.
          t0 = performance.now();
          await Promise.all(
            Array.from({ length: n }, async () => {
              for (let i = 0; i < 10; i++) await direct();
            }),
          );
          directWall.push(performance.now() - t0);
        }
        const { maxInFlight } = await server.stats();
        const idealMs = 10 * latencyMs;
        const medianWallMs = median(wall);
        const ratio = medianWallMs / idealMs;
        const row: ConcurrencyRow = {
          n,
          latencyMs,
          calls: 10 * n,
          idealMs,
          wallMs: wall,
          medianWallMs,
          ratio,
          directWallMs: directWall,
          directRatio: median(directWall) / idealMs,
          maxInFlight,
          pass: ratio <= TARGET_CONCURRENCY_RATIO && maxInFlight === n,
        };
        rows.push(row);
        log(
          `  N=${n}, L=${latencyMs} ms: ${10 * n} calls in ${round(medianWallMs)} ms ` +
            `(ideal ${idealMs}) → ×${round(ratio, 3)} (bare client ×${round(row.directRatio, 3)}), ` +
            `max in flight ${maxInFlight}`,
        );
      }
    }
  } finally {
    await ledger.close();
  }
  return rows;
}

// ---------------------------------------------------------------- report

export interface LlmGatewayResults {
  overhead: OverheadRow[];
  concurrency: ConcurrencyRow[];
}

export function formatLlmGateway(results: LlmGatewayResults): string {
  const overhead = table(
    ['ledger', 'direct ms/call', 'gateway ms/call', 'overhead ms/call', 'rounds', 'target <2 ms'],
    results.overhead.map((r) => [
      r.ledger,
      round(r.medianDirectMs, 3),
      round(r.medianGatewayMs, 3),
      round(r.medianOverheadMs, 3),
      r.overheadMs.length,
      r.pass ? 'pass' : 'FAIL',
    ]),
  );
  const concurrency = table(
    [
      'N',
      'L ms',
      'calls',
      'ideal 10·L ms',
      'gateway wall ms',
      'gateway / 10·L',
      'bare client / 10·L',
      'max in flight',
      '≤1.2',
    ],
    results.concurrency.map((r) => [
      r.n,
      r.latencyMs,
      r.calls,
      r.idealMs,
      round(r.medianWallMs),
      round(r.ratio, 3),
      round(r.directRatio, 3),
      r.maxInFlight,
      r.pass ? 'pass' : 'FAIL',
    ]),
  );
  return `Overhead (sequential calls, medians over rounds):\n${overhead}\n\nConcurrency (SQLite ledger):\n${concurrency}`;
}

export async function runLlmGateway(
  options: {
    calls: number;
    rounds: number;
    concRounds: number;
    ledgers: LedgerKind[];
    ns: number[];
    latencies: number[];
  },
  log: (line: string) => void = console.log,
): Promise<LlmGatewayResults> {
  const server = await startFakeServer();
  const unregister = onInterrupt(() => server.close());
  try {
    const overhead: OverheadRow[] = [];
    for (const kind of options.ledgers) {
      if (kind === 'postgres' && !(await pgAvailable())) {
        log('  PostgreSQL is not reachable: skipping its ledger');
        continue;
      }
      const row = await measureOverhead(server, kind, options);
      overhead.push(row);
      log(
        `  ${kind}: direct ${round(row.medianDirectMs, 3)} ms, gateway ${round(row.medianGatewayMs, 3)} ms ` +
          `→ overhead ${round(row.medianOverheadMs, 3)} ms/call`,
      );
    }
    const concurrency = await measureConcurrency(
      server,
      { ns: options.ns, latencies: options.latencies, rounds: options.concRounds },
      log,
    );
    return { overhead, concurrency };
  } finally {
    unregister();
    await server.close();
  }
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const machine = machineSummary();
    console.log(machine + '\n');
    const results = await runLlmGateway({
      calls: numberOption('calls', 200),
      rounds: numberOption('rounds', 7),
      concRounds: numberOption('conc-rounds', 3),
      ledgers: listOption('ledgers', 'sqlite,postgres,memory') as LedgerKind[],
      ns: listOption('n', '1,4,16,64').map(Number),
      latencies: listOption('latency', '20,100,250,1000').map(Number),
    });
    console.log('\n' + formatLlmGateway(results));
    const dir = path.join(REPO_ROOT, 'bench/.tmp');
    mkdirSync(dir, { recursive: true });
    const file = path.join(
      dir,
      `llm-gateway-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    );
    writeFileSync(file, JSON.stringify({ machine, ...results }, null, 2));
    console.log(`\nRaw figures: ${path.relative(REPO_ROOT, file)}`);
  });
}
