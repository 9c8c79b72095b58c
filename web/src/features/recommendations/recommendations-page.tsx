// Recommendations: the learner's active set (questions in the order to practise them, each with
// the reason it was chosen, its difficulty and whether it is done), a "Practise" view per
// question, golden resources, "Build new set" (which says clearly when the set is kept as it
// is), and the archived sets, each viewable.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useRecommendationsApi } from '../../api/actions/use-recommendations-api';
import {
  useActiveRecommendations,
  useArchivedRecommendations,
  useRecommendationSet,
} from '../../api/getters/use-recommendations';
import type {
  BuildAnswer,
  RecommendationItem,
  RecommendationSet,
  Tier,
} from '../../api/recommendations-types';
import { ErrorAlert } from '../../components/error-alert';
import { formatDate, formatDateTime } from '../../components/format';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { PractiseQuestion } from './practise-question';

const TIER: Record<Tier, { label: string; color: string }> = {
  weak: { label: 'Weak', color: 'red' },
  prerequisite: { label: 'Prerequisite', color: 'grape' },
  consolidate: { label: 'Consolidate', color: 'yellow' },
};

function Status({ item }: { item: RecommendationItem }) {
  if (!item.done)
    return (
      <Badge variant="outline" color="gray">
        To do
      </Badge>
    );
  return item.correct ? (
    <Badge color="teal">Done · right</Badge>
  ) : (
    <Badge color="orange">Done · wrong</Badge>
  );
}

function ItemCard({
  item,
  onPractise,
}: {
  item: RecommendationItem;
  onPractise?: (item: RecommendationItem) => void;
}) {
  return (
    <Card withBorder padding="sm" data-testid="recommendation-item">
      <Stack gap={6}>
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="xs" wrap="wrap">
            <Text fw={700} c="dimmed" size="sm">
              {item.position}.
            </Text>
            <Text fw={600}>{item.node.name}</Text>
            <Badge variant="light" color={TIER[item.tier].color}>
              {TIER[item.tier].label}
            </Badge>
            <Badge variant="light" color="indigo">
              {item.difficulty === null ? 'Difficulty —' : `Difficulty ${item.difficulty}/5`}
            </Badge>
          </Group>
          <Status item={item} />
        </Group>
        {item.question?.title ? (
          <Text size="sm" fw={500}>
            {item.question.title}
          </Text>
        ) : null}
        <Text size="sm" data-testid="recommendation-reason">
          {item.reason}
        </Text>
        {onPractise ? (
          <Group gap="xs">
            {item.question ? (
              <Button
                size="xs"
                variant={item.done ? 'default' : 'filled'}
                onClick={() => onPractise(item)}
                aria-label={`Practise question ${item.position}: ${item.node.name}`}
              >
                {item.done ? 'Practise again' : 'Practise'}
              </Button>
            ) : (
              <Text size="xs" c="dimmed">
                This question is no longer available.
              </Text>
            )}
          </Group>
        ) : null}
      </Stack>
    </Card>
  );
}

function ProgressLine({ set }: { set: RecommendationSet }) {
  const { total, done, correct } = set.progress;
  const pct = total > 0 ? Math.round((100 * done) / total) : 0;
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {done} of {total} done · {correct} right first time
        </Text>
        <Text size="xs" c="dimmed">
          Built {formatDateTime(set.builtAt)}
        </Text>
      </Group>
      <Progress value={pct} aria-label={`${done} of ${total} questions done`} />
    </Stack>
  );
}

function BuildMessage({ answer, onClose }: { answer: BuildAnswer; onClose: () => void }) {
  const kept = answer.outcome === 'kept';
  return (
    <Alert
      color={kept ? 'blue' : 'teal'}
      title={kept ? 'Kept as it is' : 'New set built'}
      withCloseButton
      onClose={onClose}
      role="status"
      data-testid="build-message"
    >
      {answer.message}
    </Alert>
  );
}

function ArchivedSets({ onView }: { onView: (id: string) => void }) {
  const archived = useArchivedRecommendations();
  if (archived.isPending) return null;
  if (archived.error) return <ErrorAlert error={archived.error} />;
  const sets = archived.data.sets;
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">
        Archived sets
      </Title>
      {sets.length === 0 ? (
        <Text c="dimmed" size="sm">
          None yet: building a new set moves the current one here.
        </Text>
      ) : (
        <Card withBorder padding={0}>
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label="Archived sets" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Built</Table.Th>
                  <Table.Th>Archived</Table.Th>
                  <Table.Th>Done</Table.Th>
                  <Table.Th>Topics</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sets.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>{formatDate(s.builtAt)}</Table.Td>
                    <Table.Td>{formatDate(s.archivedAt)}</Table.Td>
                    <Table.Td>
                      {s.progress.done}/{s.progress.total}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={1}>
                        {s.targets.map((x) => x.node.name).join(', ')}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="default" onClick={() => onView(s.id)}>
                        View
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
    </Stack>
  );
}

function ArchivedSetModal({ id, onClose }: { id: string | null; onClose: () => void }) {
  const set = useRecommendationSet(id);
  return (
    <Modal opened={id !== null} onClose={onClose} title="Archived set" size="lg">
      {set.isPending ? (
        <PageLoader />
      ) : set.error ? (
        <ErrorAlert error={set.error} />
      ) : (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Built {formatDateTime(set.data.set.builtAt)}, archived{' '}
            {formatDateTime(set.data.set.archivedAt)} · {set.data.set.progress.done} of{' '}
            {set.data.set.progress.total} done
          </Text>
          {set.data.set.items.map((i) => (
            <ItemCard key={i.position} item={i} />
          ))}
        </Stack>
      )}
    </Modal>
  );
}

export function RecommendationsPage() {
  const active = useActiveRecommendations();
  const { build } = useRecommendationsApi();
  const [message, setMessage] = useState<BuildAnswer | null>(null);
  const [practising, setPractising] = useState<RecommendationItem | null>(null);
  const [viewing, setViewing] = useState<string | null>(null);

  const onBuild = () => {
    setMessage(null);
    build.mutate(undefined, { onSuccess: (answer) => setMessage(answer) });
  };

  const header = (
    <PageHeader
      title="Recommendations"
      description="Questions chosen from your exam results and practice: weakest topics first, prerequisites before what depends on them."
      actions={
        <Button onClick={onBuild} loading={build.isPending}>
          Build new set
        </Button>
      }
    />
  );
  if (active.isPending) return <PageLoader />;
  if (active.error)
    return <ErrorAlert error={active.error} onRetry={() => void active.refetch()} />;
  const set = active.data.set;

  return (
    <Stack gap="lg">
      {header}
      {message ? <BuildMessage answer={message} onClose={() => setMessage(null)} /> : null}
      {build.error ? <ErrorAlert error={build.error} title="No new set" /> : null}
      {set === null ? (
        <Card withBorder>
          <Text>
            No recommendation set yet. Log a paper in{' '}
            <Anchor component={Link} to="/papers">
              Papers
            </Anchor>{' '}
            (or practise), then build your first set.
          </Text>
        </Card>
      ) : (
        <Stack gap="md">
          <Card withBorder padding="md">
            <Stack gap="sm">
              <Title order={2} size="h4">
                Your active set
              </Title>
              <ProgressLine set={set} />
              <Group gap={6} wrap="wrap">
                {set.targets.map((x) => (
                  <Badge key={x.node.id} variant="light" color={TIER[x.tier].color}>
                    {x.node.name}
                    {x.combined !== null ? ` · ${x.combined} %` : ''}
                  </Badge>
                ))}
              </Group>
            </Stack>
          </Card>
          <Stack gap="xs">
            {set.items.map((i) => (
              <ItemCard key={i.position} item={i} onPractise={setPractising} />
            ))}
          </Stack>
          {set.resources.length > 0 ? (
            <Card withBorder padding="md">
              <Title order={2} size="h5" mb="xs">
                Golden resources
              </Title>
              <Stack gap={6}>
                {set.resources.map((r) => (
                  <Group key={r.url} gap="xs" wrap="wrap">
                    <Anchor href={r.url} target="_blank" rel="noopener noreferrer" size="sm">
                      {r.title}
                    </Anchor>
                    <Badge variant="outline" size="xs">
                      {r.type}
                    </Badge>
                    <Text size="xs" c="dimmed">
                      {r.skills.join(', ')}
                    </Text>
                  </Group>
                ))}
              </Stack>
            </Card>
          ) : null}
        </Stack>
      )}
      <ArchivedSets onView={setViewing} />
      <Modal
        opened={practising !== null}
        onClose={() => setPractising(null)}
        title={practising ? `Practise: ${practising.node.name}` : ''}
        size="lg"
      >
        {practising?.question ? (
          <Stack gap="sm">
            <Text size="xs" c="dimmed">
              {practising.reason}
            </Text>
            <PractiseQuestion
              key={practising.questionId}
              question={practising.question}
              onClose={() => setPractising(null)}
            />
          </Stack>
        ) : null}
      </Modal>
      <ArchivedSetModal id={viewing} onClose={() => setViewing(null)} />
    </Stack>
  );
}
