// Where each node of a neighbourhood is drawn: prerequisites read top to bottom (what is needed
// first is higher up), in layers by the longest chain of prerequisites within the view; nodes
// with no prerequisite link in the view (concepts, sibling skills) sit beside the centre, or in
// a row above when the centre has no prerequisite link either. Links bow around nodes. A layer
// wider than the screen allows wraps onto more rows, so a phone gets a tall drawing rather than
// an unreadably small one. Deterministic: the same data always gives the same picture.
export interface LayoutNode {
  id: string;
  kind: 'concept' | 'skill';
  name: string;
}

export interface LayoutEdge {
  source: string;
  target: string;
  type: 'prerequisite' | 'part_of';
}

export interface LayoutOptions {
  /** How many nodes fit side by side. */
  perRow: number;
  columnGap: number;
  rowGap: number;
  /** Extra space between one layer and the next (beyond rowGap). */
  layerGap: number;
}

export type Positions = Map<string, { x: number; y: number }>;

export function layoutNeighbourhood(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  centerId: string,
  options: LayoutOptions,
): Positions {
  const ids = new Set(nodes.map((n) => n.id));
  const prerequisites = edges.filter(
    (e) => e.type === 'prerequisite' && ids.has(e.source) && ids.has(e.target),
  );
  const incoming = new Map<string, string[]>();
  const linked = new Set<string>();
  for (const e of prerequisites) {
    linked.add(e.source);
    linked.add(e.target);
    incoming.set(e.target, [...(incoming.get(e.target) ?? []), e.source]);
  }

  // Longest-path layering. The graph is acyclic (imports refuse cycles); the guard keeps a
  // broken answer from looping.
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const sources = incoming.get(id) ?? [];
    const value = sources.length === 0 ? 0 : Math.max(...sources.map(layerOf)) + 1;
    visiting.delete(id);
    layer.set(id, value);
    return value;
  };

  const byName = (a: LayoutNode, b: LayoutNode) => a.name.localeCompare(b.name);
  const band = nodes
    .filter((n) => !linked.has(n.id))
    .sort((a, b) => (a.kind === b.kind ? byName(a, b) : a.kind === 'concept' ? -1 : 1));
  const layers: LayoutNode[][] = [];
  for (const node of nodes) {
    if (!linked.has(node.id)) continue;
    const l = layerOf(node.id);
    (layers[l] ??= []).push(node);
  }

  // One sweep of the barycentre heuristic: order each layer by the mean position of its
  // prerequisites in the layer above, so arrows cross less.
  const order = new Map<string, number>();
  const sortedLayers: LayoutNode[][] = [];
  for (const [index, members] of layers.entries()) {
    if (!members) continue;
    const sorted =
      index === 0
        ? [...members].sort(byName)
        : [...members].sort((a, b) => {
            const mean = (id: string) => {
              const above = (incoming.get(id) ?? [])
                .map((s) => order.get(s))
                .filter((v): v is number => v !== undefined);
              return above.length ? above.reduce((x, y) => x + y, 0) / above.length : 0;
            };
            return mean(a.id) - mean(b.id) || byName(a, b);
          });
    sorted.forEach((n, i) => order.set(n.id, i / Math.max(1, sorted.length - 1)));
    sortedLayers.push(sorted);
  }

  // The band goes right beside the centre when the centre is in a layer (a skill beside its
  // concept: a short link that crosses nothing), otherwise in a row of its own above.
  const rows: LayoutNode[][] = [];
  const centerLayer = sortedLayers.findIndex((l) => l.some((n) => n.id === centerId));
  if (band.length > 0 && centerLayer >= 0) {
    const layer = sortedLayers[centerLayer] ?? [];
    const at = layer.findIndex((n) => n.id === centerId);
    sortedLayers[centerLayer] = [...layer.slice(0, at + 1), ...band, ...layer.slice(at + 1)];
  } else if (band.length > 0) {
    rows.push(band);
  }
  rows.push(...sortedLayers);

  const positions: Positions = new Map();
  const perRow = Math.max(1, Math.floor(options.perRow));
  let y = 0;
  for (const row of rows) {
    for (let start = 0; start < row.length; start += perRow) {
      const chunk = row.slice(start, start + perRow);
      const width = (chunk.length - 1) * options.columnGap;
      chunk.forEach((node, i) => {
        positions.set(node.id, { x: i * options.columnGap - width / 2, y });
      });
      y += options.rowGap;
    }
    y += options.layerGap;
  }
  return positions;
}

/**
 * The links worth drawing: every prerequisite, and the part_of links that lead outwards (one
 * step further from the centre). A concept's links to each of its skills at the same distance
 * say again what the page already lists and would cross the drawing.
 */
export function drawnEdges<E extends LayoutEdge>(
  edges: readonly E[],
  distance: ReadonlyMap<string, number>,
): E[] {
  return edges.filter((e) => {
    if (e.type === 'prerequisite') return true;
    const a = distance.get(e.source);
    const b = distance.get(e.target);
    return a !== undefined && b !== undefined && Math.abs(a - b) === 1;
  });
}

export interface NodeBox {
  width: number;
  height: number;
}

// Wider bows would loop outside the drawing and shrink it when it is fitted to the box.
const BEND_CANDIDATES = [0, 60, -60, 90, -90, 110, -110, 140, -140, 180, -180, 240, -240];

/**
 * How far each link bows out of its straight line (Cytoscape's unbundled-bezier
 * control-point-distance; 0 = straight) so it does not run under another node. Cytoscape puts
 * the control point at midpoint + d·(−dy, dx)/length for the link from source to target.
 */
export function edgeBends(
  edges: readonly LayoutEdge[],
  positions: Positions,
  box: NodeBox,
): Map<LayoutEdge, number> {
  const margin = 4;
  const halfW = box.width / 2 + margin;
  const halfH = box.height / 2 + margin;
  const bends = new Map<LayoutEdge, number>();
  for (const edge of edges) {
    const p0 = positions.get(edge.source);
    const p2 = positions.get(edge.target);
    if (!p0 || !p2) continue;
    const dx = p2.x - p0.x;
    const dy = p2.y - p0.y;
    const length = Math.hypot(dx, dy) || 1;
    const normal = { x: -dy / length, y: dx / length };
    const others = [...positions.entries()].filter(
      ([id]) => id !== edge.source && id !== edge.target,
    );
    const hits = (bend: number): number => {
      const c = { x: (p0.x + p2.x) / 2 + normal.x * bend, y: (p0.y + p2.y) / 2 + normal.y * bend };
      let count = 0;
      for (let t = 0.08; t < 0.93; t += 0.04) {
        const u = 1 - t;
        const x = u * u * p0.x + 2 * u * t * c.x + t * t * p2.x;
        const y = u * u * p0.y + 2 * u * t * c.y + t * t * p2.y;
        for (const [, p] of others) {
          if (Math.abs(x - p.x) < halfW && Math.abs(y - p.y) < halfH) count++;
        }
      }
      return count;
    };
    let best = 0;
    let fewest = Number.POSITIVE_INFINITY;
    for (const bend of BEND_CANDIDATES) {
      const n = hits(bend);
      if (n < fewest) {
        fewest = n;
        best = bend;
      }
      if (n === 0) break;
    }
    bends.set(edge, best);
  }
  return bends;
}
