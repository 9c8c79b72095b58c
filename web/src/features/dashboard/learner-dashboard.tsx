// The learner's dashboard: due reviews, mastery by skill, recent answers, and the cards of the
// learning paths and placement features. Every query starts at once (each card loads its own).
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Skeleton,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useDueReviews, useMastery, useRecentAnswers } from '../../api/getters/use-practice';
import { percent } from '../../api/practice-types';
import { ErrorAlert } from '../../components/error-alert';
import { formatRelative } from '../../components/format';
import { MasteryChart } from '../mastery/mastery-chart';
import { MyPathsCard } from '../paths/my-paths-card';
import { PlacementCard } from '../placement/placement-card';

function DashCard({
  title,
  action,
  children,
}: {
  title: string;
  action?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Title order={2} size="h4">
            {title}
          </Title>
          {action}
        </Group>
        {children}
      </Stack>
    </Card>
  );
}

function DueReviewsCard() {
  const due = useDueReviews(5, { followNextDue: true });
  return (
    <DashCard
      title="Due for review"
      action={
        due.data && due.data.total > 0 ? (
          <Badge color="orange" size="lg" aria-label={`${due.data.total} due`}>
            {due.data.total}
          </Badge>
        ) : null
      }
    >
      {due.isPending ? (
        <Skeleton height={60} />
      ) : due.isError ? (
        <ErrorAlert error={due.error} />
      ) : due.data.total === 0 ? (
        <Text size="sm" c="dimmed">
          {due.data.nextDueAt
            ? `Nothing due. The next review is ${formatRelative(due.data.nextDueAt)}.`
            : 'Nothing due. Questions you practise come back here when it is time.'}
        </Text>
      ) : (
        <Stack gap="xs">
          <Text size="sm">
            {due.data.total} review{due.data.total === 1 ? '' : 's'} due
          </Text>
          <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {due.data.items.map((r) => (
              <Text key={r.questionId} component="li" size="sm" c="dimmed" lineClamp={1}>
                {r.title ?? r.preview}
              </Text>
            ))}
          </Stack>
          <Group>
            <Button component={Link} to="/reviews/session">
              Start review
            </Button>
            <Button component={Link} to="/reviews" variant="subtle">
              See all
            </Button>
          </Group>
        </Stack>
      )}
    </DashCard>
  );
}

function MasteryCard() {
  const mastery = useMastery();
  return (
    <DashCard
      title="Mastery by skill"
      action={
        <Anchor component={Link} to="/mastery" size="sm">
          My mastery
        </Anchor>
      }
    >
      {mastery.isPending ? (
        <Skeleton height={160} />
      ) : mastery.isError ? (
        <ErrorAlert error={mastery.error} />
      ) : mastery.data.skills.length === 0 ? (
        <Stack gap="xs" align="flex-start">
          <Text size="sm" c="dimmed">
            Practise a question and your mastery of its skills appears here.
          </Text>
          <Button component={Link} to="/questions" variant="light">
            Find questions to practise
          </Button>
        </Stack>
      ) : (
        <MasteryChart skills={mastery.data.skills} threshold={mastery.data.threshold} />
      )}
    </DashCard>
  );
}

function RecentActivityCard() {
  const recent = useRecentAnswers(8);
  return (
    <DashCard title="Recent activity">
      {recent.isPending ? (
        <Skeleton height={80} />
      ) : recent.isError ? (
        <ErrorAlert error={recent.error} />
      ) : recent.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          Your answers will be listed here.
        </Text>
      ) : (
        <Stack
          gap="sm"
          component="ul"
          style={{ listStyle: 'none', padding: 0, margin: 0 }}
          aria-label="Recent answers"
        >
          {recent.data.map((a) => (
            <li key={a.id}>
              <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Anchor
                    component={Link}
                    to={`/practice/${encodeURIComponent(a.questionId)}`}
                    size="sm"
                    lineClamp={1}
                  >
                    {a.title ?? a.preview}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {a.skills
                      .map((s) => `${s.name} ${percent(s.before)} → ${percent(s.after)}`)
                      .join(' · ') || 'No skills tagged'}
                  </Text>
                </Stack>
                <Stack gap={2} align="flex-end" style={{ flexShrink: 0 }}>
                  <Badge color={a.correct ? 'teal' : 'red'} variant="light" size="sm">
                    {a.correct ? 'Right' : 'Wrong'}
                  </Badge>
                  <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {formatRelative(a.at)}
                  </Text>
                </Stack>
              </Group>
            </li>
          ))}
        </Stack>
      )}
    </DashCard>
  );
}

export function LearnerDashboard() {
  return (
    <Stack gap="md">
      <MyPathsCard />
      <PlacementCard />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <DueReviewsCard />
        <RecentActivityCard />
      </SimpleGrid>
      <MasteryCard />
    </Stack>
  );
}
