// "My mastery": every skill the learner has evidence on, with its bar, the mastered badge and the
// review state; each skill links to its evidence trail.
import { Button, Card, EmptyState, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useMastery } from '../../api/getters/use-practice';
import { percent } from '../../api/practice-types';
import { BookIcon } from '../../components/icons';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { MasteryList } from './mastery-list';

export function MasteryPage() {
  const mastery = useMastery();
  if (mastery.isPending) return <PageLoader label="Loading your mastery" />;
  if (mastery.isError) {
    return <ErrorAlert error={mastery.error} onRetry={() => void mastery.refetch()} />;
  }
  const { skills, threshold } = mastery.data;
  const mastered = skills.filter((s) => s.mastered).length;
  return (
    <Stack gap="lg" maw={1000}>
      <PageHeader
        title="My mastery"
        description={
          skills.length === 0
            ? 'How well you know each skill, estimated from your answers.'
            : `${mastered} of ${skills.length} skills mastered. A skill counts as mastered at ${percent(threshold)}.`
        }
        actions={
          <Button component={Link} to="/reviews" variant="light">
            Reviews
          </Button>
        }
      />
      <Card withBorder padding="lg">
        {skills.length === 0 ? (
          <EmptyState variant="light" icon={<BookIcon size={28} />}>
            <EmptyState.Title order={2}>No skills practised yet</EmptyState.Title>
            <EmptyState.Description>
              Answer practice questions and your mastery of each skill appears here.
            </EmptyState.Description>
            <Group justify="center" mt="sm">
              <Button component={Link} to="/questions">
                Find questions to practise
              </Button>
            </Group>
          </EmptyState>
        ) : (
          <Stack gap="md">
            <Text size="sm" c="dimmed">
              The bar is the chance you know the skill, from your answers (knowledge tracing). It is
              shown lower while a review is overdue.
            </Text>
            <MasteryList skills={skills} />
          </Stack>
        )}
      </Card>
    </Stack>
  );
}
