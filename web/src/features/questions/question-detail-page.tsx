// One question. Instructors and admins see the answers, feedback and details, change status,
// archive, tag and edit; learners see a published question as they would answer it.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  CloseButton,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  Typography,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { errorMessage, isApiError } from '../../api/api-error';
import { useQuestionsApi, type QuestionPatch } from '../../api/actions/use-questions-api';
import { useQuestion } from '../../api/getters/use-questions';
import {
  QUESTION_STATUS_LABELS,
  QUESTION_TYPE_LABELS,
  type AnyQuestion,
  type QuestionStatus,
  type StaffQuestion,
} from '../../api/questions-types';
import { ErrorAlert } from '../../components/error-alert';
import { formatDateTime } from '../../components/format';
import { PageLoader } from '../../components/page-loader';
import { OcrSourceLink } from './ocr-source-link';
import { StatusBadge } from './question-badges';

/** HTML the server rendered from markdown and sanitised (sanitize-html allow-list). */
function RichText({ html, label }: { html: string; label?: string }) {
  return (
    <Typography>
      <div aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />
    </Typography>
  );
}

export function QuestionDetailPage() {
  const { id = '' } = useParams();
  const question = useQuestion(id);

  if (question.isPending) return <PageLoader label="Loading the question" />;
  if (question.isError) {
    return (
      <Stack gap="md">
        <BackLink />
        <ErrorAlert
          error={question.error}
          title={
            isApiError(question.error) && question.error.status === 404
              ? 'No such question'
              : 'The question could not be loaded'
          }
        />
      </Stack>
    );
  }
  return question.data.view === 'staff' ? (
    <StaffQuestionView question={question.data} />
  ) : (
    <LearnerQuestionView question={question.data} />
  );
}

function BackLink() {
  return (
    <Anchor component={Link} to="/questions" size="sm">
      ← All questions
    </Anchor>
  );
}

function LearnerQuestionView({
  question,
}: {
  question: Extract<AnyQuestion, { view: 'learner' }>;
}) {
  return (
    <Stack gap="lg" maw={760}>
      <BackLink />
      <Title order={1} size="h2">
        {question.title ?? QUESTION_TYPE_LABELS[question.type]}
      </Title>
      <Card withBorder>
        <Stack>
          <RichText html={question.stemHtml} label="Question" />
          {question.options.length > 0 ? (
            <ol type="a" aria-label="Options">
              {question.options.map((o) => (
                <li key={o.id}>
                  <RichText html={o.html} />
                </li>
              ))}
            </ol>
          ) : null}
          <Text size="sm" c="dimmed">
            {question.maxMarks} mark{question.maxMarks === 1 ? '' : 's'}
          </Text>
        </Stack>
      </Card>
    </Stack>
  );
}

function weightLabel(weight: number): string {
  return weight === 100 ? 'Right' : weight > 0 ? `${weight}%` : weight < 0 ? `${weight}%` : 'Wrong';
}

function AnswersView({ question }: { question: StaffQuestion }) {
  const r = question.rendered;
  const answers = question.answers as Record<string, unknown>;
  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const options = answers.options as { id: string; weight: number }[];
      return (
        <Table aria-label="Options">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={40}>#</Table.Th>
              <Table.Th>Option</Table.Th>
              <Table.Th w={90}>Credit</Table.Th>
              <Table.Th>Feedback</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {options.map((o, i) => (
              <Table.Tr key={o.id}>
                <Table.Td>{o.id}</Table.Td>
                <Table.Td>
                  <RichText html={r.options[i]?.text ?? ''} />
                </Table.Td>
                <Table.Td>
                  <Badge
                    color={o.weight > 0 ? 'teal' : o.weight < 0 ? 'red' : 'gray'}
                    variant="light"
                  >
                    {weightLabel(o.weight)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {r.options[i]?.feedback ? <RichText html={r.options[i].feedback} /> : '—'}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      );
    }
    case 'true_false':
      return (
        <Stack gap="xs">
          <Text>
            Right answer: <strong>{answers.correct ? 'True' : 'False'}</strong>
          </Text>
          {r.feedbackCorrect ? (
            <Text size="sm">
              When right: <span dangerouslySetInnerHTML={{ __html: r.feedbackCorrect }} />
            </Text>
          ) : null}
          {r.feedbackWrong ? (
            <Text size="sm">
              When wrong: <span dangerouslySetInnerHTML={{ __html: r.feedbackWrong }} />
            </Text>
          ) : null}
        </Stack>
      );
    case 'numeric':
    case 'short_answer': {
      const list = answers.answers as Record<string, unknown>[];
      const describe = (a: Record<string, unknown>) =>
        question.type === 'short_answer'
          ? String(a.text)
          : a.kind === 'range'
            ? `${String(a.min)} to ${String(a.max)}`
            : `${String(a.value)} ± ${String(a.tolerance)}`;
      return (
        <Stack gap="xs">
          <Table aria-label="Accepted answers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Accepted answer</Table.Th>
                <Table.Th w={90}>Credit</Table.Th>
                <Table.Th>Feedback</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((a, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{describe(a)}</Table.Td>
                  <Table.Td>{weightLabel(Number(a.weight))}</Table.Td>
                  <Table.Td>
                    {r.answerFeedback[i] ? <RichText html={r.answerFeedback[i]} /> : '—'}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {question.type === 'short_answer' ? (
            <Text size="sm" c="dimmed">
              {answers.caseSensitive ? 'Case matters.' : 'Upper and lower case count the same.'}
            </Text>
          ) : null}
        </Stack>
      );
    }
    case 'written':
      return (
        <Stack gap="xs">
          <Text>Marked by a person, out of {String(answers.maxMarks)}.</Text>
          {r.markScheme ? (
            <>
              <Text size="sm" fw={500}>
                Mark scheme
              </Text>
              <RichText html={r.markScheme} />
            </>
          ) : null}
        </Stack>
      );
  }
}

function StaffQuestionView({ question }: { question: StaffQuestion }) {
  const api = useQuestionsApi();
  const [editing, setEditing] = useState(false);
  const [node, setNode] = useState('');
  const archived = question.archivedAt !== null;

  const fail = (title: string) => (error: unknown) =>
    notifications.show({ color: 'red', title, message: errorMessage(error) });

  return (
    <Stack gap="lg">
      <BackLink />
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={4}>
          <Title order={1} size="h2">
            {question.title ?? 'Question'}
          </Title>
          <Group gap="xs">
            <Badge variant="outline" color="gray" tt="none">
              {QUESTION_TYPE_LABELS[question.type]}
            </Badge>
            <StatusBadge status={question.status} />
            {archived ? (
              <Badge color="gray" variant="filled">
                Archived
              </Badge>
            ) : null}
          </Group>
        </Stack>
        <Group gap="sm">
          {!archived ? (
            <SegmentedControl
              aria-label="Status"
              data={Object.entries(QUESTION_STATUS_LABELS).map(([value, label]) => ({
                value,
                label,
              }))}
              value={question.status}
              disabled={api.setStatus.isPending}
              onChange={(status) =>
                api.setStatus.mutate(
                  { id: question.id, status: status as QuestionStatus },
                  {
                    onSuccess: () =>
                      notifications.show({
                        color: 'teal',
                        message: `Now ${QUESTION_STATUS_LABELS[status as QuestionStatus].toLowerCase()}.`,
                      }),
                    onError: fail('Status not changed'),
                  },
                )
              }
            />
          ) : null}
          {!archived && !editing ? (
            <Button variant="default" onClick={() => setEditing(true)}>
              Edit
            </Button>
          ) : null}
          <Button
            variant={archived ? 'filled' : 'light'}
            color={archived ? 'blue' : 'red'}
            loading={api.archive.isPending}
            onClick={() =>
              api.archive.mutate(
                { id: question.id, archived: !archived },
                { onError: fail(archived ? 'Not restored' : 'Not archived') },
              )
            }
          >
            {archived ? 'Restore' : 'Archive'}
          </Button>
        </Group>
      </Group>

      {editing ? (
        <EditQuestionForm question={question} onDone={() => setEditing(false)} />
      ) : (
        <SimpleGrid cols={{ base: 1, lg: 3 }} spacing="lg">
          <Stack gap="lg" style={{ gridColumn: 'span 2' }}>
            <Card withBorder>
              <Stack>
                <RichText html={question.rendered.stem} label="Question" />
                <AnswersView question={question} />
                {question.rendered.generalFeedback ? (
                  <Alert variant="light" color="blue" title="General feedback">
                    <RichText html={question.rendered.generalFeedback} />
                  </Alert>
                ) : null}
              </Stack>
            </Card>
          </Stack>
          <Stack gap="lg">
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                Details
              </Title>
              <Table variant="vertical" layout="fixed" aria-label="Details">
                <Table.Tbody>
                  {(
                    [
                      ['Difficulty', question.difficulty ?? '—'],
                      ['Marks', question.maxMarks],
                      [
                        'IRT a, b, c',
                        question.irt
                          ? `${question.irt.a}, ${question.irt.b}, ${question.irt.c}`
                          : '—',
                      ],
                      ['Category', question.category ?? '—'],
                      ['Source', question.source ?? '—'],
                      ['Created', formatDateTime(question.createdAt)],
                      ['Updated', formatDateTime(question.updatedAt)],
                    ] as const
                  ).map(([label, value]) => (
                    <Table.Tr key={label}>
                      <Table.Th w={110}>{label}</Table.Th>
                      <Table.Td>{value}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {question.importId ? (
                <Anchor component={Link} to={`/questions?importId=${question.importId}`} size="sm">
                  Other questions of this import
                </Anchor>
              ) : null}
              {question.source === 'ocr' ? <OcrSourceLink questionId={question.id} /> : null}
            </Card>
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                Concepts and skills
              </Title>
              <Stack gap="xs">
                {question.tags.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    Not tagged yet.
                  </Text>
                ) : (
                  question.tags.map((tag) => (
                    <Group key={tag.nodeId} justify="space-between" wrap="nowrap">
                      <Stack gap={0}>
                        <Anchor
                          component={Link}
                          size="sm"
                          to={`/questions?${tag.kind === 'skill' ? 'skill' : 'concept'}=${encodeURIComponent(tag.externalId ?? tag.nodeId)}`}
                        >
                          {tag.name ?? tag.externalId ?? tag.nodeId}
                        </Anchor>
                        <Text size="xs" c="dimmed">
                          {tag.kind ?? 'node'} · {tag.status}
                          {tag.confidence !== null ? ` · ${Math.round(tag.confidence * 100)}%` : ''}
                        </Text>
                      </Stack>
                      <CloseButton
                        aria-label={`Remove the tag ${tag.name ?? tag.nodeId}`}
                        onClick={() =>
                          api.removeTag.mutate(
                            { id: question.id, nodeId: tag.nodeId },
                            { onError: fail('Tag not removed') },
                          )
                        }
                      />
                    </Group>
                  ))
                )}
                <form
                  onSubmit={(event) => {
                    event.preventDefault();
                    if (!node.trim()) return;
                    api.addTag.mutate(
                      { id: question.id, node: node.trim() },
                      { onSuccess: () => setNode(''), onError: fail('Tag not added') },
                    );
                  }}
                >
                  <Group gap="xs" align="flex-end">
                    <TextInput
                      label="Add a concept or skill"
                      placeholder="its id, e.g. equivalent-fractions"
                      value={node}
                      onChange={(e) => setNode(e.currentTarget.value)}
                      style={{ flex: 1 }}
                      disabled={archived}
                    />
                    <Button
                      type="submit"
                      variant="default"
                      loading={api.addTag.isPending}
                      disabled={archived}
                    >
                      Add
                    </Button>
                  </Group>
                </form>
              </Stack>
            </Card>
          </Stack>
        </SimpleGrid>
      )}
    </Stack>
  );
}

function EditQuestionForm({ question, onDone }: { question: StaffQuestion; onDone: () => void }) {
  const api = useQuestionsApi();
  const [title, setTitle] = useState(question.title ?? '');
  const [stem, setStem] = useState(question.stem);
  const [format, setFormat] = useState(question.format);
  const [generalFeedback, setGeneralFeedback] = useState(question.generalFeedback ?? '');
  const [difficulty, setDifficulty] = useState<string | null>(
    question.difficulty === null ? null : String(question.difficulty),
  );
  const [maxMarks, setMaxMarks] = useState<number | string>(question.maxMarks);
  const [category, setCategory] = useState(question.category ?? '');
  const [answers, setAnswers] = useState(JSON.stringify(question.answers, null, 2));
  const [answersError, setAnswersError] = useState<string | null>(null);
  const [previewHtml, setPreviewHtml] = useState<string | null>(null);
  const serverErrors = isApiError(api.update.error) ? api.update.error.errors : [];
  const errorFor = (path: string) =>
    serverErrors
      .filter((e) => e.path === `body.${path}` || e.path.startsWith(`body.${path}.`))
      .map((e) => `${e.path.replace(/^body\./, '')}: ${e.message}`)
      .join('; ') || undefined;

  const save = () => {
    let parsedAnswers: Record<string, unknown>;
    try {
      parsedAnswers = JSON.parse(answers) as Record<string, unknown>;
      setAnswersError(null);
    } catch {
      setAnswersError('Not valid JSON: check the brackets, quotes and commas.');
      return;
    }
    const patch: QuestionPatch = {
      title: title.trim() || null,
      stem,
      format,
      generalFeedback: generalFeedback.trim() || null,
      difficulty: difficulty === null ? null : Number(difficulty),
      category: category.trim() || null,
      answers: parsedAnswers,
      ...(question.type === 'written' ? {} : { maxMarks: Number(maxMarks) }),
    };
    api.update.mutate(
      { id: question.id, patch },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: 'Question saved.' });
          onDone();
        },
      },
    );
  };

  return (
    <Card withBorder>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save();
        }}
      >
        <Stack>
          {api.update.isError && serverErrors.length === 0 ? (
            <ErrorAlert error={api.update.error} title="Not saved" />
          ) : null}
          <TextInput
            label="Title"
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={errorFor('title')}
          />
          <Group align="flex-end" gap="sm">
            <Select
              label="Text format"
              data={[
                { value: 'markdown', label: 'Markdown' },
                { value: 'html', label: 'HTML' },
              ]}
              value={format}
              onChange={(v) => setFormat(v === 'html' ? 'html' : 'markdown')}
              allowDeselect={false}
              w={160}
            />
            <Button
              variant="default"
              loading={api.preview.isPending}
              onClick={() =>
                api.preview.mutate(
                  { text: stem, format },
                  { onSuccess: (answer) => setPreviewHtml(answer.html) },
                )
              }
            >
              Preview
            </Button>
          </Group>
          <Textarea
            label="Question"
            description="Markdown; shown to learners as sanitised HTML."
            autosize
            minRows={3}
            value={stem}
            onChange={(e) => setStem(e.currentTarget.value)}
            error={errorFor('stem')}
          />
          {previewHtml !== null ? (
            <Card withBorder bg="var(--mantine-color-gray-light)" aria-label="Preview">
              <RichText html={previewHtml} />
            </Card>
          ) : null}
          <Textarea
            label="Answers"
            description="The options or accepted answers as JSON; the server checks them and names any field that is wrong."
            autosize
            minRows={6}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            value={answers}
            onChange={(e) => setAnswers(e.currentTarget.value)}
            error={answersError ?? errorFor('answers')}
          />
          <Textarea
            label="General feedback"
            autosize
            minRows={2}
            value={generalFeedback}
            onChange={(e) => setGeneralFeedback(e.currentTarget.value)}
            error={errorFor('generalFeedback')}
          />
          <Group grow>
            <Select
              label="Difficulty"
              placeholder="Not set"
              data={['1', '2', '3', '4', '5'].map((v) => ({
                value: v,
                label: `${v}${v === '1' ? ' (easiest)' : v === '5' ? ' (hardest)' : ''}`,
              }))}
              value={difficulty}
              onChange={setDifficulty}
              clearable
            />
            {question.type === 'written' ? null : (
              <NumberInput
                label="Marks"
                min={0.5}
                step={0.5}
                value={maxMarks}
                onChange={setMaxMarks}
                error={errorFor('maxMarks')}
              />
            )}
            <TextInput
              label="Category"
              value={category}
              onChange={(e) => setCategory(e.currentTarget.value)}
            />
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onDone}>
              Cancel
            </Button>
            <Button type="submit" loading={api.update.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
