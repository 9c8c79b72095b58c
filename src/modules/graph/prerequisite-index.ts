// The prerequisite edges in memory, for traversals: compressed adjacency arrays both ways
// (a few MB for 300k edges) instead of a recursive query per request.
//
// Measured on 20k concepts / 80k skills / 300k edges (bench/graph-import.ts): a recursive CTE
// plus the depths in memory answered transitive prerequisites in 4.4 ms median on SQLite but
// 12.8 ms on PostgreSQL (three round trips and the recursive plan), over the 10 ms target;
// walking these arrays takes microseconds and leaves one query, the node rows.
//
// Freshness: the index remembers the graph's import marker (count and last id of
// graph_imports), which every import changes; each use compares it with the database (one
// tiny query), so an import by another process (a worker, another server) is seen at once.
import type { GraphStore } from './graph-store.ts';

export class PrerequisiteIndex {
  private constructor(
    readonly marker: string,
    private readonly ids: string[],
    private readonly indexOf: Map<string, number>,
    /** Targets of node i (what it is needed for): forward[forwardStart[i]..forwardStart[i+1]). */
    private readonly forwardStart: Int32Array,
    private readonly forward: Int32Array,
    /** Sources of node i (what it needs). */
    private readonly backwardStart: Int32Array,
    private readonly backward: Int32Array,
  ) {}

  static async load(store: GraphStore, marker: string): Promise<PrerequisiteIndex> {
    const ids: string[] = [];
    const indexOf = new Map<string, number>();
    const intern = (id: string) => {
      let i = indexOf.get(id);
      if (i === undefined) {
        i = ids.length;
        ids.push(id);
        indexOf.set(id, i);
      }
      return i;
    };
    const from: number[] = [];
    const to: number[] = [];
    for await (const page of store.prerequisitePages(20_000)) {
      for (const [source, target] of page) {
        from.push(intern(source));
        to.push(intern(target));
      }
    }
    const n = ids.length;
    const build = (a: number[], b: number[]) => {
      const start = new Int32Array(n + 1);
      for (const x of a) start[x + 1] = (start[x + 1] ?? 0) + 1;
      for (let i = 0; i < n; i++) start[i + 1] = (start[i + 1] ?? 0) + (start[i] ?? 0);
      const fill = start.slice(0, n);
      const adj = new Int32Array(a.length);
      for (let k = 0; k < a.length; k++) {
        const x = a[k] ?? 0;
        adj[(fill[x] = (fill[x] ?? 0) + 1) - 1] = b[k] ?? 0;
      }
      return { start, adj };
    };
    const f = build(from, to);
    const b = build(to, from);
    return new PrerequisiteIndex(marker, ids, indexOf, f.start, f.adj, b.start, b.adj);
  }

  get edgeCount(): number {
    return this.forward.length;
  }

  /**
   * Breadth-first from the start nodes: every node reached with its shortest distance (the
   * start nodes themselves excluded). backward: prerequisites; forward: dependents.
   */
  walk(
    startIds: readonly string[],
    direction: 'forward' | 'backward',
    maxDepth: number,
  ): Map<string, number> {
    const [start, adj] =
      direction === 'forward'
        ? [this.forwardStart, this.forward]
        : [this.backwardStart, this.backward];
    const seen = new Map<number, number>();
    let frontier: number[] = [];
    for (const id of startIds) {
      const i = this.indexOf.get(id);
      if (i !== undefined && !seen.has(i)) {
        seen.set(i, 0);
        frontier.push(i);
      }
    }
    for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const v of frontier) {
        for (let e = start[v] ?? 0; e < (start[v + 1] ?? 0); e++) {
          const w = adj[e] ?? 0;
          if (seen.has(w)) continue;
          seen.set(w, depth);
          next.push(w);
        }
      }
      frontier = next;
    }
    const out = new Map<string, number>();
    for (const [i, depth] of seen) if (depth > 0) out.set(this.ids[i] ?? '', depth);
    return out;
  }

  /** The prerequisite edges among the given nodes, as [source, target] pairs. */
  edgesWithin(ids: Iterable<string>): Array<[string, string]> {
    const members = new Set<number>();
    for (const id of ids) {
      const i = this.indexOf.get(id);
      if (i !== undefined) members.add(i);
    }
    const out: Array<[string, string]> = [];
    for (const v of members) {
      for (let e = this.forwardStart[v] ?? 0; e < (this.forwardStart[v + 1] ?? 0); e++) {
        const w = this.forward[e] ?? 0;
        if (members.has(w)) out.push([this.ids[v] ?? '', this.ids[w] ?? '']);
      }
    }
    return out;
  }

  /** The shortest chain of prerequisite edges from `from` to `to` (ids), or null. */
  chain(from: string, to: string): string[] | null {
    const a = this.indexOf.get(from);
    const b = this.indexOf.get(to);
    if (a === undefined || b === undefined) return null;
    const previous = new Map<number, number>([[a, a]]);
    const queue = [a];
    for (let head = 0; head < queue.length; head++) {
      const v = queue[head] ?? 0;
      for (let e = this.forwardStart[v] ?? 0; e < (this.forwardStart[v + 1] ?? 0); e++) {
        const w = this.forward[e] ?? 0;
        if (previous.has(w)) continue;
        previous.set(w, v);
        if (w === b) {
          const path = [b];
          for (let at = v; at !== a; at = previous.get(at) ?? a) path.push(at);
          path.push(a);
          return path.reverse().map((i) => this.ids[i] ?? '');
        }
        queue.push(w);
      }
    }
    return null;
  }
}

/** Keeps one index per graph state; concurrent callers share a load in progress. */
export class PrerequisiteIndexCache {
  private current: PrerequisiteIndex | undefined;
  private loading: { marker: string; promise: Promise<PrerequisiteIndex> } | undefined;

  constructor(private readonly store: GraphStore) {}

  /** The index for the graph as it is now (reloaded when an import has changed it). */
  async get(): Promise<PrerequisiteIndex> {
    const marker = await this.store.importMarker();
    if (this.current?.marker === marker) return this.current;
    if (this.loading?.marker !== marker) {
      const promise = PrerequisiteIndex.load(this.store, marker).then(
        (index) => {
          if (this.loading?.promise === promise) this.loading = undefined;
          this.current = index;
          return index;
        },
        (err: unknown) => {
          if (this.loading?.promise === promise) this.loading = undefined;
          throw err;
        },
      );
      this.loading = { marker, promise };
    }
    return this.loading.promise;
  }

  /** Forget the index (after an import in this process). */
  invalidate(): void {
    this.current = undefined;
  }
}
