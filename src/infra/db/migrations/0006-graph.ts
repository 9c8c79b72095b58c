// The knowledge graph (src/modules/graph): concepts and skills as nodes, prerequisite and part_of
// edges between them, and a log of imports.
//
// - `external_id` is the id in the curriculum's CSV files; `id` is ours and never changes, so
//   other tables (question tags, mastery, ...) reference `graph_nodes.id` and survive re-imports.
// - `parent_id` is the CSV's own hierarchy column: a concept's parent concept (concept_nodes.csv
//   parent_id) or a skill's concept (skill_nodes.csv concept_id). Extra part_of links from
//   edges.csv live in graph_edges, so an export writes back exactly what was imported.
// - `attributes` holds the CSV's extra columns as a JSON object. It is plain text on both
//   dialects (not jsonb) because jsonb reorders keys and the export must keep the column order.
// - `ordinal` is the row's position in its file, so an export lists rows in the imported order.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { columnTypes } from '../column-types.ts';
import type { MigrationContext } from './index.ts';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('graph_nodes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('external_id', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql.raw(`kind in ('concept', 'skill')`)))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('subject', 'text')
    .addColumn('level', 'text')
    .addColumn('parent_id', 'text', (c) => c.references('graph_nodes.id'))
    .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('ordinal', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('graph_nodes_parent_not_self', sql`parent_id is null or parent_id <> id`)
    .execute();
  // Children of a concept (tree, subtree); kind + name for listing and search results.
  await db.schema
    .createIndex('graph_nodes_parent_idx')
    .on('graph_nodes')
    .columns(['parent_id', 'kind'])
    .execute();
  await db.schema
    .createIndex('graph_nodes_kind_name_idx')
    .on('graph_nodes')
    .columns(['kind', 'name'])
    .execute();

  await db.schema
    .createTable('graph_edges')
    .addColumn('source_id', 'text', (c) =>
      c.notNull().references('graph_nodes.id').onDelete('cascade'),
    )
    .addColumn('target_id', 'text', (c) =>
      c.notNull().references('graph_nodes.id').onDelete('cascade'),
    )
    // prerequisite: source is needed before target. part_of: source belongs to target.
    .addColumn('type', 'text', (c) =>
      c.notNull().check(sql.raw(`type in ('prerequisite', 'part_of')`)),
    )
    .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('ordinal', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('graph_edges_pk', ['source_id', 'target_id', 'type'])
    .addCheckConstraint('graph_edges_not_self', sql`source_id <> target_id`)
    .execute();
  // The primary key serves "edges out of a node" (dependents); this one "edges into a node"
  // (prerequisites, children by part_of).
  await db.schema
    .createIndex('graph_edges_target_idx')
    .on('graph_edges')
    .columns(['target_id', 'type', 'source_id'])
    .execute();

  await db.schema
    .createTable('graph_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    // 'cli', 'upload' or 'seed'.
    .addColumn('source', 'text', (c) => c.notNull())
    // 1 when nodes and edges missing from the files were removed (--prune), else 0.
    .addColumn('pruned', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON: counts of nodes and edges created, updated, unchanged and removed.
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('graph_imports_created_idx')
    .on('graph_imports')
    .column('created_at')
    .execute();
}
