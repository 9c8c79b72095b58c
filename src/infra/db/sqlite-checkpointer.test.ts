// The WAL checkpointer on a real SQLite file: the request connection no longer checkpoints by
// itself at 1,000 pages, the worker thread copies the WAL back without losing a row, and stop()
// ends the thread so the process can close the database cleanly.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from './database.ts';
import {
  BARRIER_PAGES,
  FALLBACK_AUTOCHECKPOINT_PAGES,
  START_COMMITS_PER_SECOND,
} from './sqlite-checkpointer.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows of t in the main database file alone, as a copy without its WAL would show them. */
function rowsInMainFile(file: string): number {
  const copy = `${file}.copy`;
  copyFileSync(file, copy);
  const db = new Database(copy, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from t').get() as { n: number }).n;
  } finally {
    db.close();
    rmSync(copy);
  }
}

describe('SqliteCheckpointer', () => {
  it('copies the WAL back into the database file on its own thread, losing nothing', async () => {
    const file = path.join(dir, 'app.db');
    const handle = createDatabase({ dialect: 'sqlite', file, url: `sqlite:${file}` });
    try {
      const conn = handle.sqlite!;
      // Until asked for, there is no thread and SQLite checkpoints at its usual 1,000 pages.
      expect(handle.checkpointer!.started).toBe(false);
      expect(conn.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      handle.checkpointer!.demand();
      expect(handle.checkpointer!.started).toBe(true);
      // Then the request connection only checkpoints by itself far beyond that.
      expect(conn.pragma('wal_autocheckpoint', { simple: true })).toBe(
        FALLBACK_AUTOCHECKPOINT_PAGES,
      );
      conn.exec('create table t (id integer primary key, v text)');
      await handle.checkpointer!.checkpointNow();
      expect(rowsInMainFile(file)).toBe(0);
      const insert = conn.prepare('insert into t (v) values (?)');
      // 3,000 commits of a page each: three times what SQLite would let build up by default.
      for (let i = 0; i < 3000; i++) insert.run('x'.repeat(200));
      await handle.checkpointer!.checkpointNow();
      expect(rowsInMainFile(file)).toBe(3000);
      const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(handle.db);
      expect(rows[0]!.n).toBe(3000);
    } finally {
      await handle.destroy();
    }
    // The last connection closed cleanly: the WAL is checkpointed and removed.
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(rowsInMainFile(file)).toBe(3000);
  });

  it('barrier() after a long WAL returns once the database file holds every committed row', async () => {
    const file = path.join(dir, 'barrier.db');
    const handle = createDatabase({ dialect: 'sqlite', file, url: `sqlite:${file}` });
    try {
      const conn = handle.sqlite!;
      const checkpointer = handle.checkpointer!;
      checkpointer.demand();
      conn.exec('create table t (id integer primary key, v text)');
      const insert = conn.prepare('insert into t (v) values (?)');
      for (let i = 0; i < BARRIER_PAGES + 500; i++) insert.run('x'.repeat(200));
      // The thread's checkpoint reports a WAL longer than BARRIER_PAGES.
      await checkpointer.checkpointNow();
      for (let i = 0; i < 300; i++) insert.run('y');
      await checkpointer.barrier();
      expect(rowsInMainFile(file)).toBe(BARRIER_PAGES + 800);
    } finally {
      await handle.destroy();
    }
  });

  it('noteWrite() starts the thread only once commits are frequent', async () => {
    const file = path.join(dir, 'note.db');
    const handle = createDatabase({ dialect: 'sqlite', file, url: `sqlite:${file}` });
    try {
      const conn = handle.sqlite!;
      const checkpointer = handle.checkpointer!;
      let now = 1_000_000;
      // Commits spread out (seeding a few results, a quiet site): one short of the rate in each
      // second, for ten seconds. No thread, SQLite checkpoints by itself.
      for (let second = 0; second < 10; second++) {
        for (let i = 0; i < START_COMMITS_PER_SECOND - 1; i++) checkpointer.noteWrite(now + i);
        now += 1000;
      }
      expect(checkpointer.started).toBe(false);
      expect(conn.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      // START_COMMITS_PER_SECOND commits within one second start it.
      for (let i = 0; i < START_COMMITS_PER_SECOND; i++) checkpointer.noteWrite(now + i * 10);
      expect(checkpointer.started).toBe(true);
      expect(conn.pragma('wal_autocheckpoint', { simple: true })).toBe(
        FALLBACK_AUTOCHECKPOINT_PAGES,
      );
    } finally {
      await handle.destroy();
    }
  });

  it('stops when the database is closed, and a second stop is harmless', async () => {
    const file = path.join(dir, 'stop.db');
    const handle = createDatabase({ dialect: 'sqlite', file, url: `sqlite:${file}` });
    const checkpointer = handle.checkpointer!;
    checkpointer.demand();
    await handle.destroy();
    // Closed: asking again starts nothing.
    checkpointer.demand();
    expect(checkpointer.started).toBe(true);
    await checkpointer.stop();
    await checkpointer.checkpointNow();
  });

  it('does not run for an in-memory database', async () => {
    const handle = createDatabase({ dialect: 'sqlite', file: ':memory:', url: 'sqlite::memory:' });
    expect(handle.checkpointer).toBeUndefined();
    await handle.destroy();
  });
});
