import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/build-test-app.ts';
import { withPgAdmin } from '../../../test/helpers/pg-admin.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';

const postgres = testDialects().includes('postgres');

describe.runIf(postgres)('PostgreSQL connection loss', () => {
  it('survives the server dropping every connection, and recovers', async () => {
    const t = await buildTestApp('postgres');
    try {
      expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
      const database = new URL(t.db.url).pathname.slice(1);
      // What a PostgreSQL restart looks like to the pool: every idle client is cut off.
      const terminated = await withPgAdmin((c) =>
        c.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [database],
        ),
      );
      expect(terminated.rowCount).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200));
      // The pool's 'error' listener kept the process alive; new clients replace the dead ones.
      let status = 0;
      for (let attempt = 0; attempt < 5 && status !== 200; attempt++) {
        status = (await t.app.inject({ url: '/readyz' })).statusCode;
      }
      expect(status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
