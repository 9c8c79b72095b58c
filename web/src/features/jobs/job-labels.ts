import type { JobState } from '../../api/jobs-types';

/** What people call each kind of job; a job type missing here shows its technical name. */
export const JOB_TYPE_LABELS: Record<string, string> = {
  'system.worker-check': 'Worker check',
  'maintenance.purge-expired-sessions': 'Remove expired sessions',
  'maintenance.purge-finished-jobs': 'Remove old jobs',
  'ocr.recognise': 'Read text from an image',
  'graph.import': 'Import a knowledge graph',
};

export function jobLabel(type: string): string {
  return JOB_TYPE_LABELS[type] ?? type;
}

export const JOB_STATE_LABELS: Record<JobState, string> = {
  queued: 'Waiting',
  running: 'Running',
  complete: 'Complete',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const JOB_STATE_COLORS: Record<JobState, string> = {
  queued: 'gray',
  running: 'blue',
  complete: 'teal',
  failed: 'red',
  cancelled: 'orange',
};
