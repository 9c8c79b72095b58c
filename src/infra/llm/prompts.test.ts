import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env.ts';
import { loadPromptFile, loadPrompts, PromptError } from './prompts.ts';

const REPO_PROMPTS = path.resolve(import.meta.dirname, '../../../config/prompts');

function promptDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-prompts-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const V1 = `variables:
  topic: what to write about
system: You teach {{topic}}.
user: Write about {{ topic }} please.
`;

describe('prompts', () => {
  it('loads every shipped prompt', () => {
    const registry = loadPrompts(REPO_PROMPTS);
    const ids = registry.list().map((p) => p.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'lesson.v1',
        'tagging.v1',
        'courseware-outline.v1',
        'provider-check.v1',
      ]),
    );
  });

  it('renders variables into system and user, and records id and version', () => {
    const registry = loadPrompts(promptDir({ 'intro.v1.yaml': V1 }));
    const rendered = registry.get('intro.v1').render({ topic: 'fractions' });
    expect(rendered).toEqual({
      id: 'intro.v1',
      name: 'intro',
      version: 1,
      system: 'You teach fractions.',
      user: 'Write about fractions please.',
    });
  });

  it('does not interpret template syntax inside variable values', () => {
    const registry = loadPrompts(promptDir({ 'intro.v1.yaml': V1 }));
    const rendered = registry.get('intro.v1').render({ topic: '{{topic}} $& $1' });
    expect(rendered.user).toBe('Write about {{topic}} $& $1 please.');
  });

  it('resolves a bare name to the newest version', () => {
    const registry = loadPrompts(
      promptDir({
        'intro.v1.yaml': V1,
        'intro.v2.yaml': V1.replace('please', 'briefly'),
        'intro.v10.yaml': V1.replace('please', 'at length'),
      }),
    );
    expect(registry.get('intro').version).toBe(10);
    expect(registry.get('intro.v2').render({ topic: 'x' }).user).toContain('briefly');
  });

  it('fails clearly on a missing or an undeclared variable, and on an unknown prompt', () => {
    const registry = loadPrompts(promptDir({ 'intro.v1.yaml': V1 }));
    expect(() => registry.get('intro.v1').render({})).toThrow(
      new PromptError('Prompt intro.v1 needs the variable topic (declared: topic).'),
    );
    expect(() => registry.get('intro.v1').render({ topic: 'a', extra: 'b' })).toThrow(
      /does not declare extra/,
    );
    expect(() => registry.get('intro.v3')).toThrow(/No prompt "intro.v3"; known: intro.v1/);
    expect(() => registry.get('../../etc/passwd')).toThrow(PromptError);
  });

  it('refuses at load a template using an undeclared variable or declaring an unused one', () => {
    const dir = promptDir({
      'bad.v1.yaml': 'variables:\n  used: x\n  unused: y\nuser: Hello {{used}} and {{other}}\n',
    });
    const load = () => loadPromptFile(path.join(dir, 'bad.v1.yaml'));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/\{\{other\}\}: used in a template but not declared/);
    expect(load).toThrow(/variables\.unused: declared but used in neither system nor user/);
  });

  it('refuses badly named files and files without a user template', () => {
    const dir = promptDir({ 'lesson.yaml': V1, 'nouser.v1.yaml': 'system: hi\n' });
    expect(() => loadPromptFile(path.join(dir, 'lesson.yaml'))).toThrow(
      /named <name>\.v<version>\.yaml/,
    );
    expect(() => loadPromptFile(path.join(dir, 'nouser.v1.yaml'))).toThrow(/user: is required/);
  });
});
