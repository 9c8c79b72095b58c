// The graph tables: thin Kysely queries, one per method. The traversals are recursive CTEs that
// run the same on SQLite and PostgreSQL, walking the indexes of migration 0006.
import {
  CompiledQuery,
  sql,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type SqlBool,
} from 'kysely';
import type { Dialect } from '../../infra/db/database.ts';
import type {
  Database,
  GraphEdgesTable,
  GraphEdgeType,
  GraphImportsTable,
  GraphNodeKind,
  GraphNodesTable,
} from '../../infra/db/schema.ts';

export type NodeRecord = Selectable<GraphNodesTable>;
export type EdgeRecord = Selectable<GraphEdgesTable>;
export type ImportRecord = Selectable<GraphImportsTable>;

/** A node as an import compares it. */
export type ImportNode = Omit<NodeRecord, 'created_at' | 'updated_at'>;

/** A node with its distance (edges) from where a traversal started. */
export type NodeAtDepth = NodeRecord & { depth: number };

/** Edges as the import compares them: internal ids, no timestamps. */
export type EdgeSnapshot = Pick<
  EdgeRecord,
  'source_id' | 'target_id' | 'type' | 'attributes' | 'ordinal'
>;

/** Rows per INSERT: a few thousand parameters, well below both dialects' limits. */
function batchSize(columns: number): number {
  return Math.max(1, Math.floor(4_000 / columns));
}

const NODE_COLUMNS = [
  'id',
  'external_id',
  'kind',
  'name',
  'description',
  'subject',
  'level',
  'parent_id',
  'attributes',
  'ordinal',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof NodeRecord>;

const EDGE_COLUMNS = [
  'source_id',
  'target_id',
  'type',
  'attributes',
  'ordinal',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof EdgeRecord>;

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** `in (...)` lists stay well under the parameter limits. */
const IN_LIST = 5_000;

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class GraphStore {
  /** INSERT statements by table and row count, so bulk imports build each text once. */
  private readonly insertSql = new Map<string, string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * `column` is one of `values`: one array parameter on PostgreSQL (a list of hundreds of
   * parameters costs it milliseconds to parse and plan), an IN list on SQLite.
   */
  private oneOf(column: string, values: readonly string[]): RawBuilder<SqlBool> {
    return this.dialect === 'postgres'
      ? sql<SqlBool>`${sql.ref(column)} = any(${[...values]}::text[])`
      : sql<SqlBool>`${sql.ref(column)} in (${sql.join(values)})`;
  }

  /**
   * Multi-row INSERTs from a flat parameter list (row after row, in `columns` order): one
   * statement text per batch size, built once. The import writes hundreds of thousands of rows;
   * the query builder would allocate a node per value, and that garbage alone would take the
   * import over its memory budget.
   */
  private async insertFlat(
    table: 'graph_nodes' | 'graph_edges',
    columns: readonly string[],
    values: readonly unknown[],
  ): Promise<void> {
    if (this.dialect === 'postgres') {
      await this.insertUnnest(table, columns, values);
      return;
    }
    const perBatch = batchSize(columns.length) * columns.length;
    for (let offset = 0; offset < values.length; offset += perBatch) {
      const parameters = values.slice(offset, offset + perBatch);
      const rows = parameters.length / columns.length;
      const cacheKey = `${table}:${rows}`;
      let text = this.insertSql.get(cacheKey);
      if (!text) {
        let p = 0;
        const placeholder = () => (this.dialect === 'postgres' ? `$${++p}` : '?');
        const tuples = Array.from(
          { length: rows },
          () => `(${columns.map(placeholder).join(', ')})`,
        );
        text = `insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`;
        this.insertSql.set(cacheKey, text);
      }
      await this.db.executeQuery(CompiledQuery.raw(text, parameters));
    }
  }

  /**
   * PostgreSQL: one array per column and `insert … select from unnest(…)`, a few statements of
   * thousands of rows each; a VALUES list of as many parameters costs PostgreSQL more to parse
   * and plan than to insert.
   */
  private async insertUnnest(
    table: 'graph_nodes' | 'graph_edges',
    columns: readonly string[],
    values: readonly unknown[],
  ): Promise<void> {
    const width = columns.length;
    const rowsPerBatch = 5_000;
    const types = columns.map((c) =>
      c === 'ordinal'
        ? 'integer'
        : c === 'created_at' || c === 'updated_at'
          ? 'timestamptz'
          : 'text',
    );
    const text =
      `insert into ${table} (${columns.join(', ')}) ` +
      `select * from unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
    for (let offset = 0; offset < values.length; offset += rowsPerBatch * width) {
      const end = Math.min(values.length, offset + rowsPerBatch * width);
      const arrays: unknown[][] = columns.map(() => []);
      for (let i = offset; i < end; i++) arrays[(i - offset) % width]?.push(values[i]);
      await this.db.executeQuery(CompiledQuery.raw(text, arrays));
    }
  }

  // ---- Import ----------------------------------------------------------------------------

  /** Every node with what an import compares (no timestamps), a page at a time by id. */
  async *nodePages(size: number): AsyncGenerator<ImportNode[]> {
    let after: string | undefined;
    for (;;) {
      let query = this.db
        .selectFrom('graph_nodes')
        .select([
          'id',
          'external_id',
          'kind',
          'name',
          'description',
          'subject',
          'level',
          'parent_id',
          'attributes',
          'ordinal',
        ]);
      if (after !== undefined) query = query.where('id', '>', after);
      const rows = await query.orderBy('id').limit(size).execute();
      yield rows;
      if (rows.length < size) return;
      after = rows[rows.length - 1]?.id;
    }
  }

  /** Edges in primary-key order, a page at a time after `after` (keyset paging). */
  async edgesPage(
    after: Pick<EdgeSnapshot, 'source_id' | 'target_id' | 'type'> | null,
    limit: number,
  ): Promise<EdgeSnapshot[]> {
    let query = this.db
      .selectFrom('graph_edges')
      .select(['source_id', 'target_id', 'type', 'attributes', 'ordinal']);
    if (after) {
      // A row-value comparison walks the primary key from where the last page ended; the
      // equivalent OR of conditions made SQLite scan the table for every page.
      query = query.where(({ eb, refTuple, tuple }) =>
        eb(
          refTuple('source_id', 'target_id', 'type'),
          '>',
          tuple(after.source_id, after.target_id, after.type),
        ),
      );
    }
    return query.orderBy('source_id').orderBy('target_id').orderBy('type').limit(limit).execute();
  }

  /** What identifies the graph's state: changed by every import. */
  async importMarker(): Promise<string> {
    const row = await this.db
      .selectFrom('graph_imports')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('id').as('last')])
      .executeTakeFirstOrThrow();
    return `${Number(row.n)}:${row.last ?? ''}`;
  }

  async insertNodes(rows: readonly NodeRecord[]): Promise<void> {
    const values: unknown[] = [];
    for (const row of rows) for (const column of NODE_COLUMNS) values.push(row[column]);
    await this.insertFlat('graph_nodes', NODE_COLUMNS, values);
  }

  async updateNode(
    id: string,
    values: Omit<NodeRecord, 'id' | 'external_id' | 'kind' | 'created_at'>,
  ): Promise<void> {
    await this.db.updateTable('graph_nodes').set(values).where('id', '=', id).execute();
  }

  /** Edges as flat values: source_id, target_id, type, attributes, ordinal, created_at, updated_at. */
  async insertEdgeValues(values: readonly unknown[]): Promise<void> {
    await this.insertFlat('graph_edges', EDGE_COLUMNS, values);
  }

  async updateEdge(
    key: Pick<EdgeRecord, 'source_id' | 'target_id' | 'type'>,
    values: Pick<EdgeRecord, 'attributes' | 'ordinal' | 'updated_at'>,
  ): Promise<void> {
    await this.db
      .updateTable('graph_edges')
      .set(values)
      .where('source_id', '=', key.source_id)
      .where('target_id', '=', key.target_id)
      .where('type', '=', key.type)
      .execute();
  }

  async deleteEdge(key: Pick<EdgeRecord, 'source_id' | 'target_id' | 'type'>): Promise<void> {
    await this.db
      .deleteFrom('graph_edges')
      .where('source_id', '=', key.source_id)
      .where('target_id', '=', key.target_id)
      .where('type', '=', key.type)
      .execute();
  }

  /** Detach, then delete: the nodes may be each other's parents. Their edges go with them. */
  async deleteNodes(ids: readonly string[]): Promise<void> {
    for (const chunk of chunks(ids, IN_LIST)) {
      await this.db
        .updateTable('graph_nodes')
        .set({ parent_id: null })
        .where(this.oneOf('id', chunk))
        .execute();
    }
    for (const chunk of chunks(ids, IN_LIST)) {
      await this.db.deleteFrom('graph_nodes').where(this.oneOf('id', chunk)).execute();
    }
  }

  async insertImport(row: ImportRecord): Promise<void> {
    await this.db.insertInto('graph_imports').values(row).execute();
  }

  async recentImports(limit: number): Promise<Array<ImportRecord & { user_name: string | null }>> {
    return this.db
      .selectFrom('graph_imports')
      .leftJoin('users', 'users.id', 'graph_imports.user_id')
      .selectAll('graph_imports')
      .select('users.name as user_name')
      .orderBy('graph_imports.created_at', 'desc')
      .orderBy('graph_imports.id', 'desc')
      .limit(limit)
      .execute();
  }

  // ---- Export ----------------------------------------------------------------------------

  async nodesForExport(
    kind: GraphNodeKind,
  ): Promise<Array<NodeRecord & { parent_external_id: string | null }>> {
    return this.db
      .selectFrom('graph_nodes as n')
      .leftJoin('graph_nodes as p', 'p.id', 'n.parent_id')
      .selectAll('n')
      .select('p.external_id as parent_external_id')
      .where('n.kind', '=', kind)
      .orderBy('n.ordinal')
      .orderBy('n.external_id')
      .execute();
  }

  async edgesForExport(): Promise<
    Array<{
      source_external_id: string;
      target_external_id: string;
      type: GraphEdgeType;
      attributes: string;
    }>
  > {
    return this.db
      .selectFrom('graph_edges as e')
      .innerJoin('graph_nodes as s', 's.id', 'e.source_id')
      .innerJoin('graph_nodes as t', 't.id', 'e.target_id')
      .select([
        's.external_id as source_external_id',
        't.external_id as target_external_id',
        'e.type',
        'e.attributes',
      ])
      .orderBy('e.ordinal')
      .orderBy('s.external_id')
      .orderBy('t.external_id')
      .orderBy('e.type')
      .execute();
  }

  // ---- Look-ups --------------------------------------------------------------------------

  async findById(id: string): Promise<NodeRecord | undefined> {
    return this.db.selectFrom('graph_nodes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** By internal id first, else by external id: one statement, both indexes. */
  async findByIdOrExternalId(ref: string): Promise<NodeRecord | undefined> {
    return this.db
      .selectFrom('graph_nodes')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('external_id', '=', ref)]))
      .orderBy(sql`case when id = ${ref} then 0 else 1 end`)
      .limit(1)
      .executeTakeFirst();
  }

  async findManyByExternalId(externalIds: readonly string[]): Promise<NodeRecord[]> {
    const out: NodeRecord[] = [];
    for (const chunk of chunks(externalIds, IN_LIST)) {
      out.push(
        ...(await this.db
          .selectFrom('graph_nodes')
          .selectAll()
          .where(this.oneOf('external_id', chunk))
          .execute()),
      );
    }
    return out;
  }

  async findManyById(ids: readonly string[]): Promise<NodeRecord[]> {
    const out: NodeRecord[] = [];
    for (const chunk of chunks(ids, IN_LIST)) {
      out.push(
        ...(await this.db
          .selectFrom('graph_nodes')
          .selectAll()
          .where(this.oneOf('id', chunk))
          .execute()),
      );
    }
    return out;
  }

  /** Name, external id or description contains the text (case-insensitive); names first. */
  async search(filter: {
    q: string;
    kind?: GraphNodeKind | undefined;
    limit: number;
    offset: number;
  }): Promise<{ rows: NodeRecord[]; total: number }> {
    const pattern = likePattern(filter.q.toLowerCase());
    let query = this.db
      .selectFrom('graph_nodes')
      .where((eb) =>
        eb.or([
          eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`),
          eb(sql`lower(external_id)`, 'like', sql`${pattern} escape '\\'`),
          eb(sql`lower(description)`, 'like', sql`${pattern} escape '\\'`),
        ]),
      );
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy(
          sql`case when lower(name) like ${pattern} escape '\\' then 0 when lower(external_id) like ${pattern} escape '\\' then 1 else 2 end`,
        )
        .orderBy(sql`length(name)`)
        .orderBy('name')
        .orderBy('id')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** Concepts with no parent concept and not part of another concept: the top of the tree. */
  async roots(): Promise<NodeRecord[]> {
    return this.db
      .selectFrom('graph_nodes as n')
      .selectAll('n')
      .where('n.kind', '=', 'concept')
      .where('n.parent_id', 'is', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('graph_edges as e')
              .innerJoin('graph_nodes as t', 't.id', 'e.target_id')
              .select('e.source_id')
              .whereRef('e.source_id', '=', 'n.id')
              .where('e.type', '=', 'part_of')
              .where('t.kind', '=', 'concept'),
          ),
        ),
      )
      .orderBy('n.ordinal')
      .orderBy('n.name')
      .execute();
  }

  /** Direct children: nodes whose parent is the node, and nodes part_of it. */
  async children(id: string): Promise<NodeRecord[]> {
    return this.db
      .selectFrom('graph_nodes as n')
      .selectAll('n')
      .where((eb) =>
        eb.or([
          eb('n.parent_id', '=', id),
          eb(
            'n.id',
            'in',
            eb
              .selectFrom('graph_edges')
              .select('source_id')
              .where('target_id', '=', id)
              .where('type', '=', 'part_of'),
          ),
        ]),
      )
      .orderBy('n.kind')
      .orderBy('n.ordinal')
      .orderBy('n.name')
      .execute();
  }

  /** How many direct children each node has (for tree toggles). */
  async childCounts(ids: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const chunk of chunks(ids, IN_LIST)) {
      const rows = await sql<{ id: string; n: number }>`
        select c.parent as id, count(distinct c.child) as n from (
          select parent_id as parent, id as child from graph_nodes where ${this.oneOf('parent_id', chunk)}
          union all
          select target_id as parent, source_id as child from graph_edges
          where type = 'part_of' and ${this.oneOf('target_id', chunk)}
        ) c group by c.parent
      `.execute(this.db);
      for (const row of rows.rows) counts.set(row.id, Number(row.n));
    }
    return counts;
  }

  /** Edges into or out of the given nodes. */
  async edgesTouching(ids: readonly string[]): Promise<EdgeRecord[]> {
    const out: EdgeRecord[] = [];
    for (const chunk of chunks(ids, IN_LIST)) {
      out.push(
        ...(await this.db
          .selectFrom('graph_edges')
          .selectAll()
          .where((eb) => eb.or([this.oneOf('source_id', chunk), this.oneOf('target_id', chunk)]))
          .execute()),
      );
    }
    return out;
  }

  // ---- Traversals ---------------------------------------------------------------------------

  /** Every prerequisite edge as [source, target], a page at a time (for the in-memory index). */
  async *prerequisitePages(size: number): AsyncGenerator<Array<[string, string]>> {
    let after: { source_id: string; target_id: string } | undefined;
    for (;;) {
      let query = this.db
        .selectFrom('graph_edges')
        .select(['source_id', 'target_id'])
        .where('type', '=', 'prerequisite');
      if (after) {
        const { source_id, target_id } = after;
        query = query.where(({ eb, refTuple, tuple }) =>
          eb(refTuple('source_id', 'target_id'), '>', tuple(source_id, target_id)),
        );
      }
      const rows = await query.orderBy('source_id').orderBy('target_id').limit(size).execute();
      yield rows.map((r): [string, string] => [r.source_id, r.target_id]);
      if (rows.length < size) return;
      after = rows[rows.length - 1];
    }
  }

  /** Refresh the planner's statistics after a bulk change (PostgreSQL; SQLite needs none). */
  async analyze(): Promise<void> {
    if (this.dialect === 'postgres') await sql`analyze graph_nodes, graph_edges`.execute(this.db);
  }

  /**
   * One level down the hierarchy: the children of the nodes (parent links and part_of edges).
   * Walked level by level by the service: a recursive CTE over the union of both relations
   * cannot use their indexes on SQLite.
   */
  async childLinks(ids: readonly string[]): Promise<Array<{ parent: string; child: string }>> {
    const out: Array<{ parent: string; child: string }> = [];
    for (const chunk of chunks(ids, IN_LIST)) {
      const byParent = await this.db
        .selectFrom('graph_nodes')
        .select(['parent_id', 'id'])
        .where(this.oneOf('parent_id', chunk))
        .execute();
      for (const r of byParent) if (r.parent_id) out.push({ parent: r.parent_id, child: r.id });
      const byEdge = await this.db
        .selectFrom('graph_edges')
        .select(['target_id', 'source_id'])
        .where(this.oneOf('target_id', chunk))
        .where('type', '=', 'part_of')
        .execute();
      for (const r of byEdge) out.push({ parent: r.target_id, child: r.source_id });
    }
    return out;
  }

  async counts(): Promise<{ concepts: number; skills: number; edges: number }> {
    const nodes = await this.db
      .selectFrom('graph_nodes')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('kind')
      .execute();
    const edges = await this.db
      .selectFrom('graph_edges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const of = (kind: GraphNodeKind) => Number(nodes.find((r) => r.kind === kind)?.n ?? 0);
    return { concepts: of('concept'), skills: of('skill'), edges: Number(edges.n) };
  }
}
