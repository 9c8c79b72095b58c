// Where the time of `GET /api/me` goes: the SkillBridge server under autocannon load with
// `node --cpu-prof`, then a summary of the profile (self time by function and by package, and the
// time each package is on the stack).
//
//   node --import tsx bench/profile-me.ts [--db=sqlite] [--log=warn] [--connections=32]
//        [--duration=10] [--top=25]
//
// Profiles are kept in bench/.tmp/profiles/ (open them in Chrome DevTools → Performance).
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../test/helpers/server-process.ts';
import { isMain, listOption, numberOption, onInterrupt, option, runMain } from './lib/cli.ts';
import { summarise, type ProfileSummary, type Share } from './lib/cpuprofile.ts';
import { isValid, load, type LoadResult } from './lib/load.ts';
import {
  createBenchDatabase,
  logIn,
  startApp,
  type BenchDatabase,
  type DbKind,
  type LogLevel,
} from './lib/servers.ts';
import { pct, round, table } from './lib/stats.ts';

const IDLE_GAP_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ProfileResult {
  db: DbKind;
  logLevel: LogLevel;
  file: string;
  load: LoadResult;
  summary: ProfileSummary;
}

export async function profileApiMe(options: {
  db: DbKind;
  logLevel: LogLevel;
  connections: number;
  duration: number;
  /** Another CLI to profile (default: that of the code under test). */
  entry?: string;
}): Promise<ProfileResult> {
  const dir = path.join(
    REPO_ROOT,
    'bench/.tmp/profiles',
    `${new Date().toISOString().replace(/[:.]/g, '-')}-${options.db}-${options.logLevel}`,
  );
  mkdirSync(dir, { recursive: true });
  let database: BenchDatabase | undefined;
  if (options.db === 'postgres') database = await createBenchDatabase();
  const dropDb = onInterrupt(async () => database?.drop());
  try {
    const app = await startApp({
      logLevel: options.logLevel,
      ...(database ? { databaseUrl: database.url } : {}),
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
      ...(options.entry ? { entry: options.entry } : {}),
    });
    const stopApp = onInterrupt(() => app.close());
    const pid = app.child.pid!;
    let result: LoadResult;
    try {
      const cookie = await logIn(app.url);
      const target = {
        url: `${app.url}/api/me`,
        pid: app.child.pid!,
        headers: { cookie },
        connections: options.connections,
      };
      // Warm-up, then an idle gap the analysis uses to find the start of the measured load.
      await load({ ...target, duration: 2 });
      await sleep(IDLE_GAP_MS + 1000);
      result = await load({ ...target, duration: options.duration });
    } finally {
      await app.close(); // SIGTERM: the server exits normally and node writes the profile
      stopApp();
    }
    // One profile per thread (tsx's module hooks run on their own thread): keep the main one,
    // CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile.
    const main = readdirSync(dir).filter((f) => f.includes(`.${pid}.0.`));
    if (main.length !== 1) throw new Error(`expected one main-thread .cpuprofile in ${dir}`);
    const file = path.join(dir, main[0]!);
    return {
      db: options.db,
      logLevel: options.logLevel,
      file,
      load: result,
      summary: summarise(file, { idleGapMs: IDLE_GAP_MS }),
    };
  } finally {
    await database?.drop();
    dropDb();
  }
}

function shares(list: Share[], top: number): (string | number)[][] {
  return list.slice(0, top).map((s) => [pct(s.share), round(s.ms), s.name]);
}

export function formatProfile(p: ProfileResult, top = 25): string {
  const s = p.summary;
  const valid = isValid(p.load) ? '' : ' INVALID (errors or non-2xx)';
  return [
    `Profile ${p.db}/${p.logLevel}: ${path.relative(REPO_ROOT, p.file)}`,
    `  under load: ${round(p.load.rps)} req/s with the profiler on, server cpu ` +
      `${round(p.load.serverCpu, 2)}${valid}; busy ${round(s.busyMs)} ms, idle ${round(s.idleMs)} ms`,
    '',
    'Self time by package / file:',
    table(['share', 'ms', 'package'], shares(s.selfByPackage, 15)),
    '',
    'Time with the package on the stack (nested, so shares overlap):',
    table(['share', 'ms', 'package'], shares(s.inclusiveByPackage, 20)),
    '',
    'Self time by function:',
    table(['share', 'ms', 'function'], shares(s.selfByFunction, top)),
    '',
    'Time on the stack, functions of src/:',
    table(
      ['share', 'ms', 'function'],
      shares(
        s.inclusiveByFunction.filter((f) => / src\//.test(f.name)),
        top,
      ),
    ),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const top = numberOption('top', 25);
    for (const db of listOption('db', 'sqlite') as DbKind[]) {
      for (const logLevel of listOption('log', 'warn') as LogLevel[]) {
        const result = await profileApiMe({
          db,
          logLevel,
          connections: Number(option('connections', '32')),
          duration: numberOption('duration', 10),
        });
        console.log(formatProfile(result, top) + '\n');
      }
    }
  });
}
