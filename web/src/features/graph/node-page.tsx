// One concept or skill: what it is, where it sits in the hierarchy, everything it needs first
// and everything that needs it (transitively, with depth), a drawing of its neighbourhood and
// the way to its questions. The URL takes an id or an external id.
import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Card,
  Code,
  EmptyState,
  Group,
  List,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { isApiError } from '../../api/api-error';
import {
  useGraphDependents,
  useGraphNeighbourhood,
  useGraphNode,
  useGraphPrerequisites,
} from '../../api/getters/use-graph';
import {
  nodePath,
  questionsPath,
  type NeighbourhoodNode,
  type NodeAtDepth,
  type NodeDetail,
  type NodeSummary,
} from '../../api/graph-types';
import { ErrorAlert } from '../../components/error-alert';
import { ListIcon } from '../../components/icons';
import { PageLoader } from '../../components/page-loader';
import { NeighbourhoodCanvas } from './neighbourhood-canvas';
import { DepthBadge, KindBadge } from './node-badges';

/** Long traversals are cut here; "Show all" lists the rest. */
const SHOWN_AT_FIRST = 25;

function BackLink() {
  return (
    <Anchor component={Link} to="/graph" size="sm">
      ← Knowledge graph
    </Anchor>
  );
}

export function NodePage() {
  const { ref = '' } = useParams();
  const detail = useGraphNode(ref);

  if (detail.isPending) return <PageLoader label="Loading the node" />;
  if (detail.isError) {
    const missing = isApiError(detail.error) && detail.error.status === 404;
    return (
      <Stack gap="md">
        <BackLink />
        <ErrorAlert
          error={detail.error}
          title={missing ? 'No such concept or skill' : 'The node could not be loaded'}
          onRetry={missing ? undefined : () => void detail.refetch()}
        />
      </Stack>
    );
  }
  // Keyed by node, so moving to another node starts with a fresh radius and lists.
  return <NodeView key={detail.data.node.id} detail={detail.data} />;
}

function NodeLink({ node }: { node: NodeSummary }) {
  return (
    <Group gap={6} wrap="nowrap">
      <KindBadge kind={node.kind} size="xs" />
      <Anchor component={Link} to={nodePath(node)} size="sm">
        {node.name}
      </Anchor>
    </Group>
  );
}

function NodeView({ detail }: { detail: NodeDetail }) {
  const { node } = detail;
  const kindWord = node.kind === 'skill' ? 'skill' : 'concept';
  const parents = [...(detail.parent ? [detail.parent] : []), ...detail.partOf];
  const attributes = Object.entries(node.attributes);
  const prerequisites = useGraphPrerequisites(node.id);
  const dependents = useGraphDependents(node.id);

  return (
    <Stack gap="lg">
      <nav aria-label="Where this is in the graph">
        <Breadcrumbs separator="›" separatorMargin={6}>
          <Anchor component={Link} to="/graph" size="sm">
            Knowledge graph
          </Anchor>
          {detail.breadcrumbs.map((b) => (
            <Anchor key={b.id} component={Link} to={nodePath(b)} size="sm">
              {b.name}
            </Anchor>
          ))}
          <Text size="sm" c="dimmed" aria-current="page">
            {node.name}
          </Text>
        </Breadcrumbs>
      </nav>

      <Group justify="space-between" align="flex-start" gap="md">
        <Stack gap={6} miw={0}>
          <Group gap="sm" align="center">
            <Title order={1} size="h2">
              {node.name}
            </Title>
            <KindBadge kind={node.kind} size="lg" />
          </Group>
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              External id
            </Text>
            <Code style={{ overflowWrap: 'anywhere' }}>{node.externalId}</Code>
            {node.subject ? (
              <Badge variant="outline" color="gray" tt="none">
                {node.subject}
              </Badge>
            ) : null}
            {node.level ? (
              <Badge variant="outline" color="gray" tt="none">
                Level {node.level}
              </Badge>
            ) : null}
          </Group>
        </Stack>
        <Button
          component={Link}
          to={questionsPath(node)}
          variant="light"
          leftSection={<ListIcon size={16} />}
        >
          Questions on this {kindWord}
        </Button>
      </Group>

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Card withBorder>
          <Stack gap="md">
            <Stack gap={4}>
              <Title order={2} size="h4">
                Description
              </Title>
              {node.description ? (
                <Text size="sm" style={{ whiteSpace: 'pre-line' }}>
                  {node.description}
                </Text>
              ) : (
                <Text size="sm" c="dimmed">
                  No description.
                </Text>
              )}
            </Stack>

            <Stack gap={4}>
              <Title order={2} size="h4">
                {node.kind === 'skill' ? 'Concept' : 'Part of'}
              </Title>
              {parents.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {node.kind === 'concept' ? 'A top concept.' : 'Not under any concept.'}
                </Text>
              ) : (
                <List listStyleType="none" spacing={4} aria-label="Parent concepts">
                  {parents.map((p) => (
                    <List.Item key={p.id}>
                      <NodeLink node={p} />
                    </List.Item>
                  ))}
                </List>
              )}
            </Stack>

            {node.kind === 'concept' ? (
              <Stack gap={4}>
                <Title order={2} size="h4">
                  Inside this concept
                </Title>
                {detail.children.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    No sub-concepts or skills.
                  </Text>
                ) : (
                  <List listStyleType="none" spacing={4} aria-label="Sub-concepts and skills">
                    {detail.children.map((child) => (
                      <List.Item key={child.id}>
                        <NodeLink node={child} />
                      </List.Item>
                    ))}
                  </List>
                )}
              </Stack>
            ) : null}

            {attributes.length > 0 ? (
              <Stack gap={4}>
                <Title order={2} size="h4">
                  More about it
                </Title>
                <Table aria-label="Attributes" withRowBorders={false} verticalSpacing={4}>
                  <Table.Tbody>
                    {attributes.map(([name, value]) => (
                      <Table.Tr key={name}>
                        <Table.Th w="35%" fw={500}>
                          <Text size="sm" c="dimmed">
                            {name}
                          </Text>
                        </Table.Th>
                        <Table.Td>
                          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                            {value}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Stack>
            ) : null}
          </Stack>
        </Card>

        <Stack gap="lg">
          <TraversalCard
            title="Prerequisites"
            description={`What has to be learnt before this ${kindWord}, nearest first.`}
            empty={
              node.kind === 'skill'
                ? 'Nothing: this skill can be learnt first.'
                : 'None: prerequisites usually link the skills inside a concept.'
            }
            query={prerequisites}
          />
          <TraversalCard
            title="Dependents"
            description={`What builds on this ${kindWord}, nearest first.`}
            empty="Nothing builds on it yet."
            query={dependents}
          />
        </Stack>
      </SimpleGrid>

      <NeighbourhoodCard detail={detail} />
    </Stack>
  );
}

function TraversalCard({
  title,
  description,
  empty,
  query,
}: {
  title: string;
  description: string;
  empty: string;
  query: ReturnType<typeof useGraphPrerequisites>;
}) {
  const [showAll, setShowAll] = useState(false);

  return (
    <Card withBorder>
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Title order={2} size="h4">
            {title}
          </Title>
          {query.data && query.data.length > 0 ? (
            <Badge variant="light" color="gray">
              {query.data.length}
            </Badge>
          ) : null}
        </Group>
        <Text size="xs" c="dimmed">
          {description}
        </Text>
        {query.isPending ? (
          <PageLoader label={`Loading ${title.toLowerCase()}`} />
        ) : query.isError ? (
          <ErrorAlert
            error={query.error}
            title={`${title} could not be loaded`}
            onRetry={() => void query.refetch()}
          />
        ) : query.data.length === 0 ? (
          <Text size="sm">{empty}</Text>
        ) : (
          <>
            <TraversalTable
              title={title}
              nodes={showAll ? query.data : query.data.slice(0, SHOWN_AT_FIRST)}
            />
            {query.data.length > SHOWN_AT_FIRST ? (
              <Group>
                <Button variant="subtle" size="xs" onClick={() => setShowAll((v) => !v)}>
                  {showAll ? 'Show fewer' : `Show all ${query.data.length}`}
                </Button>
              </Group>
            ) : null}
          </>
        )}
      </Stack>
    </Card>
  );
}

function TraversalTable({ title, nodes }: { title: string; nodes: NodeAtDepth[] }) {
  return (
    <Table aria-label={title} verticalSpacing={6} highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th w={90}>Distance</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {nodes.map((n) => (
          <Table.Tr key={n.id}>
            <Table.Td>
              <NodeLink node={n} />
            </Table.Td>
            <Table.Td>
              <DepthBadge depth={n.depth} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function stepsWord(n: number): string {
  return n === 1 ? '1 step' : `${n} steps`;
}

function NeighbourhoodCard({ detail }: { detail: NodeDetail }) {
  const { node } = detail;
  const navigate = useNavigate();
  const [radius, setRadius] = useState(1);
  const hood = useGraphNeighbourhood(node.id, radius);
  const others = hood.data?.nodes.filter((n) => n.id !== node.id) ?? [];
  const label = `Graph of ${node.name} and the ${others.length} nodes within ${stepsWord(radius)}; the same nodes are listed below the drawing.`;

  return (
    <Card withBorder>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" gap="sm">
          <Stack gap={2}>
            <Title order={2} size="h4">
              Around this {node.kind}
            </Title>
            <Text size="xs" c="dimmed">
              Click a node to open it.
            </Text>
          </Stack>
          <Stack gap={2}>
            <Text size="xs" fw={500} id="radius-label">
              Steps shown
            </Text>
            <SegmentedControl
              aria-labelledby="radius-label"
              size="xs"
              data={[
                { value: '1', label: '1 step' },
                { value: '2', label: '2 steps' },
              ]}
              value={String(radius)}
              onChange={(v) => setRadius(Number(v))}
            />
          </Stack>
        </Group>

        {hood.isPending ? (
          <PageLoader label="Loading the neighbourhood" />
        ) : hood.isError ? (
          <ErrorAlert
            error={hood.error}
            title="The neighbourhood could not be loaded"
            onRetry={() => void hood.refetch()}
          />
        ) : others.length === 0 ? (
          <EmptyState py="md">
            <EmptyState.Title order={3}>Nothing is linked to it</EmptyState.Title>
            <EmptyState.Description>
              It has no prerequisites, dependents, concept or sub-concepts.
            </EmptyState.Description>
          </EmptyState>
        ) : (
          <>
            <NeighbourhoodCanvas
              data={hood.data}
              label={label}
              onOpen={(externalId) => void navigate(nodePath({ externalId }))}
            />
            <Legend />
            {hood.data.truncated ? (
              <Text size="xs" c="dimmed">
                Only the {hood.data.nodes.length} nearest nodes are drawn.
              </Text>
            ) : null}
            <DrawnNodes nodes={others} />
          </>
        )}
      </Stack>
    </Card>
  );
}

function LegendSwatch({ dashed }: { dashed: boolean }) {
  const color = dashed ? 'var(--mantine-color-indigo-5)' : 'var(--mantine-color-gray-7)';
  return (
    <svg width={40} height={12} aria-hidden="true" focusable="false">
      <line
        x1={1}
        y1={6}
        x2={dashed ? 29 : 31}
        y2={6}
        stroke={dashed ? 'var(--mantine-color-indigo-3)' : color}
        strokeWidth={2}
        strokeDasharray={dashed ? '5 3' : undefined}
      />
      {dashed ? (
        <path d="M29 6 L34 2 L39 6 L34 10 Z" fill="white" stroke={color} strokeWidth={1.5} />
      ) : (
        <path d="M30 1.5 L39 6 L30 10.5 Z" fill={color} />
      )}
    </svg>
  );
}

function Legend() {
  return (
    <Group gap="lg" role="list" aria-label="Legend">
      <Group gap={6} role="listitem">
        <LegendSwatch dashed={false} />
        <Text size="xs">needed before (prerequisite)</Text>
      </Group>
      <Group gap={6} role="listitem">
        <LegendSwatch dashed />
        <Text size="xs">part of (the diamond is at the concept)</Text>
      </Group>
      <Group gap={6} role="listitem">
        <KindBadge kind="concept" size="xs" />
        <KindBadge kind="skill" size="xs" />
      </Group>
    </Group>
  );
}

/** The text alternative of the drawing: every node in it, by distance, as links. */
function DrawnNodes({ nodes }: { nodes: NeighbourhoodNode[] }) {
  const distances = [...new Set(nodes.map((n) => n.distance))].sort((a, b) => a - b);
  return (
    <Stack gap="xs">
      {distances.map((d) => {
        const ring = nodes
          .filter((n) => n.distance === d)
          .sort((a, b) => a.name.localeCompare(b.name));
        const headingId = `drawn-${d}`;
        return (
          <Stack key={d} gap={4}>
            <Text size="sm" fw={500} id={headingId}>
              {stepsWord(d)} away ({ring.length})
            </Text>
            <SimpleGrid
              component="ul"
              aria-labelledby={headingId}
              cols={{ base: 1, sm: 2, lg: 3 }}
              spacing="xs"
              verticalSpacing={4}
              m={0}
              p={0}
              style={{ listStyle: 'none' }}
            >
              {ring.map((n) => (
                <li key={n.id}>
                  <NodeLink node={n} />
                </li>
              ))}
            </SimpleGrid>
          </Stack>
        );
      })}
    </Stack>
  );
}
