import { Badge } from '@mantine/core';
import type { JobState } from '../../api/jobs-types';
import { JOB_STATE_COLORS, JOB_STATE_LABELS } from './job-labels';

export function JobStateBadge({ state }: { state: JobState }) {
  return (
    <Badge miw="max-content" color={JOB_STATE_COLORS[state]} variant="light" radius="sm">
      {JOB_STATE_LABELS[state]}
    </Badge>
  );
}
