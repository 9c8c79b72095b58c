// PracticeQuestion: one bank question to answer, with feedback and what the answer did to mastery.
// Used by the practice page, the review session, and anywhere else a learner practises (learning
// path modules, recommendation sets).
//
// Props:
//   questionId   the published question to show (GET /api/practice/questions/:id). Changing it
//                starts afresh: the inputs and feedback belong to one question.
//   context      optional { pathId, moduleId }: stored with the response, so the paths module can
//                list a module's practice history.
//   onAnswered   optional, called once with the server's result (correct, mastery changes, next
//                review) as soon as the answer is recorded.
//   onNext       optional: shows a "next" button under the feedback; called with the same result.
//   nextLabel    the button's text (default "Next question").
//   headingOrder the heading level of the question's title (default 2), to fit the page outline.
//
// The stem, options and feedback arrive as HTML the server rendered from markdown and sanitised;
// they are shown as such. Everything works from the keyboard: arrow keys within the options,
// Enter submits, and focus moves to the feedback once it arrives and to the button under it.
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Progress,
  Radio,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
  Typography,
} from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { usePracticeApi } from '../../api/actions/use-practice-api';
import { usePracticeQuestion } from '../../api/getters/use-practice';
import {
  percent,
  type AnswerResult,
  type LearnerResponse,
  type PracticeContext,
  type PracticeQuestionView,
} from '../../api/practice-types';
import { QUESTION_TYPE_LABELS, type QuestionType } from '../../api/questions-types';
import { ErrorAlert } from '../../components/error-alert';
import { formatRelative } from '../../components/format';

export interface PracticeQuestionProps {
  questionId: string;
  context?: PracticeContext | undefined;
  onAnswered?: ((result: AnswerResult) => void) | undefined;
  onNext?: ((result: AnswerResult) => void) | undefined;
  nextLabel?: string | undefined;
  headingOrder?: 2 | 3 | 4 | undefined;
}

export function PracticeQuestion(props: PracticeQuestionProps) {
  // A new question is a new form: nothing typed for the last one carries over.
  return <PracticeQuestionForm key={props.questionId} {...props} />;
}

/** HTML the server rendered from markdown and sanitised (sanitize-html allow-list). */
function RichText({ html, id }: { html: string; id?: string }) {
  return (
    <Typography>
      <div id={id} dangerouslySetInnerHTML={{ __html: html }} />
    </Typography>
  );
}

/** An option's sanitised HTML inline, so it reads as the label of its radio or checkbox. */
function OptionLabel({ html }: { html: string }) {
  return <span dangerouslySetInnerHTML={{ __html: html }} />;
}

/** What the learner has entered so far, per question type. */
interface Draft {
  optionId: string | null;
  optionIds: string[];
  text: string;
}

const EMPTY_DRAFT: Draft = { optionId: null, optionIds: [], text: '' };

/** The response to send, or the reason there is none yet. */
function toResponse(
  type: string,
  draft: Draft,
): { response: LearnerResponse } | { problem: string } {
  switch (type) {
    case 'single_choice':
      return draft.optionId
        ? { response: { type, optionId: draft.optionId } }
        : { problem: 'Choose an answer first.' };
    case 'multiple_choice':
      return draft.optionIds.length > 0
        ? { response: { type, optionIds: draft.optionIds } }
        : { problem: 'Choose at least one answer first.' };
    case 'true_false':
      return draft.optionId === 'true' || draft.optionId === 'false'
        ? { response: { type, value: draft.optionId === 'true' } }
        : { problem: 'Choose true or false first.' };
    case 'numeric': {
      const text = draft.text.trim().replace(/\s+/g, '').replace(',', '.');
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) return { problem: 'Enter a number, e.g. 3.5.' };
      return { response: { type, value } };
    }
    case 'short_answer':
      return draft.text.trim() !== ''
        ? { response: { type, text: draft.text.trim() } }
        : { problem: 'Type your answer first.' };
    default:
      return { problem: 'This question is marked by a person and cannot be practised here.' };
  }
}

function PracticeQuestionForm({
  questionId,
  context,
  onAnswered,
  onNext,
  nextLabel = 'Next question',
  headingOrder = 2,
}: PracticeQuestionProps) {
  const question = usePracticeQuestion(questionId);
  const { answer } = usePracticeApi();
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [problem, setProblem] = useState<string | null>(null);
  const result = answer.data ?? null;
  const feedbackRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (result) feedbackRef.current?.focus();
  }, [result]);

  if (question.isPending) {
    return (
      <Card withBorder padding="lg" aria-busy="true" aria-label="Loading the question">
        <Stack>
          <Skeleton height={24} width="40%" />
          <Skeleton height={60} />
          <Skeleton height={36} width={140} />
        </Stack>
      </Card>
    );
  }
  if (question.isError) {
    return (
      <ErrorAlert
        error={question.error}
        title="The question could not be loaded"
        onRetry={() => void question.refetch()}
      />
    );
  }
  const q = question.data;
  const stemId = `stem-${q.id}`;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (result || answer.isPending) return;
    const built = toResponse(q.type, draft);
    if ('problem' in built) {
      setProblem(built.problem);
      return;
    }
    setProblem(null);
    answer.mutate(
      {
        questionId: q.id,
        response: built.response,
        ...(context && (context.pathId || context.moduleId) ? { context } : {}),
      },
      { onSuccess: (r) => onAnswered?.(r) },
    );
  };

  const locked = result !== null || answer.isPending;

  return (
    <Card withBorder padding="lg">
      <form onSubmit={onSubmit} aria-labelledby={`${stemId}-title`} noValidate>
        <Stack gap="md">
          <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
            <Title order={headingOrder} size="h4" id={`${stemId}-title`}>
              {q.title ?? QUESTION_TYPE_LABELS[q.type as QuestionType] ?? 'Question'}
            </Title>
            <Group gap={6}>
              {q.skills.map((s) => (
                <Badge key={s.id} variant="light" color="grape" tt="none">
                  {s.name}
                </Badge>
              ))}
            </Group>
          </Group>
          <RichText html={q.stemHtml} id={stemId} />
          <AnswerInputs
            question={q}
            draft={draft}
            disabled={locked}
            describedBy={stemId}
            onChange={(next) => {
              setDraft(next);
              setProblem(null);
            }}
          />
          {problem ? (
            <Text size="sm" c="red" role="alert">
              {problem}
            </Text>
          ) : null}
          {answer.isError ? (
            <ErrorAlert error={answer.error} title="Your answer was not saved" />
          ) : null}
          {result ? null : (
            <Group>
              <Button type="submit" loading={answer.isPending} disabled={q.type === 'written'}>
                Check answer
              </Button>
            </Group>
          )}
        </Stack>
      </form>
      {result ? (
        <div ref={feedbackRef} tabIndex={-1} style={{ outline: 'none' }}>
          <Feedback result={result} />
          {onNext ? (
            <Group mt="md">
              <Button onClick={() => onNext(result)} autoFocus>
                {nextLabel}
              </Button>
            </Group>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}

function AnswerInputs({
  question,
  draft,
  disabled,
  describedBy,
  onChange,
}: {
  question: PracticeQuestionView;
  draft: Draft;
  disabled: boolean;
  describedBy: string;
  onChange: (draft: Draft) => void;
}) {
  switch (question.type) {
    case 'single_choice':
    case 'true_false':
      return (
        <Radio.Group
          label="Your answer"
          value={draft.optionId}
          onChange={(optionId) => onChange({ ...draft, optionId })}
          aria-describedby={describedBy}
        >
          <Stack gap="xs" mt="xs">
            {question.options.map((o) => (
              <Radio
                key={o.id}
                value={o.id}
                disabled={disabled}
                label={<OptionLabel html={o.html} />}
              />
            ))}
          </Stack>
        </Radio.Group>
      );
    case 'multiple_choice':
      return (
        <Checkbox.Group
          label="Your answer"
          description="Choose every answer that applies."
          value={draft.optionIds}
          onChange={(optionIds) => onChange({ ...draft, optionIds })}
          aria-describedby={describedBy}
        >
          <Stack gap="xs" mt="xs">
            {question.options.map((o) => (
              <Checkbox
                key={o.id}
                value={o.id}
                disabled={disabled}
                label={<OptionLabel html={o.html} />}
              />
            ))}
          </Stack>
        </Checkbox.Group>
      );
    case 'numeric':
    case 'short_answer':
      return (
        <TextInput
          label="Your answer"
          value={draft.text}
          onChange={(e) => onChange({ ...draft, text: e.currentTarget.value })}
          disabled={disabled}
          inputMode={question.type === 'numeric' ? 'decimal' : 'text'}
          autoComplete="off"
          maw={360}
          aria-describedby={describedBy}
          data-autofocus
        />
      );
    default:
      return (
        <Text size="sm" c="dimmed">
          This question is marked by a person, so it cannot be practised here.
        </Text>
      );
  }
}

function Feedback({ result }: { result: AnswerResult }) {
  const partly = !result.correct && result.score > 0;
  const crossed = result.mastery.filter((m) => m.mastered && !m.masteredBefore);
  return (
    <Stack gap="sm" mt="md" aria-live="polite">
      <Alert
        color={result.correct ? 'teal' : partly ? 'yellow' : 'red'}
        variant="light"
        title={
          result.correct
            ? 'Correct'
            : partly
              ? `Partly right (${percent(result.score)} of the credit)`
              : 'Not quite'
        }
      >
        <Stack gap="xs">
          {result.feedback.map((html, i) => (
            <RichText key={i} html={html} />
          ))}
          {!result.correct && result.correctAnswerHtml ? (
            <div>
              <Text size="sm" fw={600}>
                Right answer
              </Text>
              <RichText html={result.correctAnswerHtml} />
            </div>
          ) : null}
          {result.generalFeedbackHtml ? <RichText html={result.generalFeedbackHtml} /> : null}
        </Stack>
      </Alert>
      {result.mastery.length > 0 ? (
        <Stack gap="xs" aria-label="Mastery change">
          <Text size="sm" fw={600}>
            {result.counted ? 'Your mastery' : 'Your mastery (unchanged)'}
          </Text>
          {result.mastery.map((m) => (
            <MasteryChangeRow key={m.skillId} change={m} />
          ))}
          {crossed.length > 0 ? (
            <Text size="sm" c="teal" fw={600}>
              {crossed.map((m) => m.name).join(', ')} mastered!
            </Text>
          ) : null}
        </Stack>
      ) : null}
      {!result.counted ? (
        <Text size="xs" c="dimmed">
          Only a first attempt, or a review when it is due, moves mastery: this answer was recorded
          but the estimate stays where it was.
        </Text>
      ) : null}
      <Text size="xs" c="dimmed">
        {result.kind === 'review' ? 'Reviewed. ' : ''}Next review of this question{' '}
        {formatRelative(result.review.dueAt)}.
      </Text>
    </Stack>
  );
}

function MasteryChangeRow({
  change,
}: {
  change: {
    name: string;
    before: number;
    after: number;
    mastered: boolean;
    masteredBefore: boolean;
  };
}) {
  const delta = change.after - change.before;
  const up = delta > 0.0005;
  const down = delta < -0.0005;
  return (
    <Stack gap={4}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="sm" truncate="end">
          {change.name}
        </Text>
        <Group gap={6} wrap="nowrap">
          <Text
            size="sm"
            ff="monospace"
            aria-label={`from ${percent(change.before)} to ${percent(change.after)}`}
          >
            {percent(change.before)} → {percent(change.after)}
          </Text>
          {up || down ? (
            <Badge size="sm" variant="light" color={up ? 'teal' : 'red'}>
              {up ? '+' : '−'}
              {Math.abs(Math.round(delta * 100))}
            </Badge>
          ) : null}
          {change.mastered && !change.masteredBefore ? (
            <Badge size="sm" color="teal">
              mastered!
            </Badge>
          ) : change.mastered ? (
            <Badge size="sm" variant="outline" color="teal">
              mastered
            </Badge>
          ) : null}
        </Group>
      </Group>
      <Progress.Root size="sm" aria-hidden="true">
        <Progress.Section value={Math.min(change.before, change.after) * 100} color="teal" />
        {up ? <Progress.Section value={delta * 100} color="lime" /> : null}
      </Progress.Root>
    </Stack>
  );
}
