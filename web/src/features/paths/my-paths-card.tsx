import { Anchor, Button, Card, Group, Progress, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { usePaths } from '../../api/getters/use-paths';
import { ErrorAlert } from '../../components/error-alert';

/** For the learner dashboard: each active path with its progress bar and the next module. */
export function MyPathsCard() {
  const paths = usePaths();
  const active = paths.data?.paths.filter((p) => p.status === 'active') ?? [];
  return (
    <Card withBorder padding="lg" aria-label="My learning paths" component="section">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          My learning paths
        </Title>
        <Anchor component={Link} to="/paths" size="sm">
          All paths
        </Anchor>
      </Group>
      {paths.error ? <ErrorAlert error={paths.error} onRetry={() => void paths.refetch()} /> : null}
      {paths.isPending ? <Text c="dimmed">Loading…</Text> : null}
      {paths.data && active.length === 0 ? (
        <Stack gap="xs" align="flex-start">
          <Text size="sm" c="dimmed">
            No active path yet. Pick a role to work towards.
          </Text>
          <Button component={Link} to="/roles" size="xs" variant="light">
            Browse roles
          </Button>
        </Stack>
      ) : null}
      <Stack gap="md">
        {active.map((p) => (
          <Stack key={p.id} gap={4}>
            <Group justify="space-between" wrap="nowrap">
              <Anchor component={Link} to={`/paths/${p.id}`} fw={600}>
                {p.roleTitle}
              </Anchor>
              <Text size="xs" c="dimmed">
                {p.completedModules} of {p.moduleCount} modules
              </Text>
            </Group>
            <Progress
              value={Math.round(p.progress * 100)}
              aria-label={`${p.roleTitle}: ${Math.round(p.progress * 100)} % complete`}
            />
            {p.nextModule ? (
              <Text size="sm">
                Next:{' '}
                <Anchor component={Link} to={`/paths/${p.id}/modules/${p.nextModule.id}`}>
                  {p.nextModule.position}. {p.nextModule.title}
                </Anchor>
              </Text>
            ) : (
              <Text size="sm" c="green">
                Every module complete
              </Text>
            )}
          </Stack>
        ))}
      </Stack>
    </Card>
  );
}
