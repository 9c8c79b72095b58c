import { AreaChart, BarChart } from '@mantine/charts';
import { Badge, Card, Grid, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { LlmUsageGroup } from '../../../api/llm-types';
import { OfflineBadge } from './providers-card';
import {
  formatCompact,
  formatDay,
  formatLatency,
  formatPercent,
  formatTokens,
  formatUsd,
} from './format';

function ChartCard({
  title,
  summary,
  span = false,
  children,
}: {
  title: string;
  /** Spans both columns of the grid. */
  span?: boolean;
  /** What the chart shows, for screen readers (the chart itself is an image to them). */
  summary: string;
  children: ReactNode;
}) {
  return (
    <Card withBorder padding="md" style={span ? { gridColumn: '1 / -1' } : undefined}>
      <Stack gap="xs">
        <Title order={3} size="h5">
          {title}
        </Title>
        <div role="img" aria-label={summary}>
          {children}
        </div>
      </Stack>
    </Card>
  );
}

function peak(groups: LlmUsageGroup[], value: (g: LlmUsageGroup) => number): string {
  const top = groups.reduce<LlmUsageGroup | null>(
    (best, g) => (best === null || value(g) > value(best) ? g : best),
    null,
  );
  return top && value(top) > 0 ? `, highest on ${formatDay(top.key)}` : '';
}

/** Tokens, cost and errors per day over the range. */
export function DailyCharts({ days }: { days: LlmUsageGroup[] }) {
  const data = days.map((d) => ({
    day: formatDay(d.key),
    input: d.inputTokens,
    output: d.outputTokens,
    cost: d.costUsd,
    errors: d.errors,
    refusals: d.budgetRefusals,
  }));
  const totalTokens = days.reduce((s, d) => s + d.totalTokens, 0);
  const totalCost = days.reduce((s, d) => s + d.costUsd, 0);
  const totalErrors = days.reduce((s, d) => s + d.errors, 0);
  const totalRefusals = days.reduce((s, d) => s + d.budgetRefusals, 0);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
      <ChartCard
        title="Tokens per day"
        summary={`Tokens per day: ${formatTokens(totalTokens)} in total${peak(days, (d) => d.totalTokens)}.`}
      >
        <BarChart
          h={220}
          data={data}
          dataKey="day"
          type="stacked"
          series={[
            { name: 'input', label: 'Input', color: 'indigo.6' },
            { name: 'output', label: 'Output', color: 'teal.5' },
          ]}
          valueFormatter={formatCompact}
          withLegend
          tickLine="y"
        />
      </ChartCard>
      <ChartCard
        title="Cost per day (USD)"
        summary={`Cost per day: ${formatUsd(totalCost)} in total${peak(days, (d) => d.costUsd)}.`}
      >
        <AreaChart
          h={220}
          data={data}
          dataKey="day"
          series={[{ name: 'cost', label: 'Cost', color: 'grape.6' }]}
          valueFormatter={formatUsd}
          curveType="linear"
          withDots={false}
          tickLine="y"
        />
      </ChartCard>
      <ChartCard
        span
        title="Errors per day"
        summary={`Errors per day: ${totalErrors} failed calls and ${totalRefusals} budget refusals in total.`}
      >
        <BarChart
          h={150}
          data={data}
          dataKey="day"
          type="stacked"
          series={[
            { name: 'errors', label: 'Failed calls', color: 'red.6' },
            { name: 'refusals', label: 'Budget refusals', color: 'yellow.6' },
          ]}
          withLegend
          tickLine="y"
          yAxisProps={{ allowDecimals: false }}
        />
      </ChartCard>
    </SimpleGrid>
  );
}

function GroupLabel({ group, kind }: { group: LlmUsageGroup; kind: 'model' | 'feature' }) {
  if (kind === 'feature') return <Text size="sm">{group.label}</Text>;
  if (group.key.startsWith('offline/')) return <OfflineBadge />;
  // key is provider/model
  const slash = group.key.indexOf('/');
  return (
    <Text size="sm">
      {group.key.slice(slash + 1)}
      <Text span size="xs" c="dimmed" display="block">
        {group.key.slice(0, slash)}
      </Text>
    </Text>
  );
}

const NOWRAP = { whiteSpace: 'nowrap' } as const;

/** Tokens by model or by feature: a bar per group and the figures beside it. */
export function Breakdown({
  title,
  kind,
  groups,
}: {
  title: string;
  kind: 'model' | 'feature';
  groups: LlmUsageGroup[];
}) {
  const data = groups.map((g) => ({
    name: g.key.startsWith('offline/') ? 'Offline generator' : g.label,
    tokens: g.totalTokens,
  }));
  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Title order={3} size="h5">
          {title}
        </Title>
        {groups.length === 0 ? (
          <Text size="sm" c="dimmed">
            No calls in this period.
          </Text>
        ) : (
          <Grid gap="lg" align="center">
            <Grid.Col span={{ base: 12, md: 4 }}>
              <div
                role="img"
                aria-label={`${title}: ${groups
                  .slice(0, 5)
                  .map((g) => `${g.label} ${formatTokens(g.totalTokens)} tokens`)
                  .join(', ')}.`}
              >
                <BarChart
                  h={Math.max(90, 36 * data.length + 30)}
                  data={data}
                  dataKey="name"
                  orientation="vertical"
                  series={[{ name: 'tokens', label: 'Tokens', color: 'indigo.6' }]}
                  valueFormatter={formatCompact}
                  yAxisProps={{ width: 150 }}
                  gridAxis="none"
                />
              </div>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 8 }}>
              <Table.ScrollContainer minWidth={460}>
                <Table verticalSpacing={4} aria-label={title}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{kind === 'model' ? 'Model' : 'Feature'}</Table.Th>
                      <Table.Th ta="right">Calls</Table.Th>
                      <Table.Th ta="right">Tokens</Table.Th>
                      <Table.Th ta="right">Cost</Table.Th>
                      <Table.Th ta="right">Errors</Table.Th>
                      <Table.Th ta="right" style={NOWRAP}>
                        p50 / p95
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {groups.map((g) => (
                      <Table.Tr key={g.key}>
                        <Table.Td>
                          <GroupLabel group={g} kind={kind} />
                        </Table.Td>
                        <Table.Td ta="right">{formatTokens(g.calls)}</Table.Td>
                        <Table.Td ta="right">{formatTokens(g.totalTokens)}</Table.Td>
                        <Table.Td ta="right" style={NOWRAP}>
                          {formatUsd(g.costUsd)}
                          {g.unpricedCalls > 0 ? (
                            <Badge
                              ml={4}
                              size="xs"
                              color="yellow"
                              variant="light"
                              title="Calls of a model without a price in config/pricing.yaml"
                            >
                              {g.unpricedCalls} unpriced
                            </Badge>
                          ) : null}
                        </Table.Td>
                        <Table.Td ta="right" style={NOWRAP}>
                          <Text span size="sm" c={g.errors > 0 ? 'red' : undefined}>
                            {g.errors > 0 ? `${g.errors} (${formatPercent(g.errorRate)})` : '0'}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right" style={NOWRAP}>
                          {formatLatency(g.p50LatencyMs)} / {formatLatency(g.p95LatencyMs)}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Grid.Col>
          </Grid>
        )}
      </Stack>
    </Card>
  );
}
