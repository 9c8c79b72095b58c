// The Jobs page: background work with live progress. Learners see their own jobs; instructors
// and admins see everyone's (or only their own). Running jobs on the page are followed over
// server-sent events; the list itself is refreshed on a timer, faster when live events fail.
import {
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  LoadingOverlay,
  Pagination,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../api/api-error';
import { useJobsApi } from '../../api/actions/use-jobs-api';
import { useJobs } from '../../api/getters/use-jobs';
import { useLiveJobs } from '../../api/getters/use-live-jobs';
import { useMe } from '../../api/getters/use-me';
import { isActive, JOB_STATES, type JobState, type JobView } from '../../api/jobs-types';
import { ErrorAlert } from '../../components/error-alert';
import { ActivityIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { JOB_STATE_LABELS, JOB_TYPE_LABELS, jobLabel } from './job-labels';
import { JobsTable } from './jobs-table';

const PAGE_SIZE = 20;
/** The list refreshes this often while jobs are active and followed live… */
const ACTIVE_REFRESH_MS = 5000;
/** …this often while jobs are active and live events do not work… */
const POLL_FALLBACK_MS = 1500;
/** …and this often when nothing is active (new jobs started elsewhere appear). */
const IDLE_REFRESH_MS = 15_000;

const ALL = 'all';

export function JobsPage() {
  const me = useMe();
  const role = me.data?.role;
  const seesAll = role === 'admin' || role === 'instructor';
  const [page, setPage] = useState(1);
  const [state, setState] = useState<JobState | undefined>(undefined);
  const [type, setType] = useState<string | undefined>(undefined);
  const [scope, setScope] = useState<'everyone' | 'mine'>('everyone');
  // Whether running jobs are followed over server-sent events (false: the list polls faster).
  const liveRef = useRef(true);

  const query = {
    state,
    type,
    mine: seesAll && scope === 'mine' ? true : undefined,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  const jobs = useJobs(query, (data) =>
    (data?.jobs ?? []).some(isActive)
      ? liveRef.current
        ? ACTIVE_REFRESH_MS
        : POLL_FALLBACK_MS
      : IDLE_REFRESH_MS,
  );
  const list = jobs.data?.jobs;
  const anyActive = (list ?? []).some(isActive);
  const activeIds = useMemo(() => (list ?? []).filter(isActive).map((j) => j.id), [list]);
  const { live } = useLiveJobs(activeIds);
  liveRef.current = live;

  const { cancelJob, startWorkerCheck } = useJobsApi();

  const onCancel = (job: JobView) => {
    cancelJob.mutate(job.id, {
      onSuccess: () =>
        notifications.show({ color: 'teal', message: `${jobLabel(job.type)} cancelled.` }),
      onError: (error) =>
        notifications.show({
          color: 'red',
          title: 'The job could not be cancelled',
          message: errorMessage(error),
        }),
    });
  };

  const onWorkerCheck = () => {
    startWorkerCheck.mutate(
      { durationSeconds: 10, steps: 10 },
      {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            message: 'Worker check started: it waits 10 seconds in 10 steps.',
          });
          setPage(1);
        },
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: 'The worker check could not start',
            message: errorMessage(error),
          }),
      },
    );
  };

  const total = jobs.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filtered = state !== undefined || type !== undefined || query.mine === true;

  return (
    <Stack gap="lg">
      <PageHeader
        title="Jobs"
        description={
          seesAll
            ? 'Background work across SkillBridge — imports, scans, generated content and housekeeping — with its progress. Newest first.'
            : 'Work that runs in the background for you — imports, scans and generated content — with its progress. Newest first.'
        }
        actions={
          role === 'admin' ? (
            <Tooltip label="Starts a 10-second job to see that a worker picks up jobs" withArrow>
              <Button onClick={onWorkerCheck} loading={startWorkerCheck.isPending}>
                Run a worker check
              </Button>
            </Tooltip>
          ) : undefined
        }
      />

      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="sm" wrap="wrap" align="flex-end">
          {seesAll ? (
            <SegmentedControl
              aria-label="Whose jobs"
              value={scope}
              onChange={(v) => {
                setScope(v === 'mine' ? 'mine' : 'everyone');
                setPage(1);
              }}
              data={[
                { value: 'everyone', label: 'Everyone' },
                { value: 'mine', label: 'Mine' },
              ]}
            />
          ) : null}
          <Select
            label="State"
            w={160}
            value={state ?? ALL}
            allowDeselect={false}
            onChange={(v) => {
              setState(v && v !== ALL ? (v as JobState) : undefined);
              setPage(1);
            }}
            data={[
              { value: ALL, label: 'All states' },
              ...JOB_STATES.map((s) => ({ value: s, label: JOB_STATE_LABELS[s] })),
            ]}
          />
          <Select
            label="Kind"
            w={220}
            value={type ?? ALL}
            allowDeselect={false}
            onChange={(v) => {
              setType(v && v !== ALL ? v : undefined);
              setPage(1);
            }}
            data={[
              { value: ALL, label: 'All kinds' },
              ...Object.entries(JOB_TYPE_LABELS)
                // Learners never have housekeeping or system jobs.
                .filter(([value]) => seesAll || !/^(maintenance|system)\./.test(value))
                .map(([value, label]) => ({ value, label })),
            ]}
          />
        </Group>
        {anyActive ? (
          <Badge
            variant="dot"
            color={live ? 'teal' : 'yellow'}
            title={
              live
                ? 'Progress of running jobs arrives as it happens'
                : `Live updates are unavailable; refreshing every ${POLL_FALLBACK_MS / 1000} s`
            }
          >
            {live ? 'Live' : 'Refreshing'}
          </Badge>
        ) : null}
      </Group>

      <Card withBorder padding={0} pos="relative">
        {jobs.isPending ? (
          <PageLoader label="Loading jobs" />
        ) : jobs.isError ? (
          <Stack p="md">
            <ErrorAlert
              error={jobs.error}
              title="The jobs could not be loaded"
              onRetry={() => void jobs.refetch()}
            />
          </Stack>
        ) : jobs.data.jobs.length === 0 ? (
          <EmptyState py="xl" icon={<ActivityIcon size={28} />}>
            <EmptyState.Title order={2}>
              {filtered ? 'No matching jobs' : 'No jobs yet'}
            </EmptyState.Title>
            <EmptyState.Description>
              {filtered
                ? 'No job matches these filters. Choose “All states” and “All kinds” to see every job.'
                : 'Work that takes a while — importing a question bank, reading a scanned page, generating a deck — runs in the background and is listed here with its progress.'}
            </EmptyState.Description>
          </EmptyState>
        ) : (
          <>
            <LoadingOverlay visible={jobs.isFetching && jobs.isPlaceholderData} zIndex={5} />
            <JobsTable
              jobs={jobs.data.jobs}
              showOwner={seesAll}
              onCancel={onCancel}
              cancellingId={cancelJob.isPending ? (cancelJob.variables ?? null) : null}
            />
          </>
        )}
      </Card>

      {total > 0 ? (
        <Group justify="space-between" wrap="wrap">
          <Text size="sm" c="dimmed">
            {total} {total === 1 ? 'job' : 'jobs'}
          </Text>
          {pages > 1 ? (
            <Pagination
              total={pages}
              value={page}
              onChange={setPage}
              getControlProps={(control) => ({
                'aria-label': control === 'previous' ? 'Previous page' : 'Next page',
              })}
              getItemProps={(item) => ({ 'aria-label': `Page ${item}` })}
            />
          ) : null}
        </Group>
      ) : null}
    </Stack>
  );
}
