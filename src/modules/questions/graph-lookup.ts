// What the question bank needs from the knowledge graph, as a port: resolving the node ids that
// filters and CSV tags name, and a concept's subtree. The composition root adapts the graph
// module's service to it; tests can pass a fake.
export interface GraphNodeRef {
  /** Internal id (graph_nodes.id). */
  id: string;
  /** The stable id from the curriculum CSVs. */
  externalId: string;
  name: string;
  kind: 'concept' | 'skill';
}

export interface GraphLookup {
  /** A node by its internal id or its external id. */
  findNode(idOrExternalId: string): Promise<GraphNodeRef | undefined>;
  /** Nodes by external id; missing ids are absent from the map. */
  findByExternalIds(externalIds: string[]): Promise<Map<string, GraphNodeRef>>;
  /** Nodes by internal id. */
  findByIds(ids: string[]): Promise<Map<string, GraphNodeRef>>;
  /**
   * Ids of the node and everything under it (sub-concepts and their skills). A graph without
   * that query returns just the node's id.
   */
  subtreeIds(nodeId: string): Promise<string[]>;
  /** Every node with its description and parent concept: what the tagger indexes. */
  nodesForTagging(): Promise<TaggingNodeRef[]>;
}

export interface TaggingNodeRef extends GraphNodeRef {
  description: string;
  parentId: string | null;
}

/** A graph with no nodes: what the question bank sees before a graph exists. */
export const emptyGraphLookup: GraphLookup = {
  findNode: async () => undefined,
  findByExternalIds: async () => new Map(),
  findByIds: async () => new Map(),
  subtreeIds: async (nodeId) => [nodeId],
  nodesForTagging: async () => [],
};
