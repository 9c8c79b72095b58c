// Target: `POST /api/practice/answers` (validate, grade, BKT update, FSRS schedule, response, in
// one transaction) reaches at least 25% of the requests/second of a bare Fastify route in the
// same run, with p99 under 50 ms at 32 connections, on SQLite.
//
//   node --import tsx bench/answer.ts [--db=sqlite,postgres] [--connections=32]
//        [--rounds=3] [--duration=8] [--warmup=2] [--learners=64] [--questions=3000]
//
// Every measured answer is a counted first attempt: the bench imports `--questions` published
// single-choice questions tagged with the demo graph's skills and creates `--learners` learners;
// request k answers question ⌊k / learners⌋ as learner k mod learners, so no (learner, question)
// pair repeats until learners × questions answers (a repeat would be a retry, which skips the
// BKT and FSRS writes). A third of the answers are wrong. The bare route is bench/bare-server.ts.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerProcess } from '../test/helpers/server-process.ts';
import { isMain, numberOption, listOption, onInterrupt, runMain } from './lib/cli.ts';
import { load, isValid, type LoadResult } from './lib/load.ts';
import { summarise } from './lib/cpuprofile.ts';
import { machineSummary } from './lib/machine.ts';
import { formatProfile } from './profile-me.ts';
import {
  createBenchDatabase,
  DEMO_PASSWORD,
  startApp,
  startBare,
  type BenchDatabase,
  type DbKind,
} from './lib/servers.ts';
import { median, pct, round, table } from './lib/stats.ts';

export const TARGET_RATIO = 0.25;
export const TARGET_P99_MS = 50;

const LEARNER_PASSWORD = 'bench-learner-pass-2024';

interface Session {
  cookie: string;
  token: string;
}

function cookiePairs(setCookie: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const header of setCookie) {
    const [pair] = header.split(';');
    const eq = pair!.indexOf('=');
    out.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
  }
  return out;
}

/** Log in; returns the cookie header (CSRF cookie and session) and the CSRF token to send. */
async function session(url: string, email: string, password: string): Promise<Session> {
  const jar = new Map<string, string>();
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const csrf = async () => {
    const res = await fetch(`${url}/api/auth/csrf`, { headers: { cookie: header() } });
    if (res.status !== 200) throw new Error(`GET /api/auth/csrf: ${res.status}`);
    for (const [k, v] of cookiePairs(res.headers.getSetCookie())) jar.set(k, v);
    return ((await res.json()) as { token: string }).token;
  };
  const loginToken = await csrf();
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': loginToken, cookie: header() },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  for (const [k, v] of cookiePairs(res.headers.getSetCookie())) jar.set(k, v);
  const token = await csrf();
  return { cookie: header(), token };
}

async function send(url: string, s: Session, method: string, path: string, body: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-csrf-token': s.token, cookie: s.cookie },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as unknown;
}

interface BenchQuestion {
  id: string;
  correct: string;
  wrong: string;
}

/** The bench's bank: single-choice questions, each tagged with one or two demo skills. */
function questionsCsv(count: number): string {
  const skills = readFileSync('config/demo/graph/skill_nodes.csv', 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0]!);
  const rows = ['type,title,stem,options,correct,tags'];
  for (let i = 0; i < count; i++) {
    const correct = 'abcd'[i % 4]!;
    const tags =
      i % 3 === 0
        ? `${skills[i % skills.length]}|${skills[(i * 7 + 3) % skills.length]}`
        : skills[i % skills.length];
    rows.push(
      `single_choice,bench-${i},"Bench question ${i}: which option is right?",${i}|${i + 1}|${i + 2}|${i + 3},${correct},${tags}`,
    );
  }
  return rows.join('\n') + '\n';
}

async function prepare(url: string, learners: number, questionCount: number) {
  const admin = await session(url, 'admin@example.com', DEMO_PASSWORD);
  const instructor = await session(url, 'instructor@example.com', DEMO_PASSWORD);
  await send(url, instructor, 'POST', '/api/questions/import', {
    format: 'csv',
    fileName: 'bench.csv',
    content: questionsCsv(questionCount),
    status: 'published',
  });
  const questions: BenchQuestion[] = [];
  for (let offset = 0; ; offset += 100) {
    const res = await fetch(`${url}/api/questions?q=bench&limit=100&offset=${offset}`, {
      headers: { cookie: instructor.cookie },
    });
    const page = (await res.json()) as { questions: { id: string; title: string | null }[] };
    for (const q of page.questions) {
      const m = /^bench-(\d+)$/.exec(q.title ?? '');
      if (!m) continue;
      const i = Number(m[1]);
      questions.push({ id: q.id, correct: 'abcd'[i % 4]!, wrong: 'abcd'[(i + 1) % 4]! });
    }
    if (page.questions.length < 100) break;
  }
  if (questions.length !== questionCount) {
    throw new Error(`expected ${questionCount} bench questions, found ${questions.length}`);
  }
  const sessions: Session[] = [];
  for (let i = 0; i < learners; i++) {
    const email = `bench-learner-${i}@example.com`;
    await send(url, admin, 'POST', '/api/users', {
      email,
      name: `Bench learner ${i}`,
      password: LEARNER_PASSWORD,
      role: 'learner',
    });
    sessions.push(await session(url, email, LEARNER_PASSWORD));
  }
  return { questions, sessions };
}

export interface AnswerConfigResult {
  db: DbKind;
  connections: number;
  bareRps: number;
  appRps: number;
  ratio: number;
  appP50: number;
  appP99: number;
  bareP99: number;
  appUsPerReq: number;
  bareUsPerReq: number;
  appOtherCpu: number;
  valid: boolean;
  answers: number;
}

function answerLoad(
  app: ServerProcess,
  next: () => { session: Session; body: string },
  connections: number,
  duration: number,
): Promise<LoadResult> {
  return load({
    url: app.url,
    pid: app.child.pid!,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/api/practice/answers',
        setupRequest: (req) => {
          const { session: s, body } = next();
          return {
            ...req,
            body,
            headers: {
              ...req.headers,
              'content-type': 'application/json',
              'x-csrf-token': s.token,
              cookie: s.cookie,
            },
          };
        },
      },
    ],
  });
}

export async function runAnswerBench(log: (line: string) => void = console.log) {
  const dbs = listOption('db', 'sqlite') as DbKind[];
  const connectionsList = listOption('connections', '32').map(Number);
  const rounds = numberOption('rounds', 3);
  const duration = numberOption('duration', 8);
  const warmup = numberOption('warmup', 2);
  const learners = numberOption('learners', 64);
  const questionCount = numberOption('questions', 3000);
  const results: AnswerConfigResult[] = [];
  const bare = await startBare();
  const stopBare = onInterrupt(async () => void (await bare.kill()));
  try {
    for (const db of dbs) {
      let database: BenchDatabase | undefined;
      if (db === 'postgres') database = await createBenchDatabase();
      const app = await startApp({
        logLevel: 'warn',
        ...(database ? { databaseUrl: database.url } : {}),
      });
      const stopApp = onInterrupt(() => app.close());
      try {
        const { questions, sessions } = await prepare(app.url, learners, questionCount);
        let k = 0;
        const next = () => {
          const learner = k % sessions.length;
          const q = questions[Math.floor(k / sessions.length) % questions.length]!;
          const wrong = k % 3 === 2;
          k++;
          return {
            session: sessions[learner]!,
            body: JSON.stringify({
              questionId: q.id,
              response: { type: 'single_choice', optionId: wrong ? q.wrong : q.correct },
            }),
          };
        };
        for (const connections of connectionsList) {
          const perRound: { bare: LoadResult; app: LoadResult }[] = [];
          for (let i = 0; i < rounds; i++) {
            const runBare = async () => {
              await load({
                url: `${bare.url}/bare`,
                pid: bare.child.pid!,
                connections,
                duration: warmup,
              });
              return load({ url: `${bare.url}/bare`, pid: bare.child.pid!, connections, duration });
            };
            const runApp = async () => {
              await answerLoad(app, next, connections, warmup);
              return answerLoad(app, next, connections, duration);
            };
            let b: LoadResult;
            let a: LoadResult;
            if (i % 2 === 0) {
              b = await runBare();
              a = await runApp();
            } else {
              a = await runApp();
              b = await runBare();
            }
            perRound.push({ bare: b, app: a });
            log(
              `  ${db}/c${connections} round ${i + 1}: bare ${round(b.rps)} req/s, answers ${round(a.rps)} req/s ` +
                `(${pct(a.rps / b.rps)}), answers p99 ${a.p99} ms${isValid(a) && isValid(b) ? '' : '  INVALID'}`,
            );
          }
          const usPerReq = (r: LoadResult) => (r.serverCpu * 1e6) / r.rps;
          const bareRps = median(perRound.map((r) => r.bare.rps));
          const appRps = median(perRound.map((r) => r.app.rps));
          results.push({
            db,
            connections,
            bareRps,
            appRps,
            ratio: appRps / bareRps,
            appP50: median(perRound.map((r) => r.app.p50)),
            appP99: median(perRound.map((r) => r.app.p99)),
            bareP99: median(perRound.map((r) => r.bare.p99)),
            appUsPerReq: median(perRound.map((r) => usPerReq(r.app))),
            bareUsPerReq: median(perRound.map((r) => usPerReq(r.bare))),
            appOtherCpu: median(perRound.map((r) => r.app.otherCpu)),
            valid: perRound.every((r) => isValid(r.app) && isValid(r.bare)),
            answers: k,
          });
        }
        if (k >= sessions.length * questions.length) {
          log('  WARNING: the run went past learners × questions answers, so some were retries');
        }
      } finally {
        await app.close();
        stopApp();
        await database?.drop();
      }
    }
  } finally {
    await bare.stop();
    stopBare();
  }
  log('');
  log(machineSummary());
  log(
    table(
      [
        'db',
        'conn',
        'bare req/s',
        'answers req/s',
        'ratio',
        'p50 ms',
        'p99 ms',
        'µs CPU/answer',
        'µs CPU/bare',
        'other CPU',
        'valid',
      ],
      results.map((r) => [
        r.db,
        r.connections,
        round(r.bareRps),
        round(r.appRps),
        pct(r.ratio),
        r.appP50,
        r.appP99,
        round(r.appUsPerReq),
        round(r.bareUsPerReq),
        round(r.appOtherCpu, 2),
        r.valid ? 'yes' : 'NO',
      ]),
    ),
  );
  for (const r of results) {
    const ok = r.ratio >= TARGET_RATIO && r.appP99 < TARGET_P99_MS;
    log(
      `${r.db}/c${r.connections}: ratio ${pct(r.ratio)} (target ≥ ${pct(TARGET_RATIO)}), p99 ${r.appP99} ms (target < ${TARGET_P99_MS}) → ${ok ? 'MET' : 'NOT MET'}`,
    );
  }
  return results;
}

/**
 * `--profile`: one SQLite server under `node --cpu-prof`, answers at 32 connections for
 * `--duration` seconds after a warm-up and an idle gap, then where its CPU went.
 */
export async function profileAnswers(log: (line: string) => void = console.log): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-answer-prof-'));
  const app = await startApp({ logLevel: 'warn', nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  const pid = app.child.pid!;
  let result: LoadResult;
  try {
    const { questions, sessions } = await prepare(
      app.url,
      numberOption('learners', 32),
      numberOption('questions', 2000),
    );
    let k = 0;
    const next = () => {
      const q = questions[Math.floor(k / sessions.length) % questions.length]!;
      const s = sessions[k % sessions.length]!;
      k++;
      return {
        session: s,
        body: JSON.stringify({
          questionId: q.id,
          response: { type: 'single_choice', optionId: q.correct },
        }),
      };
    };
    await answerLoad(app, next, 32, 2);
    await new Promise((r) => setTimeout(r, PROFILE_IDLE_GAP_MS + 1000));
    result = await answerLoad(app, next, 32, numberOption('duration', 6));
  } finally {
    await app.close();
  }
  const main = readdirSync(dir).filter((f) => f.includes(`.${pid}.0.`));
  if (main.length !== 1) throw new Error(`expected one main-thread .cpuprofile in ${dir}`);
  const file = path.join(dir, main[0]!);
  log(
    formatProfile(
      {
        db: 'sqlite',
        logLevel: 'warn',
        file,
        load: result,
        summary: summarise(file, { idleGapMs: PROFILE_IDLE_GAP_MS }),
      },
      numberOption('top', 30),
    ),
  );
}

const PROFILE_IDLE_GAP_MS = 2000;

if (isMain(import.meta.url)) {
  runMain(async () => {
    if (process.argv.includes('--profile')) await profileAnswers();
    else await runAnswerBench();
  });
}
