// The review queue: how many questions are due (FSRS), which, and the way into a session.
import { Badge, Button, Card, EmptyState, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useDueReviews } from '../../api/getters/use-practice';
import { QUESTION_TYPE_LABELS, type QuestionType } from '../../api/questions-types';
import { ErrorAlert } from '../../components/error-alert';
import { formatRelative } from '../../components/format';
import { ActivityIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';

export const REVIEW_SESSION_SIZE = 20;

export function ReviewsPage() {
  const due = useDueReviews(50, { followNextDue: true });
  if (due.isPending) return <PageLoader label="Loading your reviews" />;
  if (due.isError) return <ErrorAlert error={due.error} onRetry={() => void due.refetch()} />;
  const { total, items, nextDueAt } = due.data;
  return (
    <Stack gap="lg" maw={1000}>
      <PageHeader
        title="Reviews"
        description="Questions come back when you are about to forget them. Answering a due review keeps your mastery honest."
        actions={
          total > 0 ? (
            <Button component={Link} to="/reviews/session">
              Start review ({Math.min(total, REVIEW_SESSION_SIZE)})
            </Button>
          ) : null
        }
      />
      <Card withBorder padding="lg">
        {total === 0 ? (
          <EmptyState variant="light" icon={<ActivityIcon size={28} />}>
            <EmptyState.Title order={2}>Nothing due for review</EmptyState.Title>
            <EmptyState.Description>
              {nextDueAt
                ? `The next review is due ${formatRelative(nextDueAt)}.`
                : 'Questions you practise come back here when they are due.'}
            </EmptyState.Description>
          </EmptyState>
        ) : (
          <Stack gap="sm">
            <Text size="sm">
              <strong>{total}</strong> question{total === 1 ? '' : 's'} due, most overdue first.
            </Text>
            <Table.ScrollContainer minWidth={480}>
              <Table aria-label="Due for review" verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Question</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Due</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((r) => (
                    <Table.Tr key={r.questionId}>
                      <Table.Td>
                        <Text size="sm" lineClamp={2}>
                          {r.title ?? r.preview}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light" color="gray" tt="none">
                          {QUESTION_TYPE_LABELS[r.type as QuestionType] ?? r.type}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatRelative(r.dueAt)}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {total > items.length ? (
              <Text size="xs" c="dimmed">
                and {total - items.length} more
              </Text>
            ) : null}
            <Group>
              <Button component={Link} to="/reviews/session">
                Start review
              </Button>
            </Group>
          </Stack>
        )}
      </Card>
    </Stack>
  );
}
