// Learning paths (issue 5, performance): generating a path for a 30-skill role with the offline
// generator, target under 300 ms median.
//
//   node --import tsx bench/path-generation.ts [--dbs=sqlite,postgres] [--runs=30]
//
// On a file SQLite database (and a fresh PostgreSQL database when it answers) with the demo graph
// (45 skills, 57 prerequisite links) and the demo question bank: a role of the last 30 skills of
// the graph in file order, with their unmastered prerequisites (the default), so the path holds
// every skill those need: what PathsService.createPath does for a new learner, end to end — the
// mastery reads, prerequisite walk, topological order, grouping into modules, one gateway call per
// module (offline generator, each recorded in the ledger), practice questions and the
// transaction that writes the path. Each run is a new learner (no mastery), after 3 warm-up runs.
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config/env.ts';
import { createReadyDeps } from '../src/container.ts';
import { demoTexts, textSources } from '../src/modules/graph/graph-test-kit.ts';
import { seedDemoQuestions } from '../src/modules/questions/questions-seed.ts';
import { pgAvailable, pgUrlFor, uniqueDbName, withPgAdmin } from '../test/helpers/pg-admin.ts';
import { isMain, listOption, numberOption, runMain } from './lib/cli.ts';
import { machineSummary } from './lib/machine.ts';
import { median, round, table } from './lib/stats.ts';
import { tempDir } from './lib/tmp.ts';

export const TARGET_MS = 300;

async function measure(dialect: 'sqlite' | 'postgres', runs: number) {
  const tmp = tempDir('paths');
  let url = `sqlite:${path.join(tmp.dir, 'bench.db')}`;
  let dbName: string | null = null;
  if (dialect === 'postgres') {
    dbName = uniqueDbName('sb_bench_paths');
    await withPgAdmin((c) => c.query(`create database "${dbName}"`));
    url = pgUrlFor(dbName);
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'bench-secret-0123456789abcdef0123456789',
    DATA_DIR: tmp.dir,
    DATABASE_URL: url,
    LOG_LEVEL: 'silent',
    PATHS_MAX_ACTIVE: '50',
  });
  const deps = await createReadyDeps(config, { logger: pino({ level: 'silent' }) });
  try {
    await deps.graph.importFiles(textSources(demoTexts()), { source: 'seed' });
    await seedDemoQuestions(deps.questions);
    // The skills in file order: the id is the first column of each row.
    const skills = demoTexts()
      .skill.split('\n')
      .slice(1)
      .map((line) => line.split(',')[0] ?? '')
      .filter((id) => id !== '');
    const last30 = skills.slice(-30);
    if (last30.length !== 30) throw new Error(`the demo graph has ${skills.length} skills`);
    await deps.paths.createRole(
      { id: (await makeUser(deps, 'author', 'instructor')).id, role: 'instructor' },
      {
        slug: 'bench-role',
        title: 'Bench role',
        summary: 'Thirty skills.',
        allowMarkComplete: true,
        includePrerequisites: true,
        skills: last30.map((skill) => ({ skill })),
        resources: [
          {
            title: 'Everything',
            url: 'https://example.com/',
            type: 'course',
            skills: last30,
          },
        ],
      },
    );
    const times: number[] = [];
    let modules = 0;
    let pathSkills = 0;
    for (let i = 0; i < runs + 3; i++) {
      const learner = await makeUser(deps, `learner${i}`, 'learner');
      const started = performance.now();
      const created = await deps.paths.createPath(
        { id: learner.id, role: 'learner' },
        'bench-role',
      );
      const ms = performance.now() - started;
      if (i >= 3) times.push(ms);
      modules = created.moduleCount;
      pathSkills = created.modules.reduce((n, m) => n + m.skills.length, 0);
    }
    return {
      dialect,
      runs,
      roleSkills: 30,
      pathSkills,
      modules,
      medianMs: round(median(times), 1),
      p90Ms: round([...times].sort((a, b) => a - b)[Math.floor(times.length * 0.9)] ?? NaN, 1),
      maxMs: round(Math.max(...times), 1),
    };
  } finally {
    await deps.close();
    if (dbName)
      await withPgAdmin((c) => c.query(`drop database if exists "${dbName}" with (force)`));
    tmp.remove();
  }
}

let userCounter = 0;
async function makeUser(
  deps: Awaited<ReturnType<typeof createReadyDeps>>,
  name: string,
  role: 'learner' | 'instructor',
) {
  userCounter += 1;
  // A stored hash stands in for argon2 (seconds per user would swamp the measurement).
  const id = crypto.randomUUID();
  const at = new Date().toISOString();
  await deps.database.db
    .insertInto('users')
    .values({
      id,
      email: `${name}-${userCounter}@bench.example`,
      name,
      role,
      password_hash: 'bench',
      created_at: at,
      updated_at: at,
      password_changed_at: at,
      disabled_at: null,
      last_login_at: null,
    })
    .execute();
  return { id };
}

async function main() {
  const runs = numberOption('runs', 30);
  const wanted = listOption('dbs', 'sqlite,postgres');
  const dbs = wanted.filter((d) => d === 'sqlite') as ('sqlite' | 'postgres')[];
  if (wanted.includes('postgres') && (await pgAvailable())) dbs.push('postgres');
  const results = [];
  for (const db of dbs) results.push(await measure(db, runs));
  console.log(machineSummary());
  console.log(
    table(
      [
        'db',
        'role skills',
        'path skills',
        'modules',
        'runs',
        'median ms',
        'p90 ms',
        'max ms',
        `< ${TARGET_MS} ms`,
      ],
      results.map((r) => [
        r.dialect,
        r.roleSkills,
        r.pathSkills,
        r.modules,
        r.runs,
        r.medianMs,
        r.p90Ms,
        r.maxMs,
        r.medianMs < TARGET_MS ? 'yes' : 'NO',
      ]),
    ),
  );
}

if (isMain(import.meta.url)) runMain(main);
