import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  List,
  NumberInput,
  Progress,
  Radio,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { isApiError } from '../../api/api-error';
import { usePathsApi } from '../../api/actions/use-paths-api';
import { useModule } from '../../api/getters/use-paths';
import type { AnswerResult, LearnerResponse, PracticeQuestion } from '../../api/paths-types';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { ResourceList } from './resource-list';

/** Server-rendered, sanitised HTML (lessons, stems, feedback). */
function Html({ html, label }: { html: string; label?: string }) {
  return (
    <div className="rich-text" aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />
  );
}

function responseOf(
  q: PracticeQuestion,
  value: string | string[] | number | '',
): LearnerResponse | null {
  switch (q.type) {
    case 'single_choice':
      return typeof value === 'string' && value ? { type: 'single_choice', optionId: value } : null;
    case 'multiple_choice':
      return Array.isArray(value) && value.length > 0
        ? { type: 'multiple_choice', optionIds: value }
        : null;
    case 'true_false':
      return value === 'true' || value === 'false'
        ? { type: 'true_false', value: value === 'true' }
        : null;
    case 'numeric':
      return typeof value === 'number' ? { type: 'numeric', value } : null;
    default:
      return typeof value === 'string' && value.trim()
        ? { type: 'short_answer', text: value }
        : null;
  }
}

function PracticeCard({
  question,
  index,
  pathId,
  moduleId,
}: {
  question: PracticeQuestion;
  index: number;
  pathId: string;
  moduleId: string;
}) {
  const { answer } = usePathsApi();
  const [value, setValue] = useState<string | string[] | number | ''>(
    question.type === 'multiple_choice' ? [] : '',
  );
  const [result, setResult] = useState<AnswerResult | null>(null);
  const response = responseOf(question, value);
  const label = `Question ${index + 1}`;
  return (
    <Card withBorder padding="md" component="section" aria-label={label}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={600}>{label}</Text>
          <Text size="xs" c="dimmed">
            {question.skills.map((s) => s.name).join(', ')}
          </Text>
        </Group>
        <Html html={question.stemHtml} />
        {question.type === 'single_choice' || question.type === 'true_false' ? (
          <Radio.Group
            value={typeof value === 'string' ? value : ''}
            onChange={setValue}
            aria-label={`${label} options`}
          >
            <Stack gap={6}>
              {question.options.map((o) => (
                <Radio
                  key={o.id}
                  value={o.id}
                  label={<span dangerouslySetInnerHTML={{ __html: o.html }} />}
                />
              ))}
            </Stack>
          </Radio.Group>
        ) : question.type === 'multiple_choice' ? (
          <Checkbox.Group
            value={Array.isArray(value) ? value : []}
            onChange={setValue}
            aria-label={`${label} options`}
          >
            <Stack gap={6}>
              {question.options.map((o) => (
                <Checkbox
                  key={o.id}
                  value={o.id}
                  label={<span dangerouslySetInnerHTML={{ __html: o.html }} />}
                />
              ))}
            </Stack>
          </Checkbox.Group>
        ) : question.type === 'numeric' ? (
          <NumberInput
            label="Your answer"
            value={typeof value === 'number' ? value : ''}
            onChange={(v) => setValue(typeof v === 'number' ? v : '')}
            decimalScale={6}
          />
        ) : (
          <TextInput
            label="Your answer"
            value={typeof value === 'string' ? value : ''}
            onChange={(e) => setValue(e.currentTarget.value)}
          />
        )}
        <Group>
          <Button
            size="sm"
            disabled={response === null}
            loading={answer.isPending}
            onClick={() =>
              response &&
              answer.mutate(
                { questionId: question.id, response, context: { pathId, moduleId } },
                { onSuccess: setResult },
              )
            }
          >
            Check answer
          </Button>
        </Group>
        {answer.error ? <ErrorAlert error={answer.error} /> : null}
        {result ? (
          <Alert
            color={result.correct ? 'green' : 'orange'}
            title={result.correct ? 'Right' : result.score > 0 ? 'Partly right' : 'Not quite'}
            role="status"
          >
            <Stack gap={6}>
              {result.feedback.map((f) => (
                <Html key={f} html={f} />
              ))}
              {!result.correct && result.correctAnswerHtml ? (
                <Text size="sm">
                  Answer: <span dangerouslySetInnerHTML={{ __html: result.correctAnswerHtml }} />
                </Text>
              ) : null}
              {result.generalFeedbackHtml ? <Html html={result.generalFeedbackHtml} /> : null}
              {result.mastery.map((m) => (
                <Text key={m.skillId} size="sm" data-testid="mastery-change">
                  {m.name}: mastery {Math.round(m.before * 100)} % → {Math.round(m.after * 100)} %
                  {m.mastered && !m.masteredBefore ? ' — mastered!' : ''}
                </Text>
              ))}
              {!result.counted ? (
                <Text size="xs" c="dimmed">
                  A second try right after the feedback does not change your mastery.
                </Text>
              ) : null}
            </Stack>
          </Alert>
        ) : null}
      </Stack>
    </Card>
  );
}

/** One module: the stored lesson, golden resources, practice, and the way on. */
export function ModulePage() {
  const { id = '', moduleId = '' } = useParams();
  const mod = useModule(id, moduleId);
  const { markComplete, regenerate } = usePathsApi();
  if (mod.isPending) return <PageLoader />;
  if (mod.error) {
    return (
      <Stack gap="sm">
        <ErrorAlert error={mod.error} />
        <Anchor component={Link} to={`/paths/${id}`}>
          Back to the path
        </Anchor>
      </Stack>
    );
  }
  const { path, module: m } = mod.data;
  const lesson = m.lesson;
  const refetch = () => void mod.refetch();
  return (
    <Stack gap="lg" maw={960}>
      <PageHeader
        title={`${m.position}. ${m.title}`}
        description={
          <>
            <Anchor component={Link} to={`/paths/${path.id}`}>
              {path.roleTitle}
            </Anchor>{' '}
            · module {m.position} of {path.moduleCount}
          </>
        }
        actions={
          <Badge color={m.status === 'completed' ? 'green' : 'blue'} size="lg" variant="light">
            {m.status === 'completed' ? 'completed' : 'in progress'}
          </Badge>
        }
      />
      <Card withBorder padding="md" aria-label="Skills of this module">
        <Stack gap={6}>
          {m.skills.map((s) => (
            <Group key={s.id} gap="sm" wrap="nowrap">
              <Text size="sm" w={260} truncate title={s.name}>
                {s.name}
              </Text>
              <Progress
                flex={1}
                value={Math.round(s.pKnown * 100)}
                color={s.mastered ? 'green' : 'blue'}
                aria-label={`${s.name}: mastery ${Math.round(s.pKnown * 100)} %`}
              />
              <Text size="xs" c="dimmed" w={80} ta="right">
                {Math.round(s.pKnown * 100)} / {Math.round(s.target * 100)} %
              </Text>
            </Group>
          ))}
        </Stack>
      </Card>

      <Card withBorder padding="lg" component="article" aria-label="Lesson">
        <Stack gap="md">
          <Group justify="space-between" wrap="wrap">
            <Title order={2} size="h3">
              Lesson
            </Title>
            <Group gap="xs">
              <Tooltip
                label={`Written by ${lesson.offline ? 'the built-in offline generator' : `${lesson.provider} ${lesson.model}`}, prompt ${lesson.promptId}, ${new Date(lesson.generatedAt).toLocaleString()}`}
              >
                <Badge color="violet" variant="light" data-testid="ai-badge">
                  {lesson.offline
                    ? 'AI-generated · offline generator'
                    : `AI-generated · ${lesson.model}`}
                </Badge>
              </Tooltip>
              <Button
                size="compact-xs"
                variant="subtle"
                loading={regenerate.isPending}
                onClick={() => {
                  if (window.confirm('Write this lesson again? The current text is replaced.')) {
                    regenerate.mutate({ id: path.id, moduleId: m.id });
                  }
                }}
              >
                Regenerate
              </Button>
            </Group>
          </Group>
          {regenerate.error ? <ErrorAlert error={regenerate.error} /> : null}
          <Stack gap={4}>
            <Title order={3} size="h5">
              You will be able to
            </Title>
            <List size="sm">
              {lesson.objectives.map((o) => (
                <List.Item key={o}>{o}</List.Item>
              ))}
            </List>
          </Stack>
          <Html html={lesson.explanationHtml} label="Explanation" />
          <Card bg="var(--mantine-color-gray-0)" padding="md" radius="sm">
            <Title order={3} size="h5" mb="xs">
              Worked example
            </Title>
            <Html html={lesson.workedExampleHtml} label="Worked example" />
          </Card>
          <Html html={lesson.summaryHtml} label="Summary" />
        </Stack>
      </Card>

      <Card withBorder padding="lg" component="section" aria-label="Golden resources">
        <Title order={2} size="h4" mb="sm">
          Golden resources
        </Title>
        <ResourceList resources={m.resources} />
      </Card>

      <Stack gap="sm" component="section" aria-label="Practice">
        <Title order={2} size="h3">
          Practice
        </Title>
        {m.questions.length === 0 ? (
          <Text c="dimmed">The question bank has no published question on these skills yet.</Text>
        ) : (
          m.questions.map((q, i) => (
            <PracticeCard key={q.id} question={q} index={i} pathId={path.id} moduleId={m.id} />
          ))
        )}
        <Button variant="subtle" size="xs" onClick={refetch} w="fit-content">
          Refresh mastery
        </Button>
      </Stack>

      <Group justify="space-between" wrap="wrap">
        {m.navigation.previous ? (
          <Button
            component={Link}
            to={`/paths/${path.id}/modules/${m.navigation.previous.id}`}
            variant="default"
          >
            ← {m.navigation.previous.title}
          </Button>
        ) : (
          <span />
        )}
        <Group gap="sm">
          {m.status !== 'completed' && path.allowMarkComplete && path.status === 'active' ? (
            <Button
              variant="light"
              loading={markComplete.isPending}
              onClick={() =>
                markComplete.mutate({ id: path.id, moduleId: m.id }, { onSuccess: refetch })
              }
            >
              Mark complete
            </Button>
          ) : null}
          {m.navigation.next ? (
            m.navigation.next.unlocked ? (
              <Button component={Link} to={`/paths/${path.id}/modules/${m.navigation.next.id}`}>
                {m.navigation.next.title} →
              </Button>
            ) : (
              <Tooltip label="Opens when this module is complete">
                <Button disabled>{m.navigation.next.title} (locked)</Button>
              </Tooltip>
            )
          ) : (
            <Button component={Link} to={`/paths/${path.id}`} variant="default">
              Back to the path
            </Button>
          )}
        </Group>
      </Group>
      {markComplete.error && isApiError(markComplete.error) ? (
        <ErrorAlert error={markComplete.error} />
      ) : null}
    </Stack>
  );
}
