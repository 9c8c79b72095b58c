// Reading the gateway's YAML files (llm.yaml, pricing.yaml, prompts/*.yaml) with errors that name
// the file, the line and the key, so a broken edit stops start-up with a message a person can fix.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../../config/env.ts';

/** Relative to the working directory when it lies below it, so messages stay short. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

export function readYamlFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `${displayPath(file)}: file not found`
        : `${displayPath(file)}: cannot be read (${code ?? String(err)})`,
    );
  }
  try {
    return parse(text, { prettyErrors: true, uniqueKeys: true }) as unknown;
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      const at = pos ? ` (line ${pos.line}, column ${pos.col})` : '';
      throw new ConfigError(
        `${displayPath(file)}${at}: not valid YAML: ${err.message.split('\n')[0]}`,
      );
    }
    throw err;
  }
}

/** Issues as `key.path: message` lines. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.map(String).join('.');
      return `  ${key || '(top level)'}: ${issue.message}`;
    })
    .join('\n');
}

export function parseYamlWith<T>(file: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new ConfigError(`Invalid ${displayPath(file)}:\n${formatZodIssues(parsed.error)}`);
  }
  return parsed.data;
}
