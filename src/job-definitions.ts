// Every kind of background job this program knows, registered on the queue in one place, and the
// schedules a worker keeps. A module with background work adds its definitions here (its own
// `<module>-jobs.ts` builds them from the services it needs); the API process registers them too,
// so enqueueing validates payloads against the same schemas the worker runs.
import type { AppConfig } from './config/env.ts';
import type { Ocr } from './infra/ocr/ocr.ts';
import { createOcrJobDefinition } from './infra/ocr/ocr-job.ts';
import type { JobQueue } from './infra/queue/job-queue.ts';
import type { BlobStore } from './infra/storage/blob-store.ts';
import type { AccountsService } from './modules/accounts/accounts-service.ts';
import { createGraphImportJob } from './modules/graph/graph-jobs.ts';
import type { GraphService } from './modules/graph/graph-service.ts';
import {
  MAINTENANCE_SCHEDULES,
  purgeExpiredSessionsJob,
  purgeFinishedJobsJob,
} from './modules/jobs/maintenance-jobs.ts';
import { workerCheckJob } from './modules/jobs/worker-check-job.ts';
import { createFitMasteryJob, MASTERY_SCHEDULES } from './modules/mastery/mastery-jobs.ts';
import type { MasteryService } from './modules/mastery/mastery-service.ts';
import { createOcrDraftJob } from './modules/questions/ocr-ingest-jobs.ts';
import type { OcrIngestService } from './modules/questions/ocr-ingest-service.ts';
import { createAutoTagJob } from './modules/questions/questions-jobs.ts';
import type { TaggingService } from './modules/questions/tagging-service.ts';
import {
  RECOMMENDATIONS_SCHEDULES,
  recommendationsRebuildJob,
} from './modules/recommendations/recommendations-jobs.ts';
import type { RecommendationsService } from './modules/recommendations/recommendations-service.ts';
import { TRACKER_SCHEDULES, trackerAggregateJob } from './modules/tracker/tracker-jobs.ts';
import type { TrackerService } from './modules/tracker/tracker-service.ts';
import type { Clock } from './platform/clock.ts';

export interface JobDefinitionDeps {
  config: AppConfig;
  clock: Clock;
  accounts: AccountsService;
  blobs: BlobStore;
  ocr: Ocr;
  graph: GraphService;
  ocrIngest: OcrIngestService;
}

export function registerJobDefinitions(jobs: JobQueue, deps: JobDefinitionDeps): void {
  jobs.register(workerCheckJob());
  jobs.register(purgeExpiredSessionsJob({ accounts: deps.accounts }));
  jobs.register(
    purgeFinishedJobsJob({
      jobs,
      clock: deps.clock,
      retentionDays: deps.config.jobs.retentionDays,
    }),
  );
  jobs.register(createOcrJobDefinition({ blobs: deps.blobs, ocr: deps.ocr }));
  jobs.register(createGraphImportJob({ graph: deps.graph, blobs: deps.blobs }));
  jobs.register(createOcrDraftJob({ ocrIngest: deps.ocrIngest, blobs: deps.blobs, ocr: deps.ocr }));
}

/** The question tagger's job: registered once the question bank's services exist. */
export function registerTaggingJobs(jobs: JobQueue, deps: { tagging: TaggingService }): void {
  jobs.register(createAutoTagJob({ tagging: deps.tagging }));
}

/** Knowledge tracing's weekly parameter fit: registered once the mastery store exists. */
export function registerMasteryJobs(jobs: JobQueue, deps: { mastery: MasteryService }): void {
  jobs.register(createFitMasteryJob(deps));
}

/** The performance tracker's weekly aggregate: registered once the tracker exists. */
export function registerTrackerJobs(jobs: JobQueue, deps: { tracker: TrackerService }): void {
  jobs.register(trackerAggregateJob(deps));
}

/** The weekly rebuild of recommendation sets (after the tracker's aggregate). */
export function registerRecommendationJobs(
  jobs: JobQueue,
  deps: { recommendations: RecommendationsService },
): void {
  jobs.register(recommendationsRebuildJob(deps));
}

/** Create or update every schedule; each tick then runs once across all instances. */
export async function registerJobSchedules(jobs: JobQueue): Promise<void> {
  for (const schedule of MAINTENANCE_SCHEDULES) await jobs.schedule(schedule);
  for (const schedule of TRACKER_SCHEDULES) await jobs.schedule(schedule);
  for (const schedule of RECOMMENDATIONS_SCHEDULES) await jobs.schedule(schedule);
  for (const schedule of MASTERY_SCHEDULES) await jobs.schedule(schedule);
}

/** Make this process a worker: keep the schedules and take jobs until deps.close(). */
export async function startJobWorker(jobs: JobQueue): Promise<void> {
  await registerJobSchedules(jobs);
  await jobs.startWorker();
}

/** One line for start-up output and readiness: whether and how this process works jobs. */
export function describeWorker(jobs: JobQueue, config: AppConfig): string {
  if (!jobs.isWorkerRunning()) return 'off';
  return `on (${jobs.kind} queue, up to ${config.jobs.concurrency} jobs at a time)`;
}
