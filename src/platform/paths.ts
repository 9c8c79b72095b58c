// Where the program's own files are: the project root holds config/ (llm.yaml, prompts, demo data)
// and web/dist. Modules resolve those files from here, so the layout is stated once; a build
// bundled into one file keeps working when the bundle is placed at src/platform/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A path inside the project, e.g. projectPath('config', 'demo', 'graph'). */
export function projectPath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}
