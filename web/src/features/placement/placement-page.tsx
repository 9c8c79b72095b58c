// /placement: what the test is and what it covers (a role of the catalogue or everything), then
// one question at a time; leave whenever you like and come back to the same question, with the
// same target. The result page shows the level per area.
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  NativeSelect,
  Progress,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { errorMessage } from '../../api/api-error';
import { useRoles } from '../../api/getters/use-paths';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { targetLabel, useLatestPlacement, usePlacementApi, type Placement } from './placement-api';
import { PlacementQuestionForm } from './placement-question-form';

const EVERYTHING = '';

/** The choice of what a new test covers: a role's required skills, or everything. */
function TargetChoice({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const roles = useRoles();
  const chosen = roles.data?.roles.find((r) => r.id === value) ?? null;
  return (
    <Stack gap={4} w="100%" maw={520}>
      <NativeSelect
        label="What should the test cover?"
        description="A role tests the skills it needs; everything tests every skill of the catalogue."
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        disabled={roles.isPending}
        data={[
          { value: EVERYTHING, label: 'Everything in the catalogue' },
          ...(roles.data?.roles ?? []).map((r) => ({ value: r.id, label: r.title })),
        ]}
      />
      {roles.error ? <ErrorAlert error={roles.error} onRetry={() => void roles.refetch()} /> : null}
      <Text size="xs" c="dimmed" aria-live="polite">
        {chosen
          ? `${chosen.skillCount} skills: ${chosen.summary}`
          : 'Questions come from every area of the knowledge graph.'}
      </Text>
    </Stack>
  );
}

export function PlacementPage() {
  const latest = useLatestPlacement();
  const api = usePlacementApi();
  const navigate = useNavigate();
  const [roleId, setRoleId] = useState(EVERYTHING);
  // The answer that ends the test (or "Finish now") leads to the result page.
  const finishedId =
    api.answer.data?.placement.status === 'finished'
      ? api.answer.data.placement.id
      : api.finish.data?.placement.status === 'finished'
        ? api.finish.data.placement.id
        : null;
  useEffect(() => {
    if (finishedId) void navigate(`/placement/${finishedId}/result`, { replace: true });
  }, [finishedId, navigate]);
  if (latest.isPending) return <PageLoader />;
  if (latest.error)
    return <ErrorAlert error={latest.error} onRetry={() => void latest.refetch()} />;
  const current: Placement | null =
    api.answer.data?.placement ?? api.start.data?.placement ?? latest.data.placement;
  const inProgress = current?.status === 'in_progress' ? current : null;
  const mutationError = api.start.error ?? api.answer.error ?? api.finish.error;

  return (
    <Stack gap="lg" maw={760}>
      <PageHeader
        title="Placement test"
        description="An adaptive test: each question is chosen from your answers so far, so it finds your level in few questions."
      />
      {mutationError ? (
        <Alert color="red" title="That did not work">
          {errorMessage(mutationError)}
        </Alert>
      ) : null}
      {inProgress && inProgress.question ? (
        <Card withBorder padding="lg">
          <Stack gap="md">
            <Group justify="space-between">
              <Group gap="xs">
                <Text size="sm" c="dimmed">
                  Question {inProgress.answered + 1} · at most {inProgress.maxItems}
                </Text>
                <Badge variant="light" color="grape" data-testid="placement-target">
                  For {targetLabel(inProgress.target)}
                </Badge>
              </Group>
              <Button
                variant="subtle"
                size="xs"
                disabled={inProgress.answered === 0}
                loading={api.finish.isPending}
                onClick={() => api.finish.mutate(inProgress.id)}
              >
                Finish now
              </Button>
            </Group>
            <Progress
              value={(inProgress.answered / inProgress.maxItems) * 100}
              aria-label={`${inProgress.answered} of at most ${inProgress.maxItems} questions answered`}
            />
            <PlacementQuestionForm
              question={inProgress.question}
              busy={api.answer.isPending}
              onAnswer={(response) =>
                api.answer.mutate({
                  id: inProgress.id,
                  questionId: inProgress.question!.id,
                  response,
                })
              }
            />
            <Text size="xs" c="dimmed">
              You can leave at any time: your answers are kept and the test resumes at this
              question. You will see how you did at the end.
            </Text>
          </Stack>
        </Card>
      ) : (
        <Card withBorder padding="lg">
          <Stack gap="sm" align="flex-start">
            <Title order={2} size="h4">
              {current ? 'Take the test again' : 'Find your starting point'}
            </Title>
            <List size="sm" spacing={4}>
              <List.Item>
                Up to {latest.data.maxItems} questions, one at a time; the test stops as soon as it
                has placed you.
              </List.Item>
              <List.Item>
                No marks are shown during the test: just answer as well as you can.
              </List.Item>
              <List.Item>
                The result sets your starting mastery of each skill, so your learning paths skip
                what you already know.
              </List.Item>
            </List>
            <TargetChoice value={roleId} onChange={setRoleId} />
            <Group>
              <Button
                loading={api.start.isPending}
                onClick={() => api.start.mutate(roleId === EVERYTHING ? null : roleId)}
              >
                {current ? 'Start a new test' : 'Start the placement test'}
              </Button>
              {current?.status === 'finished' ? (
                <Button
                  variant="light"
                  onClick={() => void navigate(`/placement/${current.id}/result`)}
                >
                  See your last result
                </Button>
              ) : null}
            </Group>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
