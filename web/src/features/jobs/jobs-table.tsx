import { Button, Code, Group, Progress, Stack, Table, Text } from '@mantine/core';
import type { JobView } from '../../api/jobs-types';
import { formatDateTime, formatRelative } from '../../components/format';
import { JOB_STATE_COLORS, jobLabel } from './job-labels';
import { JobStateBadge } from './job-state-badge';

// Ids are UUIDs; the first block is enough to tell jobs apart, the title holds the rest.
function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The second line of the "When" column: how the job is doing in time. */
function timing(job: JobView, now: Date): string {
  if (job.finishedAt && job.startedAt && job.state !== 'cancelled') {
    return `took ${formatDuration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}`;
  }
  if (job.finishedAt) return `ended ${formatRelative(job.finishedAt, now)}`;
  if (job.state === 'running' && job.startedAt)
    return `started ${formatRelative(job.startedAt, now)}`;
  if (Date.parse(job.runAfter) > now.getTime())
    return `next try ${formatRelative(job.runAfter, now)}`;
  return 'waiting for a worker';
}

function JobProgress({ job }: { job: JobView }) {
  const label = `${jobLabel(job.type)} progress`;
  const color = JOB_STATE_COLORS[job.state] === 'gray' ? undefined : JOB_STATE_COLORS[job.state];
  return (
    <Stack gap={4} miw={200}>
      <Group gap="xs" wrap="nowrap">
        <Progress
          value={job.progress}
          flex={1}
          size="md"
          radius="sm"
          color={color}
          striped={job.state === 'running'}
          animated={job.state === 'running'}
          aria-label={label}
          transitionDuration={200}
        />
        <Text size="xs" c="dimmed" w={36} ta="right">
          {job.progress}%
        </Text>
      </Group>
      {job.message ? (
        <Text size="xs" c="dimmed" lineClamp={2} title={job.message}>
          {job.message}
        </Text>
      ) : null}
      {job.failureReason && (job.state === 'failed' || job.state === 'cancelled') ? (
        <Text size="xs" c={job.state === 'failed' ? 'red' : 'orange.8'} role="note">
          {job.failureReason}
        </Text>
      ) : null}
      {job.errorDetail ? (
        <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          Detail: <Code>{job.errorDetail}</Code>
        </Text>
      ) : null}
    </Stack>
  );
}

interface JobsTableProps {
  jobs: JobView[];
  showOwner: boolean;
  onCancel: (job: JobView) => void;
  cancellingId: string | null;
}

export function JobsTable({ jobs, showOwner, onCancel, cancellingId }: JobsTableProps) {
  const now = new Date();
  return (
    <Table.ScrollContainer minWidth={showOwner ? 920 : 780}>
      <Table verticalSpacing="sm" aria-label="Jobs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Job</Table.Th>
            {showOwner ? <Table.Th style={{ whiteSpace: 'nowrap' }}>Requested by</Table.Th> : null}
            <Table.Th>State</Table.Th>
            <Table.Th>Progress</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>When</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((job) => (
            <Table.Tr key={job.id} data-job-id={job.id}>
              <Table.Td>
                <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
                  {jobLabel(job.type)}
                </Text>
                <Text size="xs" c="dimmed" title={`${job.type} ${job.id}`}>
                  {shortId(job.id)}
                </Text>
              </Table.Td>
              {showOwner ? (
                <Table.Td>
                  <Text size="sm" c={job.owner ? undefined : 'dimmed'}>
                    {job.mine ? 'You' : (job.owner?.name ?? 'Schedule')}
                  </Text>
                </Table.Td>
              ) : null}
              <Table.Td>
                <JobStateBadge state={job.state} />
              </Table.Td>
              <Table.Td w="36%">
                <JobProgress job={job} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                  {job.attempts} of {job.maxAttempts}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text
                  size="sm"
                  title={formatDateTime(job.createdAt)}
                  style={{ whiteSpace: 'nowrap' }}
                >
                  {formatRelative(job.createdAt, now)}
                </Text>
                <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {timing(job, now)}
                </Text>
              </Table.Td>
              <Table.Td>
                {job.canCancel ? (
                  <Button
                    size="xs"
                    variant="default"
                    color="red"
                    onClick={() => onCancel(job)}
                    loading={cancellingId === job.id}
                    aria-label={`Cancel ${jobLabel(job.type)} ${shortId(job.id)}`}
                  >
                    Cancel
                  </Button>
                ) : (
                  <Text size="sm" c="dimmed">
                    —
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
