// Versioned prompts: config/prompts/<name>.v<N>.yaml with `system` and `user` templates and the
// `variables` they declare. Every file is loaded and checked at start-up; a template using an
// undeclared variable, or declaring one it never uses, is refused there rather than at the first
// call. `{{name}}` is replaced by the variable's value; nothing else is interpreted.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../config/env.ts';
import { displayPath, parseYamlWith, readYamlFile } from './yaml-file.ts';

const FILE_NAME = /^([a-z][a-z0-9-]*)\.v([1-9][0-9]*)\.ya?ml$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const PROMPT_ID = /^([a-z][a-z0-9-]*)(?:\.v([1-9][0-9]*))?$/;

const promptFileSchema = z.strictObject({
  description: z.string().trim().min(1).max(500).optional(),
  variables: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and _'),
      z.string().max(500),
      { message: 'must map each variable name to a short description' },
    )
    .default({}),
  system: z.string().min(1, 'must not be empty').max(50_000).optional(),
  user: z.string({ message: 'is required' }).min(1, 'must not be empty').max(50_000),
});

export type PromptVariables = Readonly<Record<string, string | number | boolean>>;

export interface RenderedPrompt {
  /** `name.vN`, as recorded with every call. */
  id: string;
  name: string;
  version: number;
  system: string | undefined;
  user: string;
}

/** A prompt asked for with missing, unknown or malformed variables: a programming error. */
export class PromptError extends Error {
  override name = 'PromptError';
}

export class PromptTemplate {
  readonly id: string;
  constructor(
    readonly name: string,
    readonly version: number,
    readonly variables: Readonly<Record<string, string>>,
    readonly system: string | undefined,
    readonly user: string,
    readonly description: string | undefined,
  ) {
    this.id = `${name}.v${version}`;
  }

  render(values: PromptVariables = {}): RenderedPrompt {
    const declared = Object.keys(this.variables);
    const missing = declared.filter((v) => values[v] === undefined || values[v] === null);
    if (missing.length > 0) {
      throw new PromptError(
        `Prompt ${this.id} needs the variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (declared: ${declared.join(', ') || 'none'}).`,
      );
    }
    const unknown = Object.keys(values).filter((v) => !(v in this.variables));
    if (unknown.length > 0) {
      throw new PromptError(
        `Prompt ${this.id} does not declare ${unknown.join(', ')} (declared: ${declared.join(', ') || 'none'}).`,
      );
    }
    const fill = (template: string) =>
      template.replace(PLACEHOLDER, (_match, name: string) => String(values[name]));
    return {
      id: this.id,
      name: this.name,
      version: this.version,
      system: this.system === undefined ? undefined : fill(this.system),
      user: fill(this.user),
    };
  }
}

function placeholders(template: string | undefined): Set<string> {
  const names = new Set<string>();
  if (template) for (const m of template.matchAll(PLACEHOLDER)) names.add(m[1] as string);
  return names;
}

export class PromptRegistry {
  private readonly byId = new Map<string, PromptTemplate>();
  private readonly latest = new Map<string, PromptTemplate>();

  constructor(templates: readonly PromptTemplate[]) {
    for (const t of templates) {
      if (this.byId.has(t.id)) throw new ConfigError(`Prompt ${t.id} is defined twice.`);
      this.byId.set(t.id, t);
      const current = this.latest.get(t.name);
      if (!current || current.version < t.version) this.latest.set(t.name, t);
    }
  }

  /** `lesson.v2` is that exact version; `lesson` is its newest version. */
  get(id: string): PromptTemplate {
    const match = PROMPT_ID.exec(id);
    const template = match
      ? match[2]
        ? this.byId.get(id)
        : this.latest.get(match[1] as string)
      : undefined;
    if (!template) {
      throw new PromptError(
        `No prompt ${JSON.stringify(id)}; known: ${[...this.byId.keys()].sort().join(', ') || 'none'}.`,
      );
    }
    return template;
  }

  list(): PromptTemplate[] {
    return [...this.byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}

export function loadPromptFile(file: string): PromptTemplate {
  const base = path.basename(file);
  const match = FILE_NAME.exec(base);
  if (!match) {
    throw new ConfigError(
      `${displayPath(file)}: prompt files are named <name>.v<version>.yaml, e.g. lesson.v1.yaml`,
    );
  }
  const parsed = parseYamlWith(file, promptFileSchema, readYamlFile(file));
  const used = new Set([...placeholders(parsed.system), ...placeholders(parsed.user)]);
  const declared = Object.keys(parsed.variables);
  const undeclared = [...used].filter((v) => !declared.includes(v));
  const unused = declared.filter((v) => !used.has(v));
  const problems = [
    ...undeclared.map((v) => `  {{${v}}}: used in a template but not declared under variables`),
    ...unused.map((v) => `  variables.${v}: declared but used in neither system nor user`),
  ];
  if (problems.length > 0) {
    throw new ConfigError(`Invalid ${displayPath(file)}:\n${problems.join('\n')}`);
  }
  return new PromptTemplate(
    match[1] as string,
    Number(match[2]),
    parsed.variables,
    parsed.system,
    parsed.user,
    parsed.description,
  );
}

export function loadPrompts(dir: string): PromptRegistry {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new ConfigError(`${displayPath(dir)}: prompt directory not found`);
  }
  const files = names.filter((n) => /\.ya?ml$/.test(n)).sort();
  return new PromptRegistry(files.map((n) => loadPromptFile(path.join(dir, n))));
}
