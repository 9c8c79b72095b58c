// Auto-tagging (performance): suggest tags for 1 000 questions offline in under 5 s.
//
//   node --import tsx bench/auto-tag.ts [--questions=1000] [--rounds=5] [--dbs=sqlite,postgres]
//
// Questions: the labelled set (config/demo/tagging/labelled-questions.csv) repeated with a
// number appended until there are enough, imported as one GIFT file. Graph: the demo graph
// (config/demo/graph, 45 skills). Two figures per round:
//  - rank only: the offline index built from the graph, then every question ranked (pure CPU);
//  - job: TaggingService.run over the whole import, what the questions.auto-tag job runs:
//    the graph read and indexed, questions read in batches of 200, ranked, and the suggestions
//    written in one transaction per batch (a fresh import each round, so every write is new).
// Reported: the median of the rounds. Raw figures go to bench/.tmp/auto-tag-<time>.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDatabaseUrl } from '../src/config/env.ts';
import { createDatabase, type DatabaseHandle } from '../src/infra/db/database.ts';
import { createLlmGateway } from '../src/infra/llm/create-llm-gateway.ts';
import { migrateToLatest } from '../src/infra/db/migrate.ts';
import type { JobQueue } from '../src/infra/queue/job-queue.ts';
import { GraphService } from '../src/modules/graph/graph-service.ts';
import { demoTexts, textSources } from '../src/modules/graph/graph-test-kit.ts';
import { TaggingIndex } from '../src/modules/questions/auto-tagger.ts';
import { graphServiceLookup } from '../src/modules/questions/graph-service-lookup.ts';
import { QuestionsService } from '../src/modules/questions/questions-service.ts';
import { parseLabelledCsv } from '../src/modules/questions/tagging-eval.ts';
import { TaggingService } from '../src/modules/questions/tagging-service.ts';
import { systemClock } from '../src/platform/clock.ts';
import { pgUrlFor, uniqueDbName, withPgAdmin } from '../test/helpers/pg-admin.ts';
import { REPO_ROOT } from '../test/helpers/server-process.ts';
import pino from 'pino';
import { isMain, listOption, numberOption, runMain } from './lib/cli.ts';
import { machineSummary } from './lib/machine.ts';
import { median, round, table } from './lib/stats.ts';
import { tempDir } from './lib/tmp.ts';

export const TARGET_SECONDS = 5;

const escapeGift = (text: string) => text.replace(/[~=#{}:\\]/g, (c) => `\\${c}`);

/** A GIFT file of `count` questions from the labelled set (cycled, each made distinct). */
export function benchGift(count: number): string {
  const file = path.join(REPO_ROOT, 'config/demo/tagging/labelled-questions.csv');
  const { questions } = parseLabelledCsv(readFileSync(file, 'utf8'));
  const parts: string[] = [];
  for (let n = 0; n < count; n++) {
    const q = questions[n % questions.length]!;
    const stem = `${escapeGift(q.stem)} (item ${n + 1})`;
    const answers =
      q.options.length >= 2
        ? `{=${escapeGift(q.options[0]!)} ${q.options
            .slice(1)
            .map((o) => `~${escapeGift(o)}`)
            .join(' ')}}`
        : '{}';
    parts.push(`${stem} ${answers}`, '');
  }
  return parts.join('\n');
}

async function openDatabase(dialect: 'sqlite' | 'postgres', dir: string, n: number) {
  if (dialect === 'sqlite') {
    const handle = createDatabase(parseDatabaseUrl(`sqlite:${path.join(dir, `r${n}.db`)}`, 1));
    await migrateToLatest(handle);
    return { handle, drop: () => handle.destroy() };
  }
  const name = uniqueDbName('sb_bench_tag');
  await withPgAdmin((c) => c.query(`create database "${name}"`));
  const handle = createDatabase(parseDatabaseUrl(pgUrlFor(name), 5));
  await migrateToLatest(handle);
  return {
    handle,
    async drop() {
      await handle.destroy();
      await withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

function services(handle: DatabaseHandle) {
  const logger = pino({ level: 'silent' });
  const graph = new GraphService({ db: handle.db, dialect: handle.dialect, clock: systemClock });
  const lookup = graphServiceLookup(graph);
  const questions = new QuestionsService({ db: handle.db, clock: systemClock, graph: lookup });
  // The repository's llm.yaml: `tagging` is offline unless a provider is configured.
  const llm = createLlmGateway(
    {
      configDir: path.join(REPO_ROOT, 'config'),
      openaiApiKey: undefined,
      openaiBaseUrl: undefined,
      anthropicApiKey: undefined,
      anthropicBaseUrl: undefined,
      ollamaBaseUrl: undefined,
      dailyTokenBudgetPerUser: 0,
    },
    { db: handle.db, clock: systemClock, logger },
  );
  const tagging = new TaggingService({
    db: handle.db,
    clock: systemClock,
    graph: lookup,
    questions,
    llm,
    // The run is called directly; nothing is enqueued.
    jobs: undefined as unknown as JobQueue,
  });
  return { graph, lookup, questions, tagging };
}

export async function runAutoTagBench(options: {
  questions: number;
  rounds: number;
  dbs: ('sqlite' | 'postgres')[];
}) {
  const gift = benchGift(options.questions);
  const tmp = tempDir('autotag');
  const rankSeconds: number[] = [];
  const jobSeconds: Record<string, number[]> = {};
  let suggestions = 0;
  try {
    for (const dialect of options.dbs) {
      jobSeconds[dialect] = [];
      for (let r = 0; r < options.rounds; r++) {
        const { handle, drop } = await openDatabase(dialect, tmp.dir, r);
        try {
          const s = services(handle);
          const outcome = await s.graph.importFiles(textSources(demoTexts()), { source: 'seed' });
          if (outcome.status !== 'imported') throw new Error('the demo graph did not import');
          const imported = await s.questions.importQuestions(null, {
            content: gift,
            format: 'gift',
          });
          if (imported.imported !== options.questions) throw new Error('import incomplete');

          if (dialect === options.dbs[0]) {
            const rows = await handle.db.selectFrom('questions').selectAll().execute();
            const started = performance.now();
            const index = new TaggingIndex(await s.lookup.nodesForTagging());
            for (const row of rows) index.rank({ stem: row.stem }, { limit: 8 });
            rankSeconds.push((performance.now() - started) / 1000);
          }

          const started = performance.now();
          const result = await s.tagging.run(
            { importId: imported.importId! },
            {
              userId: null,
              jobId: null,
              log: pino({ level: 'silent' }),
              progress: async () => {},
            },
          );
          jobSeconds[dialect]!.push((performance.now() - started) / 1000);
          if (result.questions !== options.questions || result.mode !== 'offline') {
            throw new Error(`tagged ${result.questions} questions in ${result.mode} mode`);
          }
          suggestions = result.suggestions;
        } finally {
          await drop();
        }
      }
    }
  } finally {
    tmp.remove();
  }
  return {
    questions: options.questions,
    suggestions,
    rankMedianSeconds: median(rankSeconds),
    rankSeconds,
    jobs: Object.entries(jobSeconds).map(([db, seconds]) => ({
      db,
      seconds,
      medianSeconds: median(seconds),
    })),
  };
}

export function formatAutoTag(r: Awaited<ReturnType<typeof runAutoTagBench>>): string {
  const rows = [
    [
      'rank only (no database)',
      round(r.rankMedianSeconds, 3),
      r.rankSeconds.map((s) => round(s, 3)).join(', '),
      round(r.questions / r.rankMedianSeconds),
      r.rankMedianSeconds < TARGET_SECONDS ? 'pass' : 'FAIL',
    ],
    ...r.jobs.map((j) => [
      `job run, ${j.db}`,
      round(j.medianSeconds, 3),
      j.seconds.map((s) => round(s, 3)).join(', '),
      round(r.questions / j.medianSeconds),
      j.medianSeconds < TARGET_SECONDS ? 'pass' : 'FAIL',
    ]),
  ];
  return [
    `${r.questions} questions, ${r.suggestions} suggestions written per run`,
    table(['what', 'median s', 'rounds s', 'questions/s', `< ${TARGET_SECONDS} s`], rows),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    console.log(machineSummary());
    const results = await runAutoTagBench({
      questions: numberOption('questions', 1000),
      rounds: numberOption('rounds', 5),
      dbs: listOption('dbs', 'sqlite,postgres') as ('sqlite' | 'postgres')[],
    });
    console.log('\n' + formatAutoTag(results));
    const out = path.join(REPO_ROOT, 'bench', '.tmp');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      path.join(out, `auto-tag-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      JSON.stringify(results, null, 2),
    );
  });
}
