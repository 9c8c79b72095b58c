// For the learner dashboard: the latest placement result, the test in progress, or an invitation.
import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { ErrorAlert } from '../../components/error-alert';
import { targetLabel, useLatestPlacement } from './placement-api';

export function PlacementCard() {
  const latest = useLatestPlacement();
  const p = latest.data?.placement ?? null;
  return (
    <Card withBorder padding="lg" aria-label="Placement test" component="section">
      <Title order={2} size="h4" mb="sm">
        Placement test
      </Title>
      {latest.error ? (
        <ErrorAlert error={latest.error} onRetry={() => void latest.refetch()} />
      ) : null}
      {latest.isPending ? <Text c="dimmed">Loading…</Text> : null}
      {latest.data && p === null ? (
        <Stack gap="xs" align="flex-start">
          <Text size="sm" c="dimmed">
            A short adaptive test finds your level, so your paths skip what you already know.
          </Text>
          <Button component={Link} to="/placement" size="xs">
            Take the placement test
          </Button>
        </Stack>
      ) : null}
      {p?.status === 'in_progress' ? (
        <Stack gap="xs" align="flex-start">
          <Text size="sm">
            In progress: {p.answered} of at most {p.maxItems} questions answered.
          </Text>
          <Button component={Link} to="/placement" size="xs">
            Continue the test
          </Button>
        </Stack>
      ) : null}
      {p?.status === 'finished' && p.result ? (
        <Stack gap="xs">
          <Text size="xs" c="dimmed">
            For {targetLabel(p.target)}
          </Text>
          {p.result.areas.map((a) => (
            <Group key={a.id} justify="space-between">
              <Text size="sm">{a.name}</Text>
              <Badge variant="light">{a.level}</Badge>
            </Group>
          ))}
          <Group gap="xs">
            <Button component={Link} to={`/placement/${p.id}/result`} size="xs" variant="light">
              Full result
            </Button>
            <Button component={Link} to="/placement" size="xs" variant="subtle">
              Take it again
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Card>
  );
}
