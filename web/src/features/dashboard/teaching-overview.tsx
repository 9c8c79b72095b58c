// The instructor's (and admin's) dashboard cards: what the curriculum and the question bank hold
// now and what is waiting for a decision, each a link to the page where the work is done. Every
// number comes from the same API the linked page reads.
import {
  Badge,
  Button,
  Card,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useGraphStats } from '../../api/getters/use-graph';
import { useQuestions } from '../../api/getters/use-questions';
import { useSuggestions } from '../../api/getters/use-suggestions';
import { CompassIcon, ListIcon, SparkIcon } from '../../components/icons';
import { useOcrDrafts } from '../questions/ocr-api';

const count = (n: number, one: string, many: string) =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;

function OverviewCard(props: {
  title: string;
  icon: ReactNode;
  loading: boolean;
  lines: string[];
  badge?: string | undefined;
  actions: ReactNode;
}) {
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm" align="flex-start" h="100%">
        <Group gap="sm" wrap="nowrap">
          <ThemeIcon variant="light" size="lg" aria-hidden="true">
            {props.icon}
          </ThemeIcon>
          <Title order={2} size="h4">
            {props.title}
          </Title>
          {props.badge ? (
            <Badge color="orange" variant="light">
              {props.badge}
            </Badge>
          ) : null}
        </Group>
        {props.loading ? (
          <Skeleton height={36} width="80%" />
        ) : (
          <Stack gap={2}>
            {props.lines.map((line) => (
              <Text key={line} size="sm" c="dimmed">
                {line}
              </Text>
            ))}
          </Stack>
        )}
        <Group gap="xs" mt="auto">
          {props.actions}
        </Group>
      </Stack>
    </Card>
  );
}

/** True once the graph or the bank holds anything (the dashboard's empty state otherwise). */
export function useHasTeachingMaterial(): boolean | undefined {
  const graph = useGraphStats();
  const bank = useQuestions({ limit: 1, offset: 0 });
  if (!graph.data || !bank.data) return undefined;
  return graph.data.concepts + graph.data.skills > 0 || bank.data.total > 0;
}

export function TeachingOverview() {
  const graph = useGraphStats();
  const bank = useQuestions({ limit: 1, offset: 0 });
  const drafts = useQuestions({ status: 'draft', limit: 1, offset: 0 });
  const suggestions = useSuggestions({ limit: 1, offset: 0 });
  const ocrToReview = useOcrDrafts({ needsReview: true, limit: 1, offset: 0 });

  const waitingTags = suggestions.data?.total ?? 0;
  const waitingOcr = ocrToReview.data?.total ?? 0;
  const waiting = waitingTags + waitingOcr;

  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
      <OverviewCard
        title="Knowledge graph"
        icon={<CompassIcon size={20} />}
        loading={!graph.data}
        lines={
          graph.data
            ? [
                `${count(graph.data.concepts, 'concept', 'concepts')}, ${count(graph.data.skills, 'skill', 'skills')}`,
                count(graph.data.edges, 'link', 'links'),
              ]
            : []
        }
        actions={
          <>
            <Button component={Link} to="/graph" variant="light" size="xs">
              Browse
            </Button>
            <Button component={Link} to="/graph/import" variant="subtle" size="xs">
              Import CSV
            </Button>
          </>
        }
      />
      <OverviewCard
        title="Question bank"
        icon={<ListIcon size={20} />}
        loading={!bank.data || !drafts.data}
        lines={
          bank.data && drafts.data
            ? [
                count(bank.data.total, 'question', 'questions'),
                `${count(drafts.data.total, 'draft', 'drafts')} not yet in review`,
              ]
            : []
        }
        actions={
          <>
            <Button component={Link} to="/questions" variant="light" size="xs">
              Open
            </Button>
            <Button component={Link} to="/questions/import" variant="subtle" size="xs">
              Import file
            </Button>
            <Button component={Link} to="/questions/ocr" variant="subtle" size="xs">
              From images
            </Button>
          </>
        }
      />
      <OverviewCard
        title="Waiting for you"
        icon={<SparkIcon size={20} />}
        loading={!suggestions.data || !ocrToReview.data}
        badge={waiting > 0 ? String(waiting) : undefined}
        lines={[
          `${count(waitingTags, 'suggested tag', 'suggested tags')} to review`,
          `${count(waitingOcr, 'scanned question', 'scanned questions')} to check against the image`,
        ]}
        actions={
          <>
            <Button component={Link} to="/questions/review" variant="light" size="xs">
              Review tags
            </Button>
            <Button
              component={Link}
              to="/questions/ocr"
              variant="subtle"
              size="xs"
              disabled={waitingOcr === 0}
            >
              Check scans
            </Button>
          </>
        }
      />
    </SimpleGrid>
  );
}
