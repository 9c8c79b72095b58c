import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { Anchor, Button, Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { errorMessage } from '../../api/api-error';
import { apiRequest } from '../../api/client';
import { useCohort } from '../../api/getters/use-tracker';
import { queryKeys } from '../../api/query-keys';
import type { Cohort } from '../../api/tracker-types';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';

function WeakTable({ title, rows }: { title: string; rows: Cohort['weakestSkills'] }) {
  return (
    <Card withBorder padding="md">
      <Title order={2} size="h5" mb="xs">
        {title}
      </Title>
      <Table aria-label={title}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Topic</Table.Th>
            <Table.Th>Marks</Table.Th>
            <Table.Th>Weak learners</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.node.id}>
              <Table.Td>
                <Anchor component={Link} to={r.link} size="sm">
                  {r.node.name}
                </Anchor>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.percent} %</Table.Td>
              <Table.Td>
                {r.weakLearners} of {r.learners}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

export function CohortPage() {
  const cohort = useCohort();
  const client = useQueryClient();
  const refresh = useMutation({
    mutationFn: () =>
      apiRequest<{ job: { id: string } }>('/api/tracker/aggregate', { method: 'POST' }),
    onSuccess: () => {
      notifications.show({
        color: 'teal',
        message: 'The aggregate is running; this page refreshes when you come back.',
      });
      void client.invalidateQueries({ queryKey: queryKeys.tracker.cohort });
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  if (cohort.isPending) return <PageLoader />;
  if (cohort.error)
    return <ErrorAlert error={cohort.error} onRetry={() => void cohort.refetch()} />;
  const c = cohort.data;
  return (
    <Stack gap="lg">
      <PageHeader
        title="Cohort"
        description={
          c.computedAt
            ? `Every learner's papers, as of ${new Date(c.computedAt).toLocaleString()}: ${c.learners} ${c.learners === 1 ? 'learner' : 'learners'}, ${c.results} ${c.results === 1 ? 'result' : 'results'}.`
            : 'The weekly aggregate has not run yet.'
        }
        actions={
          <Button variant="light" onClick={() => refresh.mutate()} loading={refresh.isPending}>
            Recompute now
          </Button>
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <WeakTable title="Weakest subtopics" rows={c.weakestSubtopics} />
        <WeakTable title="Weakest skills" rows={c.weakestSkills} />
      </SimpleGrid>
      {c.trend.length > 0 ? (
        <Card withBorder padding="md">
          <Title order={2} size="h5" mb="xs">
            Weekly average
          </Title>
          <div role="img" aria-label={`Average score per week over ${c.trend.length} weeks.`}>
            <LineChart
              h={220}
              data={c.trend.map((t) => ({ week: t.week, Average: t.percent }))}
              dataKey="week"
              series={[{ name: 'Average', color: 'indigo.6' }]}
              yAxisProps={{ domain: [0, 100] }}
              valueFormatter={(v) => `${v} %`}
              curveType="linear"
            />
          </div>
        </Card>
      ) : (
        <Text c="dimmed">No results yet.</Text>
      )}
    </Stack>
  );
}
