// Composition root: builds every store and service from the configuration, once.
import pino, { type Logger } from 'pino';
import type { AppConfig } from './config/env.ts';
import { createDatabase, type DatabaseHandle } from './infra/db/database.ts';
import { migrateToLatest } from './infra/db/migrate.ts';
import { createLlmGateway } from './infra/llm/create-llm-gateway.ts';
import { createJobQueue } from './infra/queue/create-job-queue.ts';
import type { JobQueue } from './infra/queue/job-queue.ts';
import {
  registerJobDefinitions,
  registerMasteryJobs,
  registerTaggingJobs,
  registerRecommendationJobs,
  registerTrackerJobs,
} from './job-definitions.ts';
import type { LlmGateway } from './infra/llm/llm-gateway.ts';
import type { Ocr } from './infra/ocr/ocr.ts';
import { OcrPool } from './infra/ocr/ocr-pool.ts';
import { AccountsService } from './modules/accounts/accounts-service.ts';
import { Argon2PasswordHasher, type PasswordHasher } from './modules/accounts/password-hasher.ts';
import { createSessionLookup } from './modules/accounts/session-lookup.ts';
import { AuditService } from './modules/audit/audit-service.ts';
import type { BlobStore } from './infra/storage/blob-store.ts';
import { createBlobStore, createBlobUrlSigner } from './infra/storage/create-blob-store.ts';
import { FilesService } from './modules/files/files-service.ts';
import { GraphService } from './modules/graph/graph-service.ts';
import { JobsReadModel } from './modules/jobs/jobs-read-model.ts';
import { JobsService } from './modules/jobs/jobs-service.ts';
import { MasteryService } from './modules/mastery/mastery-service.ts';
import { LlmUsageService } from './modules/ops/llm-usage-service.ts';
import { PathsService } from './modules/paths/paths-service.ts';
import { WriteBatcher } from './infra/db/write-batch.ts';
import { PracticeService } from './modules/practice/practice-service.ts';
import { PlacementService } from './modules/assessment/placement-service.ts';
import { graphServiceLookup } from './modules/questions/graph-service-lookup.ts';
import { OcrIngestService } from './modules/questions/ocr-ingest-service.ts';
import { QuestionsService } from './modules/questions/questions-service.ts';
import { TaggingService } from './modules/questions/tagging-service.ts';
import { rolesCatalogueResources } from './modules/recommendations/recommendations-resources.ts';
import { RecommendationsService } from './modules/recommendations/recommendations-service.ts';
import { questionBankForTracker } from './modules/tracker/tracker-bank.ts';
import { TrackerService } from './modules/tracker/tracker-service.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { loggerOptions } from './platform/logger.ts';

export interface Deps {
  config: AppConfig;
  logger: Logger;
  clock: Clock;
  database: DatabaseHandle;
  /** Group commit for short write transactions (see infra/db/write-batch.ts). */
  writes: WriteBatcher;
  hasher: PasswordHasher;
  audit: AuditService;
  accounts: AccountsService;
  /** Every language-model call goes through it (limits, retries, budgets, usage ledger). */
  llm: LlmGateway;
  /** Local files (default) or S3, from STORAGE. */
  blobs: BlobStore;
  files: FilesService;
  /** Admin view of the LLM ledger, budgets and provider checks. */
  llmUsage: LlmUsageService;
  /** Background jobs (JOB_QUEUE), every definition registered; the worker runs only when started. */
  jobs: JobQueue;
  /** Who may see and cancel which jobs (the /api/jobs routes). */
  jobsService: JobsService;
  /** The question bank: browsing, authoring, GIFT/CSV import and export. */
  questions: QuestionsService;
  /** Auto-tagging of questions (questions.auto-tag job) and the review queue of suggestions. */
  tagging: TaggingService;
  /** OCR ingestion: images of printed questions become draft questions (questions.ocr-draft). */
  ocrIngest: OcrIngestService;
  /** The knowledge graph: look-ups, traversals, CSV import and export. */
  graph: GraphService;
  /** Knowledge tracing per learner and skill: the one store every mastery figure comes from. */
  mastery: MasteryService;
  /** Answering questions: grading, mastery and review schedule in one transaction. */
  practice: PracticeService;
  /** The adaptive placement test; its result seeds mastery. */
  placement: PlacementService;
  /** The role catalogue and learners' learning paths (modules, generated lessons, completion). */
  paths: PathsService;
  /** The performance tracker: papers, results, dashboard and weak links, cohort aggregates. */
  tracker: TrackerService;
  /** Recommendation sets: questions chosen from the tracker's statistics, one active per learner. */
  recommendations: RecommendationsService;
  /** tesseract.js threads (OCR_WORKERS), started on first use; the ocr.recognise job uses it. */
  ocr: Ocr;
  close(): Promise<void>;
}

export interface DepsOverrides {
  logger?: Logger;
  clock?: Clock;
  database?: DatabaseHandle;
  hasher?: PasswordHasher;
  llm?: LlmGateway;
  blobs?: BlobStore;
  jobs?: JobQueue;
  ocr?: Ocr;
}

/**
 * How long running jobs may take to finish at shutdown before they are aborted and put back in
 * the queue: a third of SHUTDOWN_TIMEOUT_MS, at most 5 s, so the release fits in the timeout.
 */
export function jobShutdownGraceMs(config: AppConfig): number {
  return Math.min(5000, Math.floor(config.shutdownTimeoutMs / 3));
}

export function createLogger(config: AppConfig): Logger {
  return pino(loggerOptions(config.logLevel));
}

export function createDeps(config: AppConfig, overrides: DepsOverrides = {}): Deps {
  const logger = overrides.logger ?? createLogger(config);
  const clock = overrides.clock ?? systemClock;
  const database = overrides.database ?? createDatabase(config.database, logger);
  const hasher = overrides.hasher ?? new Argon2PasswordHasher();
  const audit = new AuditService(database.db, clock);
  const accounts = new AccountsService(
    database.db,
    config,
    clock,
    hasher,
    audit,
    createSessionLookup(database),
  );
  const llm = overrides.llm ?? createLlmGateway(config.llm, { db: database.db, clock, logger });
  const blobs = overrides.blobs ?? createBlobStore(config, clock);
  const files = new FilesService({
    db: database.db,
    blobs,
    signer: createBlobUrlSigner(config, clock),
    config,
    clock,
    audit,
    logger,
  });
  const llmUsage = new LlmUsageService({ db: database.db, llm, accounts, audit, clock });
  const jobs = overrides.jobs ?? createJobQueue(config, { database, clock, logger });
  const ocr =
    overrides.ocr ??
    new OcrPool({ size: config.ocr.workers, logger: logger.child({ component: 'ocr' }) });
  const graph = new GraphService({ db: database.db, dialect: database.dialect, clock });
  const ocrIngest = new OcrIngestService({
    db: database.db,
    clock,
    blobs,
    jobs,
    logger,
    maxImageBytes: config.uploads.maxBytes,
  });
  registerJobDefinitions(jobs, { config, clock, accounts, blobs, ocr, graph, ocrIngest });
  const jobsService = new JobsService({ jobs, readModel: new JobsReadModel(database.db), audit });
  const questions = new QuestionsService({
    db: database.db,
    clock,
    graph: graphServiceLookup(graph),
  });
  const tagging = new TaggingService({
    db: database.db,
    clock,
    graph: graphServiceLookup(graph),
    questions,
    llm,
    jobs,
  });
  registerTaggingJobs(jobs, { tagging });
  // Short, hot write transactions (practice answers, tracker results) share commits on SQLite; once
  // they keep the WAL growing, WAL checkpoints move to their own thread.
  const writes = new WriteBatcher(database.db, database.dialect, {
    beforeBatch: async () => {
      database.checkpointer?.noteWrite();
      await database.checkpointer?.barrier();
    },
  });
  const tracker = new TrackerService({
    db: database.db,
    dialect: database.dialect,
    clock,
    graph,
    bank: questionBankForTracker(questions),
    users: accounts,
    transact: writes.transact,
  });
  registerTrackerJobs(jobs, { tracker });
  const mastery = new MasteryService({
    db: database.db,
    dialect: database.dialect,
    clock,
    threshold: config.mastery.threshold,
    minLearners: config.mastery.minLearners,
    fitRestarts: config.mastery.fitRestarts,
  });
  const practice = new PracticeService({
    db: database.db,
    dialect: database.dialect,
    clock,
    mastery,
    transact: writes.transact,
  });
  registerMasteryJobs(jobs, { mastery });
  const paths = new PathsService({
    db: database.db,
    dialect: database.dialect,
    clock,
    config,
    graph,
    mastery,
    practice,
    llm,
    audit,
  });
  const placement = new PlacementService({
    db: database.db,
    dialect: database.dialect,
    clock,
    mastery,
    roles: paths,
    config: config.placement,
  });
  tracker.setMastery(mastery);
  const recommendations = new RecommendationsService({
    db: database.db,
    dialect: database.dialect,
    clock,
    tracker,
    graph,
    users: accounts,
    mastery,
    logger,
  });
  registerRecommendationJobs(jobs, { recommendations });
  recommendations.setResources(rolesCatalogueResources(paths));
  return {
    config,
    logger,
    clock,
    database,
    writes,
    hasher,
    audit,
    accounts,
    llm,
    blobs,
    files,
    llmUsage,
    jobs,
    jobsService,
    questions,
    tagging,
    ocrIngest,
    graph,
    tracker,
    recommendations,
    mastery,
    practice,
    placement,
    paths,
    ocr,
    async close() {
      // The worker first: running jobs finish or go back to the queue while the database is open.
      await jobs.stop({ graceMs: jobShutdownGraceMs(config) });
      await ocr.close();
      await blobs.close();
      await database.destroy();
    },
  };
}

/** Dependencies with the schema migrated: what `serve` and the CLI commands start from. */
export async function createReadyDeps(config: AppConfig, overrides: DepsOverrides = {}) {
  const deps = createDeps(config, overrides);
  try {
    await migrateToLatest(deps.database);
  } catch (err) {
    await deps.close();
    throw err;
  }
  return deps;
}
