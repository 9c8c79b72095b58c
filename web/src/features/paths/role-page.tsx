import { Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useMe } from '../../api/getters/use-me';
import { useRole } from '../../api/getters/use-paths';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { ResourceList } from './resource-list';
import { StartPathButton } from './start-path-button';

/** One role: the skills it needs with their target mastery, and its golden resources. */
export function RolePage() {
  const { ref = '' } = useParams();
  const role = useRole(ref);
  const me = useMe();
  const staff = me.data?.role === 'instructor' || me.data?.role === 'admin';
  if (role.isPending) return <PageLoader />;
  if (role.error) return <ErrorAlert error={role.error} />;
  const r = role.data.role;
  return (
    <Stack gap="lg">
      <PageHeader
        title={r.title}
        description={r.summary}
        actions={
          staff ? (
            <Button component={Link} to={`/roles/${r.slug}/edit`} variant="default">
              Edit role
            </Button>
          ) : null
        }
      />
      {staff ? null : <StartPathButton role={r.slug} title={r.title} />}
      <Group align="flex-start" grow wrap="wrap">
        <Card withBorder padding="lg" miw={300}>
          <Title order={2} size="h4" mb="sm">
            Skills
          </Title>
          <Table aria-label="Skills of the role">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Skill</Table.Th>
                <Table.Th>Target mastery</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {r.skills.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>{s.name}</Table.Td>
                  <Table.Td>{Math.round(s.target * 100)} %</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="xs" c="dimmed" mt="sm">
            {r.includePrerequisites
              ? 'A path also teaches the prerequisites of these skills that you have not mastered.'
              : 'A path teaches only these skills.'}
          </Text>
        </Card>
        <Card withBorder padding="lg" miw={300}>
          <Title order={2} size="h4" mb="sm">
            Golden resources
          </Title>
          <ResourceList
            resources={r.resources.map((x) => ({ ...x, skills: x.skills.map((s) => s.name) }))}
          />
        </Card>
      </Group>
    </Stack>
  );
}
