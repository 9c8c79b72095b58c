// The demo knowledge graph (config/demo/graph: maths — number, fractions, decimals and
// percentages, ratio and proportion, algebra), imported by `seed --demo` and the first start of
// an empty database. Demo data of other modules (questions, papers, paths) refers to its ids.
import { projectPath } from '../../platform/paths.ts';
import { sourcesFromDir } from './graph-cli.ts';
import type { ImportOutcome } from './graph-import.ts';
import type { GraphService } from './graph-service.ts';

export const DEMO_GRAPH_DIR = projectPath('config', 'demo', 'graph');

/** Import the demo graph when the graph is empty; an existing graph is never touched. */
export async function seedDemoGraph(
  graph: GraphService,
): Promise<{ status: 'skipped' } | ImportOutcome> {
  const stats = await graph.stats();
  if (stats.concepts + stats.skills > 0) return { status: 'skipped' };
  return graph.importFiles(sourcesFromDir(DEMO_GRAPH_DIR), { source: 'seed' });
}
