import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useMe } from '../../api/getters/use-me';
import { useRoles } from '../../api/getters/use-paths';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { StartPathButton } from './start-path-button';

/** The role catalogue: what a learner can work towards, with a path for any of them. */
export function RolesPage() {
  const roles = useRoles();
  const me = useMe();
  const staff = me.data?.role === 'instructor' || me.data?.role === 'admin';
  if (roles.isPending) return <PageLoader />;
  if (roles.error) return <ErrorAlert error={roles.error} onRetry={() => void roles.refetch()} />;
  return (
    <Stack gap="lg">
      <PageHeader
        title="Roles"
        description="What do you want to become? Each role lists the skills it needs and the resources instructors recommend. A path teaches the skills you have not mastered yet, in prerequisite order."
        actions={
          staff ? (
            <Button component={Link} to="/roles/new" variant="light">
              New role
            </Button>
          ) : (
            <Button component={Link} to="/paths" variant="light">
              My paths
            </Button>
          )
        }
      />
      {roles.data.roles.length === 0 ? <Text c="dimmed">The catalogue is empty.</Text> : null}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        {roles.data.roles.map((r) => (
          <Card key={r.id} withBorder padding="lg" component="article" aria-label={r.title}>
            <Stack gap="sm" h="100%" justify="space-between">
              <Stack gap="xs">
                <Title order={2} size="h4">
                  <Anchor component={Link} to={`/roles/${r.slug}`} inherit>
                    {r.title}
                  </Anchor>
                </Title>
                <Text size="sm">{r.summary}</Text>
                <Group gap="xs">
                  <Badge variant="light">{r.skillCount} skills</Badge>
                  <Badge variant="light" color="grape">
                    {r.resourceCount} golden resources
                  </Badge>
                  {r.allowMarkComplete ? null : (
                    <Badge variant="outline" color="gray">
                      completes by mastery only
                    </Badge>
                  )}
                </Group>
              </Stack>
              <Group justify="space-between" align="flex-start">
                {staff ? (
                  <Button component={Link} to={`/roles/${r.slug}/edit`} variant="default" size="sm">
                    Edit role
                  </Button>
                ) : (
                  <StartPathButton role={r.slug} title={r.title} />
                )}
                <Anchor component={Link} to={`/roles/${r.slug}`} size="sm">
                  Skills and resources
                </Anchor>
              </Group>
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
