// `skillbridge import-graph DIR` and `skillbridge export-graph DIR`: the three CSV files of the
// knowledge graph (concept_nodes.csv, skill_nodes.csv, edges.csv) from and to a folder.
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Deps } from '../../container.ts';
import { BadRequestError } from '../../platform/errors.ts';
import { GRAPH_FILES } from './graph-csv.ts';
import {
  formatProblem,
  type GraphFileKey,
  type GraphSources,
  type ImportOutcome,
  type ImportProgress,
  type ImportSummary,
} from './graph-import.ts';
import type { GraphService } from './graph-service.ts';

type WithDeps = <T>(fn: (deps: Deps) => Promise<T>) => Promise<T>;

const out = (line = '') => process.stdout.write(line + '\n');

/** The three files of a folder as import sources; a missing one is a 400 naming it. */
export function sourcesFromDir(dir: string): GraphSources {
  const missing = Object.values(GRAPH_FILES).filter((f) => !existsSync(path.join(dir, f)));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new BadRequestError(`${dir} is not a folder.`, 'NOT_A_FOLDER');
  }
  if (missing.length > 0) {
    throw new BadRequestError(
      `${dir} has no ${missing.join(', ')}; a graph is the three files ${Object.values(GRAPH_FILES).join(', ')}.`,
      'GRAPH_FILE_MISSING',
    );
  }
  const source = (key: GraphFileKey) => {
    const file = path.join(dir, GRAPH_FILES[key]);
    return { open: async () => createReadStream(file), size: statSync(file).size };
  };
  return { concept: source('concept'), skill: source('skill'), edges: source('edges') };
}

export function formatSummary(summary: ImportSummary): string[] {
  const counts = (c: ImportSummary['nodeChanges']) =>
    `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.removed} removed`;
  return [
    `Imported ${summary.concepts} concepts, ${summary.skills} skills and ${summary.edges} edges.`,
    `  nodes: ${counts(summary.nodeChanges)}`,
    `  edges: ${counts(summary.edgeChanges)}`,
    summary.pruned
      ? '  nodes and edges missing from the files were removed (--prune)'
      : '  nodes and edges missing from the files were kept (use --prune to remove them)',
  ];
}

export function formatRejection(outcome: Extract<ImportOutcome, { status: 'rejected' }>): string[] {
  const lines = [
    `Nothing was imported: ${outcome.problemCount} problem${outcome.problemCount === 1 ? '' : 's'} in the files.`,
    ...outcome.problems.map((p) => `  ${formatProblem(p)}`),
  ];
  if (outcome.problemCount > outcome.problems.length) {
    lines.push(`  … and ${outcome.problemCount - outcome.problems.length} more`);
  }
  return lines;
}

/** A progress bar on a terminal, a line per phase otherwise. */
function progressReporter(): { update(p: ImportProgress): void; stop(): void } {
  if (!process.stderr.isTTY) {
    let phase = '';
    return {
      update(p) {
        if (p.phase !== phase) {
          phase = p.phase;
          process.stderr.write(`${p.message}…\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {percentage}% | {message}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { message: 'Reading the files' });
  return {
    update(p) {
      bar.update(p.percent, { message: p.message });
    },
    stop() {
      bar.stop();
    },
  };
}

export async function importGraphDir(
  graph: GraphService,
  dir: string,
  options: { prune?: boolean; progress?: boolean } = {},
): Promise<ImportOutcome> {
  const sources = sourcesFromDir(dir);
  const progress = options.progress === false ? undefined : progressReporter();
  try {
    const outcome = await graph.importFiles(sources, {
      prune: options.prune === true,
      source: 'cli',
      ...(progress ? { onProgress: (p: ImportProgress) => progress.update(p) } : {}),
    });
    if (outcome.status === 'imported') {
      progress?.update({ phase: 'writing', percent: 100, message: 'Imported' });
    }
    return outcome;
  } finally {
    progress?.stop();
  }
}

export async function exportGraphDir(graph: GraphService, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = await graph.exportCsv();
  const written: string[] = [];
  for (const key of ['concept', 'skill', 'edges'] as const) {
    const file = path.join(dir, GRAPH_FILES[key]);
    writeFileSync(file, files[key]);
    written.push(file);
  }
  return written;
}

export function registerGraphCommands(program: Command, withDeps: WithDeps): void {
  program
    .command('import-graph')
    .description(
      `import the knowledge graph from DIR/${GRAPH_FILES.concept}, ${GRAPH_FILES.skill} and ${GRAPH_FILES.edges}; nothing is written unless every line is valid`,
    )
    .argument('<dir>', 'the folder with the three CSV files')
    .option('--prune', 'remove nodes and edges that are in the graph but not in the files')
    .action(async (dir: string, options: { prune?: boolean }) => {
      await withDeps(async (deps) => {
        const started = Date.now();
        const outcome = await importGraphDir(deps.graph, dir, { prune: options.prune === true });
        if (outcome.status === 'rejected') {
          for (const line of formatRejection(outcome)) process.stderr.write(line + '\n');
          process.exitCode = 1;
          return;
        }
        for (const line of formatSummary(outcome.summary)) out(line);
        out(`  in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      });
    });
  program
    .command('export-graph')
    .description(
      `write the knowledge graph to DIR/${GRAPH_FILES.concept}, ${GRAPH_FILES.skill} and ${GRAPH_FILES.edges}`,
    )
    .argument('<dir>', 'the folder to write (created if missing; the files are replaced)')
    .action(async (dir: string) => {
      await withDeps(async (deps) => {
        const files = await exportGraphDir(deps.graph, dir);
        const stats = await deps.graph.stats();
        out(
          `Exported ${stats.concepts} concepts, ${stats.skills} skills and ${stats.edges} edges:`,
        );
        for (const file of files) out(`  ${file}`);
      });
    });
}
