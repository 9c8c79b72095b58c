// /placement/:id/result: the estimated level per area, what a learning path for the test's role
// (or a role the learner picks) starts with, and the weakest skills tested.
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { PathStartSection } from './path-start-section';
import { targetLabel, usePlacement } from './placement-api';

const LEVEL_COLOURS: Record<string, string> = {
  beginner: 'red',
  developing: 'orange',
  proficient: 'teal',
  advanced: 'green',
};

export function PlacementResultPage() {
  const { id = '' } = useParams();
  const query = usePlacement(id);
  if (query.isPending) return <PageLoader />;
  if (query.error) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  const p = query.data.placement;
  if (p.status !== 'finished' || !p.result) {
    return (
      <Stack>
        <PageHeader title="Placement test" description="This test is not finished yet." />
        <Button component={Link} to="/placement" w="fit-content">
          Continue the test
        </Button>
      </Stack>
    );
  }
  const r = p.result;
  return (
    <Stack gap="lg" maw={860}>
      <PageHeader
        title="Your placement result"
        description={`For ${targetLabel(p.target)} · ${p.answered} questions answered${p.finishedAt ? ` · ${new Date(p.finishedAt).toLocaleDateString()}` : ''}`}
      />
      <Card withBorder padding="lg" component="section" aria-label="Level per area">
        <Title order={2} size="h4" mb="sm">
          Level per area
        </Title>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Area</Table.Th>
              <Table.Th>Level</Table.Th>
              <Table.Th>Questions</Table.Th>
              <Table.Th>Estimate (θ ± SE)</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {r.areas.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{a.name}</Table.Td>
                <Table.Td>
                  <Badge color={LEVEL_COLOURS[a.level] ?? 'gray'} variant="light">
                    {a.level}
                  </Badge>
                </Table.Td>
                <Table.Td>{a.answered}</Table.Td>
                <Table.Td>
                  {a.theta.toFixed(2)} ± {a.se.toFixed(2)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed" mt="xs">
          Levels: beginner below −1, developing −1 to 0, proficient 0 to 1, advanced above 1 on the
          test's ability scale (0 is the average learner).
        </Text>
      </Card>
      <PathStartSection target={p.target} />
      <Card withBorder padding="lg" component="section" aria-label="Weakest skills tested">
        <Title order={2} size="h5" mb="sm">
          Weakest skills the test found
        </Title>
        <Stack gap="xs">
          {r.startWith.map((s) => (
            <Group key={s.skillId} justify="space-between" wrap="nowrap">
              <Stack gap={0}>
                <Anchor component={Link} to={`/mastery/${s.skillId}`}>
                  {s.name}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {s.area}
                </Text>
              </Stack>
              <Group gap="xs" wrap="nowrap" w={200}>
                <Progress
                  value={s.pKnown * 100}
                  w={120}
                  aria-label={`${s.name}: ${Math.round(s.pKnown * 100)} %`}
                />
                <Text size="sm">{Math.round(s.pKnown * 100)} %</Text>
              </Group>
            </Group>
          ))}
        </Stack>
        <Text size="sm" mt="md">
          The test set a starting mastery for {r.seeded} skills.
        </Text>
      </Card>
    </Stack>
  );
}
