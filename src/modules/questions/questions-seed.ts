// The demo question bank (config/demo/questions/questions.csv): 52 published maths questions of
// every type, tagged with skills of the demo knowledge graph (config/demo/graph). Imported by
// `seed --demo` and the first start of an empty database, after the demo graph.
import { readFile } from 'node:fs/promises';
import { projectPath } from '../../platform/paths.ts';
import type { ImportResult } from './questions-schemas.ts';
import type { QuestionsService } from './questions-service.ts';

export const DEMO_QUESTIONS_FILE = projectPath('config', 'demo', 'questions', 'questions.csv');

/** Import the demo questions when the bank is empty; an existing bank is never touched. */
export async function seedDemoQuestions(
  questions: QuestionsService,
): Promise<{ status: 'skipped' } | { status: 'imported'; result: ImportResult }> {
  if (await questions.hasQuestions()) return { status: 'skipped' };
  const result = await questions.importQuestions(null, {
    content: await readFile(DEMO_QUESTIONS_FILE),
    fileName: 'demo questions.csv',
    format: 'csv',
    status: 'published',
  });
  return { status: 'imported', result };
}
