import '@mantine/charts/styles.css';
import { BarChart, LineChart } from '@mantine/charts';
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useTrackerDashboard } from '../../api/getters/use-tracker';
import type { NodeStat, WeakLink } from '../../api/tracker-types';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';

function ChartCard({
  title,
  summary,
  children,
}: {
  title: string;
  summary: string;
  children: ReactNode;
}) {
  return (
    <Card withBorder padding="md">
      <Stack gap="xs">
        <Title order={2} size="h5">
          {title}
        </Title>
        <div role="img" aria-label={summary}>
          {children}
        </div>
      </Stack>
    </Card>
  );
}

function signed(x: number | null): string {
  if (x === null) return '—';
  return `${x > 0 ? '+' : ''}${x} pts`;
}

function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Card withBorder padding="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Card>
  );
}

function NodeList({ title, nodes, color }: { title: string; nodes: NodeStat[]; color: string }) {
  return (
    <Card withBorder padding="md">
      <Title order={2} size="h5" mb="xs">
        {title}
      </Title>
      {nodes.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing yet.
        </Text>
      ) : (
        <Stack gap={6}>
          {nodes.map((n) => (
            <Group key={n.node.id} justify="space-between" wrap="nowrap">
              <Anchor
                component={Link}
                to={`/questions?concept=${encodeURIComponent(n.node.id)}`}
                size="sm"
              >
                {n.node.name}
              </Anchor>
              <Badge color={color} variant="light">
                {n.combined} %
              </Badge>
            </Group>
          ))}
        </Stack>
      )}
    </Card>
  );
}

function WeakLinkCard({ link }: { link: WeakLink }) {
  const root = link.rootCause;
  const selfRoot = root.node.id === link.node.id;
  return (
    <Card withBorder padding="md" data-testid="weak-link">
      <Stack gap={6}>
        <Group justify="space-between" wrap="wrap">
          <Text fw={600}>
            {link.node.name}: {link.percent} % ({link.lostMarks} marks lost)
          </Text>
          <Badge color="red" variant="light">
            {selfRoot ? 'Weak itself' : `Root cause: ${root.node.name}`}
          </Badge>
        </Group>
        {selfRoot ? (
          <Text size="sm">No weak prerequisite found: practise {link.node.name} directly.</Text>
        ) : (
          <Text size="sm">
            Loses marks because <b>{root.node.name}</b>, a prerequisite
            {root.depth > 1 ? ` ${root.depth} steps back` : ''}, is weak
            {root.percent !== null ? ` (${root.percent} % on papers)` : ''}
            {root.mastery
              ? `, practice mastery ${Math.round(root.mastery.confidence * 100)} %`
              : ''}
            .
          </Text>
        )}
        {link.chain.length > 1 ? (
          <Text size="xs" c="dimmed">
            Chain:{' '}
            {link.chain
              .map((c) => `${c.name}${c.combined === null ? ' (untested)' : ` ${c.combined} %`}`)
              .join(' → ')}
          </Text>
        ) : null}
        <Text size="xs" c="dimmed">
          Evidence:{' '}
          {link.evidence
            .slice(0, 4)
            .map((e) => `${e.paperTitle} Q${e.question} ${e.marks}/${e.maxMarks}`)
            .join('; ')}
        </Text>
        <Group gap="xs">
          <Button component={Link} to={root.link} size="xs">
            Practise {root.node.name}
          </Button>
          {!selfRoot ? (
            <Button component={Link} to={link.link} size="xs" variant="default">
              Questions on {link.node.name}
            </Button>
          ) : null}
        </Group>
      </Stack>
    </Card>
  );
}

export function TrackerDashboardPage() {
  const dashboard = useTrackerDashboard();
  if (dashboard.isPending) return <PageLoader />;
  if (dashboard.error)
    return <ErrorAlert error={dashboard.error} onRetry={() => void dashboard.refetch()} />;
  const d = dashboard.data;
  const header = (
    <PageHeader
      title="Exam tracker"
      description="Where your marks are lost in past papers, and why, through the prerequisites of each topic."
      actions={
        <Button component={Link} to="/papers">
          Log a paper
        </Button>
      }
    />
  );
  if (d.results === 0) {
    return (
      <Stack gap="lg">
        {header}
        <Card withBorder>
          <Text>
            No results yet. Open Papers and log an attempt to see your trend and weak links.
          </Text>
        </Card>
      </Stack>
    );
  }
  const trend = d.trend.overall.map((p) => ({
    date: p.takenOn,
    Score: p.percent,
    Overall: p.cumulativePercent,
  }));
  const subtopics = [...d.subtopics]
    .slice(0, 12)
    .map((s) => ({ name: s.node.name, Percent: s.percent, Combined: s.combined }));
  const latest = d.change?.latest;
  return (
    <Stack gap="lg">
      {header}
      <SimpleGrid cols={{ base: 1, xs: 3 }}>
        <Stat label="Papers logged" value={d.results} />
        <Stat
          label="Latest score"
          value={latest ? `${latest.percent} %` : '—'}
          hint={latest?.takenOn}
        />
        <Stat
          label="Since previous attempt"
          value={signed(d.change?.delta ?? null)}
          hint={
            d.change?.samePaperDelta != null
              ? `Same paper: ${signed(d.change.samePaperDelta)}`
              : undefined
          }
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <ChartCard
          title="Score trend"
          summary={`Scores of ${d.results} attempts, from ${trend[0]?.Score} % to ${trend[trend.length - 1]?.Score} %.`}
        >
          <LineChart
            h={240}
            data={trend}
            dataKey="date"
            series={[
              { name: 'Score', color: 'indigo.6' },
              { name: 'Overall', color: 'teal.5' },
            ]}
            yAxisProps={{ domain: [0, 100] }}
            valueFormatter={(v) => `${v} %`}
            withLegend
            curveType="linear"
          />
        </ChartCard>
        <ChartCard
          title="Subtopics"
          summary={`Percent of marks per subtopic: ${subtopics.map((s) => `${s.name} ${s.Percent} %`).join(', ')}.`}
        >
          <BarChart
            h={Math.max(160, 36 * subtopics.length + 40)}
            data={subtopics}
            dataKey="name"
            orientation="vertical"
            series={[{ name: 'Percent', color: 'indigo.5' }]}
            xAxisProps={{ domain: [0, 100] }}
            yAxisProps={{ width: 170 }}
            valueFormatter={(v) => `${v} %`}
            tickLine="y"
          />
        </ChartCard>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <NodeList title="Strongest subtopics" nodes={d.strongest} color="teal" />
        <NodeList title="Weakest subtopics" nodes={d.weakest} color="red" />
      </SimpleGrid>
      <Stack gap="sm">
        <Title order={2} size="h4">
          Weak links
        </Title>
        {d.weakLinks.length === 0 ? (
          <Text c="dimmed">
            No weak links: every topic tested is at {d.thresholds.weakBelow} % or above.
          </Text>
        ) : (
          d.weakLinks.slice(0, 6).map((w) => <WeakLinkCard key={w.node.id} link={w} />)
        )}
      </Stack>
      <Card withBorder padding={0}>
        <Table aria-label="Skills" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Skill</Table.Th>
              <Table.Th>Papers</Table.Th>
              <Table.Th>Practice mastery</Table.Th>
              <Table.Th>Combined</Table.Th>
              <Table.Th>Change</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {d.skills.map((s) => (
              <Table.Tr key={s.node.id}>
                <Table.Td>{s.node.name}</Table.Td>
                <Table.Td>
                  {s.percent} % ({s.earned}/{s.possible})
                </Table.Td>
                <Table.Td>
                  {s.mastery ? `${Math.round(s.mastery.confidence * 100)} %` : '—'}
                </Table.Td>
                <Table.Td>{s.combined} %</Table.Td>
                <Table.Td>{signed(s.change)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
