// "Suggest tags": starts a questions.auto-tag job for a selection, an import or the current
// filters, follows its progress live (server-sent events, polling when they are off) and links
// to the review queue when it is done.
import { Alert, Anchor, Button, Card, Group, Progress, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { errorMessage } from '../../api/api-error';
import { useTaggingApi } from '../../api/actions/use-tagging-api';
import { useLiveJobs } from '../../api/getters/use-live-jobs';
import { useAutoTagJob } from '../../api/getters/use-suggestions';
import { isActive } from '../../api/jobs-types';
import type { AutoTagInput, AutoTagResult } from '../../api/tagging-types';
import { SparkIcon } from '../../components/icons';

export interface SuggestTagsProps {
  /** What to tag: question ids, an import, or the list's filters. */
  target: AutoTagInput;
  /** "the 3 selected questions", "this import"… */
  what: string;
  /** Where "Review tags" leads (the queue, filtered to this import when there is one). */
  reviewHref?: string;
  compact?: boolean;
}

export function SuggestTags({ target, what, reviewHref, compact = false }: SuggestTagsProps) {
  const { start } = useTaggingApi();
  const [jobId, setJobId] = useState<string | null>(null);
  const { live } = useLiveJobs(jobId ? [jobId] : []);
  const job = useAutoTagJob(jobId, live ? 5000 : 1000);
  const current = job.data;
  const running = start.isPending || (current !== undefined && isActive(current));
  const result = current?.state === 'complete' ? (current.result as AutoTagResult | null) : null;
  const href =
    reviewHref ??
    (target.importId
      ? `/questions/review?importId=${encodeURIComponent(target.importId)}`
      : '/questions/review');

  return (
    <Card withBorder padding={compact ? 'sm' : 'md'} aria-label="Suggest tags">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" gap="sm">
          <Text size="sm">
            Suggest concept and skill tags for {what}. Suggestions wait for your review; only
            accepted tags count.
          </Text>
          <Button
            leftSection={<SparkIcon size={16} />}
            onClick={() =>
              start.mutate(target, {
                onSuccess: ({ job: started }) => setJobId(started.id),
              })
            }
            loading={running}
            disabled={running}
          >
            Suggest tags
          </Button>
        </Group>
        {start.isError ? (
          <Alert color="red" title="Tagging could not start" role="alert">
            {errorMessage(start.error)}
          </Alert>
        ) : null}
        {current ? (
          <Stack gap={6} aria-live="polite">
            <Progress
              value={current.progress}
              animated={isActive(current)}
              color={current.state === 'failed' ? 'red' : 'teal'}
              aria-label="Tagging progress"
            />
            <Text size="sm" c="dimmed">
              {current.state === 'queued'
                ? 'Waiting for a worker…'
                : current.state === 'running'
                  ? `${current.progress}% — ${current.message ?? 'Tagging…'}`
                  : current.state === 'complete'
                    ? (current.message ?? 'Done')
                    : (current.failureReason ?? 'Tagging stopped.')}
            </Text>
          </Stack>
        ) : null}
        {result ? (
          <Alert color="teal" title="Suggestions ready" role="status">
            <Stack gap={4}>
              <Text size="sm">
                {result.suggestions} suggestion{result.suggestions === 1 ? '' : 's'} for{' '}
                {result.tagged} of {result.questions} question{result.questions === 1 ? '' : 's'}
                {result.mode === 'llm'
                  ? `, re-ranked by AI${result.fallbacks > 0 ? ` (${result.fallbacks} kept the offline ranking)` : ''}`
                  : ' (offline tagger)'}
                .
              </Text>
              <Anchor component={Link} to={href} fw={500}>
                Review the suggestions
              </Anchor>
            </Stack>
          </Alert>
        ) : null}
      </Stack>
    </Card>
  );
}

const FILTER_KEYS = [
  'concept',
  'skill',
  'type',
  'status',
  'difficultyMin',
  'difficultyMax',
  'q',
  'category',
  'importId',
] as const;

/** The Questions list's URL filters as a tagging target (null for the archived list). */
export function tagTargetFromList(
  params: URLSearchParams,
  selected: readonly string[],
  shown: number,
): { target: AutoTagInput; what: string } | null {
  if (params.get('status') === 'archived') return null;
  if (selected.length > 0) {
    return {
      target: { questionIds: [...selected] },
      what: `the ${selected.length} selected question${selected.length === 1 ? '' : 's'}`,
    };
  }
  const filter: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filter[key] = value;
  }
  const filtered = Object.keys(filter).length > 0;
  return {
    target: { filter },
    what: filtered
      ? `the ${shown} question${shown === 1 ? '' : 's'} matching these filters`
      : `every question in the bank (${shown})`,
  };
}

/** The panel for the Questions list: staff only, on the selection or the filters. */
export function SuggestTagsForList(props: {
  params: URLSearchParams;
  selected: readonly string[];
  shown: number;
}) {
  const choice = tagTargetFromList(props.params, props.selected, props.shown);
  if (!choice || props.shown === 0) return null;
  const importId = props.params.get('importId');
  return (
    <SuggestTags
      compact
      target={choice.target}
      what={choice.what}
      reviewHref={
        importId ? `/questions/review?importId=${encodeURIComponent(importId)}` : undefined
      }
    />
  );
}
