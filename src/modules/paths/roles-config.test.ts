// config/roles.yaml: the shipped file is valid, and a broken one is refused with messages naming
// the role and the skill or resource.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env.ts';
import { loadRolesFile, parseRolesDocument } from './roles-config.ts';

describe('roles.yaml', () => {
  it('ships at least three roles, each with skills and golden resources of every field', () => {
    const roles = loadRolesFile();
    expect(roles.length).toBeGreaterThanOrEqual(3);
    for (const r of roles) {
      expect(r.skills.length).toBeGreaterThan(0);
      expect(r.resources.length).toBeGreaterThan(0);
      for (const res of r.resources) expect(res.url).toMatch(/^https:\/\//);
    }
    const types = new Set(roles.flatMap((r) => r.resources.map((x) => x.type)));
    expect([...types].sort()).toEqual(['article', 'book', 'course', 'exercise', 'video']);
  });

  it('names the role and the entry of every problem', () => {
    const doc = {
      roles: [
        {
          id: 'ok-role',
          title: 'Fine',
          summary: 'Fine.',
          skills: [{ skill: 'a' }, { skill: 'b', target: 1.5 }],
          resources: [{ title: 'Bad link', url: 'ftp://x', type: 'podcast', skills: [] }],
        },
        { id: 'ok-role', title: 'Twice', summary: 'x', skills: [{ skill: 'a' }] },
        { title: 'No id', summary: 'x', skills: [] },
      ],
    };
    let message = '';
    try {
      parseRolesDocument(doc, 'roles.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain(
      'roles[0] (ok-role).skills[1] (b).target: must be above 0 and at most 1',
    );
    expect(message).toContain(
      'roles[0] (ok-role).resources[0] ("Bad link").url: must be an http(s) URL',
    );
    expect(message).toContain('roles[0] (ok-role).resources[0] ("Bad link").type: must be one of');
    expect(message).toContain(
      'roles[0] (ok-role).resources[0] ("Bad link").skills: must name at least one skill',
    );
    expect(message).toContain('roles[1] (ok-role).id: also the id of roles[0]');
    expect(message).toContain('roles[2].id');
    expect(message).toContain('roles[2].skills: a role needs at least one skill');
  });

  it('refuses a file without roles and unknown keys', () => {
    expect(() => parseRolesDocument({}, 'roles.yaml')).toThrow(/roles/);
    expect(() =>
      parseRolesDocument(
        { roles: [{ id: 'r', title: 't', summary: 's', skills: [{ skill: 'a' }], colour: 'red' }] },
        'roles.yaml',
      ),
    ).toThrow(/roles\[0\] \(r\)/);
  });
});
