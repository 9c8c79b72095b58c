// /placement: what the test is, then one question at a time; leave whenever you like and come
// back to the same question. The result page shows the level per area.
import { Alert, Button, Card, Group, List, Progress, Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { useNavigate } from 'react-router-dom';
import { errorMessage } from '../../api/api-error';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { useLatestPlacement, usePlacementApi, type Placement } from './placement-api';
import { PlacementQuestionForm } from './placement-question-form';

export function PlacementPage() {
  const latest = useLatestPlacement();
  const api = usePlacementApi();
  const navigate = useNavigate();
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
              <Text size="sm" c="dimmed">
                Question {inProgress.answered + 1} · at most {inProgress.maxItems}
              </Text>
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
                Up to 30 questions, one at a time; most people finish in 10–20 minutes.
              </List.Item>
              <List.Item>
                No marks are shown during the test: just answer as well as you can.
              </List.Item>
              <List.Item>
                The result sets your starting mastery of each skill, so your learning paths skip
                what you already know.
              </List.Item>
            </List>
            <Group>
              <Button loading={api.start.isPending} onClick={() => api.start.mutate()}>
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
