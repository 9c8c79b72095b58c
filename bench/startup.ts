// Target 3: `npm start` answers 200 on /readyz within 3 s, once the web app is built.
//
//   node --import tsx bench/startup.ts [--runs=5]
//
// Time from spawning `npm start` to the first 200 on /readyz (polled every 50 ms by the harness),
// with an empty DATA_DIR (migrations, generated session secret, three demo accounts hashed with
// argon2) and with an existing one. The variants are interleaved run by run. For reference, the
// same start without npm, compiled (`node dist/server/main.mjs serve`) and through tsx
// (`node --import tsx src/main.ts serve`, what `npx skillbridge serve` runs without a build).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer } from '../test/helpers/server-process.ts';
import { isMain, numberOption, onInterrupt, runMain } from './lib/cli.ts';
import { codeUnderTest } from './lib/code.ts';
import { discardStdout, tempDir } from './lib/servers.ts';
import { median, round, table } from './lib/stats.ts';

export const TARGET_START_MS = 3000;

interface Variant {
  name: string;
  command: string[];
  freshDataDir: boolean;
  /** Judged against the target (the others are references). */
  target: boolean;
}

export interface StartupVariantResult {
  name: string;
  target: boolean;
  timesMs: number[];
  medianMs: number;
  maxMs: number;
  /** Runs in which npm start rebuilt the web app or the server (they say nothing about start-up). */
  rebuilt: number;
}

export interface StartupResults {
  variants: StartupVariantResult[];
  pass: boolean;
}

async function timeStart(
  variant: Variant,
  existingDir: string,
): Promise<{ ms: number; rebuilt: boolean }> {
  const fresh = variant.freshDataDir ? tempDir('start') : undefined;
  // npm start in development mode, as a user runs it: info logs, a generated demo password.
  const env = { NODE_ENV: 'development', LOG_LEVEL: 'info', DATA_DIR: fresh?.dir ?? existingDir };
  const t0 = performance.now();
  const server = await startServer({
    env,
    command: variant.command,
    args: variant.command[0] === 'npm' ? [] : ['serve'],
  });
  const ms = performance.now() - t0;
  const stop = onInterrupt(async () => void (await server.stop()));
  const rebuilt = /Building the (web app|server)/.test(server.output());
  discardStdout(server);
  await server.stop();
  stop();
  fresh?.remove();
  return { ms, rebuilt };
}

export async function runStartup(
  options: { runs: number },
  log: (line: string) => void = console.log,
): Promise<StartupResults> {
  // What npm start checks first: build the web app and the server now if missing or stale.
  execFileSync(process.execPath, ['scripts/ensure-build.mjs'], {
    cwd: codeUnderTest().root,
    stdio: 'inherit',
  });

  const code = codeUnderTest();
  const node = [process.execPath, '--import', 'tsx', code.entry];
  const variants: Variant[] = [
    { name: 'npm start, empty DATA_DIR', command: code.npmStart, freshDataDir: true, target: true },
    {
      name: 'npm start, existing DATA_DIR',
      command: code.npmStart,
      freshDataDir: false,
      target: true,
    },
    {
      name: 'reference: node --import tsx src/main.ts serve, existing',
      command: node,
      freshDataDir: false,
      target: false,
    },
  ];
  variants.push({
    name: 'reference: node dist/server/main.mjs serve (compiled, no npm), existing',
    command: [process.execPath, path.join(code.root, 'dist/server/main.mjs')],
    freshDataDir: false,
    target: false,
  });

  // The existing DATA_DIR: created by one untimed start, which also warms the file cache.
  const existing = tempDir('existing');
  const results = variants.map((v) => ({ variant: v, times: [] as number[], rebuilt: 0 }));
  try {
    await timeStart(variants[0]!, existing.dir);
    await timeStart(variants[1]!, existing.dir);
    for (let i = 0; i < options.runs; i++) {
      for (const r of results) {
        const { ms, rebuilt } = await timeStart(r.variant, existing.dir);
        if (rebuilt) r.rebuilt++;
        else r.times.push(ms);
        log(
          `  run ${i + 1}: ${r.variant.name}: ${round(ms)} ms${rebuilt ? ' (rebuilt: not counted)' : ''}`,
        );
      }
    }
  } finally {
    existing.remove();
  }
  const out = results.map((r) => ({
    name: r.variant.name,
    target: r.variant.target,
    timesMs: r.times,
    medianMs: median(r.times),
    maxMs: Math.max(...r.times),
    rebuilt: r.rebuilt,
  }));
  return {
    variants: out,
    pass: out.filter((v) => v.target).every((v) => v.medianMs < TARGET_START_MS),
  };
}

export function formatStartup(r: StartupResults): string {
  return table(
    ['start to first 200 on /readyz', 'median ms', 'max ms', 'runs (ms)'],
    r.variants.map((v) => [
      v.name,
      round(v.medianMs),
      round(v.maxMs),
      v.timesMs.map((t) => round(t)).join(' '),
    ]),
  );
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const results = await runStartup({ runs: numberOption('runs', 5) });
    console.log('\n' + formatStartup(results));
    console.log(
      `\nTarget: npm start → /readyz 200 < ${TARGET_START_MS} ms: ${results.pass ? 'pass' : 'FAIL'}`,
    );
  });
}
