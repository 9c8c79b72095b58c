// Small pieces shared by the OCR import and correction pages.
import { Badge, Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import type { JobView } from '../../api/jobs-types';
import type { OcrDraftSummary } from './ocr-api';

/** Mean OCR confidence: green when the text is likely right, yellow worth a look, red doubtful. */
export function ConfidenceBadge({
  confidence,
  lowConfidence = 70,
}: {
  confidence: number | null;
  lowConfidence?: number;
}) {
  if (confidence === null) return <Text size="sm">—</Text>;
  const rounded = Math.round(confidence);
  const color = rounded >= 85 ? 'teal' : rounded >= lowConfidence ? 'yellow' : 'red';
  return (
    <Tooltip label="Mean OCR confidence over the recognised words">
      <Badge color={color} variant="light" miw="max-content" aria-label={`Confidence ${rounded}%`}>
        {rounded}%
      </Badge>
    </Tooltip>
  );
}

const STATUS_LABELS: Record<OcrDraftSummary['status'], string> = {
  queued: 'Waiting',
  recognising: 'Reading',
  drafted: 'Drafted',
  failed: 'Failed',
};
const STATUS_COLORS: Record<OcrDraftSummary['status'], string> = {
  queued: 'gray',
  recognising: 'blue',
  drafted: 'teal',
  failed: 'red',
};

/** Where one image is: waiting or being read (with its job's progress), drafted, failed. */
export function OcrStatus({ draft, job }: { draft: OcrDraftSummary; job?: JobView | undefined }) {
  const pending = draft.status === 'queued' || draft.status === 'recognising';
  const state = job?.state ?? draft.job?.state;
  const finishedWhileStale = pending && (state === 'complete' || state === 'failed');
  const progress = job?.progress ?? draft.job?.progress ?? 0;
  const message = job?.message ?? draft.job?.message ?? null;
  const status =
    pending && state === 'running'
      ? 'recognising'
      : finishedWhileStale
        ? 'recognising'
        : draft.status;
  return (
    <Stack gap={2}>
      <Group gap="xs" wrap="nowrap" align="center">
        <Badge color={STATUS_COLORS[status]} variant="light" miw="max-content">
          {STATUS_LABELS[status]}
        </Badge>
        {pending ? (
          <Progress
            value={progress}
            w={120}
            size="md"
            aria-label={`OCR of ${draft.fileName}: ${progress}%${message ? `, ${message}` : ''}`}
            animated={status === 'recognising'}
          />
        ) : null}
      </Group>
      {pending && message ? (
        <Text size="xs" c="dimmed" lineClamp={1}>
          {message}
        </Text>
      ) : null}
    </Stack>
  );
}

export function ReviewBadge({ draft }: { draft: OcrDraftSummary }) {
  if (draft.status !== 'drafted') return null;
  return draft.needsReview ? (
    <Badge color="orange" variant="outline" miw="max-content">
      Needs review
    </Badge>
  ) : (
    <Badge color="teal" variant="outline" miw="max-content">
      Reviewed
    </Badge>
  );
}
