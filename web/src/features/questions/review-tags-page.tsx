// Review tags: the queue of suggested tags, most confident first. Each row shows the question,
// the proposed concept or skill, the confidence as a bar and a number, the reason and where it
// came from, with Accept and Reject. "Accept all ≥ X" accepts every suggestion of the current
// filters at or above the threshold, after a confirmation. Filters live in the URL.
import {
  Anchor,
  Badge,
  Button,
  Card,
  CloseButton,
  EmptyState,
  Group,
  Modal,
  NumberInput,
  Pagination,
  Progress,
  RangeSlider,
  Select,
  Slider,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { errorMessage } from '../../api/api-error';
import { useTaggingApi } from '../../api/actions/use-tagging-api';
import { useMe } from '../../api/getters/use-me';
import { useSuggestions } from '../../api/getters/use-suggestions';
import type { Suggestion, SuggestionListQuery } from '../../api/tagging-types';
import { ErrorAlert } from '../../components/error-alert';
import { SparkIcon } from '../../components/icons';
import { NotAllowed } from '../../components/not-allowed';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';

const PAGE_SIZE = 25;
const SOURCE_OPTIONS = [
  { value: 'any', label: 'Any source' },
  { value: 'offline', label: 'Offline tagger' },
  { value: 'llm', label: 'AI re-ranked' },
];

function numberParam(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function queryFromUrl(params: URLSearchParams): SuggestionListQuery & { page: number } {
  const page = Math.max(1, Math.floor(numberParam(params.get('page')) ?? 1));
  const source = params.get('source');
  return {
    minConfidence: numberParam(params.get('minConfidence')),
    maxConfidence: numberParam(params.get('maxConfidence')),
    importId: params.get('importId') ?? undefined,
    node: params.get('node') ?? undefined,
    questionId: params.get('questionId') ?? undefined,
    source: source === 'offline' || source === 'llm' ? source : undefined,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
    page,
  };
}

const percent = (c: number | null) => Math.round((c ?? 0) * 100);

function ConfidenceBar({ value }: { value: number | null }) {
  const shown = (value ?? 0).toFixed(2);
  const color = (value ?? 0) >= 0.7 ? 'teal' : (value ?? 0) >= 0.4 ? 'yellow' : 'gray';
  return (
    <Group gap="xs" wrap="nowrap" miw={120}>
      <Progress value={percent(value)} color={color} w={70} aria-label={`Confidence ${shown}`} />
      <Text size="sm" ff="monospace" aria-hidden>
        {shown}
      </Text>
    </Group>
  );
}

export function ReviewTagsPage() {
  const me = useMe();
  const staff = me.data?.role === 'instructor' || me.data?.role === 'admin';
  const [params, setParams] = useSearchParams();
  const query = queryFromUrl(params);
  const { page, ...listQuery } = query;
  const suggestions = useSuggestions(listQuery);
  const { decide, decideAll } = useTaggingApi();
  const [threshold, setThreshold] = useState(0.7);
  const [confirming, setConfirming] = useState(false);
  const [nodeInput, setNodeInput] = useState(query.node ?? '');
  const [pending, setPending] = useState<string | null>(null);

  if (me.data && !staff) {
    return (
      <NotAllowed detail="The review queue of suggested tags is for instructors and administrators." />
    );
  }

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };

  const data = suggestions.data;
  const total = data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const atThreshold =
    data?.atOrAbove.find((a) => Math.abs(a.threshold - threshold) < 1e-9)?.count ?? 0;
  const range: [number, number] = [query.minConfidence ?? 0, query.maxConfidence ?? 1];
  const filter = {
    importId: query.importId,
    node: query.node,
    questionId: query.questionId,
    source: query.source,
    maxConfidence: query.maxConfidence,
  };

  const decideOne = (s: Suggestion, decision: 'accepted' | 'rejected') => {
    const key = `${s.questionId}\t${s.node.id}`;
    setPending(key);
    decide.mutate(
      { questionId: s.questionId, nodeId: s.node.id, decision },
      {
        onSuccess: () =>
          notifications.show({
            color: decision === 'accepted' ? 'teal' : 'gray',
            message: `${decision === 'accepted' ? 'Accepted' : 'Rejected'} “${s.node.name ?? s.node.id}” on “${s.questionExcerpt.slice(0, 60)}”.`,
          }),
        onError: (error) =>
          notifications.show({ color: 'red', title: 'Not changed', message: errorMessage(error) }),
        onSettled: () => setPending(null),
      },
    );
  };

  const acceptAll = () =>
    decideAll.mutate(
      { decision: 'accepted', threshold, filter },
      {
        onSuccess: (result) => {
          setConfirming(false);
          notifications.show({
            color: 'teal',
            message: `Accepted ${result.updated} suggestion${result.updated === 1 ? '' : 's'} at or above ${threshold.toFixed(1)}.`,
          });
        },
        onError: (error) =>
          notifications.show({ color: 'red', title: 'Not accepted', message: errorMessage(error) }),
      },
    );

  return (
    <Stack gap="lg">
      <PageHeader
        title="Review tags"
        description="Suggested concepts and skills for questions, most confident first. Accepted tags count in the question bank’s filters; rejected ones are not suggested again."
        actions={
          <Button component={Link} to="/questions" variant="default">
            Questions
          </Button>
        }
      />

      {query.importId || query.questionId ? (
        <Group gap="xs">
          {query.importId ? (
            <Badge
              size="lg"
              variant="light"
              color="gray"
              tt="none"
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
          ) : null}
          {query.questionId ? (
            <Badge
              size="lg"
              variant="light"
              color="gray"
              tt="none"
              rightSection={
                <CloseButton
                  size="xs"
                  aria-label="Show every question"
                  onClick={() => update({ questionId: undefined })}
                />
              }
            >
              One question only
            </Badge>
          ) : null}
        </Group>
      ) : null}

      <Card withBorder padding="md">
        <Group gap="md" align="flex-end" wrap="wrap">
          <TextInput
            label="Concept or skill"
            description="An id from the knowledge graph; a concept includes its sub-topics"
            placeholder="e.g. fractions"
            value={nodeInput}
            onChange={(event) => setNodeInput(event.currentTarget.value)}
            onBlur={() => update({ node: nodeInput.trim() || undefined })}
            onKeyDown={(event) => {
              if (event.key === 'Enter') update({ node: nodeInput.trim() || undefined });
            }}
            w={260}
          />
          <Select
            label="Source"
            data={SOURCE_OPTIONS}
            value={query.source ?? 'any'}
            onChange={(value) =>
              update({ source: value === 'any' ? undefined : (value ?? undefined) })
            }
            allowDeselect={false}
            w={170}
          />
          <Stack gap={4} w={220}>
            <Text size="sm" fw={500} id="confidence-range-label">
              Confidence {range[0].toFixed(1)}–{range[1].toFixed(1)}
            </Text>
            <RangeSlider
              aria-labelledby="confidence-range-label"
              min={0}
              max={1}
              step={0.1}
              minRange={0}
              value={range}
              label={(v) => v.toFixed(1)}
              thumbFromLabel="Lowest confidence"
              thumbToLabel="Highest confidence"
              onChangeEnd={([min, max]) =>
                update({
                  minConfidence: min > 0 ? min.toFixed(1) : undefined,
                  maxConfidence: max < 1 ? max.toFixed(1) : undefined,
                })
              }
              mb="xs"
            />
          </Stack>
        </Group>
      </Card>

      <Card withBorder padding="md" bg="var(--mantine-color-teal-light)">
        <Group gap="lg" align="flex-end" wrap="wrap">
          <Stack gap={4} w={240}>
            <Text size="sm" fw={500} id="threshold-label">
              Accept threshold
            </Text>
            <Slider
              aria-labelledby="threshold-label"
              min={0}
              max={1}
              step={0.1}
              value={threshold}
              onChange={setThreshold}
              label={(v) => v.toFixed(1)}
              marks={[0, 0.5, 1].map((v) => ({ value: v, label: v.toFixed(1) }))}
              mb="md"
            />
          </Stack>
          <NumberInput
            label="Threshold"
            min={0}
            max={1}
            step={0.1}
            decimalScale={1}
            value={threshold}
            onChange={(v) => {
              const n = typeof v === 'number' ? v : Number(v);
              if (Number.isFinite(n))
                setThreshold(Math.min(1, Math.max(0, Math.round(n * 10) / 10)));
            }}
            w={110}
          />
          <Button
            leftSection={<SparkIcon size={16} />}
            onClick={() => setConfirming(true)}
            disabled={atThreshold === 0}
          >
            Accept all ≥ {threshold.toFixed(1)} ({atThreshold} suggestion
            {atThreshold === 1 ? '' : 's'})
          </Button>
        </Group>
      </Card>

      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title="Accept suggested tags?"
        centered
      >
        <Stack gap="md">
          <Text size="sm">
            Accept {atThreshold} suggested tag{atThreshold === 1 ? '' : 's'} with confidence{' '}
            {threshold.toFixed(1)} or more
            {filter.importId || filter.node || filter.source ? ', within the current filters' : ''}?
            They count in the question bank’s filters at once.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button onClick={acceptAll} loading={decideAll.isPending}>
              Accept {atThreshold}
            </Button>
          </Group>
        </Stack>
      </Modal>

      <Card withBorder padding={0}>
        {suggestions.isPending ? (
          <PageLoader label="Loading suggestions" />
        ) : suggestions.isError ? (
          <Stack p="md">
            <ErrorAlert
              error={suggestions.error}
              title="Suggestions could not be loaded"
              onRetry={() => void suggestions.refetch()}
            />
          </Stack>
        ) : (data?.suggestions.length ?? 0) === 0 ? (
          <EmptyState py="xl" icon={<SparkIcon size={28} />}>
            <EmptyState.Title order={2}>Nothing to review</EmptyState.Title>
            <EmptyState.Description>
              Start “Suggest tags” on the Questions page or after an import; its suggestions appear
              here.
            </EmptyState.Description>
          </EmptyState>
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing="sm" highlightOnHover aria-label="Suggested tags">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Question</Table.Th>
                  <Table.Th>Suggested tag</Table.Th>
                  <Table.Th>Confidence</Table.Th>
                  <Table.Th>Reason</Table.Th>
                  <Table.Th w={100}>Source</Table.Th>
                  <Table.Th w={180}>Decision</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data?.suggestions.map((s) => {
                  const key = `${s.questionId}\t${s.node.id}`;
                  const busy = pending === key;
                  const label = s.node.name ?? s.node.externalId ?? s.node.id;
                  return (
                    <Table.Tr key={key}>
                      <Table.Td maw={320}>
                        <Anchor component={Link} to={`/questions/${s.questionId}`} size="sm">
                          {s.questionExcerpt}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Stack gap={2}>
                          <Text size="sm" fw={500}>
                            {label}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {s.node.kind === 'concept' ? 'Concept' : 'Skill'} · {s.node.externalId}
                          </Text>
                        </Stack>
                      </Table.Td>
                      <Table.Td>
                        <ConfidenceBar value={s.confidence} />
                      </Table.Td>
                      <Table.Td maw={340}>
                        <Text
                          size="xs"
                          c="dimmed"
                          // Sanitised on the server (an AI-written reason is untrusted text).
                          dangerouslySetInnerHTML={{ __html: s.reasonHtml }}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Badge
                          variant="light"
                          color={s.source === 'llm' ? 'grape' : 'gray'}
                          tt="none"
                          miw={70}
                          style={{ overflow: 'visible' }}
                        >
                          {s.source === 'llm' ? 'AI' : 'Offline'}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Button
                            size="xs"
                            color="teal"
                            onClick={() => decideOne(s, 'accepted')}
                            loading={busy && decide.isPending}
                            disabled={busy}
                            aria-label={`Accept ${label} for “${s.questionExcerpt.slice(0, 80)}”`}
                          >
                            Accept
                          </Button>
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() => decideOne(s, 'rejected')}
                            disabled={busy}
                            aria-label={`Reject ${label} for “${s.questionExcerpt.slice(0, 80)}”`}
                          >
                            Reject
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>

      {total > 0 ? (
        <Group justify="space-between">
          <Text size="sm" c="dimmed" aria-live="polite">
            {query.offset + 1}–{Math.min(total, query.offset + PAGE_SIZE)} of {total} suggestions
          </Text>
          {pages > 1 ? (
            <Pagination
              total={pages}
              value={page}
              onChange={(p) => update({ page: String(p) })}
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
