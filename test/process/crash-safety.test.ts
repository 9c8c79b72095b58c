// kill -9 the server in the middle of a burst of sign-ups: every sign-up that was answered 2xx
// must survive the restart, and the SQLite file must pass an integrity check.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-process.ts';

async function csrfSession(url: string) {
  const res = await fetch(`${url}/api/auth/csrf`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { token } = (await res.json()) as { token: string };
  return { cookie, token };
}

describe('crash safety', () => {
  it('keeps every acknowledged sign-up after kill -9', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-crash-'));
    const env = {
      DATA_DIR: dataDir,
      DEMO_PASSWORD: 'crash-demo-pass-1',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    };
    const server = await startServer({ env });
    const { cookie, token } = await csrfSession(server.url);

    const acknowledged: string[] = [];
    let attempted = 0;
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const email = `burst-${w}-${i}@example.com`;
        attempted++;
        try {
          const res = await fetch(`${server.url}/api/auth/signup`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
            body: JSON.stringify({
              email,
              name: `Burst ${w} ${i}`,
              password: 'burst passphrase 1',
            }),
          });
          await res.text();
          if (res.status === 201) acknowledged.push(email);
        } catch {
          return; // connection reset by the kill
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    // Kill while requests are in flight, once a good number have been acknowledged.
    const deadline = Date.now() + 30_000;
    while (acknowledged.length < 40 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await server.kill();
    stop = true;
    await Promise.all(workers);
    expect(attempted).toBeGreaterThan(acknowledged.length);

    const restarted = await startServer({ env });
    try {
      const db = new Database(path.join(dataDir, 'skillbridge.db'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const stored = new Set(
          (
            db.prepare("select email from users where email like 'burst-%'").all() as Array<{
              email: string;
            }>
          ).map((r) => r.email),
        );
        const lost = acknowledged.filter((e) => !stored.has(e));
        expect(lost).toEqual([]);
      } finally {
        db.close();
      }
      // And the restarted server serves them.
      const s = await csrfSession(restarted.url);
      const login = await fetch(`${restarted.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.token, cookie: s.cookie },
        body: JSON.stringify({ email: acknowledged[0], password: 'burst passphrase 1' }),
      });
      expect(login.status).toBe(200);
    } finally {
      await restarted.stop();
    }
  }, 120_000);
});
