// Staff: learners × skills mastery, coloured cells, filtered by concept and learner; a learner's
// row opens their mastery by skill.
import {
  Badge,
  Card,
  Drawer,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useCohortMastery, useConcepts, useMastery } from '../../api/getters/use-practice';
import { percent, type CohortLearner } from '../../api/practice-types';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { MasteryList } from './mastery-list';

function cellColor(p: number, started: boolean, threshold: number): string {
  if (!started) return 'var(--mantine-color-gray-1)';
  if (p >= threshold) return 'var(--mantine-color-teal-5)';
  if (p >= 0.7) return 'var(--mantine-color-teal-2)';
  if (p >= 0.4) return 'var(--mantine-color-yellow-2)';
  return 'var(--mantine-color-red-2)';
}

export function CohortMasteryPage() {
  const [params, setParams] = useSearchParams();
  const concept = params.get('concept') ?? undefined;
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [q] = useDebouncedValue(search, 250);
  const [conceptSearch, setConceptSearch] = useState('');
  const concepts = useConcepts(conceptSearch);
  const cohort = useCohortMastery({ concept, q });
  const [open, setOpen] = useState<CohortLearner | null>(null);

  const setConcept = (value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set('concept', value);
    else next.delete('concept');
    setParams(next, { replace: true });
  };

  return (
    <Stack gap="lg">
      <PageHeader
        title="Cohort mastery"
        description="Each learner's mastery of each skill, from their answers. Click a learner for the detail."
      />
      <Group gap="md" align="flex-end" wrap="wrap">
        <Select
          label="Concept"
          placeholder="All practised skills"
          searchable
          clearable
          data={(concepts.data?.nodes ?? []).map((n) => ({ value: n.id, label: n.name }))}
          value={concept ?? null}
          onChange={setConcept}
          onSearchChange={setConceptSearch}
          nothingFoundMessage="No such concept"
          w={{ base: '100%', xs: 260 }}
        />
        <TextInput
          label="Learner"
          placeholder="Name or email"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={{ base: '100%', xs: 260 }}
        />
      </Group>
      {cohort.isPending ? (
        <PageLoader label="Loading the cohort" />
      ) : cohort.isError ? (
        <ErrorAlert error={cohort.error} onRetry={() => void cohort.refetch()} />
      ) : cohort.data.learners.length === 0 || cohort.data.skills.length === 0 ? (
        <Card withBorder padding="lg">
          <Text c="dimmed" size="sm">
            {cohort.data.learners.length === 0
              ? 'No learner matches.'
              : 'No skill has been practised yet' + (concept ? ' under this concept.' : '.')}
          </Text>
        </Card>
      ) : (
        <Card withBorder padding={0}>
          <Table.ScrollContainer minWidth={320 + cohort.data.skills.length * 56}>
            <Table aria-label="Cohort mastery" stickyHeader highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th miw={200}>Learner</Table.Th>
                  <Table.Th>Mastered</Table.Th>
                  {cohort.data.skills.map((s) => (
                    <Table.Th key={s.id} miw={56} style={{ verticalAlign: 'bottom' }}>
                      <Text size="xs" lineClamp={3} title={s.name}>
                        {s.name}
                      </Text>
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {cohort.data.learners.map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>
                      <UnstyledButton
                        onClick={() => setOpen(l)}
                        aria-label={`${l.name}: open mastery`}
                      >
                        <Text size="sm" fw={500} c="blue">
                          {l.name}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {l.email}
                        </Text>
                      </UnstyledButton>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={l.mastered > 0 ? 'teal' : 'gray'}>
                        {l.mastered} / {cohort.data.skills.length}
                      </Badge>
                    </Table.Td>
                    {l.cells.map((c, i) => (
                      <Table.Td key={c.skillId} p={2}>
                        <Tooltip
                          label={`${cohort.data.skills[i]?.name ?? ''}: ${c.started ? percent(c.pKnown) : 'not started'}${c.attempts ? `, ${c.attempts} answers` : ''}`}
                        >
                          <div
                            tabIndex={0}
                            style={{
                              background: cellColor(c.pKnown, c.started, cohort.data.threshold),
                              borderRadius: 4,
                              textAlign: 'center',
                              fontSize: 12,
                              padding: '6px 2px',
                            }}
                          >
                            {c.started ? percent(c.pKnown) : '·'}
                          </div>
                        </Tooltip>
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      <Drawer
        opened={open !== null}
        onClose={() => setOpen(null)}
        position="right"
        size="lg"
        title={open ? `${open.name}: mastery` : ''}
      >
        {open ? <LearnerMastery userId={open.id} /> : null}
      </Drawer>
    </Stack>
  );
}

function LearnerMastery({ userId }: { userId: string }) {
  const mastery = useMastery(userId);
  if (mastery.isPending) return <PageLoader label="Loading" />;
  if (mastery.isError) return <ErrorAlert error={mastery.error} />;
  if (mastery.data.skills.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No skills practised yet.
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      <Text size="xs" c="dimmed">
        Mastered at {percent(mastery.data.threshold)}.
      </Text>
      <MasteryList skills={mastery.data.skills} userId={userId} />
    </Stack>
  );
}
