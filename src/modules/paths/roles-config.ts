// config/roles.yaml: the seed of the role catalogue. Checked with zod; every problem names the
// role (by its id) and the skill or resource, e.g.
//   roles[1] (finance-apprentice).skills[2]: "percent-change" is not a skill of the knowledge graph
import { z } from 'zod';
import { ConfigError } from '../../config/env.ts';
import { displayPath, readYamlFile } from '../../infra/llm/yaml-file.ts';
import { projectPath } from '../../platform/paths.ts';
import { roleBody, slugSchema, type RoleInput } from './paths-schemas.ts';

export const ROLES_FILE = projectPath('config', 'roles.yaml');

const yamlRole = roleBody.omit({ slug: true }).extend({ id: slugSchema }).strict();
const rolesFile = z.strictObject({
  roles: z.array(z.unknown(), { message: 'must be a list of roles' }).min(1, 'lists no role'),
});

/** Where an issue is, with the role's id and the skill's id when the file gives them. */
function locate(raw: unknown, index: number, issuePath: PropertyKey[]): string {
  const role = raw as { id?: unknown; skills?: unknown[]; resources?: unknown[] } | null;
  const id = typeof role?.id === 'string' ? ` (${role.id})` : '';
  let where = `roles[${index}]${id}`;
  for (let i = 0; i < issuePath.length; i++) {
    const key = issuePath[i];
    if (typeof key === 'number') {
      where += `[${key}]`;
      const parent = issuePath[i - 1];
      if (parent === 'skills' && i === 1) {
        const entry = role?.skills?.[key] as { skill?: unknown } | undefined;
        if (typeof entry?.skill === 'string') where += ` (${entry.skill})`;
      }
      if (parent === 'resources' && i === 1) {
        const entry = role?.resources?.[key] as { title?: unknown } | undefined;
        if (typeof entry?.title === 'string') where += ` ("${entry.title}")`;
      }
    } else {
      where += `.${String(key)}`;
    }
  }
  return where;
}

/** The roles of a parsed roles.yaml document; throws ConfigError listing every problem. */
export function parseRolesDocument(value: unknown, file = ROLES_FILE): RoleInput[] {
  const top = rolesFile.safeParse(value ?? {});
  if (!top.success) {
    throw new ConfigError(
      `Invalid ${displayPath(file)}:\n${top.error.issues.map((i) => `  ${i.path.map(String).join('.') || '(top level)'}: ${i.message}`).join('\n')}`,
    );
  }
  const problems: string[] = [];
  const roles: RoleInput[] = [];
  const seen = new Map<string, number>();
  top.data.roles.forEach((raw, index) => {
    const rawId = (raw as { id?: unknown } | null)?.id;
    if (typeof rawId === 'string') {
      const first = seen.get(rawId);
      if (first !== undefined) {
        problems.push(`  roles[${index}] (${rawId}).id: also the id of roles[${first}]`);
        return;
      }
      seen.set(rawId, index);
    }
    const parsed = yamlRole.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`  ${locate(raw, index, issue.path)}: ${issue.message}`);
      }
      return;
    }
    const { id, ...rest } = parsed.data;
    roles.push({ slug: id, ...rest });
  });
  if (problems.length > 0) {
    throw new ConfigError(`Invalid ${displayPath(file)}:\n${problems.join('\n')}`);
  }
  return roles;
}

export function loadRolesFile(file = ROLES_FILE): RoleInput[] {
  return parseRolesDocument(readYamlFile(file), file);
}
