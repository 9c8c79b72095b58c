import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARIABLES, loadConfig } from './env.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'sb-config-'));

describe('loadConfig', () => {
  it('defaults to SQLite in DATA_DIR and generates a session secret kept there', () => {
    const dir = tmp();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.database).toEqual({
      dialect: 'sqlite',
      file: path.join(dir, 'skillbridge.db'),
      url: `sqlite:${path.join(dir, 'skillbridge.db')}`,
    });
    expect(config.port).toBe(3000);
    expect(config.session.ttlMs).toBe(8 * 3600_000);
    const secretFile = path.join(dir, 'session-secret');
    expect(existsSync(secretFile)).toBe(true);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretFile, 'utf8').trim()).toBe(config.session.secret);
    // The same secret on the next start, so sessions survive restarts.
    expect(loadConfig({ DATA_DIR: dir }).session.secret).toBe(config.session.secret);
  });

  it('chooses PostgreSQL from DATABASE_URL', () => {
    const config = loadConfig({
      DATA_DIR: tmp(),
      DATABASE_URL: 'postgres://u@db:5432/sb',
      DB_POOL_MAX: '7',
    });
    expect(config.database).toEqual({
      dialect: 'postgres',
      url: 'postgres://u@db:5432/sb',
      poolMax: 7,
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: tmp(), PORT: 'eighty' })).toThrow(/PORT:/);
    expect(() => loadConfig({ DATA_DIR: tmp(), DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL: must start with sqlite: or postgres:\/\//,
    );
    expect(() => loadConfig({ DATA_DIR: tmp(), NODE_ENV: 'staging' })).toThrow(/NODE_ENV:/);
    expect(() => loadConfig({ DATA_DIR: tmp(), SESSION_SECRET: 'short' })).toThrow(
      /SESSION_SECRET: must be at least 32 characters/,
    );
    expect(() => loadConfig({ DATA_DIR: tmp(), COOKIE_SECURE: 'sometimes' })).toThrow(
      /COOKIE_SECURE:/,
    );
  });

  it('refuses to start in production without SESSION_SECRET', () => {
    const dir = tmp();
    expect(() => loadConfig({ DATA_DIR: dir, NODE_ENV: 'production' })).toThrow(
      /SESSION_SECRET: required when NODE_ENV=production/,
    );
    expect(existsSync(path.join(dir, 'session-secret'))).toBe(false);
    const config = loadConfig({
      DATA_DIR: dir,
      NODE_ENV: 'production',
      SESSION_SECRET: 'p'.repeat(40),
    });
    expect(config.isProduction).toBe(true);
    expect(config.session.secret).toBe('p'.repeat(40));
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ DATA_DIR: tmp(), DATABASE_URL: '', SESSION_SECRET: '' });
    expect(config.database.dialect).toBe('sqlite');
  });
});

describe('.env.example', () => {
  it('documents every variable the configuration reads', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(ENV_VARIABLES.filter((v) => !documented.has(v))).toEqual([]);
  });
});
