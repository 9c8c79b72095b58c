// Request and response schemas of the /api/graph routes.
import { z } from 'zod';
import { GRAPH_FILE_NAMES } from './graph-csv.ts';
import { MAX_DEPTH, MAX_SET } from './graph-service.ts';

export const nodeKindSchema = z.enum(['concept', 'skill'], {
  message: 'must be concept or skill',
});
export const edgeTypeSchema = z.enum(['prerequisite', 'part_of']);

export const nodeSummarySchema = z.object({
  /** Ours, stable across re-imports: what other records refer to. */
  id: z.string(),
  /** The id in the curriculum's CSV files. */
  externalId: z.string(),
  kind: nodeKindSchema,
  name: z.string(),
  subject: z.string().nullable(),
  level: z.string().nullable(),
});

export const nodeViewSchema = nodeSummarySchema.extend({
  description: z.string(),
  parentId: z.string().nullable(),
  /** The CSV's extra columns. */
  attributes: z.record(z.string(), z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const nodeDetailSchema = z.object({
  node: nodeViewSchema,
  parent: nodeSummarySchema.nullable(),
  partOf: z.array(nodeSummarySchema),
  children: z.array(nodeSummarySchema),
  prerequisites: z.array(nodeSummarySchema),
  dependents: z.array(nodeSummarySchema),
  breadcrumbs: z.array(nodeSummarySchema),
});

const withDepth = nodeSummarySchema.extend({ depth: z.number().int() });
const withChildCount = nodeSummarySchema.extend({ childCount: z.number().int() });

/** A node by our id or its external id (URL-encoded). */
export const nodeRefParams = z.object({
  ref: z.string().min(1, 'must be a node id or external id').max(200),
});

export const searchQuery = z.object({
  q: z.string().trim().max(200).default(''),
  kind: nodeKindSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const searchResponse = z.object({ nodes: z.array(nodeSummarySchema), total: z.number() });
export const treeResponse = z.object({ nodes: z.array(withChildCount) });

export const depthQuery = z.object({
  maxDepth: z.coerce.number().int().min(1).max(MAX_DEPTH).default(MAX_DEPTH),
});

export const traversalResponse = z.object({
  node: nodeSummarySchema,
  /** Nearest first; depth 1 = a direct link. */
  nodes: z.array(withDepth),
});

export const subtreeQuery = z.object({
  maxDepth: z.coerce.number().int().min(1).max(MAX_DEPTH).default(MAX_DEPTH),
  limit: z.coerce.number().int().min(1).max(20_000).default(5000),
});

export const subtreeResponse = z.object({
  root: nodeSummarySchema,
  nodes: z.array(withDepth.extend({ parentId: z.string() })),
  truncated: z.boolean(),
});

export const neighbourhoodQuery = z.object({
  radius: z.coerce.number().int().min(1).max(3).default(1),
  limit: z.coerce.number().int().min(2).max(300).default(60),
});

export const neighbourhoodResponse = z.object({
  center: z.string(),
  nodes: z.array(nodeSummarySchema.extend({ distance: z.number().int() })),
  edges: z.array(z.object({ source: z.string(), target: z.string(), type: edgeTypeSchema })),
  truncated: z.boolean(),
});

export const pathQuery = z.object({
  from: z.string().min(1, 'must be a node id or external id').max(200),
  to: z.string().min(1, 'must be a node id or external id').max(200),
});

export const pathResponse = z.object({
  /** forward: `from` is needed (transitively) for `to`; backward: the other way round. */
  direction: z.enum(['forward', 'backward']),
  nodes: z.array(nodeSummarySchema),
});

export const orderQuery = z.object({
  ids: z
    .string()
    .min(1, 'must list node ids or external ids, separated by commas')
    .max(100_000)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((ids) => ids.length > 0, 'must list at least one node')
    .refine((ids) => ids.length <= MAX_SET, `at most ${MAX_SET} nodes`),
});

export const orderResponse = z.object({
  nodes: z.array(nodeSummarySchema.extend({ stage: z.number().int() })),
});

export const statsResponse = z.object({
  concepts: z.number().int(),
  skills: z.number().int(),
  edges: z.number().int(),
  lastImport: z
    .object({
      id: z.string(),
      createdAt: z.string(),
      source: z.string(),
      userName: z.string().nullable(),
    })
    .nullable(),
});

export const importLogResponse = z.object({
  imports: z.array(
    z.object({
      id: z.string(),
      createdAt: z.string(),
      source: z.string(),
      pruned: z.boolean(),
      userName: z.string().nullable(),
      summary: z.unknown(),
    }),
  ),
});

export const importAccepted = z.object({
  job: z.object({ id: z.string(), type: z.string(), state: z.string() }),
});

export const exportParams = z.object({
  file: z.enum(GRAPH_FILE_NAMES as [string, ...string[]], {
    message: `must be one of ${GRAPH_FILE_NAMES.join(', ')}`,
  }),
});
