import { Anchor, Button, Card, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { usePapers, useResults } from '../../api/getters/use-tracker';
import { useMe } from '../../api/getters/use-me';
import type { Paper } from '../../api/tracker-types';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { LogAttemptModal } from './log-attempt-modal';

export function PapersPage() {
  const papers = usePapers();
  const results = useResults();
  const me = useMe();
  const [logging, setLogging] = useState<Paper | null>(null);
  if (papers.isPending) return <PageLoader />;
  if (papers.error)
    return <ErrorAlert error={papers.error} onRetry={() => void papers.refetch()} />;
  const attempts = new Map<string, { count: number; latest: number }>();
  for (const r of [...(results.data?.results ?? [])].reverse()) {
    const a = attempts.get(r.paperId) ?? { count: 0, latest: 0 };
    attempts.set(r.paperId, { count: a.count + 1, latest: r.percent });
  }
  const isLearner = me.data?.role === 'learner';
  return (
    <Stack gap="lg">
      <PageHeader
        title="Papers"
        description="Past exam papers. Log an attempt with its full mark table; the tracker shows where marks are lost."
        actions={
          isLearner ? (
            <Button component={Link} to="/tracker" variant="light">
              My exam tracker
            </Button>
          ) : (
            <Button component={Link} to="/tracker/cohort" variant="light">
              Cohort view
            </Button>
          )
        }
      />
      <Card withBorder padding={0}>
        <Table highlightOnHover verticalSpacing="sm" aria-label="Papers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Paper</Table.Th>
              <Table.Th>Questions</Table.Th>
              <Table.Th>Marks</Table.Th>
              <Table.Th>Your attempts</Table.Th>
              <Table.Th>Latest</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {papers.data.papers.map((p) => {
              const a = attempts.get(p.id);
              return (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    <Text fw={600}>{p.title}</Text>
                    <Text size="xs" c="dimmed">
                      {[p.subject, p.board, p.year].filter(Boolean).join(' · ')}
                    </Text>
                  </Table.Td>
                  <Table.Td>{p.questions.length}</Table.Td>
                  <Table.Td>{p.totalMarks}</Table.Td>
                  <Table.Td data-testid={`attempts-${p.id}`}>{a?.count ?? 0}</Table.Td>
                  <Table.Td>{a ? `${a.latest} %` : '—'}</Table.Td>
                  <Table.Td>
                    <Button size="xs" onClick={() => setLogging(p)}>
                      Log attempt
                    </Button>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        {papers.data.papers.length === 0 ? (
          <Text p="md" c="dimmed">
            No papers yet. Instructors create them (POST /api/tracker/papers, form JSON or CSV).
          </Text>
        ) : null}
      </Card>
      {results.data && results.data.results.length > 0 ? (
        <Card withBorder>
          <Stack gap="xs">
            <Group justify="space-between">
              <Text fw={600}>Your results</Text>
              <Anchor component={Link} to="/tracker" size="sm">
                See the dashboard
              </Anchor>
            </Group>
            <Table aria-label="Your results">
              <Table.Tbody>
                {results.data.results.slice(0, 10).map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>{r.takenOn}</Table.Td>
                    <Table.Td>{r.paperTitle}</Table.Td>
                    <Table.Td>
                      {r.score} / {r.maxScore}
                    </Table.Td>
                    <Table.Td>{r.percent} %</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        </Card>
      ) : null}
      {logging ? <LogAttemptModal paper={logging} onClose={() => setLogging(null)} /> : null}
    </Stack>
  );
}
