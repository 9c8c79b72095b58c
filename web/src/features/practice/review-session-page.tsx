// A review session: the questions due when it started, one at a time with the practice component,
// then a summary. The list is taken once, so answering (which reschedules) does not reshuffle it.
import { Anchor, Button, Card, Group, Progress, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useDueReviews } from '../../api/getters/use-practice';
import type { AnswerResult } from '../../api/practice-types';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { PracticeQuestion } from './practice-question';
import { REVIEW_SESSION_SIZE } from './reviews-page';

export function ReviewSessionPage() {
  const due = useDueReviews(REVIEW_SESSION_SIZE);
  const [queue, setQueue] = useState<string[] | null>(null);
  const [index, setIndex] = useState(0);
  const [results, setResults] = useState<AnswerResult[]>([]);

  // Take the queue once, from the first answer of the server (a render-time snapshot).
  if (queue === null && due.data) setQueue(due.data.items.map((r) => r.questionId));

  const back = (
    <Anchor component={Link} to="/reviews" size="sm">
      ← Reviews
    </Anchor>
  );
  if (due.isError && queue === null) {
    return (
      <Stack gap="md">
        {back}
        <ErrorAlert error={due.error} onRetry={() => void due.refetch()} />
      </Stack>
    );
  }
  if (queue === null) return <PageLoader label="Loading your reviews" />;

  const done = index >= queue.length;
  const right = results.filter((r) => r.correct).length;
  return (
    <Stack gap="lg" maw={760}>
      {back}
      <PageHeader
        title="Review session"
        description={
          queue.length === 0
            ? 'Nothing is due right now.'
            : done
              ? 'All done.'
              : `Question ${index + 1} of ${queue.length}`
        }
      />
      {queue.length > 0 ? (
        <Progress
          value={(Math.min(index, queue.length) / queue.length) * 100}
          aria-label={`${Math.min(index, queue.length)} of ${queue.length} reviewed`}
          size="sm"
        />
      ) : null}
      {!done ? (
        <PracticeQuestion
          questionId={queue[index]!}
          onAnswered={(r) => setResults((list) => [...list, r])}
          onNext={() => setIndex((i) => i + 1)}
          nextLabel={index + 1 < queue.length ? 'Next question' : 'Finish'}
        />
      ) : (
        <Card withBorder padding="lg">
          <Stack gap="sm" align="flex-start">
            <Title order={2} size="h3">
              {queue.length === 0 ? 'No reviews due' : 'Review done'}
            </Title>
            {queue.length > 0 ? (
              <Text>
                {right} of {results.length} right.{' '}
                {results.flatMap((r) => r.mastery).some((m) => m.mastered && !m.masteredBefore)
                  ? 'You mastered a skill on the way!'
                  : ''}
              </Text>
            ) : null}
            <Group>
              <Button component={Link} to="/dashboard">
                Back to my learning
              </Button>
              <Button component={Link} to="/mastery" variant="light">
                My mastery
              </Button>
            </Group>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
