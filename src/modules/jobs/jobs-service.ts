// What people may see and do with background jobs. A learner sees and cancels only their own
// jobs (another user's job answers 404, as if it did not exist); instructors and admins see
// everyone's and may cancel any. What a job was asked to do (its payload) and what it produced
// may be private: only its owner and administrators get them. The internal error behind an
// unexpected failure is for administrators only.
import type { Role } from '../../infra/db/schema.ts';
import { FINISHED_STATES, type JobQueue, type JobRecord } from '../../infra/queue/job-queue.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { JobsReadModel } from './jobs-read-model.ts';
import type { ListJobsQuery } from './jobs-schemas.ts';
import { WORKER_CHECK_JOB, type WorkerCheckPayload } from './worker-check-job.ts';

export interface JobViewer {
  id: string;
  name: string;
  role: Role;
}

export interface JobView {
  id: string;
  type: string;
  state: JobRecord['state'];
  progress: number;
  message: string | null;
  attempts: number;
  maxAttempts: number;
  failureReason: string | null;
  errorDetail: string | null;
  payload: unknown;
  result: unknown;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  runAfter: string;
  owner: { id: string; name: string } | null;
  mine: boolean;
  canCancel: boolean;
}

/** Worker checks one person may have waiting or running at once. */
export const MAX_ACTIVE_WORKER_CHECKS = 3;

const NOT_FOUND = () => new NotFoundError('There is no job with this id.', 'JOB_NOT_FOUND');

export function seesAllJobs(viewer: JobViewer): boolean {
  return viewer.role === 'admin' || viewer.role === 'instructor';
}

export function isFinished(job: Pick<JobRecord, 'state'>): boolean {
  return FINISHED_STATES.has(job.state);
}

export class JobsService {
  constructor(
    private readonly deps: {
      jobs: JobQueue;
      readModel: JobsReadModel;
      audit: AuditService;
    },
  ) {}

  /** The job as this viewer may see it (ownerName: the owner's name, when it is someone else). */
  toView(viewer: JobViewer, job: JobRecord, ownerName: string | undefined): JobView {
    const mine = job.userId === viewer.id;
    const privateParts = mine || viewer.role === 'admin';
    return {
      id: job.id,
      type: job.type,
      state: job.state,
      progress: job.progress,
      message: job.message,
      attempts: job.attempts,
      maxAttempts: job.maxAttempts,
      failureReason: job.failureReason,
      errorDetail: viewer.role === 'admin' ? job.errorDetail : null,
      payload: privateParts ? job.payload : null,
      result: privateParts ? job.result : null,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      runAfter: job.runAfter,
      owner:
        job.userId === null
          ? null
          : { id: job.userId, name: mine ? viewer.name : (ownerName ?? 'A former user') },
      mine,
      canCancel: !isFinished(job) && (mine || seesAllJobs(viewer)),
    };
  }

  private async views(viewer: JobViewer, jobs: JobRecord[]): Promise<JobView[]> {
    const others = jobs
      .map((j) => j.userId)
      .filter((id): id is string => id !== null && id !== viewer.id);
    const names = await this.deps.readModel.ownerNames(others);
    return jobs.map((job) =>
      this.toView(viewer, job, job.userId ? names.get(job.userId) : undefined),
    );
  }

  async list(viewer: JobViewer, query: ListJobsQuery): Promise<{ jobs: JobView[]; total: number }> {
    const onlyMine = !seesAllJobs(viewer) || query.mine === true;
    const { jobs, total } = await this.deps.jobs.list({
      ...(onlyMine ? { userId: viewer.id } : {}),
      ...(query.type ? { type: query.type } : {}),
      ...(query.state ? { state: query.state } : {}),
      limit: query.limit,
      offset: query.offset,
    });
    return { jobs: await this.views(viewer, jobs), total };
  }

  /** The job as stored, if this viewer may see it; NotFoundError otherwise. */
  async record(viewer: JobViewer, id: string): Promise<JobRecord> {
    const job = await this.deps.jobs.get(id);
    if (!job || (job.userId !== viewer.id && !seesAllJobs(viewer))) throw NOT_FOUND();
    return job;
  }

  async get(viewer: JobViewer, id: string): Promise<JobView> {
    const [view] = await this.views(viewer, [await this.record(viewer, id)]);
    if (!view) throw NOT_FOUND();
    return view;
  }

  async cancel(viewer: JobViewer, id: string, meta: { ip: string | null }): Promise<JobView> {
    const job = await this.record(viewer, id);
    const mine = job.userId === viewer.id;
    const reason = mine
      ? 'Cancelled by the person who started it.'
      : `Cancelled by ${viewer.name} (${viewer.role}).`;
    const cancelled = await this.deps.jobs.cancel(id, reason);
    if (!mine) {
      await this.deps.audit.record({
        actorId: viewer.id,
        action: 'job.cancel',
        targetType: 'job',
        targetId: id,
        details: { type: job.type, owner: job.userId, state: job.state },
        ip: meta.ip,
      });
    }
    return this.get(viewer, cancelled.id);
  }

  /** Start a system.worker-check job for this viewer (at most a few at once). */
  async startWorkerCheck(viewer: JobViewer, payload: WorkerCheckPayload): Promise<JobView> {
    const active = await Promise.all(
      (['queued', 'running'] as const).map((state) =>
        this.deps.jobs.list({
          userId: viewer.id,
          type: WORKER_CHECK_JOB,
          state,
          limit: 1,
          offset: 0,
        }),
      ),
    );
    const count = active.reduce((sum, page) => sum + page.total, 0);
    if (count >= MAX_ACTIVE_WORKER_CHECKS) {
      throw new ConflictError(
        `You already have ${count} worker checks waiting or running; wait for one to finish or cancel it.`,
        'TOO_MANY_ACTIVE_JOBS',
      );
    }
    const job = await this.deps.jobs.enqueue(WORKER_CHECK_JOB, payload, { userId: viewer.id });
    return this.toView(viewer, job, undefined);
  }
}
