import { Card, SimpleGrid, Stack, Text } from '@mantine/core';
import { useGraphStats } from '../../api/getters/use-graph';
import { ErrorAlert } from '../../components/error-alert';
import { formatRelative } from '../../components/format';

/** How many concepts, skills and edges the graph has, and when it was last imported. */
export function GraphStatsCards() {
  const stats = useGraphStats();
  if (stats.isError) {
    return (
      <ErrorAlert
        error={stats.error}
        title="The graph could not be loaded"
        onRetry={() => void stats.refetch()}
      />
    );
  }
  const s = stats.data;
  const last = s?.lastImport;
  const cards = [
    { label: 'Concepts', value: s?.concepts },
    { label: 'Skills', value: s?.skills },
    { label: 'Edges', value: s?.edges },
  ];
  return (
    <Stack gap={6}>
      <SimpleGrid cols={{ base: 3 }} spacing="sm" role="list" aria-label="Graph size">
        {cards.map((card) => (
          <Card key={card.label} withBorder padding="sm" role="listitem">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {card.label}
            </Text>
            <Text fw={700} size="xl" aria-live="polite">
              {card.value ?? '…'}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      {last ? (
        <Text size="xs" c="dimmed">
          Last imported {formatRelative(last.createdAt)}
          {last.userName ? ` by ${last.userName}` : last.source === 'seed' ? ' (demo graph)' : ''}
        </Text>
      ) : s ? (
        <Text size="xs" c="dimmed">
          Nothing has been imported yet.
        </Text>
      ) : null}
    </Stack>
  );
}
