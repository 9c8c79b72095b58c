// The demo question bank imports cleanly over the demo knowledge graph (every tag names a node of
// config/demo/graph), is published, covers every type, and is never imported twice.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { seedDemoQuestions } from './questions-seed.ts';

const GRAPH_DIR = path.resolve(import.meta.dirname, '../../../config/demo/graph');

describe.each(testDialects())('demo question bank, %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    // The demo graph's nodes, written directly so this test depends on the files only.
    const now = new Date().toISOString();
    const ids = new Map<string, string>();
    for (const [file, kind, parentColumn] of [
      ['concept_nodes.csv', 'concept', 'parent_id'],
      ['skill_nodes.csv', 'skill', 'concept_id'],
    ] as const) {
      const rows = parse(readFileSync(path.join(GRAPH_DIR, file)), {
        columns: true,
      }) as Record<string, string>[];
      for (const row of rows) {
        const id = randomUUID();
        ids.set(row.id!, id);
        await t.deps.database.db
          .insertInto('graph_nodes')
          .values({
            id,
            external_id: row.id!,
            kind,
            name: row.name!,
            description: row.description ?? '',
            subject: null,
            level: null,
            parent_id: row[parentColumn] ? (ids.get(row[parentColumn]) ?? null) : null,
            attributes: '{}',
            ordinal: 0,
            created_at: now,
            updated_at: now,
          })
          .execute();
      }
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('imports 52 published, tagged questions of every type, once', async () => {
    const first = await seedDemoQuestions(t.deps.questions);
    expect(first.status).toBe('imported');
    if (first.status !== 'imported') return;
    expect(first.result.imported).toBe(52);
    expect(first.result.tagged).toBe(52);
    for (const count of Object.values(first.result.byType)) expect(count).toBeGreaterThan(0);

    const learner = { id: 'learner', role: 'learner' as const };
    const all = await t.deps.questions.list(learner, { limit: 200, offset: 0 });
    expect(all.total).toBe(52);
    const fractions = await t.deps.questions.list(learner, {
      concept: 'fractions',
      limit: 200,
      offset: 0,
    });
    expect(fractions.total).toBe(13);
    expect(fractions.node).toMatchObject({ externalId: 'fractions', kind: 'concept' });

    expect(await seedDemoQuestions(t.deps.questions)).toEqual({ status: 'skipped' });
  });
});
