// `skillbridge eval-tagging FILE [--graph DIR] [--json]`: measure the offline tagger on a
// labelled CSV of questions (tagging-eval.ts) against a knowledge graph folder. The graph is
// imported, with every check of a real import, into a private in-memory database, so the
// measure uses exactly what the application would index; the application's database is not
// touched.
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { createDatabase } from '../../infra/db/database.ts';
import { migrateToLatest } from '../../infra/db/migrate.ts';
import { systemClock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { formatRejection, sourcesFromDir } from '../graph/graph-cli.ts';
import { GraphService } from '../graph/graph-service.ts';
import { DEMO_GRAPH_DIR } from '../graph/graph-seed.ts';
import { TaggingIndex } from './auto-tagger.ts';
import { graphServiceLookup } from './graph-service-lookup.ts';
import { evaluate, parseLabelledCsv, type EvaluationReport } from './tagging-eval.ts';

export const DEFAULT_EVAL_GRAPH = DEMO_GRAPH_DIR;

const out = (line = '') => process.stdout.write(line + '\n');
const err = (line: string) => process.stderr.write(line + '\n');

/** The tagger's index over a graph folder (concept_nodes.csv, skill_nodes.csv, edges.csv). */
export async function indexFromGraphDir(dir: string): Promise<TaggingIndex> {
  const sources = sourcesFromDir(dir);
  const handle = createDatabase({ dialect: 'sqlite', file: ':memory:', url: 'sqlite::memory:' });
  try {
    await migrateToLatest(handle);
    const graph = new GraphService({ db: handle.db, dialect: 'sqlite', clock: systemClock });
    const outcome = await graph.importFiles(sources, { source: 'cli' });
    if (outcome.status === 'rejected') {
      for (const line of formatRejection(outcome)) err(line);
      throw new AppError(
        400,
        'GRAPH_INVALID',
        'Graph rejected',
        `The graph in ${dir} is not valid.`,
      );
    }
    return new TaggingIndex(await graphServiceLookup(graph).nodesForTagging());
  } finally {
    await handle.destroy();
  }
}

const pct = (x: number) => x.toFixed(3);

export function formatReport(report: EvaluationReport, graphDir: string, skills: number): string[] {
  const hits = Math.round(report.precisionAt1 * report.questions);
  const found = Math.round(report.recallAt3 * report.goldSkills);
  const lines = [
    `Tagged ${report.questions} questions (${report.goldSkills} gold skills) against ${skills} taggable nodes of ${graphDir} in ${(report.milliseconds / 1000).toFixed(2)} s`,
    `  precision@1  ${pct(report.precisionAt1)}  (${hits} of ${report.questions} first candidates are gold)`,
    `  recall@3     ${pct(report.recallAt3)}  (${found} of ${report.goldSkills} gold skills in the top 3)`,
    `  no candidate ${report.unmatched}`,
    '  precision@1 by the first candidate’s confidence:',
    ...report.byConfidence.map(
      (b) =>
        `    ≥ ${b.threshold.toFixed(1)}  ${b.precisionAt1 === null ? '  -  ' : pct(b.precisionAt1)}  (${b.questions} questions)`,
    ),
  ];
  if (report.misses.length > 0) {
    lines.push(`  first misses (line: gold → ranked):`);
    for (const m of report.misses.slice(0, 10)) {
      lines.push(
        `    ${m.line}: ${m.gold.join('|')} → ${m.predicted.join(', ') || '(none)'}  “${m.stem.slice(0, 60)}”`,
      );
    }
  }
  return lines;
}

export function registerTaggingCommands(program: Command): void {
  program
    .command('eval-tagging')
    .description(
      'measure the offline tagger (precision@1, recall@3) on a labelled CSV: stem,options,skills',
    )
    .argument('<file>', 'labelled CSV: stem, options and skills (gold external ids, |-separated)')
    .option('--graph <dir>', 'the knowledge graph folder (three CSV files)', DEFAULT_EVAL_GRAPH)
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: { graph: string; json?: boolean }) => {
      await stat(file).catch(() => {
        throw new AppError(400, 'NO_FILE', 'No file', `Cannot read ${file}.`);
      });
      const { questions, problems } = parseLabelledCsv(await readFile(file, 'utf8'));
      if (problems.length > 0) {
        for (const p of problems.slice(0, 200)) err(`${file}:${p.line}: ${p.message}`);
        throw new AppError(
          400,
          'LABELLED_INVALID',
          'Labelled file rejected',
          `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${file}.`,
        );
      }
      const index = await indexFromGraphDir(options.graph);
      const unknown = new Set<string>();
      const known = new Set(index.externalIds());
      for (const q of questions) for (const s of q.skills) if (!known.has(s)) unknown.add(s);
      if (unknown.size > 0) {
        throw new AppError(
          400,
          'LABELLED_UNKNOWN_SKILL',
          'Unknown skills',
          `${file} names skills the graph cannot propose: ${[...unknown].slice(0, 10).join(', ')}.`,
        );
      }
      const report = evaluate(index, questions);
      if (options.json) out(JSON.stringify({ graph: options.graph, ...report }, null, 2));
      else for (const line of formatReport(report, options.graph, index.size)) out(line);
    });
}
