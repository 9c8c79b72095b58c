// GraphLookup over the graph module's service: node look-ups by internal or external id, and a
// concept's subtree (sub-concepts and their skills, by parent and part_of) from its subtreeIds.
import type { GraphService, NodeSummary } from '../graph/graph-service.ts';
import type { GraphLookup, GraphNodeRef } from './graph-lookup.ts';

const ref = (n: NodeSummary): GraphNodeRef => ({
  id: n.id,
  externalId: n.externalId,
  name: n.name,
  kind: n.kind,
});

export function graphServiceLookup(graph: GraphService): GraphLookup {
  return {
    async findNode(idOrExternalId) {
      const row = await graph.findNode(idOrExternalId);
      return row
        ? { id: row.id, externalId: row.external_id, name: row.name, kind: row.kind }
        : undefined;
    },
    async findByExternalIds(externalIds) {
      const found = await graph.nodesByExternalId(externalIds);
      return new Map([...found].map(([key, node]) => [key, ref(node)]));
    },
    async findByIds(ids) {
      const found = await graph.nodesById(ids);
      return new Map([...found].map(([key, node]) => [key, ref(node)]));
    },
    subtreeIds: (nodeId) => graph.subtreeIds(nodeId),
    async nodesForTagging() {
      return (await graph.allNodesWithText()).map((n) => ({
        ...ref(n),
        description: n.description,
        parentId: n.parentId,
      }));
    },
  };
}
