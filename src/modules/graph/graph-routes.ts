// /api/graph: look-ups and traversals for every logged-in user; import (an upload of the three
// CSV files, run as the graph.import job) and export for instructors and admins.
import fastifyMultipart, { type Multipart } from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import type { AppConfig } from '../../config/env.ts';
import type { JobQueue } from '../../infra/queue/job-queue.ts';
import { newUploadKey } from '../../infra/storage/blob-keys.ts';
import type { BlobStore } from '../../infra/storage/blob-store.ts';
import { attachmentDisposition } from '../../infra/storage/content-disposition.ts';
import type { Clock } from '../../platform/clock.ts';
import {
  AppError,
  BadRequestError,
  NotFoundError,
  UnsupportedMediaTypeError,
} from '../../platform/errors.ts';
import { currentUser } from '../../platform/http/auth.ts';
import { UploadInspector } from '../files/upload-inspection.ts';
import { GRAPH_FILES, HEADER_HEAD_BYTES, headerProblems, type ImportProblem } from './graph-csv.ts';
import { GraphImportRejectedError, type GraphFileKey } from './graph-import.ts';
import { GRAPH_IMPORT_JOB, type GraphImportPayload } from './graph-jobs.ts';
import {
  depthQuery,
  exportParams,
  importAccepted,
  importLogResponse,
  neighbourhoodQuery,
  neighbourhoodResponse,
  nodeDetailSchema,
  nodeRefParams,
  orderQuery,
  orderResponse,
  pathQuery,
  pathResponse,
  searchQuery,
  searchResponse,
  statsResponse,
  subtreeQuery,
  subtreeResponse,
  traversalResponse,
  treeResponse,
} from './graph-schemas.ts';
import type { GraphService } from './graph-service.ts';

const USER = { access: 'user' as const };
const STAFF = { access: ['instructor', 'admin'] as const };

/** Form field names of the upload: the file names, with or without `.csv`. */
const FIELD_TO_FILE: Record<string, GraphFileKey> = {
  concept_nodes: 'concept',
  'concept_nodes.csv': 'concept',
  skill_nodes: 'skill',
  'skill_nodes.csv': 'skill',
  edges: 'edges',
  'edges.csv': 'edges',
};

/** Passes a file through, keeping its first bytes (to check its header before the job runs). */
class HeadCapture extends Transform {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.kept < HEADER_HEAD_BYTES) {
      const part = chunk.subarray(0, HEADER_HEAD_BYTES - this.kept);
      this.chunks.push(Buffer.from(part));
      this.kept += part.length;
    }
    callback(null, chunk);
  }

  get head(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get whole(): boolean {
    return this.bytes <= this.kept;
  }
}

const TRUE_VALUES = new Set(['true', '1', 'on', 'yes']);
const FALSE_VALUES = new Set(['false', '0', 'off', 'no', '']);

export interface GraphRoutesDeps {
  config: AppConfig;
  clock: Clock;
  graph: GraphService;
  blobs: BlobStore;
  jobs: JobQueue;
}

export function graphRoutes(deps: GraphRoutesDeps) {
  const { config, graph, blobs, jobs, clock } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    await app.register(fastifyMultipart, { throwFileSizeLimit: true });
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/api/graph/stats',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary: 'How many concepts, skills and edges the graph has, and its last import',
          response: { 200: statsResponse },
        },
      },
      async () => graph.stats(),
    );

    r.get(
      '/api/graph/nodes',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary: 'Search nodes by name, external id or description (case-insensitive)',
          querystring: searchQuery,
          response: { 200: searchResponse },
        },
      },
      async (request) => graph.search(request.query),
    );

    r.get(
      '/api/graph/roots',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary: 'The top concepts of the hierarchy, with how many children each has',
          response: { 200: treeResponse },
        },
      },
      async () => ({ nodes: await graph.roots() }),
    );

    r.get(
      '/api/graph/nodes/:ref',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary:
            'A node by id or external id, with its parent, children, direct prerequisites and dependents',
          params: nodeRefParams,
          response: { 200: nodeDetailSchema },
        },
      },
      async (request) => graph.detail(request.params.ref),
    );

    r.get(
      '/api/graph/nodes/:ref/children',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary: 'Child concepts and skills of a concept (by parent and part_of)',
          params: nodeRefParams,
          response: { 200: treeResponse },
        },
      },
      async (request) => ({ nodes: await graph.children(request.params.ref) }),
    );

    r.get(
      '/api/graph/nodes/:ref/prerequisites',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary: 'Everything the node needs first, transitively, nearest first, with depth',
          params: nodeRefParams,
          querystring: depthQuery,
          response: { 200: traversalResponse },
        },
      },
      async (request) => graph.traversal(request.params.ref, 'backward', request.query.maxDepth),
    );

    r.get(
      '/api/graph/nodes/:ref/dependents',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary: 'Everything that needs the node, transitively, nearest first, with depth',
          params: nodeRefParams,
          querystring: depthQuery,
          response: { 200: traversalResponse },
        },
      },
      async (request) => graph.traversal(request.params.ref, 'forward', request.query.maxDepth),
    );

    r.get(
      '/api/graph/nodes/:ref/subtree',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary: "A concept's descendants (sub-concepts and skills), level by level",
          params: nodeRefParams,
          querystring: subtreeQuery,
          response: { 200: subtreeResponse },
        },
      },
      async (request) =>
        graph.subtree(request.params.ref, request.query.maxDepth, request.query.limit),
    );

    r.get(
      '/api/graph/nodes/:ref/neighbourhood',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary:
            'The node and the nodes linked to it within a radius, with the links (graph view)',
          params: nodeRefParams,
          querystring: neighbourhoodQuery,
          response: { 200: neighbourhoodResponse },
        },
      },
      async (request) =>
        graph.neighbourhood(request.params.ref, request.query.radius, request.query.limit),
    );

    r.get(
      '/api/graph/path',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary: 'The shortest chain of prerequisites between two nodes (404 when there is none)',
          querystring: pathQuery,
          response: { 200: pathResponse },
        },
      },
      async (request) => {
        const path = await graph.path(request.query.from, request.query.to);
        if (!path) {
          throw new NotFoundError(
            `No chain of prerequisites links "${request.query.from}" and "${request.query.to}".`,
            'GRAPH_NO_PATH',
          );
        }
        return path;
      },
    );

    r.get(
      '/api/graph/order',
      {
        config: USER,
        schema: {
          tags: ['graph'],
          summary:
            'The given nodes (?ids=a,b,c) in prerequisite order: whatever is needed first comes first',
          querystring: orderQuery,
          response: { 200: orderResponse },
        },
      },
      async (request) => ({ nodes: await graph.topologicalOrder(request.query.ids) }),
    );

    r.get(
      '/api/graph/imports',
      {
        config: STAFF,
        schema: {
          tags: ['graph'],
          summary: 'The last imports of the graph, newest first',
          response: { 200: importLogResponse },
        },
      },
      async () => ({ imports: await graph.recentImports(20) }),
    );

    r.post(
      '/api/graph/imports',
      {
        config: STAFF,
        schema: {
          tags: ['graph'],
          summary:
            'Import the graph: multipart/form-data with the files concept_nodes, skill_nodes and edges (and prune=true to remove what they lack); runs as the graph.import job',
          consumes: ['multipart/form-data'],
          response: { 202: importAccepted },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        if (!request.isMultipart()) {
          throw new UnsupportedMediaTypeError(
            'Send the three files as multipart/form-data, in fields named concept_nodes, skill_nodes and edges.',
          );
        }
        const stored: Partial<Record<GraphFileKey, { blobKey: string; size: number }>> = {};
        const headerIssues: ImportProblem[] = [];
        let prune = false;
        const cleanUp = async () => {
          for (const file of Object.values(stored)) {
            await blobs.delete(file.blobKey).catch((err: unknown) => {
              request.log.warn({ err, key: file.blobKey }, 'could not remove an import upload');
            });
          }
        };
        try {
          let parts: AsyncIterableIterator<Multipart>;
          try {
            parts = request.parts({
              limits: {
                // One byte over reaches the inspector, which answers 413 (busboy would truncate).
                fileSize: config.uploads.maxBytes + 1,
                // One more than needed, so a repeated file gets its own message.
                files: 4,
                fields: 5,
                fieldSize: 100,
                parts: 8,
              },
            });
          } catch {
            throw malformed();
          }
          for await (const part of parts) {
            if (part.type === 'field') {
              if (part.fieldname !== 'prune') {
                throw new BadRequestError(
                  `Unknown form field "${part.fieldname}": send concept_nodes, skill_nodes, edges and optionally prune.`,
                );
              }
              const value = String(part.value).trim().toLowerCase();
              if (!TRUE_VALUES.has(value) && !FALSE_VALUES.has(value)) {
                throw new BadRequestError('prune must be true or false.', 'VALIDATION_FAILED');
              }
              prune = TRUE_VALUES.has(value);
              continue;
            }
            const key = FIELD_TO_FILE[part.fieldname];
            if (!key || stored[key]) {
              part.file.resume();
              throw new BadRequestError(
                key
                  ? `The form has two files for ${GRAPH_FILES[key]}; send one.`
                  : `Unknown file field "${part.fieldname}": the fields are concept_nodes, skill_nodes and edges.`,
              );
            }
            const inspector = new UploadInspector('csv', config.uploads.maxBytes);
            const capture = new HeadCapture();
            pipeline(part.file, capture, inspector, () => {
              // Failures surface through the inspector (sniffed / put below).
            });
            let contentType: string;
            try {
              contentType = await inspector.sniffed;
            } catch (err) {
              throw inFile(err, GRAPH_FILES[key]);
            }
            const blobKey = newUploadKey(clock.now());
            try {
              const meta = await blobs.put(blobKey, inspector, {
                contentType,
                originalName: GRAPH_FILES[key],
              });
              stored[key] = { blobKey, size: meta.size };
              headerIssues.push(...headerProblems(key, capture.head, capture.whole));
            } catch (err) {
              inspector.destroy();
              throw inFile(inspector.errored ?? err, GRAPH_FILES[key]);
            }
          }
          const missing = (['concept', 'skill', 'edges'] as const).filter((k) => !stored[k]);
          if (missing.length > 0) {
            throw new BadRequestError(
              `The form has no ${missing.map((k) => GRAPH_FILES[k]).join(', ')}: a graph is the three files ${Object.values(GRAPH_FILES).join(', ')}.`,
              'GRAPH_FILE_MISSING',
            );
          }
          // Header lines are judged now: a file the job would refuse at once is refused here.
          if (headerIssues.length > 0) throw new GraphImportRejectedError(headerIssues);
          const { concept, skill, edges } = stored as Required<typeof stored>;
          const payload: GraphImportPayload = { files: { concept, skill, edges }, prune };
          const job = await jobs.enqueue(GRAPH_IMPORT_JOB, payload, { userId: user.id });
          return await reply
            .code(202)
            .send({ job: { id: job.id, type: job.type, state: job.state } });
        } catch (err) {
          await cleanUp();
          if (err instanceof AppError) throw err;
          const code = (err as { code?: unknown }).code;
          if (
            code === 'FST_FILES_LIMIT' ||
            code === 'FST_PARTS_LIMIT' ||
            code === 'FST_FIELDS_LIMIT'
          ) {
            throw new BadRequestError(
              'The form has too many parts: send the three files concept_nodes, skill_nodes and edges, and optionally prune.',
              'GRAPH_FORM_TOO_LARGE',
            );
          }
          const status = (err as { statusCode?: number }).statusCode;
          if (status !== undefined && status < 500) throw err;
          if (isMultipartError(err)) throw malformed();
          throw err;
        }
      },
    );

    r.get(
      '/api/graph/export/:file',
      {
        config: STAFF,
        schema: {
          tags: ['graph'],
          summary:
            'Download one of the three CSV files of the graph (same columns and order as imported)',
          params: exportParams,
        },
      },
      async (request, reply) => {
        const files = await graph.exportCsv();
        const name = request.params.file;
        const body =
          name === GRAPH_FILES.concept
            ? files.concept
            : name === GRAPH_FILES.skill
              ? files.skill
              : files.edges;
        return reply
          .header('content-disposition', attachmentDisposition(name))
          .header('cache-control', 'private, no-store')
          .type('text/csv; charset=utf-8')
          .send(body);
      },
    );
  };
}

function malformed(): BadRequestError {
  return new BadRequestError(
    'The multipart body could not be read; send multipart/form-data with a boundary.',
    'MALFORMED_MULTIPART',
  );
}

function isMultipartError(err: unknown): boolean {
  return err instanceof Error && /multipart|boundary|busboy/i.test(err.message);
}

/** The error, naming the file it is about. */
function inFile(err: unknown, file: string): unknown {
  if (err instanceof AppError) {
    return new AppError(err.statusCode, err.code, err.title, `${file}: ${err.message}`);
  }
  return err;
}
