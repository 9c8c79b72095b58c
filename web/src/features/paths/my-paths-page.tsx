import { Anchor, Badge, Button, Card, Group, Progress, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { usePathsApi } from '../../api/actions/use-paths-api';
import { usePaths } from '../../api/getters/use-paths';
import type { PathSummary } from '../../api/paths-types';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';

function PathRow({ path }: { path: PathSummary }) {
  const { setStatus } = usePathsApi();
  const pct = Math.round(path.progress * 100);
  return (
    <Card withBorder padding="md" component="article" aria-label={path.roleTitle}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs">
            <Title order={2} size="h4">
              <Anchor component={Link} to={`/paths/${path.id}`} inherit>
                {path.roleTitle}
              </Anchor>
            </Title>
            {path.status === 'archived' ? <Badge color="gray">archived</Badge> : null}
          </Group>
          <Button
            size="xs"
            variant="default"
            loading={setStatus.isPending}
            onClick={() =>
              setStatus.mutate({
                id: path.id,
                action: path.status === 'active' ? 'archive' : 'resume',
              })
            }
          >
            {path.status === 'active' ? 'Archive' : 'Resume'}
          </Button>
        </Group>
        <Progress value={pct} aria-label={`${path.roleTitle}: ${pct} % complete`} />
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {path.completedModules} of {path.moduleCount} modules complete
          </Text>
          {path.nextModule && path.status === 'active' ? (
            <Anchor
              component={Link}
              to={`/paths/${path.id}/modules/${path.nextModule.id}`}
              size="sm"
            >
              Continue: {path.nextModule.title}
            </Anchor>
          ) : null}
        </Group>
        {setStatus.error ? <ErrorAlert error={setStatus.error} /> : null}
      </Stack>
    </Card>
  );
}

/** The learner's paths: active ones first (at most PATHS_MAX_ACTIVE), then archived ones. */
export function MyPathsPage() {
  const paths = usePaths();
  if (paths.isPending) return <PageLoader />;
  if (paths.error) return <ErrorAlert error={paths.error} onRetry={() => void paths.refetch()} />;
  const { active, maxActive } = paths.data;
  return (
    <Stack gap="lg">
      <PageHeader
        title="My paths"
        description={`You follow ${active} of at most ${maxActive} active paths. Archive a path to start another; resume it whenever you like.`}
        actions={
          <Button component={Link} to="/roles" variant="light">
            Browse roles
          </Button>
        }
      />
      {paths.data.paths.length === 0 ? (
        <Text c="dimmed">
          No path yet.{' '}
          <Anchor component={Link} to="/roles">
            Pick a role
          </Anchor>{' '}
          to get one.
        </Text>
      ) : null}
      {paths.data.paths.map((p) => (
        <PathRow key={p.id} path={p} />
      ))}
    </Stack>
  );
}
