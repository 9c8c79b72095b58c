// Import the knowledge graph: the three CSV files go up together and are checked as a whole by
// the graph.import job, followed here live. Either every problem is listed by file and line and
// nothing was imported, or the summary says what was created, updated and left unchanged.
// The job's id is kept in the URL, so a reload keeps following it.
import {
  Alert,
  Anchor,
  Button,
  Card,
  Checkbox,
  Code,
  FileInput,
  Group,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useGraphApi } from '../../api/actions/use-graph-api';
import { useGraphImportJob, useGraphImports } from '../../api/getters/use-graph';
import { useLiveJobs } from '../../api/getters/use-live-jobs';
import { useMe } from '../../api/getters/use-me';
import {
  GRAPH_FILES,
  type GraphFileField,
  type ImportCounts,
  type ImportOutcome,
  type ImportProblem,
  type ImportSummary,
} from '../../api/graph-types';
import { isActive, type JobView } from '../../api/jobs-types';
import { ErrorAlert } from '../../components/error-alert';
import { formatDateTime } from '../../components/format';
import { NotAllowed } from '../../components/not-allowed';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { JobStateBadge } from '../jobs/job-state-badge';
import { GraphStatsCards } from './graph-stats';

type Files = Partial<Record<GraphFileField, File>>;

const GRAPH_IMPORT_JOB = 'graph.import';

const FILE_HELP: Record<GraphFileField, string> = {
  concept_nodes:
    'Columns id, name, description, parent_id (subject, level and any others optional)',
  skill_nodes: 'Columns id, name, description, concept_id (subject, level and any others optional)',
  edges:
    'Columns source_id, target_id, type (prerequisite: the source is needed before the target; or part_of)',
};

export function GraphImportPage() {
  const me = useMe();
  if (me.isPending) return <PageLoader />;
  if (me.data?.role !== 'instructor' && me.data?.role !== 'admin') {
    return (
      <NotAllowed detail="Importing the knowledge graph is for instructors and administrators. You can still browse the graph." />
    );
  }
  return <ImportForm />;
}

function ImportForm() {
  const [params, setParams] = useSearchParams();
  const jobId = params.get('job');
  const [files, setFiles] = useState<Files>({});
  const [prune, setPrune] = useState(false);
  const { startImport, refreshGraph } = useGraphApi();

  const { live } = useLiveJobs(jobId ? [jobId] : []);
  const job = useGraphImportJob(jobId, live ? 5000 : 1000);
  const imports = useGraphImports(true);

  // When the followed job ends, the pages of the graph show what it did.
  const finishedFor = useRef<string | null>(null);
  useEffect(() => {
    if (job.data && !isActive(job.data) && finishedFor.current !== job.data.id) {
      finishedFor.current = job.data.id;
      void refreshGraph();
    }
  }, [job.data, refreshGraph]);

  const missing = GRAPH_FILES.filter((f) => !files[f.key]);
  const running = job.data ? isActive(job.data) : false;

  const start = () => {
    if (missing.length > 0) return;
    startImport.mutate(
      { files: files as Record<GraphFileField, File>, prune },
      {
        onSuccess: (accepted) => {
          finishedFor.current = null;
          setParams({ job: accepted.job.id }, { replace: false });
        },
      },
    );
  };

  return (
    <Stack gap="lg" maw={1000}>
      <Anchor component={Link} to="/graph" size="sm">
        ← Knowledge graph
      </Anchor>
      <PageHeader
        title="Import the knowledge graph"
        description="Upload the three CSV files together. They are checked as a whole first: if anything is wrong, nothing is imported and every problem is listed with its file and line."
      />

      <GraphStatsCards />

      <Card withBorder>
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
            {GRAPH_FILES.map((f) => (
              <FileInput
                key={f.key}
                label={f.file}
                description={FILE_HELP[f.key]}
                placeholder="Choose the file"
                accept=".csv,text/csv"
                value={files[f.key] ?? null}
                onChange={(file) => {
                  setFiles((current) => {
                    const next = { ...current };
                    if (file) next[f.key] = file;
                    else delete next[f.key];
                    return next;
                  });
                  startImport.reset();
                }}
                clearable
                withAsterisk
                inputWrapperOrder={['label', 'input', 'description', 'error']}
              />
            ))}
          </SimpleGrid>
          <Checkbox
            label="Remove what the files no longer have"
            description="Off: concepts, skills and edges missing from the files are kept. On: they are removed (refused for a node that questions or paths still use)."
            checked={prune}
            onChange={(event) => setPrune(event.currentTarget.checked)}
          />
          <Group>
            <Button
              onClick={start}
              disabled={missing.length > 0 || running}
              loading={startImport.isPending}
            >
              Import
            </Button>
            {missing.length > 0 ? (
              <Text size="sm" c="dimmed">
                Choose {missing.map((f) => f.file).join(', ')}.
              </Text>
            ) : null}
          </Group>
        </Stack>
      </Card>

      {startImport.isError ? (
        <ErrorAlert error={startImport.error} title="The files were not accepted" />
      ) : null}

      {jobId ? (
        job.isPending ? (
          <PageLoader label="Loading the import" />
        ) : job.isError ? (
          <ErrorAlert
            error={job.error}
            title="The import could not be followed"
            onRetry={() => void job.refetch()}
          />
        ) : job.data?.type !== GRAPH_IMPORT_JOB ? (
          <Alert color="red" variant="light" title="Not a graph import" role="alert">
            This link points at another kind of job; see it on the Jobs page.
          </Alert>
        ) : (
          <ImportJobCard job={job.data} />
        )
      ) : null}

      <Card withBorder>
        <Stack gap="xs">
          <Title order={2} size="h4">
            Recent imports
          </Title>
          {imports.isPending ? (
            <PageLoader label="Loading the imports" />
          ) : imports.isError ? (
            <ErrorAlert error={imports.error} title="The imports could not be loaded" />
          ) : imports.data.length === 0 ? (
            <Text size="sm" c="dimmed">
              None yet.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table aria-label="Recent imports" verticalSpacing={6}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>By</Table.Th>
                    <Table.Th>Nodes created / updated / unchanged</Table.Th>
                    <Table.Th>Edges created / updated / unchanged</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {imports.data.slice(0, 5).map((entry) => {
                    const summary = entry.summary as Partial<ImportSummary> | null;
                    const counts = (c: ImportCounts | undefined) =>
                      c
                        ? `${c.created} / ${c.updated} / ${c.unchanged}${c.removed ? `, ${c.removed} removed` : ''}`
                        : '—';
                    return (
                      <Table.Tr key={entry.id}>
                        <Table.Td>
                          <Text size="sm">{formatDateTime(entry.createdAt)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">
                            {entry.userName ??
                              (entry.source === 'seed' ? 'Demo graph' : entry.source)}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{counts(summary?.nodeChanges)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{counts(summary?.edgeChanges)}</Text>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}

function ImportJobCard({ job }: { job: JobView }) {
  const outcome = job.state === 'complete' ? (job.result as ImportOutcome | null) : null;
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4">
            Import
          </Title>
          <JobStateBadge state={job.state} />
        </Group>
        {isActive(job) || !outcome ? (
          <Stack gap={4}>
            <Group gap="xs" wrap="nowrap">
              <Progress
                value={job.progress}
                flex={1}
                size="lg"
                radius="sm"
                striped={job.state === 'running'}
                animated={job.state === 'running'}
                aria-label="Import progress"
                color={job.state === 'failed' ? 'red' : undefined}
              />
              <Text size="sm" c="dimmed" w={44} ta="right">
                {job.progress}%
              </Text>
            </Group>
            <Text size="sm" c="dimmed" aria-live="polite">
              {job.state === 'queued' ? 'Waiting for a worker…' : (job.message ?? 'Working…')}
            </Text>
          </Stack>
        ) : null}
        {job.state === 'failed' || job.state === 'cancelled' ? (
          <Alert color="red" variant="light" title="Nothing was imported" role="alert">
            {job.failureReason ?? 'The import stopped.'} The graph is as it was; try again.
          </Alert>
        ) : null}
        {outcome?.status === 'rejected' ? <Problems outcome={outcome} /> : null}
        {outcome?.status === 'imported' ? <ImportedSummary summary={outcome.summary} /> : null}
      </Stack>
    </Card>
  );
}

function Problems({ outcome }: { outcome: Extract<ImportOutcome, { status: 'rejected' }> }) {
  const { problems, problemCount } = outcome;
  return (
    <Stack gap="sm">
      <Alert color="red" variant="light" title="Nothing was imported" role="alert">
        {problemCount === 1
          ? 'The files have one problem.'
          : `The files have ${problemCount} problems.`}{' '}
        Fix {problemCount === 1 ? 'it' : 'them'} and upload the files again; the graph is as it was.
        {problems.length < problemCount ? ` The first ${problems.length} are listed.` : ''}
      </Alert>
      <Table.ScrollContainer minWidth={560}>
        <Table aria-label="Problems" striped verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={150}>File</Table.Th>
              <Table.Th w={70}>Line</Table.Th>
              <Table.Th>Problem</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {problems.map((p, i) => (
              <ProblemRow key={i} problem={p} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function ProblemRow({ problem }: { problem: ImportProblem }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {problem.file ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{problem.line ?? '—'}</Text>
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {problem.message}
          </Text>
          {problem.ids && problem.ids.length > 0 ? (
            <Group gap={4} aria-label="Ids involved">
              {problem.ids.map((id, i) => (
                <Code key={`${id}-${i}`}>{id}</Code>
              ))}
            </Group>
          ) : null}
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}

function ImportedSummary({ summary }: { summary: ImportSummary }) {
  // One row per kind of change and a column per kind of record: narrow enough for a phone.
  const changes: { label: string; key: keyof ImportCounts }[] = [
    { label: 'Created', key: 'created' },
    { label: 'Updated', key: 'updated' },
    { label: 'Unchanged', key: 'unchanged' },
    ...(summary.pruned ? [{ label: 'Removed', key: 'removed' as const }] : []),
  ];
  return (
    <Stack gap="sm">
      <Alert color="teal" variant="light" title="Imported">
        The files had {summary.concepts} concepts, {summary.skills} skills and {summary.edges}{' '}
        edges.{' '}
        <Anchor component={Link} to="/graph" size="sm">
          Browse the graph
        </Anchor>
      </Alert>
      <Table aria-label="Import summary" verticalSpacing="xs" maw={520}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            <Table.Th>Concepts and skills</Table.Th>
            <Table.Th>Edges</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {changes.map((change) => (
            <Table.Tr key={change.key}>
              <Table.Th fw={500}>{change.label}</Table.Th>
              <Table.Td>{summary.nodeChanges[change.key]}</Table.Td>
              <Table.Td>{summary.edgeChanges[change.key]}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {!summary.pruned ? (
        <Text size="xs" c="dimmed">
          Nothing was removed: what the files lack was kept.
        </Text>
      ) : null}
    </Stack>
  );
}
