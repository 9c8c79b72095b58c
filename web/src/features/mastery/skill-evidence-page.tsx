// One skill's evidence trail: the current state, P(L) over the answers (and placement test) that
// moved it, and each entry with its question, right or wrong, and before → after. Staff open a
// learner's trail with ?userId=.
import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { isApiError } from '../../api/api-error';
import { useSkillEvidence } from '../../api/getters/use-practice';
import { percent, type EvidenceEntry, type SkillEvidence } from '../../api/practice-types';
import { ErrorAlert } from '../../components/error-alert';
import { formatDateTime, formatRelative } from '../../components/format';
import { PageLoader } from '../../components/page-loader';

const KIND_LABELS: Record<EvidenceEntry['kind'], string> = {
  practice: 'Practice',
  review: 'Review',
  placement: 'Placement test',
};

export function SkillEvidencePage() {
  const { skillId = '' } = useParams();
  const [params] = useSearchParams();
  const userId = params.get('userId') ?? undefined;
  const evidence = useSkillEvidence(skillId, userId);

  const back = userId ? (
    <Anchor component={Link} to="/mastery/cohort" size="sm">
      ← Cohort mastery
    </Anchor>
  ) : (
    <Anchor component={Link} to="/mastery" size="sm">
      ← My mastery
    </Anchor>
  );

  if (evidence.isPending) return <PageLoader label="Loading the evidence" />;
  if (evidence.isError) {
    return (
      <Stack gap="md">
        {back}
        <ErrorAlert
          error={evidence.error}
          title={
            isApiError(evidence.error) && evidence.error.status === 404
              ? 'No such skill'
              : 'The evidence could not be loaded'
          }
        />
      </Stack>
    );
  }
  const e = evidence.data;
  return (
    <Stack gap="lg" maw={1000}>
      {back}
      <Stack gap={4}>
        <Title order={1} size="h2">
          {e.skill.name}
        </Title>
        {e.skill.description ? (
          <Text c="dimmed" size="sm">
            {e.skill.description}
          </Text>
        ) : null}
      </Stack>
      <StateCard evidence={e} />
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={2} size="h4">
            Mastery over time
          </Title>
          {e.entries.length === 0 ? (
            <Text size="sm" c="dimmed">
              No answers on this skill yet: the estimate is the starting value for everyone.
            </Text>
          ) : (
            <TrailChart evidence={e} />
          )}
        </Stack>
      </Card>
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={2} size="h4">
            What moved the estimate
          </Title>
          {e.entries.length === 0 ? (
            <Text size="sm" c="dimmed">
              Nothing yet.
            </Text>
          ) : (
            <EntriesTable entries={e.entries} userId={userId} />
          )}
        </Stack>
      </Card>
    </Stack>
  );
}

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Stack gap={0}>
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
    </Stack>
  );
}

function StateCard({ evidence: e }: { evidence: SkillEvidence }) {
  const s = e.state;
  const lowered = s.confidence < s.pKnown - 0.0005;
  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <Group gap="xs">
          {s.mastered ? (
            <Badge color="teal" size="lg">
              Mastered
            </Badge>
          ) : (
            <Badge color="blue" variant="light" size="lg">
              Not mastered yet
            </Badge>
          )}
          {lowered ? (
            <Badge color="orange" variant="light" size="lg">
              Review overdue
            </Badge>
          ) : null}
        </Group>
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
          <Figure
            label="Estimate"
            value={percent(s.pKnown)}
            hint={`mastered at ${percent(e.threshold)}`}
          />
          <Figure
            label="Confidence shown"
            value={percent(s.confidence)}
            hint={lowered ? 'lowered: a review is overdue' : 'same as the estimate'}
          />
          <Figure label="Answers counted" value={String(s.attempts)} />
          <Figure
            label="Next review"
            value={s.reviewDueAt ? formatRelative(s.reviewDueAt) : '—'}
            hint={s.updatedAt ? `updated ${formatRelative(s.updatedAt)}` : undefined}
          />
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          Model {e.params.fitted ? 'fitted from everyone’s answers' : 'defaults'}: start{' '}
          {percent(e.params.prior)}, learn {percent(e.params.learn)}, guess{' '}
          {percent(e.params.guess)}, slip {percent(e.params.slip)}.
        </Text>
      </Stack>
    </Card>
  );
}

function TrailChart({ evidence: e }: { evidence: SkillEvidence }) {
  // Entries come newest first; the chart reads left to right from the starting value.
  const chronological = [...e.entries].reverse();
  const first = chronological[0];
  const data = [
    { at: 'Start', mastery: Math.round((first?.before ?? 0) * 1000) / 10 },
    ...chronological.map((entry, i) => ({
      at: `${i + 1}`,
      mastery: Math.round(entry.after * 1000) / 10,
    })),
  ];
  const summary = `Mastery from ${percent(first?.before ?? 0)} to ${percent(
    chronological.at(-1)?.after ?? 0,
  )} over ${chronological.length} entries.`;
  return (
    <div role="img" aria-label={summary}>
      <LineChart
        h={220}
        data={data}
        dataKey="at"
        series={[{ name: 'mastery', label: 'Mastery', color: 'teal.6' }]}
        yAxisProps={{ domain: [0, 100], ticks: [0, 25, 50, 75, 100], width: 40 }}
        unit="%"
        curveType="linear"
        withDots
        xAxisLabel="Answers, oldest first"
        referenceLines={[
          {
            y: e.threshold * 100,
            color: 'teal.8',
            label: 'Mastered',
            labelPosition: 'insideBottomRight',
            strokeDasharray: '4 4',
          },
        ]}
      />
    </div>
  );
}

function EntriesTable({
  entries,
  userId,
}: {
  entries: EvidenceEntry[];
  userId?: string | undefined;
}) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table aria-label="Evidence" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>Result</Table.Th>
            <Table.Th>Mastery</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((entry) => {
            const delta = entry.after - entry.before;
            return (
              <Table.Tr key={entry.id}>
                <Table.Td>
                  <Text size="sm" title={formatDateTime(entry.at)}>
                    {formatRelative(entry.at)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    <Badge size="xs" variant="light" color="gray">
                      {KIND_LABELS[entry.kind]}
                    </Badge>
                    {entry.question ? (
                      userId ? (
                        <Text size="sm" lineClamp={2}>
                          {entry.question.title ?? entry.question.preview}
                        </Text>
                      ) : (
                        <Anchor
                          component={Link}
                          to={`/practice/${encodeURIComponent(entry.question.id)}`}
                          size="sm"
                          lineClamp={2}
                        >
                          {entry.question.title ?? entry.question.preview}
                        </Anchor>
                      )
                    ) : entry.kind === 'placement' ? (
                      <Text size="sm">Starting estimate from the placement test</Text>
                    ) : null}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  {entry.correct === null ? (
                    '—'
                  ) : (
                    <Badge color={entry.correct ? 'teal' : 'red'} variant="light">
                      {entry.correct ? 'Right' : 'Wrong'}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                    {percent(entry.before)} → {percent(entry.after)}{' '}
                    <Text span c={delta >= 0 ? 'teal' : 'red'} size="xs">
                      ({delta >= 0 ? '+' : '−'}
                      {Math.abs(Math.round(delta * 100))})
                    </Text>
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
