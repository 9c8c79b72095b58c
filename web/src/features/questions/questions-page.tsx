// The question bank: filters kept in the URL (so /questions?concept=<id> is a stable link other
// pages use), a table of questions without their answers, bulk status changes and exports.
import {
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  CloseButton,
  EmptyState,
  Group,
  Pagination,
  RangeSlider,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { errorMessage } from '../../api/api-error';
import { useQuestionsApi } from '../../api/actions/use-questions-api';
import { useMe } from '../../api/getters/use-me';
import { useQuestions } from '../../api/getters/use-questions';
import {
  QUESTION_STATUS_LABELS,
  QUESTION_TYPE_LABELS,
  type QuestionListQuery,
  type QuestionStatus,
  type QuestionSummary,
} from '../../api/questions-types';
import { ErrorAlert } from '../../components/error-alert';
import { formatDateTime } from '../../components/format';
import { ListIcon, PlusIcon, SearchIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { StatusBadge, TagBadges } from './question-badges';
import { SuggestTagsForList } from './suggest-tags';

const PAGE_SIZE = 25;
const ALL = 'all';
const TYPE_OPTIONS = [
  { value: ALL, label: 'All types' },
  ...Object.entries(QUESTION_TYPE_LABELS).map(([value, label]) => ({ value, label })),
];
const STATUS_OPTIONS = [
  { value: ALL, label: 'Any status' },
  ...Object.entries(QUESTION_STATUS_LABELS).map(([value, label]) => ({ value, label })),
  { value: 'archived', label: 'Archived' },
];

function intParam(value: string | null): number | undefined {
  const n = Number(value);
  return value !== null && Number.isInteger(n) ? n : undefined;
}

/** The list query from the page's URL. */
function queryFromUrl(params: URLSearchParams): QuestionListQuery & { page: number } {
  const page = Math.max(1, intParam(params.get('page')) ?? 1);
  const status = params.get('status') ?? undefined;
  return {
    concept: params.get('concept') ?? undefined,
    skill: params.get('skill') ?? undefined,
    type: params.get('type') ?? undefined,
    status: status === 'archived' ? undefined : status,
    archived: status === 'archived' ? true : undefined,
    difficultyMin: intParam(params.get('difficultyMin')),
    difficultyMax: intParam(params.get('difficultyMax')),
    q: params.get('q') ?? undefined,
    importId: params.get('importId') ?? undefined,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
    page,
  };
}

function exportHref(format: 'gift' | 'csv', params: URLSearchParams): string {
  const query = new URLSearchParams({ format });
  for (const key of [
    'concept',
    'skill',
    'type',
    'difficultyMin',
    'difficultyMax',
    'q',
    'importId',
  ]) {
    const value = params.get(key);
    if (value) query.set(key, value);
  }
  const status = params.get('status');
  if (status === 'archived') query.set('archived', 'true');
  else if (status) query.set('status', status);
  return `/api/questions/export?${query.toString()}`;
}

export function QuestionsPage() {
  const me = useMe();
  const staff = me.data?.role === 'instructor' || me.data?.role === 'admin';
  const [params, setParams] = useSearchParams();
  const query = queryFromUrl(params);
  const questions = useQuestions(query);
  const { setStatusMany } = useQuestionsApi();
  const [search, setSearch] = useState(query.q ?? '');
  const [selected, setSelected] = useState<string[]>([]);

  /** Change some filters in the URL; any change goes back to page 1. */
  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '' || value === ALL) next.delete(key);
      else next.set(key, value);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
    setSelected([]);
  };
  const updateSearch = useDebouncedCallback((value: string) => update({ q: value }), 300);

  const total = questions.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const rows = questions.data?.questions ?? [];
  const node = questions.data?.node ?? null;
  const nodeParam = query.concept ?? query.skill;
  const filtered = [...params.keys()].some((k) => k !== 'page');
  const difficulty: [number, number] = [query.difficultyMin ?? 1, query.difficultyMax ?? 5];

  const bulk = (status: QuestionStatus) =>
    setStatusMany.mutate(
      { ids: selected, status },
      {
        onSuccess: (result) => {
          notifications.show({
            color: 'teal',
            message: `${result.updated} question${result.updated === 1 ? '' : 's'} now ${QUESTION_STATUS_LABELS[status].toLowerCase()}.`,
          });
          setSelected([]);
        },
        onError: (error) =>
          notifications.show({ color: 'red', title: 'Not changed', message: errorMessage(error) }),
      },
    );

  return (
    <Stack gap="lg">
      <PageHeader
        title="Questions"
        description={
          staff
            ? 'The question bank: filter by concept, skill, type, difficulty and status; import and export GIFT or CSV.'
            : 'Published practice questions.'
        }
        actions={
          staff ? (
            <>
              <Button component="a" href={exportHref('gift', params)} variant="default" download>
                Export GIFT
              </Button>
              <Button component="a" href={exportHref('csv', params)} variant="default" download>
                Export CSV
              </Button>
              <Button component={Link} to="/questions/ocr" variant="default">
                Import from images
              </Button>
              <Button component={Link} to="/questions/import" leftSection={<PlusIcon size={16} />}>
                Import questions
              </Button>
            </>
          ) : null
        }
      />

      {staff ? <SuggestTagsForList params={params} selected={selected} shown={total} /> : null}

      {nodeParam ? (
        <Group gap="xs">
          <Badge
            size="lg"
            variant="light"
            tt="none"
            color={node ? 'indigo' : 'red'}
            rightSection={
              <CloseButton
                size="xs"
                aria-label="Clear the concept filter"
                onClick={() => update({ concept: undefined, skill: undefined })}
              />
            }
          >
            {node
              ? `${node.kind === 'skill' ? 'Skill' : 'Concept'}: ${node.name}${node.kind === 'concept' ? ' and its sub-topics' : ''}`
              : `No concept or skill “${nodeParam}”`}
          </Badge>
        </Group>
      ) : null}

      {query.importId ? (
        <Group gap="xs">
          <Badge
            size="lg"
            variant="light"
            tt="none"
            color="gray"
            rightSection={
              <CloseButton
                size="xs"
                aria-label="Show every import"
                onClick={() => update({ importId: undefined })}
              />
            }
          >
            One import only
          </Badge>
        </Group>
      ) : null}

      <Card withBorder padding="md">
        <Group gap="md" align="flex-end" wrap="wrap">
          <TextInput
            label="Search questions"
            placeholder="Words in the title, question or answers"
            leftSection={<SearchIcon size={16} />}
            type="search"
            value={search}
            onChange={(event) => {
              setSearch(event.currentTarget.value);
              updateSearch(event.currentTarget.value);
            }}
            miw={240}
            style={{ flex: 1 }}
          />
          <Select
            label="Type"
            data={TYPE_OPTIONS}
            value={query.type ?? ALL}
            onChange={(value) => update({ type: value ?? undefined })}
            allowDeselect={false}
            w={170}
          />
          {staff ? (
            <Select
              label="Status"
              data={STATUS_OPTIONS}
              value={query.archived ? 'archived' : (query.status ?? ALL)}
              onChange={(value) => update({ status: value ?? undefined })}
              allowDeselect={false}
              w={150}
            />
          ) : null}
          <Stack gap={4} w={190}>
            <Text size="sm" fw={500} id="difficulty-label">
              Difficulty {difficulty[0]}–{difficulty[1]}
            </Text>
            <RangeSlider
              aria-labelledby="difficulty-label"
              min={1}
              max={5}
              step={1}
              minRange={0}
              marks={[1, 2, 3, 4, 5].map((v) => ({ value: v, label: String(v) }))}
              value={difficulty}
              thumbFromLabel="Lowest difficulty"
              thumbToLabel="Highest difficulty"
              onChangeEnd={([min, max]) =>
                update({
                  difficultyMin: min === 1 && max === 5 ? undefined : String(min),
                  difficultyMax: min === 1 && max === 5 ? undefined : String(max),
                })
              }
              mb="md"
            />
          </Stack>
          {filtered ? (
            <Button
              variant="subtle"
              onClick={() => {
                setSearch('');
                setParams(new URLSearchParams(), { replace: true });
              }}
            >
              Clear filters
            </Button>
          ) : null}
        </Group>
      </Card>

      {staff && selected.length > 0 ? (
        <Card withBorder padding="sm" bg="var(--mantine-color-blue-light)">
          <Group gap="sm">
            <Text size="sm" fw={500}>
              {selected.length} selected
            </Text>
            <Button size="xs" onClick={() => bulk('published')} loading={setStatusMany.isPending}>
              Publish
            </Button>
            <Button size="xs" variant="default" onClick={() => bulk('review')}>
              Send to review
            </Button>
            <Button size="xs" variant="default" onClick={() => bulk('draft')}>
              Back to draft
            </Button>
          </Group>
        </Card>
      ) : null}

      <Card withBorder padding={0}>
        {questions.isPending ? (
          <PageLoader label="Loading questions" />
        ) : questions.isError ? (
          <Stack p="md">
            <ErrorAlert
              error={questions.error}
              title="Questions could not be loaded"
              onRetry={() => void questions.refetch()}
            />
          </Stack>
        ) : rows.length === 0 ? (
          <EmptyState py="xl" icon={<ListIcon size={28} />}>
            <EmptyState.Title order={2}>
              {filtered ? 'No questions match' : 'No questions yet'}
            </EmptyState.Title>
            <EmptyState.Description>
              {filtered
                ? 'Try other filters, or clear them.'
                : staff
                  ? 'Import a Moodle GIFT or CSV file to fill the bank.'
                  : 'Your instructors have not published questions yet.'}
            </EmptyState.Description>
            {staff && !filtered ? (
              <EmptyState.Actions>
                <Button component={Link} to="/questions/import">
                  Import questions
                </Button>
              </EmptyState.Actions>
            ) : null}
          </EmptyState>
        ) : (
          <QuestionsTable rows={rows} staff={staff} selected={selected} onSelect={setSelected} />
        )}
      </Card>

      {total > 0 ? (
        <Group justify="space-between">
          <Text size="sm" c="dimmed" aria-live="polite">
            {query.offset + 1}–{Math.min(total, query.offset + PAGE_SIZE)} of {total} questions
          </Text>
          {pages > 1 ? (
            <Pagination
              total={pages}
              value={query.page}
              onChange={(page) => update({ page: String(page) })}
              getControlProps={(control) => ({
                'aria-label': control === 'previous' ? 'Previous page' : 'Next page',
              })}
            />
          ) : null}
        </Group>
      ) : null}
    </Stack>
  );
}

function QuestionsTable({
  rows,
  staff,
  selected,
  onSelect,
}: {
  rows: QuestionSummary[];
  staff: boolean;
  selected: string[];
  onSelect: (ids: string[]) => void;
}) {
  const allSelected = rows.length > 0 && rows.every((r) => selected.includes(r.id));
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="sm" highlightOnHover aria-label="Questions">
        <Table.Thead>
          <Table.Tr>
            {staff ? (
              <Table.Th w={40}>
                <Checkbox
                  aria-label="Select every question on this page"
                  checked={allSelected}
                  indeterminate={!allSelected && selected.length > 0}
                  onChange={() => onSelect(allSelected ? [] : rows.map((r) => r.id))}
                />
              </Table.Th>
            ) : null}
            <Table.Th>Question</Table.Th>
            <Table.Th>Type</Table.Th>
            {staff ? <Table.Th w={120}>Status</Table.Th> : null}
            <Table.Th>Difficulty</Table.Th>
            <Table.Th>Concepts and skills</Table.Th>
            {staff ? <Table.Th>Updated</Table.Th> : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id}>
              {staff ? (
                <Table.Td>
                  <Checkbox
                    aria-label={`Select ${row.title ?? row.excerpt}`}
                    checked={selected.includes(row.id)}
                    onChange={(event) =>
                      onSelect(
                        event.currentTarget.checked
                          ? [...selected, row.id]
                          : selected.filter((id) => id !== row.id),
                      )
                    }
                  />
                </Table.Td>
              ) : null}
              <Table.Td maw={420}>
                <Anchor component={Link} to={`/questions/${row.id}`} fw={500} size="sm">
                  {row.title ?? row.excerpt}
                </Anchor>
                {row.title ? (
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {row.excerpt}
                  </Text>
                ) : null}
                {row.archivedAt ? (
                  <Badge size="xs" color="gray" variant="outline" mt={4}>
                    Archived
                  </Badge>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{QUESTION_TYPE_LABELS[row.type]}</Text>
              </Table.Td>
              {staff ? (
                <Table.Td>
                  <StatusBadge status={row.status} />
                </Table.Td>
              ) : null}
              <Table.Td>
                <Text size="sm">{row.difficulty ?? '—'}</Text>
              </Table.Td>
              <Table.Td>
                <TagBadges tags={row.tags} />
              </Table.Td>
              {staff ? (
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    {formatDateTime(row.updatedAt)}
                  </Text>
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
