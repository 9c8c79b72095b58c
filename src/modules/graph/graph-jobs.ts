// The `graph.import` job: the three CSV files of an upload, read from the blob store, checked and
// imported (graph-import.ts) with progress. Its result is the import outcome: `imported` with the
// counts, or `rejected` with every problem by file and line (the job itself completes: the
// files were judged). A graph changed by another import meanwhile is retried.
import { z } from 'zod';
import { blobKeyProblem } from '../../infra/storage/blob-keys.ts';
import type { BlobStore } from '../../infra/storage/blob-store.ts';
import { JobFailure, type JobDefinition } from '../../infra/queue/job-queue.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import type { GraphFileKey, ImportOutcome } from './graph-import.ts';
import type { GraphService } from './graph-service.ts';

export const GRAPH_IMPORT_JOB = 'graph.import';

const uploadedFile = z.object({
  blobKey: z
    .string()
    .max(1024)
    .superRefine((key, ctx) => {
      const problem = blobKeyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: `The storage key ${problem}.` });
      else if (!key.startsWith('uploads/')) {
        ctx.addIssue({ code: 'custom', message: 'Only uploaded files (uploads/…) can be read.' });
      }
    }),
  size: z.number().int().min(0),
});

export const graphImportPayloadSchema = z.object({
  files: z.object({ concept: uploadedFile, skill: uploadedFile, edges: uploadedFile }),
  prune: z.boolean(),
});

export type GraphImportPayload = z.infer<typeof graphImportPayloadSchema>;

export function createGraphImportJob(deps: {
  graph: GraphService;
  blobs: BlobStore;
}): JobDefinition<GraphImportPayload, ImportOutcome> {
  return {
    type: GRAPH_IMPORT_JOB,
    schema: graphImportPayloadSchema,
    maxAttempts: 3,
    backoffMs: 1000,
    timeoutMs: 30 * 60_000,
    async handler(payload, ctx) {
      const source = (key: GraphFileKey) => ({
        size: payload.files[key].size,
        open: async () => {
          try {
            return (await deps.blobs.get(payload.files[key].blobKey)).body;
          } catch (err) {
            if (err instanceof NotFoundError) {
              throw new JobFailure('The uploaded files are no longer stored; upload them again.', {
                retryable: false,
              });
            }
            throw err;
          }
        },
      });
      // The uploads are only the means of this import: removed once the files have been judged
      // (imported or rejected) or the job cannot run again; kept while a retry may need them.
      const removeUploads = async () => {
        for (const file of Object.values(payload.files)) {
          await deps.blobs.delete(file.blobKey).catch((err: unknown) => {
            ctx.log.warn({ err, key: file.blobKey }, 'could not remove a graph import upload');
          });
        }
      };
      let lastPercent = -1;
      let outcome: ImportOutcome;
      try {
        outcome = await deps.graph.importFiles(
          { concept: source('concept'), skill: source('skill'), edges: source('edges') },
          {
            prune: payload.prune,
            userId: ctx.job.userId,
            source: 'upload',
            signal: ctx.signal,
            onProgress: (p) => {
              if (p.percent === lastPercent) return;
              lastPercent = p.percent;
              ctx.progress(p.percent, p.message).catch((err: unknown) => {
                ctx.log.warn({ err }, 'could not record graph import progress');
              });
            },
          },
        );
      } catch (err) {
        const failure =
          err instanceof ConflictError ? new JobFailure(err.message, { retryable: true }) : err;
        const final =
          (failure instanceof JobFailure && !failure.retryable) ||
          (ctx.attempt >= ctx.job.maxAttempts && !ctx.signal.aborted);
        if (final) await removeUploads();
        throw failure;
      }
      await removeUploads();
      await ctx.progress(
        100,
        outcome.status === 'imported'
          ? 'Imported'
          : `Nothing imported: ${outcome.problemCount} problem${outcome.problemCount === 1 ? '' : 's'} in the files`,
      );
      return outcome;
    },
  };
}
