// The knowledge graph: look-ups, traversals (transitive prerequisites and dependents, paths,
// topological order, subtrees, neighbourhoods), import and export. Other modules use the graph
// only through this service, by internal node id (stable across re-imports).
import type { Kysely } from 'kysely';
import type { Dialect } from '../../infra/db/database.ts';
import type { Database, GraphEdgeType, GraphNodeKind } from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { edgesToCsv, nodesToCsv } from './graph-csv.ts';
import {
  importGraph,
  type GraphSources,
  type ImportOptions,
  type ImportOutcome,
} from './graph-import.ts';
import { GraphStore, type NodeAtDepth, type NodeRecord } from './graph-store.ts';
import { PrerequisiteIndexCache, type PrerequisiteIndex } from './prerequisite-index.ts';

/** A node as lists show it. */
export interface NodeSummary {
  id: string;
  externalId: string;
  kind: GraphNodeKind;
  name: string;
  subject: string | null;
  level: string | null;
}

/** A node with everything it holds. */
export interface NodeView extends NodeSummary {
  description: string;
  parentId: string | null;
  attributes: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export type NodeWithDepth = NodeSummary & { depth: number };

export interface NodeDetail {
  node: NodeView;
  /** The parent concept (concepts) or the concept (skills). */
  parent: NodeSummary | null;
  /** Concepts it is part_of by edges (beside its parent). */
  partOf: NodeSummary[];
  children: NodeSummary[];
  /** Direct prerequisites and dependents (one step). */
  prerequisites: NodeSummary[];
  dependents: NodeSummary[];
  /** Hierarchy from the top concept down to the parent. */
  breadcrumbs: NodeSummary[];
}

export interface NeighbourhoodEdge {
  source: string;
  target: string;
  type: GraphEdgeType;
}

export interface Neighbourhood {
  center: string;
  nodes: Array<NodeSummary & { distance: number }>;
  edges: NeighbourhoodEdge[];
  truncated: boolean;
}

export interface GraphStats {
  concepts: number;
  skills: number;
  edges: number;
  lastImport: { id: string; createdAt: string; source: string; userName: string | null } | null;
}

export interface ImportLogEntry {
  id: string;
  createdAt: string;
  source: string;
  pruned: boolean;
  userName: string | null;
  summary: unknown;
}

/** Longest walks: the graph is validated acyclic, this only bounds hostile requests. */
export const MAX_DEPTH = 100;
export const MAX_SET = 1000;

export function toSummary(row: NodeRecord): NodeSummary {
  return {
    id: row.id,
    externalId: row.external_id,
    kind: row.kind,
    name: row.name,
    subject: row.subject,
    level: row.level,
  };
}

export function toView(row: NodeRecord): NodeView {
  return {
    ...toSummary(row),
    description: row.description,
    parentId: row.parent_id,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function withDepth(row: NodeAtDepth): NodeWithDepth {
  return { ...toSummary(row), depth: row.depth };
}

const byName = (a: NodeRecord, b: NodeRecord) =>
  a.kind.localeCompare(b.kind) || a.ordinal - b.ordinal || a.name.localeCompare(b.name);

/** A small binary min-heap of numbers (topological order picks the lowest priority first). */
class MinHeap {
  private readonly items: number[] = [];
  constructor(private readonly less: (a: number, b: number) => boolean) {}
  get size() {
    return this.items.length;
  }
  push(value: number): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i] ?? 0, a[p] ?? 0)) break;
      [a[i], a[p]] = [a[p] ?? 0, a[i] ?? 0];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0] ?? 0;
    const last = a.pop() ?? 0;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l] ?? 0, a[m] ?? 0)) m = l;
        if (r < a.length && this.less(a[r] ?? 0, a[m] ?? 0)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] ?? 0, a[i] ?? 0];
        i = m;
      }
    }
    return top;
  }
}

export interface GraphServiceDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
}

export class GraphService {
  private readonly store: GraphStore;
  private readonly prerequisiteIndex: PrerequisiteIndexCache;

  constructor(private readonly deps: GraphServiceDeps) {
    this.store = new GraphStore(deps.db, deps.dialect);
    this.prerequisiteIndex = new PrerequisiteIndexCache(this.store);
  }

  // ---- Import and export -------------------------------------------------------------------

  /** Check the three files and import them when nothing is wrong (see graph-import.ts). */
  async importFiles(sources: GraphSources, options: ImportOptions): Promise<ImportOutcome> {
    return importGraph(
      { ...this.deps, onImported: () => this.prerequisiteIndex.invalidate() },
      sources,
      options,
    );
  }

  /** The graph as the three CSV files (same columns and row order as imported). */
  async exportCsv(): Promise<{ concept: string; skill: string; edges: string }> {
    const toExport = (rows: Awaited<ReturnType<GraphStore['nodesForExport']>>) =>
      rows.map((r) => ({
        externalId: r.external_id,
        name: r.name,
        description: r.description,
        parentExternalId: r.parent_external_id,
        subject: r.subject,
        level: r.level,
        attributes: r.attributes,
      }));
    const concept = nodesToCsv('concept', toExport(await this.store.nodesForExport('concept')));
    const skill = nodesToCsv('skill', toExport(await this.store.nodesForExport('skill')));
    const edges = edgesToCsv(
      (await this.store.edgesForExport()).map((e) => ({
        sourceExternalId: e.source_external_id,
        targetExternalId: e.target_external_id,
        type: e.type,
        attributes: e.attributes,
      })),
    );
    return { concept, skill, edges };
  }

  async stats(): Promise<GraphStats> {
    const counts = await this.store.counts();
    const [last] = await this.store.recentImports(1);
    return {
      ...counts,
      lastImport: last
        ? { id: last.id, createdAt: last.created_at, source: last.source, userName: last.user_name }
        : null,
    };
  }

  async recentImports(limit = 20): Promise<ImportLogEntry[]> {
    return (await this.store.recentImports(limit)).map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      source: r.source,
      pruned: r.pruned === 1,
      userName: r.user_name,
      summary: JSON.parse(r.summary) as unknown,
    }));
  }

  // ---- Look-ups ----------------------------------------------------------------------------

  /** A node by internal id or, failing that, by external id. */
  async findNode(ref: string): Promise<NodeRecord | undefined> {
    return this.store.findByIdOrExternalId(ref);
  }

  async requireNode(ref: string): Promise<NodeRecord> {
    const node = await this.findNode(ref);
    if (!node) {
      throw new NotFoundError(`There is no node "${ref}" in the graph.`, 'GRAPH_NODE_NOT_FOUND');
    }
    return node;
  }

  async getNode(ref: string): Promise<NodeView> {
    return toView(await this.requireNode(ref));
  }

  /** Nodes by external id, for other modules (e.g. question tags from a CSV). Missing ones are left out. */
  async nodesByExternalId(externalIds: readonly string[]): Promise<Map<string, NodeSummary>> {
    const rows = await this.store.findManyByExternalId([...new Set(externalIds)]);
    return new Map(rows.map((r) => [r.external_id, toSummary(r)]));
  }

  async nodesById(ids: readonly string[]): Promise<Map<string, NodeSummary>> {
    const rows = await this.store.findManyById([...new Set(ids)]);
    return new Map(rows.map((r) => [r.id, toSummary(r)]));
  }

  async detail(ref: string): Promise<NodeDetail> {
    const row = await this.requireNode(ref);
    const [edges, children, breadcrumbs] = await Promise.all([
      this.store.edgesTouching([row.id]),
      this.store.children(row.id),
      this.ancestorsInHierarchy(row),
    ]);
    const neighbourIds = edges.map((e) => (e.source_id === row.id ? e.target_id : e.source_id));
    const neighbours = await this.store.findManyById([...new Set(neighbourIds)]);
    const byId = new Map(neighbours.map((n) => [n.id, n]));
    const pick = (filter: (e: (typeof edges)[number]) => boolean, end: 'source' | 'target') =>
      edges
        .filter(filter)
        .map((e) => byId.get(end === 'source' ? e.source_id : e.target_id))
        .filter((n): n is NodeRecord => n !== undefined)
        .sort(byName)
        .map(toSummary);
    return {
      node: toView(row),
      parent: breadcrumbs.at(-1) ?? null,
      partOf: pick((e) => e.type === 'part_of' && e.source_id === row.id, 'target'),
      children: children.map(toSummary),
      prerequisites: pick((e) => e.type === 'prerequisite' && e.target_id === row.id, 'source'),
      dependents: pick((e) => e.type === 'prerequisite' && e.source_id === row.id, 'target'),
      breadcrumbs,
    };
  }

  /** Parent chain, top first (parent_id links only; bounded against bad data). */
  private async ancestorsInHierarchy(row: NodeRecord): Promise<NodeSummary[]> {
    const chain: NodeSummary[] = [];
    const seen = new Set([row.id]);
    let parentId = row.parent_id;
    while (parentId && !seen.has(parentId) && chain.length < MAX_DEPTH) {
      seen.add(parentId);
      const parent = await this.store.findById(parentId);
      if (!parent) break;
      chain.push(toSummary(parent));
      parentId = parent.parent_id;
    }
    return chain.reverse();
  }

  async search(filter: {
    q: string;
    kind?: GraphNodeKind | undefined;
    limit: number;
    offset: number;
  }): Promise<{ nodes: NodeSummary[]; total: number }> {
    const { rows, total } = await this.store.search(filter);
    return { nodes: rows.map(toSummary), total };
  }

  /** Top concepts with how many children each has. */
  async roots(): Promise<Array<NodeSummary & { childCount: number }>> {
    return this.withChildCounts(await this.store.roots());
  }

  async children(ref: string): Promise<Array<NodeSummary & { childCount: number }>> {
    const node = await this.requireNode(ref);
    return this.withChildCounts(await this.store.children(node.id));
  }

  private async withChildCounts(rows: NodeRecord[]) {
    const counts = await this.store.childCounts(
      rows.filter((r) => r.kind === 'concept').map((r) => r.id),
    );
    return rows.map((r) => ({ ...toSummary(r), childCount: counts.get(r.id) ?? 0 }));
  }

  // ---- Traversals --------------------------------------------------------------------------

  /** Everything the node needs, transitively, with the shortest distance (1 = direct). */
  async prerequisites(ref: string, maxDepth = MAX_DEPTH): Promise<NodeWithDepth[]> {
    return (await this.traversal(ref, 'backward', maxDepth)).nodes;
  }

  /** Everything that needs the node, transitively. */
  async dependents(ref: string, maxDepth = MAX_DEPTH): Promise<NodeWithDepth[]> {
    return (await this.traversal(ref, 'forward', maxDepth)).nodes;
  }

  /**
   * The node and its transitive prerequisites (backward) or dependents (forward). The node and
   * the index's freshness are looked up side by side: on PostgreSQL each is a round trip, and
   * this is the query the graph answers most.
   */
  async traversal(
    ref: string,
    direction: 'backward' | 'forward',
    maxDepth = MAX_DEPTH,
  ): Promise<{ node: NodeSummary; nodes: NodeWithDepth[] }> {
    const [node, index] = await Promise.all([this.requireNode(ref), this.prerequisiteIndex.get()]);
    const rows = await this.walkRows(index, [node.id], direction, maxDepth);
    return { node: toSummary(node), nodes: rows.map(withDepth) };
  }

  /** Internal-id form for other modules: transitive prerequisites of several nodes at once. */
  async prerequisiteIds(
    ids: readonly string[],
    direction: 'backward' | 'forward',
    maxDepth = MAX_DEPTH,
  ): Promise<NodeAtDepth[]> {
    if (ids.length === 0) return [];
    return this.walkRows(await this.prerequisiteIndex.get(), ids, direction, maxDepth);
  }

  /** Direct prerequisite edges [prerequisite, dependent] among the given nodes (internal ids). */
  async prerequisiteEdgesAmong(ids: readonly string[]): Promise<Array<[string, string]>> {
    if (ids.length === 0) return [];
    return (await this.prerequisiteIndex.get()).edgesWithin(ids);
  }

  private async walkRows(
    index: PrerequisiteIndex,
    ids: readonly string[],
    direction: 'backward' | 'forward',
    maxDepth: number,
  ): Promise<NodeAtDepth[]> {
    const depth = index.walk(ids, direction, Math.min(maxDepth, MAX_DEPTH));
    if (depth.size === 0) return [];
    const rows = await this.store.findManyById([...depth.keys()]);
    return rows
      .map((r) => ({ ...r, depth: depth.get(r.id) ?? 0 }))
      .sort(
        (a, b) => a.depth - b.depth || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
      );
  }

  /**
   * The shortest chain of prerequisites between two nodes: from `from` onwards to `to` when
   * `from` is (transitively) needed for `to`, else from `to` to `from`; null when neither.
   */
  async path(
    fromRef: string,
    toRef: string,
  ): Promise<{ direction: 'forward' | 'backward'; nodes: NodeSummary[] } | null> {
    const from = await this.requireNode(fromRef);
    const to = await this.requireNode(toRef);
    if (from.id === to.id) return { direction: 'forward', nodes: [toSummary(from)] };
    const forward = await this.shortestChain(from.id, to.id);
    if (forward) return { direction: 'forward', nodes: await this.summaries(forward) };
    const backward = await this.shortestChain(to.id, from.id);
    if (backward) return { direction: 'backward', nodes: await this.summaries(backward) };
    return null;
  }

  private async summaries(ids: string[]): Promise<NodeSummary[]> {
    const byId = await this.nodesById(ids);
    return ids.map((id) => byId.get(id)).filter((n): n is NodeSummary => n !== undefined);
  }

  /** The shortest chain of prerequisite edges from `start` (needed first) to `goal`. */
  private async shortestChain(start: string, goal: string): Promise<string[] | null> {
    return (await this.prerequisiteIndex.get()).chain(start, goal);
  }

  /**
   * The nodes in an order where every prerequisite comes before what needs it, counting chains
   * that pass through nodes outside the set. Ties keep the order they were given in. `stage`
   * counts the set's own nodes that must come before (0 = can start now).
   */
  async topologicalOrder(refs: readonly string[]): Promise<Array<NodeSummary & { stage: number }>> {
    if (refs.length > MAX_SET) {
      throw new ValidationError(`At most ${MAX_SET} nodes can be ordered at once.`, [
        { path: 'ids', message: `at most ${MAX_SET}` },
      ]);
    }
    // Two queries for the whole set (by internal id, then by external id), not one per node;
    // an internal id wins, as in findNode.
    const unique = [...new Set(refs)];
    const foundById = new Map((await this.store.findManyById(unique)).map((r) => [r.id, r]));
    const rest = unique.filter((ref) => !foundById.has(ref));
    const byExternal = new Map(
      (await this.store.findManyByExternalId(rest)).map((r) => [r.external_id, r]),
    );
    const rows: NodeRecord[] = [];
    const missing: string[] = [];
    for (const ref of refs) {
      const row = foundById.get(ref) ?? byExternal.get(ref);
      if (row) rows.push(row);
      else if (!missing.includes(ref)) missing.push(ref);
    }
    if (missing.length > 0) {
      throw new NotFoundError(
        `Not in the graph: ${missing
          .slice(0, 20)
          .map((m) => `"${m}"`)
          .join(', ')}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''}.`,
        'GRAPH_NODE_NOT_FOUND',
      );
    }
    const position = new Map<string, number>();
    for (const row of rows) if (!position.has(row.id)) position.set(row.id, position.size);
    const members = [...position.keys()];
    const prerequisites = await this.prerequisiteIndex.get();
    const ancestors = prerequisites.walk(members, 'backward', MAX_DEPTH);
    const all = [...new Set([...members, ...ancestors.keys()])];
    const index = new Map(all.map((id, i) => [id, i]));
    const edges = prerequisites.edgesWithin(all);
    const out: number[][] = all.map(() => []);
    const indegree = new Int32Array(all.length);
    for (const [s, t] of edges) {
      const si = index.get(s);
      const ti = index.get(t);
      if (si === undefined || ti === undefined) continue;
      out[si]?.push(ti);
      indegree[ti] = (indegree[ti] ?? 0) + 1;
    }
    // Outside nodes first (they are invisible), then members in the order given.
    const priority = (i: number) => position.get(all[i] ?? '') ?? -1;
    const heap = new MinHeap(
      (a, b) => priority(a) - priority(b) < 0 || (priority(a) === priority(b) && a < b),
    );
    for (let i = 0; i < all.length; i++) if (indegree[i] === 0) heap.push(i);
    const stage = new Int32Array(all.length);
    const ordered: Array<{ id: string; stage: number }> = [];
    while (heap.size > 0) {
      const i = heap.pop();
      const id = all[i] ?? '';
      const isMember = position.has(id);
      if (isMember) ordered.push({ id, stage: stage[i] ?? 0 });
      for (const j of out[i] ?? []) {
        stage[j] = Math.max(stage[j] ?? 0, (stage[i] ?? 0) + (isMember ? 1 : 0));
        indegree[j] = (indegree[j] ?? 0) - 1;
        if (indegree[j] === 0) heap.push(j);
      }
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ordered.map(({ id, stage: s }) => {
      const row = byId.get(id);
      if (!row) throw new Error(`node ${id} vanished from the ordered set`);
      return { ...toSummary(row), stage: s };
    });
  }

  /** The concept's descendants (child concepts and skills, by parent and part_of), level by level. */
  async subtree(
    ref: string,
    maxDepth = MAX_DEPTH,
    limit = 5000,
  ): Promise<{
    root: NodeSummary;
    nodes: Array<NodeWithDepth & { parentId: string }>;
    truncated: boolean;
  }> {
    const root = await this.requireNode(ref);
    const reached = new Map<string, { parentId: string; depth: number }>();
    let frontier = [root.id];
    let truncated = false;
    for (let depth = 1; depth <= Math.min(maxDepth, MAX_DEPTH) && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const { parent, child } of await this.store.childLinks(frontier)) {
        if (child === root.id || reached.has(child)) continue;
        if (reached.size >= limit) {
          truncated = true;
          break;
        }
        reached.set(child, { parentId: parent, depth });
        next.push(child);
      }
      if (truncated) break;
      frontier = next;
    }
    const rows = await this.store.findManyById([...reached.keys()]);
    rows.sort(
      (a, b) => (reached.get(a.id)?.depth ?? 0) - (reached.get(b.id)?.depth ?? 0) || byName(a, b),
    );
    return {
      root: toSummary(root),
      nodes: rows.map((r) => ({
        ...toSummary(r),
        depth: reached.get(r.id)?.depth ?? 0,
        parentId: reached.get(r.id)?.parentId ?? root.id,
      })),
      truncated,
    };
  }

  /** Ids of a concept and everything under it (for "questions in this subtopic"). */
  async subtreeIds(conceptId: string): Promise<string[]> {
    const { root, nodes } = await this.subtree(conceptId, MAX_DEPTH, 100_000);
    return [root.id, ...nodes.map((n) => n.id)];
  }

  /**
   * Every node with its description and parent, read a page at a time: what other modules build
   * their own indexes from (e.g. the question tagger).
   */
  async allNodesWithText(): Promise<
    Array<NodeSummary & { description: string; parentId: string | null }>
  > {
    const nodes: Array<NodeSummary & { description: string; parentId: string | null }> = [];
    for await (const page of this.store.nodePages(2000)) {
      for (const row of page) {
        nodes.push({
          id: row.id,
          externalId: row.external_id,
          kind: row.kind,
          name: row.name,
          subject: row.subject,
          level: row.level,
          description: row.description,
          parentId: row.parent_id,
        });
      }
    }
    return nodes;
  }

  /**
   * The node and what is around it within `radius` steps over any link (prerequisites both
   * ways, part_of, parent), at most `limit` nodes: what the graph view draws.
   */
  async neighbourhood(ref: string, radius = 1, limit = 60): Promise<Neighbourhood> {
    const center = await this.requireNode(ref);
    const distance = new Map<string, number>([[center.id, 0]]);
    const edgeMap = new Map<string, NeighbourhoodEdge>();
    const rows = new Map<string, NodeRecord>([[center.id, center]]);
    let frontier = [center.id];
    let truncated = false;
    for (let d = 1; d <= radius && frontier.length > 0 && !truncated; d++) {
      const links: NeighbourhoodEdge[] = [];
      for (const e of await this.store.edgesTouching(frontier)) {
        links.push({ source: e.source_id, target: e.target_id, type: e.type });
      }
      const frontierRows = await this.store.findManyById(frontier);
      for (const r of frontierRows) {
        if (r.parent_id) links.push({ source: r.id, target: r.parent_id, type: 'part_of' });
      }
      for (const { parent, child } of await this.store.childLinks(frontier)) {
        links.push({ source: child, target: parent, type: 'part_of' });
      }
      // Prerequisites and dependents first: they are what the view is for.
      links.sort((a, b) => (a.type === b.type ? 0 : a.type === 'prerequisite' ? -1 : 1));
      const next: string[] = [];
      for (const link of links) {
        for (const end of [link.source, link.target]) {
          if (distance.has(end)) continue;
          if (distance.size >= limit) {
            truncated = true;
            continue;
          }
          distance.set(end, d);
          next.push(end);
        }
        if (distance.has(link.source) && distance.has(link.target)) {
          edgeMap.set(`${link.source}\t${link.target}\t${link.type}`, link);
        }
      }
      for (const r of await this.store.findManyById(next)) rows.set(r.id, r);
      frontier = next;
    }
    // Links among the outer ring too, so the drawing shows how they relate.
    const ids = [...distance.keys()];
    for (const e of await this.store.edgesTouching(frontier)) {
      if (distance.has(e.source_id) && distance.has(e.target_id)) {
        edgeMap.set(`${e.source_id}\t${e.target_id}\t${e.type}`, {
          source: e.source_id,
          target: e.target_id,
          type: e.type,
        });
      }
    }
    for (const r of rows.values()) {
      if (r.parent_id && distance.has(r.parent_id)) {
        edgeMap.set(`${r.id}\t${r.parent_id}\tpart_of`, {
          source: r.id,
          target: r.parent_id,
          type: 'part_of',
        });
      }
    }
    return {
      center: center.id,
      nodes: ids
        .map((id) => rows.get(id))
        .filter((r): r is NodeRecord => r !== undefined)
        .map((r) => ({ ...toSummary(r), distance: distance.get(r.id) ?? 0 })),
      edges: [...edgeMap.values()],
      truncated,
    };
  }
}
