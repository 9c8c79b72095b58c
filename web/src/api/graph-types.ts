// Shapes of the knowledge-graph API, inferred from the server's zod schemas and import types
// (type-only imports: nothing of the server reaches the bundle).
import type { z } from 'zod';
import type { GraphFileName, ImportProblem } from '../../../src/modules/graph/graph-csv.ts';
import type {
  ImportCounts,
  ImportOutcome,
  ImportSummary,
} from '../../../src/modules/graph/graph-import.ts';
import type {
  importAccepted,
  importLogResponse,
  neighbourhoodResponse,
  nodeDetailSchema,
  nodeKindSchema,
  nodeSummarySchema,
  nodeViewSchema,
  searchResponse,
  statsResponse,
  traversalResponse,
  treeResponse,
} from '../../../src/modules/graph/graph-schemas.ts';

export type NodeKind = z.infer<typeof nodeKindSchema>;
export type NodeSummary = z.infer<typeof nodeSummarySchema>;
export type NodeView = z.infer<typeof nodeViewSchema>;
export type NodeDetail = z.infer<typeof nodeDetailSchema>;
export type NodeSearchResult = z.infer<typeof searchResponse>;
export type TreeNode = z.infer<typeof treeResponse>['nodes'][number];
export type Traversal = z.infer<typeof traversalResponse>;
export type NodeAtDepth = Traversal['nodes'][number];
export type Neighbourhood = z.infer<typeof neighbourhoodResponse>;
export type NeighbourhoodNode = Neighbourhood['nodes'][number];
export type GraphStats = z.infer<typeof statsResponse>;
export type GraphImportLog = z.infer<typeof importLogResponse>;
export type GraphImportAccepted = z.infer<typeof importAccepted>;
export type { GraphFileName, ImportCounts, ImportOutcome, ImportProblem, ImportSummary };

export interface NodeSearchQuery {
  q: string;
  kind?: NodeKind | undefined;
  limit: number;
  offset: number;
}

/** The three files of a graph, in the order people think of them. */
export const GRAPH_FILES = [
  { key: 'concept_nodes', file: 'concept_nodes.csv', label: 'Concepts' },
  { key: 'skill_nodes', file: 'skill_nodes.csv', label: 'Skills' },
  { key: 'edges', file: 'edges.csv', label: 'Edges' },
] as const satisfies readonly { key: string; file: GraphFileName; label: string }[];

export type GraphFileField = (typeof GRAPH_FILES)[number]['key'];

export const NODE_KIND_LABELS: Record<NodeKind, string> = {
  concept: 'Concept',
  skill: 'Skill',
};

/** Same colours as the concept and skill tags of the question bank. */
export const NODE_KIND_COLORS: Record<NodeKind, string> = {
  concept: 'indigo',
  skill: 'grape',
};

/** The page of a node. External ids are what curricula and links use, so URLs carry them. */
export function nodePath(node: Pick<NodeSummary, 'externalId'>): string {
  return `/graph/nodes/${encodeURIComponent(node.externalId)}`;
}

/** The question bank filtered to a concept (with its sub-concepts) or a skill. */
export function questionsPath(node: Pick<NodeSummary, 'externalId' | 'kind'>): string {
  return `/questions?${node.kind}=${encodeURIComponent(node.externalId)}`;
}
