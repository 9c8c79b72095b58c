// The knowledge graph: how big it is, a search by name or external id (kept in the URL, so the
// back button returns to the results), and the concept tree from its top concepts. Staff also
// get the three CSV exports and the import.
import {
  Anchor,
  Button,
  Card,
  EmptyState,
  Group,
  Pagination,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useGraphRoots, useGraphSearch } from '../../api/getters/use-graph';
import { useMe } from '../../api/getters/use-me';
import { GRAPH_FILES, nodePath, type NodeKind } from '../../api/graph-types';
import { ErrorAlert } from '../../components/error-alert';
import { PlusIcon, SearchIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { TreeList } from './concept-tree';
import { GraphStatsCards } from './graph-stats';
import { DownloadIcon, GraphIcon } from './graph-icon';
import { KindBadge } from './node-badges';

const PAGE_SIZE = 20;
const KIND_OPTIONS = [
  { value: 'all', label: 'All' },
  { value: 'concept', label: 'Concepts' },
  { value: 'skill', label: 'Skills' },
];

function SearchResults({
  q,
  kind,
  page,
  onPage,
}: {
  q: string;
  kind: NodeKind | undefined;
  page: number;
  onPage: (page: number) => void;
}) {
  const results = useGraphSearch({ q, kind, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  if (results.isPending) return <PageLoader label="Searching" />;
  if (results.isError) {
    return (
      <ErrorAlert
        error={results.error}
        title="The search failed"
        onRetry={() => void results.refetch()}
      />
    );
  }
  const { nodes, total } = results.data;
  if (nodes.length === 0) {
    return (
      <EmptyState py="lg" icon={<SearchIcon size={28} />}>
        <EmptyState.Title order={2}>Nothing matches “{q}”</EmptyState.Title>
        <EmptyState.Description>
          Search looks in names, external ids and descriptions. Try fewer or other words.
        </EmptyState.Description>
      </EmptyState>
    );
  }
  const pages = Math.ceil(total / PAGE_SIZE);
  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={420}>
        <Table aria-label="Search results" verticalSpacing="xs" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th w={100}>Kind</Table.Th>
              <Table.Th>External id</Table.Th>
              <Table.Th visibleFrom="sm">Subject and level</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {nodes.map((node) => (
              <Table.Tr key={node.id}>
                <Table.Td>
                  <Anchor component={Link} to={nodePath(node)} size="sm" fw={500}>
                    {node.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <KindBadge kind={node.kind} size="sm" />
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {node.externalId}
                  </Text>
                </Table.Td>
                <Table.Td visibleFrom="sm">
                  <Text size="xs" c="dimmed">
                    {[node.subject, node.level].filter(Boolean).join(' · ') || '—'}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between">
        <Text size="sm" c="dimmed" aria-live="polite">
          {total === 1
            ? '1 node'
            : `${(page - 1) * PAGE_SIZE + 1}–${Math.min(total, page * PAGE_SIZE)} of ${total} nodes`}
        </Text>
        {pages > 1 ? (
          <Pagination
            total={pages}
            value={page}
            onChange={onPage}
            getControlProps={(control) => ({
              'aria-label': control === 'previous' ? 'Previous page' : 'Next page',
            })}
          />
        ) : null}
      </Group>
    </Stack>
  );
}

function ConceptTreeCard() {
  const roots = useGraphRoots();
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={2} size="h4">
          Concepts
        </Title>
        <Text size="sm" c="dimmed">
          The curriculum from its top concepts; open a concept to see its sub-concepts and skills.
        </Text>
        {roots.isPending ? (
          <PageLoader label="Loading the concepts" />
        ) : roots.isError ? (
          <ErrorAlert
            error={roots.error}
            title="The concepts could not be loaded"
            onRetry={() => void roots.refetch()}
          />
        ) : roots.data.length === 0 ? (
          <EmptyState py="lg" icon={<GraphIcon size={28} />}>
            <EmptyState.Title order={3}>The graph is empty</EmptyState.Title>
            <EmptyState.Description>
              Import the curriculum's concepts, skills and edges as three CSV files.
            </EmptyState.Description>
          </EmptyState>
        ) : (
          <TreeList nodes={roots.data} label="Concept tree" />
        )}
      </Stack>
    </Card>
  );
}

export function GraphPage() {
  const me = useMe();
  const staff = me.data?.role === 'instructor' || me.data?.role === 'admin';
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const kindParam = params.get('kind');
  const kind: NodeKind | undefined =
    kindParam === 'concept' || kindParam === 'skill' ? kindParam : undefined;
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const [search, setSearch] = useState(q);

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (!value || value === 'all') next.delete(key);
      else next.set(key, value);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };
  const updateSearch = useDebouncedCallback((value: string) => update({ q: value.trim() }), 250);

  return (
    <Stack gap="lg">
      <PageHeader
        title="Knowledge graph"
        description="Concepts, the skills under them and the prerequisites between skills."
        actions={
          staff ? (
            <>
              {GRAPH_FILES.map((f) => (
                <Button
                  key={f.file}
                  component="a"
                  href={`/api/graph/export/${f.file}`}
                  download={f.file}
                  variant="default"
                  leftSection={<DownloadIcon />}
                  aria-label={`Export ${f.file}`}
                >
                  {f.file}
                </Button>
              ))}
              <Button component={Link} to="/graph/import" leftSection={<PlusIcon size={16} />}>
                Import graph
              </Button>
            </>
          ) : null
        }
      />

      <GraphStatsCards />

      <Card withBorder>
        <Stack gap="sm">
          <Group gap="md" align="flex-end" wrap="wrap">
            <TextInput
              label="Search the graph"
              placeholder="A name or external id, e.g. fractions"
              leftSection={<SearchIcon size={16} />}
              type="search"
              value={search}
              onChange={(event) => {
                setSearch(event.currentTarget.value);
                updateSearch(event.currentTarget.value);
              }}
              onKeyDown={(event) => {
                if (event.key === 'Enter') updateSearch.flush();
              }}
              miw={220}
              style={{ flex: 1 }}
            />
            <SegmentedControl
              aria-label="Kind of node"
              data={KIND_OPTIONS}
              value={kind ?? 'all'}
              onChange={(value) => update({ kind: value })}
            />
          </Group>
          {q ? (
            <SearchResults
              q={q}
              kind={kind}
              page={page}
              onPage={(p) => update({ page: String(p) })}
            />
          ) : null}
        </Stack>
      </Card>

      <ConceptTreeCard />
    </Stack>
  );
}
