// Performance tracker targets:
//   dashboard  — GET dashboard statistics for a learner with 500 results: median under 50 ms
//                (in process, through TrackerService.dashboard, cache miss and cache hit), on
//                SQLite and PostgreSQL;
//   put        — PUT /api/tracker/results/:id against the real server on SQLite: at least
//                1,000 results saved per second (every request a new result of 10 questions);
//   aggregate  — the weekly aggregate over 100k learners × 20 results (2M results, 20M marks) on
//                PostgreSQL in under 5 minutes, memory under 1 GB. The data is generated inside
//                PostgreSQL (INSERT … SELECT generate_series); the aggregate runs in SQL.
//
//   node --import tsx bench/tracker.ts [--part=dashboard,put,aggregate] [--learners=100000]
//        [--results-per-learner=20] [--duration=10] [--connections=16] [--rounds=3]
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import autocannon from 'autocannon';
import { testConfig } from '../test/helpers/build-test-app.ts';
import { createReadyDeps, type Deps } from '../src/container.ts';
import { isMain, listOption, numberOption, onInterrupt, runMain } from './lib/cli.ts';
import { machineSummary } from './lib/machine.ts';
import { cpuSeconds, peakRssMiB } from './lib/proc.ts';
import { createBenchDatabase, startApp, tempDir, DEMO_PASSWORD } from './lib/servers.ts';
import { median, round, table } from './lib/stats.ts';
import { seedDemoGraph } from '../src/modules/graph/graph-seed.ts';
import pino from 'pino';

const SKILLS_PER_PAPER = 10;

async function withDeps<T>(databaseUrl: string, fn: (deps: Deps) => Promise<T>): Promise<T> {
  const config = testConfig({ DATABASE_URL: databaseUrl, DB_POOL_MAX: '4' });
  const deps = await createReadyDeps(config, { logger: pino({ level: 'silent' }) });
  try {
    return await fn(deps);
  } finally {
    await deps.close();
  }
}

/** 20 papers of 10 questions (4 marks each), each question on one demo-graph skill. */
async function makePapers(deps: Deps, adminId: string, count = 20): Promise<string[]> {
  await seedDemoGraph(deps.graph);
  const { nodes: skills } = await deps.graph.search({
    q: '',
    kind: 'skill',
    limit: 200,
    offset: 0,
  });
  const ids: string[] = [];
  for (let p = 0; p < count; p++) {
    const paper = await deps.tracker.createPaper(
      { id: adminId, role: 'admin' },
      {
        title: `Bench paper ${p + 1}`,
        questions: Array.from({ length: SKILLS_PER_PAPER }, (_, q) => ({
          number: String(q + 1),
          maxMarks: 4,
          nodes: [skills[(p * 3 + q) % skills.length]!.id],
        })),
      },
    );
    ids.push(paper.id);
  }
  return ids;
}

async function dashboardBench(rounds: number) {
  const rows: (string | number)[][] = [];
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const pgDb = dialect === 'postgres' ? await createBenchDatabase() : undefined;
    const dir = tempDir('tracker-dash');
    const url = pgDb ? pgDb.url : `sqlite:${dir.dir}/bench.db`;
    try {
      await withDeps(url, async (deps) => {
        const admin = await deps.accounts.createUser(
          null,
          { email: 'a@bench.example', name: 'Admin', role: 'admin', password: DEMO_PASSWORD },
          { ip: null, userAgent: 'bench' },
        );
        const learner = await deps.accounts.createUser(
          null,
          { email: 'l@bench.example', name: 'Learner', role: 'learner', password: DEMO_PASSWORD },
          { ip: null, userAgent: 'bench' },
        );
        const papers = await makePapers(deps, admin.id);
        const actor = { id: learner.id, role: 'learner' as const };
        for (let i = 0; i < 500; i++) {
          const day = new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
          await deps.tracker.putResult(actor, randomUUID(), {
            paperId: papers[i % papers.length]!,
            takenOn: day,
            marks: Array.from({ length: SKILLS_PER_PAPER }, (_, q) => ({
              question: String(q + 1),
              marks: (i * 7 + q * 3) % 5,
            })),
          });
        }
        const time = async (fn: () => Promise<unknown>) => {
          const t0 = performance.now();
          await fn();
          return performance.now() - t0;
        };
        const miss: number[] = [];
        const hit: number[] = [];
        let weakLinks = 0;
        for (let r = 0; r < rounds * 20; r++) {
          await deps.database.db.deleteFrom('tracker_dashboard_cache').execute();
          miss.push(await time(() => deps.tracker.dashboard(actor, undefined)));
          hit.push(
            await time(async () => {
              weakLinks = (await deps.tracker.dashboard(actor, undefined)).weakLinks.length;
            }),
          );
        }
        rows.push([
          dialect,
          500,
          round(median(miss), 1),
          round(Math.max(...miss), 1),
          round(median(hit), 1),
          round(Math.max(...hit), 1),
          weakLinks,
        ]);
      });
    } finally {
      await pgDb?.drop();
      dir.remove();
    }
  }
  console.log(
    table(
      ['db', 'results', 'miss median ms', 'miss max', 'hit median ms', 'hit max', 'weak links'],
      rows,
    ),
  );
}

async function putBench(duration: number, connections: number, rounds: number) {
  const server = await startApp({ logLevel: 'warn' });
  const stop = onInterrupt(() => server.close());
  try {
    const url = server.url;
    const serverPid = server.child.pid!;
    const csrfRes = await fetch(`${url}/api/auth/csrf`);
    const { token } = (await csrfRes.json()) as { token: string };
    const csrfCookie = csrfRes.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith('_csrf='))!;
    const login = async (email: string) => {
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie: csrfCookie },
        body: JSON.stringify({ email, password: DEMO_PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
      const session = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0]!)
        .find((c) => c.startsWith('sb_session='))!;
      return `${csrfCookie}; ${session}`;
    };
    const staff = await login('instructor@example.com');
    const paperRes = await fetch(`${url}/api/tracker/papers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie: staff },
      body: JSON.stringify({
        title: 'Bench paper',
        questions: Array.from({ length: SKILLS_PER_PAPER }, (_, q) => ({
          number: String(q + 1),
          maxMarks: 4,
          nodes: [['add-fractions', 'equivalent-fractions', 'simplify-fractions'][q % 3]],
        })),
      }),
    });
    if (paperRes.status !== 201)
      throw new Error(`paper: ${paperRes.status} ${await paperRes.text()}`);
    const paperId = ((await paperRes.json()) as { paper: { id: string } }).paper.id;
    const cookie = await login('learner@example.com');
    const body = JSON.stringify({
      paperId,
      takenOn: '2026-03-01',
      marks: Array.from({ length: SKILLS_PER_PAPER }, (_, q) => ({
        question: String(q + 1),
        marks: q % 5,
      })),
    });
    const run = async (seconds: number) => {
      const cpu0 = cpuSeconds(serverPid);
      const t0 = performance.now();
      const result = await autocannon({
        url,
        connections,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            method: 'PUT',
            headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
            body,
            setupRequest: (req) => ({ ...req, path: `/api/tracker/results/${randomUUID()}` }),
          },
        ],
      });
      const wall = (performance.now() - t0) / 1000;
      return {
        rps: result['2xx'] / result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        ok: result['2xx'],
        bad: result.non2xx + result.errors + result.timeouts,
        cpu: (cpuSeconds(serverPid) - cpu0) / wall,
      };
    };
    await run(2);
    const rows: (string | number)[][] = [];
    const rates: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const x = await run(duration);
      rates.push(x.rps);
      rows.push([r + 1, round(x.rps), x.p50, x.p99, x.ok, x.bad, round(x.cpu, 2)]);
    }
    console.log(
      table(['round', 'PUT/s', 'p50 ms', 'p99 ms', '2xx', 'errors', 'server cores'], rows),
    );
    console.log(
      `median PUT/s: ${round(median(rates))} (target >= 1000); server peak RSS ${peakRssMiB(serverPid)} MiB`,
    );
  } finally {
    stop();
    await server.close();
  }
}

async function aggregateBench(learners: number, perLearner: number) {
  const db = await createBenchDatabase();
  const stop = onInterrupt(() => db.drop());
  try {
    await withDeps(db.url, async (deps) => {
      const admin = await deps.accounts.createUser(
        null,
        { email: 'a@bench.example', name: 'Admin', role: 'admin', password: DEMO_PASSWORD },
        { ip: null, userAgent: 'bench' },
      );
      const papers = await makePapers(deps, admin.id);
      const k = deps.database.db;
      const t0 = performance.now();
      await sql`
        insert into users (id, email, name, password_hash, role, created_at, updated_at, password_changed_at)
        select 'u' || g, 'u' || g || '@bench.example', 'Learner ' || g, 'x', 'learner', now(), now(), now()
        from generate_series(1, ${learners}) g`.execute(k);
      const paperArray = sql.raw(`array[${papers.map((p) => `'${p}'`).join(',')}]`);
      const total = learners * perLearner;
      // Results spread over a year; scores roughly half marks. Marks are then random 0..4.
      await sql`
        insert into tracker_results (id, learner_id, paper_id, taken_on, score, max_score, logged_by, created_at, updated_at)
        select 'r' || g, 'u' || ((g - 1) / ${perLearner} + 1), (${paperArray})[(g % ${papers.length}) + 1],
          to_char(date '2025-01-01' + (g % 365), 'YYYY-MM-DD'), 20, 40, null, now(), now()
        from generate_series(1, ${total}) g`.execute(k);
      const tResults = performance.now();
      await sql`
        insert into tracker_result_marks (result_id, number, marks)
        select r.id, q.number, floor(random() * 5)
        from tracker_results r join tracker_paper_questions q on q.paper_id = r.paper_id`.execute(
        k,
      );
      // 2% of learners changed results this week: their dashboards are warmed by the job.
      await sql`
        insert into tracker_learner_versions (learner_id, version, updated_at)
        select 'u' || g, 1, now() from generate_series(1, ${learners}) g where g % 50 = 0`.execute(
        k,
      );
      // As autovacuum would have by the next weekly run: statistics, and the visibility and hint
      // bits set, so the aggregate does not pay for the first pass over freshly loaded rows.
      await sql`vacuum analyze`.execute(k);
      const tData = performance.now();
      const counts = await sql<{ results: number; marks: number }>`
        select (select count(*) from tracker_results) as results,
               (select count(*) from tracker_result_marks) as marks`.execute(k);
      console.log(
        `generated ${counts.rows[0]!.results} results, ${counts.rows[0]!.marks} marks in ${round((tData - t0) / 1000)} s (results ${round((tResults - t0) / 1000)} s)`,
      );

      // PostgreSQL backends: peak memory of every backend process during the aggregate.
      const pgPeak = { kib: 0 };
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const sampler = setInterval(() => {
        void client
          .query<{ pid: number }>(
            'select pid from pg_stat_activity where datname = current_database()',
          )
          .then((r) => {
            let sum = 0;
            for (const { pid } of r.rows) sum += privateKiB(pid);
            pgPeak.kib = Math.max(pgPeak.kib, sum);
          })
          .catch(() => undefined);
      }, 500);
      const rss0 = process.memoryUsage().rss;
      let rssPeak = rss0;
      const rssTimer = setInterval(
        () => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)),
        200,
      );
      const a0 = performance.now();
      const sqlPhase = await deps.tracker.runWeeklyAggregate({ warmLimit: 0 });
      const a1 = performance.now();
      const warmed = await deps.tracker.warmCaches(
        new Date(Date.now() - 7 * 86_400_000).toISOString(),
        100_000,
      );
      const a2 = performance.now();
      clearInterval(sampler);
      clearInterval(rssTimer);
      await client.end();
      console.log(
        table(
          ['phase', 'seconds', 'learners', 'results'],
          [
            [
              'aggregate (SQL: learner/cohort stats, weekly trends)',
              round((a1 - a0) / 1000, 1),
              sqlPhase.learners,
              sqlPhase.results,
            ],
            [
              `warm dashboards (${warmed} learners changed this week)`,
              round((a2 - a1) / 1000, 1),
              warmed,
              '',
            ],
            ['total', round((a2 - a0) / 1000, 1), '', ''],
          ],
        ),
      );
      console.log(
        `node RSS peak ${round(rssPeak / 2 ** 20)} MiB (start ${round(rss0 / 2 ** 20)}); PostgreSQL backends of the bench database, private memory peak (sum) ${round(pgPeak.kib / 1024)} MiB`,
      );
    });
  } finally {
    stop();
    await db.drop();
  }
}

/** Private (non-shared) resident memory of a process: Private_Clean + Private_Dirty, KiB. */
function privateKiB(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    let kib = 0;
    for (const m of text.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+) kB$/gm)) kib += Number(m[1]);
    return kib;
  } catch {
    return 0;
  }
}

async function main() {
  const parts = new Set(listOption('part', 'dashboard,put,aggregate'));
  console.log(machineSummary());
  if (parts.has('dashboard')) {
    console.log('\n## Dashboard, learner with 500 results (TrackerService.dashboard)');
    await dashboardBench(numberOption('rounds', 3));
  }
  if (parts.has('put')) {
    console.log('\n## PUT /api/tracker/results/:id, SQLite, real server');
    await putBench(
      numberOption('duration', 10),
      numberOption('connections', 16),
      numberOption('rounds', 3),
    );
  }
  if (parts.has('aggregate')) {
    console.log('\n## Weekly aggregate, PostgreSQL');
    await aggregateBench(
      numberOption('learners', 100_000),
      numberOption('results-per-learner', 20),
    );
  }
}

if (isMain(import.meta.url)) runMain(main);
