// Import of the three graph CSV files: read them (streaming), check everything, and only when
// nothing is wrong write the differences to the graph in one transaction.
//
// Re-importing policy: a node or edge is identified by its external id(s) (and type). Rows that
// did not change are left alone (an identical re-import writes nothing but its log row); changed
// rows are updated in place, so internal ids, and whatever other modules attach to them, stay.
// Nodes and edges that are in the graph but not in the files are KEPT by default; with `prune`
// they are removed (refused when another module still uses a node). In the default mode the
// files may refer to nodes already in the graph, and the checks (kinds, cycles) run on the graph
// as it will be after the import.
import type { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../infra/db/database.ts';
import type { Database, GraphEdgeType, GraphNodeKind } from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, ConflictError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import {
  GRAPH_FILES,
  readEdgeFile,
  readNodeFile,
  type EdgeRow,
  type GraphFileName,
  type ImportProblem,
  type NodeRow,
} from './graph-csv.ts';
import { GraphStore, type EdgeSnapshot, type ImportNode, type NodeRecord } from './graph-store.ts';
import { createHash } from 'node:crypto';

export type GraphFileKey = 'concept' | 'skill' | 'edges';

export interface GraphSource {
  /** Opens the file for reading; called once. */
  open(): Promise<Readable>;
  /** Its size in bytes when known (progress). */
  size?: number | undefined;
}

export type GraphSources = Record<GraphFileKey, GraphSource>;

export interface ImportProgress {
  phase: 'reading' | 'checking' | 'writing';
  /** 0-100 over the whole import. */
  percent: number;
  message: string;
}

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
}

export interface ImportSummary {
  /** Rows in the files. */
  concepts: number;
  skills: number;
  edges: number;
  nodeChanges: ImportCounts;
  edgeChanges: ImportCounts;
  pruned: boolean;
}

export type ImportOutcome =
  | { status: 'imported'; importId: string; summary: ImportSummary }
  | { status: 'rejected'; problemCount: number; problems: ImportProblem[] };

export interface ImportOptions {
  prune?: boolean;
  userId?: string | null;
  source: 'cli' | 'upload' | 'seed';
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface ImportDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  /** Called after a successful import (cache invalidation). */
  onImported?: () => void;
}

/** The report lists at most this many problems (the count says how many there were). */
export const MAX_REPORTED_PROBLEMS = 1000;

const READ_SHARE = 55;
const CHECK_SHARE = 10;
const WRITE_CHUNK = 2_000;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const ANALYZE_AFTER = 1_000;

type NodeUpdate = Parameters<GraphStore['updateNode']>[1];

/** Where a node or link comes from: a file line, or the graph as it is (null). */
type Origin = { file: GraphFileName; line: number } | null;

const PREREQUISITE = 0;
const PART_OF = 1;
const typeCode = (type: GraphEdgeType) => (type === 'prerequisite' ? PREREQUISITE : PART_OF);
const nodeFile = (kind: GraphNodeKind) =>
  kind === 'concept' ? GRAPH_FILES.concept : GRAPH_FILES.skill;

/**
 * Every node the graph will hold after the import, by a dense index: the files' nodes and, when
 * keeping, the graph's other nodes. Parallel arrays rather than an object per node, because a
 * big graph has a hundred thousand of them and the import must stay well under 500 MB.
 */
class Universe {
  readonly externalIds: string[] = [];
  readonly kinds: GraphNodeKind[] = [];
  /** The node's row in the files (index into fileNodes), or -1 for a node only in the graph. */
  readonly fileRows: number[] = [];
  readonly parentExternalIds: Array<string | null> = [];
  private readonly indexes = new Map<string, number>();

  get size(): number {
    return this.externalIds.length;
  }

  find(externalId: string): number | undefined {
    return this.indexes.get(externalId);
  }

  set(
    externalId: string,
    kind: GraphNodeKind,
    parentExternalId: string | null,
    fileRow: number,
  ): number {
    const known = this.indexes.get(externalId);
    if (known !== undefined) {
      this.kinds[known] = kind;
      this.parentExternalIds[known] = parentExternalId;
      this.fileRows[known] = fileRow;
      return known;
    }
    const index = this.externalIds.length;
    this.indexes.set(externalId, index);
    this.externalIds.push(externalId);
    this.kinds.push(kind);
    this.parentExternalIds.push(parentExternalId);
    this.fileRows.push(fileRow);
    return index;
  }
}

/** Links between universe indexes, as parallel arrays; `ref` says where each came from. */
/** A growable list of 32-bit integers: half the memory of a number[] and no boxing. */
class IntList {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  get(i: number): number {
    return this.data[i] ?? 0;
  }
}

class LinkList {
  readonly sources = new IntList();
  readonly targets = new IntList();
  readonly types = new IntList();
  readonly refs = new IntList();

  get length(): number {
    return this.sources.length;
  }

  push(source: number, target: number, type: number, ref: number): void {
    this.sources.push(source);
    this.targets.push(target);
    this.types.push(type);
    this.refs.push(ref);
  }
}

/** The graph's edges between universe nodes, loaded a page at a time. */
interface GraphEdges {
  links: LinkList;
  attributes: string[];
  ordinals: IntList;
  /** Edges with an end outside the universe (their node is pruned; they go with it). */
  outside: number;
}

function describeOrigins(origins: Origin[]): string {
  const byFile = new Map<string, number[]>();
  let existing = 0;
  for (const o of origins) {
    if (!o) existing++;
    else byFile.set(o.file, [...(byFile.get(o.file) ?? []), o.line]);
  }
  const parts = [...byFile].map(
    ([file, lines]) => `${file} line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}`,
  );
  if (existing > 0) {
    parts.push(
      existing === 1 ? 'a link already in the graph' : `${existing} links already in the graph`,
    );
  }
  return parts.join('; ');
}

/**
 * Strongly connected components with more than one node (iterative Tarjan), each as a list of
 * node indexes. Adjacency in compressed form: the targets of node i are adj[start[i]..start[i+1]).
 */
export function cyclicComponents(n: number, start: Int32Array, adj: Int32Array): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = start[root] ?? 0;
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callNode[depth] ?? 0;
      const e = callEdge[depth] ?? 0;
      if (e < (start[v + 1] ?? 0)) {
        callEdge[depth] = e + 1;
        const w = adj[e] ?? 0;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          depth++;
          callNode[depth] = w;
          callEdge[depth] = start[w] ?? 0;
        } else if (onStack[w]) {
          low[v] = Math.min(low[v] ?? 0, index[w] ?? 0);
        }
        continue;
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() ?? -1;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        if (component.length > 1) out.push(component);
      }
      depth--;
      if (depth >= 0) {
        const parent = callNode[depth] ?? 0;
        low[parent] = Math.min(low[parent] ?? 0, low[v] ?? 0);
      }
    }
  }
  return out;
}

/** Compressed adjacency of the directed links from[i] -> to[i] between n nodes. */
export function compress(n: number, from: readonly number[], to: readonly number[]) {
  const start = new Int32Array(n + 1);
  for (const f of from) start[f + 1] = (start[f + 1] ?? 0) + 1;
  for (let i = 0; i < n; i++) start[i + 1] = (start[i + 1] ?? 0) + (start[i] ?? 0);
  const fill = start.slice(0, n);
  const adj = new Int32Array(from.length);
  for (let i = 0; i < from.length; i++) {
    const f = from[i] ?? 0;
    adj[(fill[f] = (fill[f] ?? 0) + 1) - 1] = to[i] ?? 0;
  }
  return { start, adj };
}

/** One shortest cycle through `from` inside its component: [from, ..., from]. */
function cycleThrough(
  from: number,
  component: ReadonlySet<number>,
  start: Int32Array,
  adj: Int32Array,
): number[] {
  const previous = new Map<number, number>();
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head] ?? 0;
    for (let e = start[v] ?? 0; e < (start[v + 1] ?? 0); e++) {
      const w = adj[e] ?? 0;
      if (!component.has(w)) continue;
      if (w === from) {
        const path = [from];
        for (let at = v; at !== from; at = previous.get(at) ?? from) path.push(at);
        path.push(from);
        return path.reverse();
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [from, from];
}

function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Edges of edges.csv that passed the row checks, as parallel arrays. */
class FileEdges extends LinkList {
  readonly lines = new IntList();
  readonly ordinals = new IntList();
  /** Extra columns by entry, only where there are any (most edges have none). */
  readonly attributes = new Map<number, string>();
  /** 0 once an entry turns out to repeat an earlier one. */
  valid = new Uint8Array(0);

  add(source: number, target: number, type: number, edge: EdgeRow): void {
    if (edge.attributes !== '{}') this.attributes.set(this.length, edge.attributes);
    this.push(source, target, type, this.length);
    this.lines.push(edge.line);
    this.ordinals.push(edge.ordinal);
  }

  attributesOf(i: number): string {
    return this.attributes.get(i) ?? '{}';
  }
}

/**
 * Numeric link keys sorted once, for duplicate detection and look-ups by binary search: far
 * smaller than a Map of hundreds of thousands of keys.
 */
class KeyIndex {
  private readonly keys: Float64Array;
  private readonly order: Int32Array;

  constructor(count: number, keyAt: (i: number) => number) {
    const keys = new Float64Array(count);
    for (let i = 0; i < count; i++) keys[i] = keyAt(i);
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    order.sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0) || a - b);
    this.keys = keys;
    this.order = order;
  }

  /** The first entry (in input order) with this key, or -1. */
  find(key: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.keys[this.order[mid] ?? 0] ?? 0) < key) lo = mid + 1;
      else hi = mid;
    }
    const at = this.order[lo];
    return at !== undefined && this.keys[at] === key ? at : -1;
  }

  /** Entries repeating the key of an earlier entry, with that first entry. */
  *duplicates(): Generator<{ entry: number; first: number }> {
    let first = -1;
    for (let k = 0; k < this.order.length; k++) {
      const entry = this.order[k] ?? 0;
      const previous = k > 0 ? this.order[k - 1] : undefined;
      if (previous !== undefined && this.keys[previous] === this.keys[entry]) {
        yield { entry, first };
      } else {
        first = entry;
      }
    }
  }
}

const EDGE_PAGE = 10_000;
const NODE_PAGE = 10_000;

/** A node of the graph as an import needs it: its content reduced to a digest. */
interface ExistingNode {
  id: string;
  external_id: string;
  kind: GraphNodeKind;
  parent_id: string | null;
  fingerprint: string;
}

/**
 * A digest of what a node row says besides its ids and parent, to tell a changed row from an
 * unchanged one without keeping a second copy of every name and description in memory.
 */
function fingerprint(
  row: Pick<ImportNode, 'name' | 'description' | 'subject' | 'level' | 'attributes' | 'ordinal'>,
): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        row.name,
        row.description,
        row.subject,
        row.level,
        row.attributes,
        row.ordinal,
      ]),
    )
    .digest('base64');
}

/** Check the files and, when nothing is wrong, bring the graph in line with them. */
export async function importGraph(
  deps: ImportDeps,
  sources: GraphSources,
  options: ImportOptions,
): Promise<ImportOutcome> {
  const prune = options.prune === true;
  const report = (p: ImportProgress) => options.onProgress?.(p);
  const problems: ImportProblem[] = [];
  const store = new GraphStore(deps.db, deps.dialect);

  // ---- Progress while reading: bytes of the three files ----
  const sizes = Object.values(sources).map((s) => s.size);
  const totalBytes = sizes.every((s) => s !== undefined)
    ? sizes.reduce((a, b) => a + (b ?? 0), 0)
    : 0;
  let readBytes = 0;
  let lastPercent = -1;
  const onBytes = (bytes: number) => {
    readBytes += bytes;
    if (totalBytes <= 0) return;
    const percent = Math.min(READ_SHARE, Math.floor((readBytes / totalBytes) * READ_SHARE));
    if (percent !== lastPercent) {
      lastPercent = percent;
      report({ phase: 'reading', percent, message: 'Reading the files' });
    }
  };

  // ---- The node files ----
  report({ phase: 'reading', percent: 0, message: 'Reading the files' });
  const conceptFile = await readNodeFile('concept', await sources.concept.open(), problems, {
    onBytes,
  });
  const skillFile = await readNodeFile('skill', await sources.skill.open(), problems, {
    onBytes,
  });
  const nodesComplete = conceptFile.complete && skillFile.complete;
  options.signal?.throwIfAborted();

  // ---- The universe: the graph's nodes (when keeping), then the files' nodes ----
  const marker = await store.importMarker();
  const existingNodes: ExistingNode[] = [];
  for await (const page of store.nodePages(NODE_PAGE)) {
    for (const node of page) {
      existingNodes.push({
        id: node.id,
        external_id: node.external_id,
        kind: node.kind,
        parent_id: node.parent_id,
        fingerprint: fingerprint(node),
      });
    }
  }
  const existingByExt = new Map<string, ExistingNode>();
  for (const node of existingNodes) existingByExt.set(node.external_id, node);
  const universe = new Universe();
  if (!prune) {
    const externalIdOf = new Map<string, string>();
    for (const node of existingNodes) externalIdOf.set(node.id, node.external_id);
    for (const node of existingNodes) {
      const parent = node.parent_id ? (externalIdOf.get(node.parent_id) ?? null) : null;
      universe.set(node.external_id, node.kind, parent, -1);
    }
  }
  const fileNodes: NodeRow[] = [];
  const firstRow = new Map<string, NodeRow>();
  for (const rows of [conceptFile.rows, skillFile.rows]) {
    for (const row of rows) {
      const file = nodeFile(row.kind);
      const first = firstRow.get(row.externalId);
      if (first) {
        problems.push({
          file,
          line: row.line,
          code: 'DUPLICATE_ID',
          message: `the id "${row.externalId}" is already used on ${nodeFile(first.kind)} line ${first.line}`,
          ids: [row.externalId],
        });
        continue;
      }
      firstRow.set(row.externalId, row);
      const existing = existingByExt.get(row.externalId);
      if (existing && existing.kind !== row.kind) {
        problems.push({
          file,
          line: row.line,
          code: 'KIND_CHANGED',
          message: `"${row.externalId}" is a ${existing.kind} in the graph; it cannot become a ${row.kind} (give it a new id)`,
          ids: [row.externalId],
        });
      }
      universe.set(row.externalId, row.kind, row.parentExternalId, fileNodes.length);
      fileNodes.push(row);
    }
  }
  firstRow.clear();
  const n = universe.size;
  const keyOf = (source: number, target: number, type: number) => (source * n + target) * 2 + type;

  // ---- Parents: a concept's parent and a skill's concept are concepts ----
  if (nodesComplete) {
    const where = prune ? 'in concept_nodes.csv' : 'in concept_nodes.csv or already in the graph';
    for (const row of fileNodes) {
      const parent = row.parentExternalId;
      if (parent === null) continue;
      const file = nodeFile(row.kind);
      const column = row.kind === 'concept' ? 'parent_id' : 'concept_id';
      if (parent === row.externalId) {
        problems.push({
          file,
          line: row.line,
          code: 'SELF_LOOP',
          message: `"${row.externalId}" is its own ${column}`,
          ids: [row.externalId],
        });
        continue;
      }
      const target = universe.find(parent);
      if (target === undefined) {
        problems.push({
          file,
          line: row.line,
          code: 'UNKNOWN_ID',
          message: `the ${column} "${parent}" is not a concept ${where}`,
          ids: [parent],
        });
      } else if (universe.kinds[target] !== 'concept') {
        problems.push({
          file,
          line: row.line,
          code: 'WRONG_KIND',
          message: `the ${column} "${parent}" is a skill; it must be a concept`,
          ids: [parent],
        });
      }
    }
  }

  // ---- The edge file, checked row by row as it is read ----
  const edges = new FileEdges();
  const nodesWhere = prune
    ? 'in concept_nodes.csv or skill_nodes.csv'
    : 'in concept_nodes.csv, skill_nodes.csv or the graph';
  const edgeFile = await readEdgeFile(
    await sources.edges.open(),
    problems,
    (edge) => {
      // Without complete node files, every id would look unknown: only the rows are checked.
      if (!nodesComplete) return;
      const file = GRAPH_FILES.edges;
      const line = edge.line;
      const source = universe.find(edge.sourceExternalId);
      const target = universe.find(edge.targetExternalId);
      if (source === undefined) {
        problems.push({
          file,
          line,
          code: 'UNKNOWN_ID',
          message: `the source_id "${edge.sourceExternalId}" is not a node ${nodesWhere}`,
          ids: [edge.sourceExternalId],
        });
      }
      if (target === undefined) {
        problems.push({
          file,
          line,
          code: 'UNKNOWN_ID',
          message: `the target_id "${edge.targetExternalId}" is not a node ${nodesWhere}`,
          ids: [edge.targetExternalId],
        });
      }
      if (!edge.typeOk) return;
      if (edge.sourceExternalId === edge.targetExternalId) {
        problems.push({
          file,
          line,
          code: 'SELF_LOOP',
          message: `"${edge.sourceExternalId}" is linked to itself (${edge.type})`,
          ids: [edge.sourceExternalId],
        });
        return;
      }
      if (source === undefined || target === undefined) return;
      const sourceKind = universe.kinds[source];
      const targetKind = universe.kinds[target];
      if (edge.type === 'prerequisite' && sourceKind !== targetKind) {
        problems.push({
          file,
          line,
          code: 'WRONG_KIND',
          message: `a prerequisite links two skills or two concepts, but "${edge.sourceExternalId}" is a ${sourceKind} and "${edge.targetExternalId}" a ${targetKind}`,
          ids: [edge.sourceExternalId, edge.targetExternalId],
        });
        return;
      }
      if (edge.type === 'part_of' && targetKind !== 'concept') {
        problems.push({
          file,
          line,
          code: 'WRONG_KIND',
          message: `part_of links a skill or concept to a concept, but the target "${edge.targetExternalId}" is a skill`,
          ids: [edge.sourceExternalId, edge.targetExternalId],
        });
        return;
      }
      edges.add(source, target, typeCode(edge.type), edge);
    },
    { onBytes },
  );
  const complete = nodesComplete && edgeFile.complete;
  options.signal?.throwIfAborted();

  report({ phase: 'checking', percent: READ_SHARE, message: 'Checking links and cycles' });
  const keyAt = (links: LinkList, i: number) =>
    keyOf(links.sources.get(i), links.targets.get(i), links.types.get(i));
  const fileIndex = new KeyIndex(edges.length, (i) => keyAt(edges, i));
  edges.valid = new Uint8Array(edges.length).fill(1);
  for (const { entry, first } of fileIndex.duplicates()) {
    edges.valid[entry] = 0;
    const source = universe.externalIds[edges.sources.get(entry)] ?? '?';
    const target = universe.externalIds[edges.targets.get(entry)] ?? '?';
    const type = edges.types.get(entry) === PREREQUISITE ? 'prerequisite' : 'part_of';
    problems.push({
      file: GRAPH_FILES.edges,
      line: edges.lines.get(entry),
      code: 'DUPLICATE_EDGE',
      message: `the ${type} link from "${source}" to "${target}" is already on line ${edges.lines.get(first)}`,
      ids: [source, target],
    });
  }

  // ---- The graph's edges between universe nodes, a page at a time ----
  const universeIndexOf = new Map<string, number>();
  for (const node of existingNodes) {
    const index = universe.find(node.external_id);
    if (index !== undefined) universeIndexOf.set(node.id, index);
  }
  const graphEdges: GraphEdges = {
    links: new LinkList(),
    attributes: [],
    ordinals: new IntList(),
    outside: 0,
  };
  for (let after: EdgeSnapshot | null = null; ;) {
    const page = await store.edgesPage(after, EDGE_PAGE);
    for (const e of page) {
      const source = universeIndexOf.get(e.source_id);
      const target = universeIndexOf.get(e.target_id);
      if (source === undefined || target === undefined) {
        graphEdges.outside++;
        continue;
      }
      graphEdges.links.push(source, target, typeCode(e.type), graphEdges.links.length);
      // Most edges have no extra columns: one shared '{}' instead of a string per row.
      graphEdges.attributes.push(e.attributes === '{}' ? '{}' : e.attributes);
      graphEdges.ordinals.push(e.ordinal);
    }
    if (page.length < EDGE_PAGE) break;
    after = page[page.length - 1] ?? null;
  }
  universeIndexOf.clear();
  const graphIndex = new KeyIndex(graphEdges.links.length, (i) => keyAt(graphEdges.links, i));
  const inFiles = (key: number) => {
    const i = fileIndex.find(key);
    return i >= 0 && edges.valid[i] === 1;
  };

  // ---- Cycles in the graph as it will be ----
  if (complete) {
    const cycles = findCycles(universe, edges, graphEdges.links, prune, inFiles, keyOf, (link) => {
      if (link.kind === 'parent') {
        const row = fileNodes[universe.fileRows[link.child] ?? -1];
        return row ? { file: nodeFile(row.kind), line: row.line } : null;
      }
      const i = fileIndex.find(keyOf(link.source, link.target, link.type));
      return i >= 0 ? { file: GRAPH_FILES.edges, line: edges.lines.get(i) } : null;
    });
    problems.push(...cycles);
  }
  if (problems.length > 0) return rejected(problems);
  options.signal?.throwIfAborted();

  // ---- The plan: what to insert, update and remove ----
  const now = deps.clock.now().toISOString();
  const internalIds: string[] = universe.externalIds.map((ext) => existingByExt.get(ext)?.id ?? '');
  // New nodes get ids in the order they are written: concepts parents first (parent_id is a
  // foreign key, checked at once), then skills, each in file order. Random UUIDs, sorted: the
  // primary key and the foreign-key checks of the edges then walk their indexes in order instead
  // of touching a random page for every row, which made a big import on SQLite several times
  // slower.
  const depth = new Map<string, number>();
  const depthOf = (externalId: string): number => {
    const chain: string[] = [];
    let at: string | null = externalId;
    let base = 0;
    while (at !== null) {
      const known = depth.get(at);
      if (known !== undefined) {
        base = known + 1;
        break;
      }
      const index = universe.find(at);
      const fileRow = index === undefined ? undefined : fileNodes[universe.fileRows[index] ?? -1];
      if (!fileRow || existingByExt.has(at)) break;
      chain.push(at);
      at = fileRow.parentExternalId;
    }
    for (let i = chain.length - 1; i >= 0; i--) depth.set(chain[i] ?? '', base++);
    return depth.get(externalId) ?? 0;
  };
  {
    const fresh: Array<{ index: number; rank: number }> = [];
    for (const row of fileNodes) {
      if (existingByExt.has(row.externalId)) continue;
      const index = universe.find(row.externalId);
      if (index === undefined) continue;
      fresh.push({ index, rank: row.kind === 'concept' ? depthOf(row.externalId) : MAX_SAFE });
    }
    depth.clear();
    fresh.sort((a, b) => a.rank - b.rank); // stable: file order within a rank
    const ids = Array.from({ length: fresh.length }, () => newId()).sort();
    fresh.forEach(({ index }, k) => {
      internalIds[index] = ids[k] ?? newId();
    });
  }
  const idOfExternal = (ext: string | null): string | null => {
    if (ext === null) return null;
    const index = universe.find(ext);
    return index === undefined ? null : (internalIds[index] ?? null);
  };

  const nodeChanges: ImportCounts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const inserts: NodeRecord[] = [];
  const updates: Array<{ id: string; values: NodeUpdate }> = [];
  for (const row of fileNodes) {
    const existing = existingByExt.get(row.externalId);
    const values = {
      name: row.name,
      description: row.description,
      subject: row.subject,
      level: row.level,
      parent_id: idOfExternal(row.parentExternalId),
      attributes: row.attributes,
      ordinal: row.ordinal,
    };
    if (!existing) {
      inserts.push({
        id: idOfExternal(row.externalId) ?? newId(),
        external_id: row.externalId,
        kind: row.kind,
        ...values,
        created_at: now,
        updated_at: now,
      });
      nodeChanges.created++;
    } else if (
      existing.parent_id !== values.parent_id ||
      existing.fingerprint !== fingerprint(values)
    ) {
      updates.push({ id: existing.id, values: { ...values, updated_at: now } });
      nodeChanges.updated++;
    } else {
      nodeChanges.unchanged++;
    }
  }
  // In id order, which is the order of writing worked out above.
  inserts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const removedNodes: string[] = [];
  if (prune) {
    for (const node of existingNodes) {
      if (universe.find(node.external_id) === undefined) removedNodes.push(node.id);
    }
    nodeChanges.removed = removedNodes.length;
  }

  // Edges: 1 = insert, 2 = update, 0 = unchanged or a duplicate.
  const edgeChanges: ImportCounts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const action = new Uint8Array(edges.length);
  for (let i = 0; i < edges.length; i++) {
    if (edges.valid[i] !== 1) continue;
    const g = graphIndex.find(keyAt(edges, i));
    if (g < 0) {
      action[i] = 1;
      edgeChanges.created++;
    } else if (
      graphEdges.attributes[g] !== edges.attributesOf(i) ||
      graphEdges.ordinals.get(g) !== edges.ordinals.get(i)
    ) {
      action[i] = 2;
      edgeChanges.updated++;
    } else {
      edgeChanges.unchanged++;
    }
  }
  const removedEdges: number[] = [];
  if (prune) {
    for (let g = 0; g < graphEdges.links.length; g++) {
      if (!inFiles(keyAt(graphEdges.links, g))) removedEdges.push(g);
    }
    // Edges of removed nodes go with them (on delete cascade).
    edgeChanges.removed = removedEdges.length + graphEdges.outside;
  }
  const edgeKey = (links: LinkList, i: number) => ({
    source_id: internalIds[links.sources.get(i)] ?? '',
    target_id: internalIds[links.targets.get(i)] ?? '',
    type: (links.types.get(i) === PREREQUISITE ? 'prerequisite' : 'part_of') as GraphEdgeType,
  });

  // The edges to write in primary-key order (source_id, target_id, type): appended to the key's
  // index (and, on SQLite, to the table in the same order, so later reads by key are sequential).
  const writeOrder = (() => {
    const byId = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
      const x = internalIds[a] ?? '';
      const y = internalIds[b] ?? '';
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const rank = new Int32Array(n);
    byId.forEach((u, k) => {
      rank[u] = k;
    });
    const keys = new Float64Array(edges.length);
    let count = 0;
    for (let i = 0; i < edges.length; i++) {
      if (action[i] === 0) continue;
      count++;
      // 'part_of' sorts before 'prerequisite'.
      keys[i] =
        ((rank[edges.sources.get(i)] ?? 0) * n + (rank[edges.targets.get(i)] ?? 0)) * 2 +
        (edges.types.get(i) === PART_OF ? 0 : 1);
    }
    const order = new Int32Array(count);
    for (let i = 0, k = 0; i < edges.length; i++) if (action[i] !== 0) order[k++] = i;
    return order.sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0));
  })();

  const summary: ImportSummary = {
    concepts: conceptFile.records,
    skills: skillFile.records,
    edges: edgeFile.records,
    nodeChanges,
    edgeChanges,
    pruned: prune,
  };

  // ---- Write it all in one transaction ----
  const totalWrites =
    inserts.length +
    updates.length +
    edgeChanges.created +
    edgeChanges.updated +
    removedEdges.length +
    removedNodes.length +
    1;
  let written = 0;
  const advance = (count: number) => {
    written += count;
    const percent = READ_SHARE + CHECK_SHARE + Math.floor((written / totalWrites) * 34);
    report({ phase: 'writing', percent, message: `Writing ${written} of ${totalWrites} changes` });
  };
  report({ phase: 'writing', percent: READ_SHARE + CHECK_SHARE, message: 'Writing the graph' });
  const importId = newId();
  try {
    await deps.db.transaction().execute(async (tx) => {
      const w = new GraphStore(tx, deps.dialect);
      if (deps.dialect === 'postgres') {
        // One import at a time; readers go on reading the graph as it was until the commit.
        await sql`lock table graph_imports in exclusive mode`.execute(tx);
      }
      if ((await w.importMarker()) !== marker) {
        throw new ConflictError(
          'Another import changed the graph while these files were being checked; import them again.',
          'GRAPH_CHANGED',
        );
      }
      for (let i = 0; i < inserts.length; i += WRITE_CHUNK) {
        options.signal?.throwIfAborted();
        const chunk = inserts.slice(i, i + WRITE_CHUNK);
        await w.insertNodes(chunk);
        advance(chunk.length);
      }
      for (const { id, values } of updates) {
        await w.updateNode(id, values);
        advance(1);
      }
      let batch: unknown[] = [];
      let batchRows = 0;
      const flush = async () => {
        options.signal?.throwIfAborted();
        await w.insertEdgeValues(batch);
        advance(batchRows);
        batch = [];
        batchRows = 0;
      };
      for (const i of writeOrder) {
        const key = edgeKey(edges, i);
        const attributes = edges.attributesOf(i);
        const ordinal = edges.ordinals.get(i);
        if (action[i] === 1) {
          batch.push(key.source_id, key.target_id, key.type, attributes, ordinal, now, now);
          batchRows++;
          if (batchRows >= WRITE_CHUNK) await flush();
        } else {
          await w.updateEdge(key, { attributes, ordinal, updated_at: now });
          advance(1);
        }
      }
      if (batchRows > 0) await flush();
      for (const g of removedEdges) {
        await w.deleteEdge(edgeKey(graphEdges.links, g));
        advance(1);
      }
      if (removedNodes.length > 0) {
        await w.deleteNodes(removedNodes);
        advance(removedNodes.length);
      }
      await w.insertImport({
        id: importId,
        user_id: options.userId ?? null,
        source: options.source,
        pruned: prune ? 1 : 0,
        summary: JSON.stringify(summary),
        created_at: now,
      });
      advance(1);
    });
  } catch (err) {
    if (prune && isForeignKeyViolation(err)) {
      return rejected([
        {
          file: null,
          line: null,
          code: 'STILL_REFERENCED',
          message:
            'some nodes missing from the files are still used elsewhere (e.g. tagged questions or mastery); nothing was changed. Import without prune to keep them.',
        },
      ]);
    }
    throw err;
  }
  // Fresh statistics after a big change, so the planner keeps using the indexes.
  if (totalWrites > ANALYZE_AFTER) await store.analyze();
  deps.onImported?.();
  return { status: 'imported', importId, summary };
}

type LinkRef =
  | { kind: 'parent'; child: number; parent: number }
  | { kind: 'edge'; source: number; target: number; type: number };

/**
 * Cycles of prerequisites (never learnable) and of the concept hierarchy (concepts containing
 * each other by parent_id or part_of), in the graph as it will be after the import.
 */
function findCycles(
  universe: Universe,
  fileLinks: FileEdges,
  graphLinks: LinkList,
  prune: boolean,
  inFiles: (key: number) => boolean,
  keyOf: (source: number, target: number, type: number) => number,
  originOf: (link: LinkRef) => Origin,
): ImportProblem[] {
  const n = universe.size;
  const prereqFrom: number[] = [];
  const prereqTo: number[] = [];
  const treeFrom: number[] = [];
  const treeTo: number[] = [];
  const add = (source: number, target: number, type: number) => {
    if (type === PREREQUISITE) {
      prereqFrom.push(source);
      prereqTo.push(target);
    } else if (universe.kinds[source] === 'concept' && universe.kinds[target] === 'concept') {
      treeFrom.push(source);
      treeTo.push(target);
    }
  };
  for (let i = 0; i < fileLinks.length; i++) {
    if (fileLinks.valid[i] !== 1) continue;
    add(fileLinks.sources.get(i), fileLinks.targets.get(i), fileLinks.types.get(i));
  }
  if (!prune) {
    for (let g = 0; g < graphLinks.length; g++) {
      const source = graphLinks.sources.get(g);
      const target = graphLinks.targets.get(g);
      const type = graphLinks.types.get(g);
      if (!inFiles(keyOf(source, target, type))) add(source, target, type);
    }
  }
  const parentOf = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const parentExt = universe.parentExternalIds[i] ?? null;
    if (universe.kinds[i] !== 'concept' || parentExt === null) continue;
    const parent = universe.find(parentExt);
    if (parent === undefined || parent === i || universe.kinds[parent] !== 'concept') continue;
    parentOf[i] = parent;
    treeFrom.push(i);
    treeTo.push(parent);
  }

  const problems: ImportProblem[] = [];
  const report = (from: number[], to: number[], code: 'PREREQUISITE_CYCLE' | 'HIERARCHY_CYCLE') => {
    const { start, adj } = compress(n, from, to);
    for (const component of cyclicComponents(n, start, adj)) {
      // Start from the node of the cycle that comes first in the files, so the report reads like
      // them and is the same every time (universe indexes of nodes already in the graph follow
      // their internal ids); failing that, from the smallest external id.
      let first = -1;
      let firstRow = Number.MAX_SAFE_INTEGER;
      for (const i of component) {
        const row = universe.fileRows[i] ?? -1;
        if (row >= 0 && row < firstRow) {
          first = i;
          firstRow = row;
        }
      }
      if (first === -1) {
        for (const i of component) {
          if (
            first === -1 ||
            (universe.externalIds[i] ?? '') < (universe.externalIds[first] ?? '')
          ) {
            first = i;
          }
        }
      }
      const cycle = cycleThrough(first, new Set(component), start, adj);
      const ids = cycle.map((i) => universe.externalIds[i] ?? '?');
      const along: Origin[] = [];
      for (let k = 0; k + 1 < cycle.length; k++) {
        const a = cycle[k] ?? 0;
        const b = cycle[k + 1] ?? 0;
        along.push(
          code === 'HIERARCHY_CYCLE' && parentOf[a] === b
            ? originOf({ kind: 'parent', child: a, parent: b })
            : originOf({
                kind: 'edge',
                source: a,
                target: b,
                type: code === 'PREREQUISITE_CYCLE' ? PREREQUISITE : PART_OF,
              }),
        );
      }
      const firstFileOrigin = along.find((o) => o !== null) ?? null;
      const more =
        component.length > cycle.length - 1
          ? ` (${component.length} nodes are caught in cycles with each other)`
          : '';
      problems.push({
        file: firstFileOrigin?.file ?? null,
        line: firstFileOrigin?.line ?? null,
        code,
        message:
          code === 'PREREQUISITE_CYCLE'
            ? `prerequisite cycle: ${ids.join(' → ')}; each is needed before the next, so none can be learnt first (${describeOrigins(along)})${more}`
            : `concepts contain each other: ${ids.join(' → ')} (each is part of the next; ${describeOrigins(along)})${more}`,
        ids,
      });
    }
  };
  report(prereqFrom, prereqTo, 'PREREQUISITE_CYCLE');
  report(treeFrom, treeTo, 'HIERARCHY_CYCLE');
  return problems;
}

function rejected(problems: ImportProblem[]): ImportOutcome {
  const sorted = [...problems].sort(
    (a, b) =>
      fileRank(a.file) - fileRank(b.file) ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER),
  );
  return {
    status: 'rejected',
    problemCount: problems.length,
    problems: sorted.slice(0, MAX_REPORTED_PROBLEMS),
  };
}

function fileRank(file: GraphFileName | null): number {
  switch (file) {
    case GRAPH_FILES.concept:
      return 0;
    case GRAPH_FILES.skill:
      return 1;
    case GRAPH_FILES.edges:
      return 2;
    default:
      return 3;
  }
}

/** A problem as one line of text: "edges.csv line 12: ...". */
export function formatProblem(p: ImportProblem): string {
  const where = p.file ? `${p.file}${p.line !== null ? ` line ${p.line}` : ''}: ` : '';
  return `${where}${p.message}`;
}

/**
 * 400 for problems found before an upload is accepted (the header lines): every problem with its
 * file and line in `errors`, nothing stored.
 */
export class GraphImportRejectedError extends AppError {
  readonly problems: ImportProblem[];

  constructor(problems: ImportProblem[]) {
    const sorted = [...problems].sort((a, b) => fileRank(a.file) - fileRank(b.file));
    const first = sorted[0];
    super(
      400,
      'GRAPH_IMPORT_INVALID',
      'Import rejected',
      `The files have ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was imported.${first ? ` ${formatProblem(first)}` : ''}`,
      {
        errors: sorted.map((p) => ({
          path: p.file ? `${p.file}${p.line !== null ? ` line ${p.line}` : ''}` : 'files',
          message: p.message,
        })),
      },
    );
    this.problems = sorted;
  }
}
