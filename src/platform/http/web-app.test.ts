// The web app as a browser reaches it: the site's root and every client-side route get the SPA's
// index page, built assets are served as files, and anything else is a 404 problem. Routing only,
// so SQLite alone.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';

const INDEX = '<!doctype html><title>SkillBridge</title><div id="root"></div>';
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('web app serving', () => {
  let t: TestApp;
  beforeAll(async () => {
    const webRoot = mkdtempSync(path.join(os.tmpdir(), 'sb-web-'));
    mkdirSync(path.join(webRoot, 'assets'));
    writeFileSync(path.join(webRoot, 'index.html'), INDEX);
    writeFileSync(path.join(webRoot, 'assets', 'app-1234.js'), 'console.log("app");');
    t = await buildTestApp('sqlite', { webRoot });
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, headers: Record<string, string> = HTML) =>
    t.app.inject({ method: 'GET', url, headers });

  it('answers the site root with the app, not an error', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toBe(INDEX);
  });

  it('answers client-side routes with the app', async () => {
    for (const url of ['/dashboard', '/questions?concept=fractions', '/graph/nodes/x']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.body, url).toBe(INDEX);
    }
  });

  it('serves built assets and answers unknown API paths and files with a 404 problem', async () => {
    const asset = await get('/assets/app-1234.js', { accept: '*/*' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');

    // Logged out, an /api path is refused before it is looked up: never the app's HTML.
    const api = await get('/api/no-such-route');
    expect(api.statusCode).toBe(401);
    expect(api.headers['content-type']).toContain('application/problem+json');

    const missing = await get('/assets/missing.js', { accept: '*/*' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });
});
