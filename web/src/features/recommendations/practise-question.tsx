// Answering one bank question in place: the stem, the right input for its type, and the
// feedback from POST /api/practice/answers (graded on the server; the answer is never sent here
// before the learner commits to one).
import {
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Radio,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { useRecommendationsApi } from '../../api/actions/use-recommendations-api';
import type {
  LearnerQuestion,
  LearnerResponse,
  PracticeAnswer,
} from '../../api/recommendations-types';
import { ErrorAlert } from '../../components/error-alert';

function Html({ html, label }: { html: string; label?: string }) {
  // Sanitised on the server (src/platform/markdown.ts).
  return <div aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />;
}

export function PractiseQuestion({
  question,
  onClose,
}: {
  question: LearnerQuestion;
  onClose?: () => void;
}) {
  const { answer } = useRecommendationsApi();
  const [choice, setChoice] = useState<string>('');
  const [choices, setChoices] = useState<string[]>([]);
  const [numeric, setNumeric] = useState<string | number>('');
  const [text, setText] = useState('');
  const [result, setResult] = useState<PracticeAnswer | null>(null);

  const response = (): LearnerResponse | null => {
    switch (question.type) {
      case 'single_choice':
        return choice ? { type: 'single_choice', optionId: choice } : null;
      case 'multiple_choice':
        return choices.length > 0 ? { type: 'multiple_choice', optionIds: choices } : null;
      case 'true_false':
        return choice ? { type: 'true_false', value: choice === 'true' } : null;
      case 'numeric':
        return typeof numeric === 'number' ? { type: 'numeric', value: numeric } : null;
      case 'short_answer':
        return text.trim() ? { type: 'short_answer', text } : null;
      default:
        return null;
    }
  };
  const current = response();
  const submit = () => {
    if (!current) return;
    answer.mutate(
      { questionId: question.id, response: current },
      { onSuccess: (r) => setResult(r) },
    );
  };

  return (
    <Stack gap="md">
      <Html html={question.stemHtml} label="Question" />
      {question.type === 'single_choice' || question.type === 'true_false' ? (
        <Radio.Group value={choice} onChange={setChoice} label="Your answer">
          <Stack gap={6} mt={4}>
            {question.options.map((o) => (
              <Radio
                key={o.id}
                value={o.id}
                disabled={result !== null}
                label={<span dangerouslySetInnerHTML={{ __html: o.html }} />}
              />
            ))}
          </Stack>
        </Radio.Group>
      ) : null}
      {question.type === 'multiple_choice' ? (
        <Checkbox.Group value={choices} onChange={setChoices} label="Your answer (one or more)">
          <Stack gap={6} mt={4}>
            {question.options.map((o) => (
              <Checkbox
                key={o.id}
                value={o.id}
                disabled={result !== null}
                label={<span dangerouslySetInnerHTML={{ __html: o.html }} />}
              />
            ))}
          </Stack>
        </Checkbox.Group>
      ) : null}
      {question.type === 'numeric' ? (
        <NumberInput
          label="Your answer"
          value={numeric}
          onChange={setNumeric}
          disabled={result !== null}
          decimalScale={6}
          hideControls
        />
      ) : null}
      {question.type === 'short_answer' ? (
        <TextInput
          label="Your answer"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          disabled={result !== null}
          maxLength={2000}
        />
      ) : null}
      {answer.error ? <ErrorAlert error={answer.error} title="The answer was not saved" /> : null}
      {result ? (
        <Alert
          color={result.correct ? 'teal' : 'orange'}
          title={result.correct ? 'Right!' : 'Not quite'}
          role="status"
        >
          <Stack gap={6}>
            {result.feedback.map((f, i) => (
              <Html key={i} html={f} />
            ))}
            {!result.correct && result.correctAnswerHtml ? (
              <Text size="sm" component="div">
                Correct answer: <Html html={result.correctAnswerHtml} />
              </Text>
            ) : null}
            {result.generalFeedbackHtml ? <Html html={result.generalFeedbackHtml} /> : null}
            {result.mastery.length > 0 ? (
              <Text size="xs" c="dimmed">
                Mastery:{' '}
                {result.mastery
                  .map(
                    (m) =>
                      `${m.name} ${Math.round(m.before * 100)} → ${Math.round(m.after * 100)} %`,
                  )
                  .join(', ')}
              </Text>
            ) : null}
          </Stack>
        </Alert>
      ) : null}
      {result && onClose ? (
        <Group>
          <Button variant="default" onClick={onClose}>
            Back to the set
          </Button>
        </Group>
      ) : null}
      {result ? null : (
        <Group>
          <Button onClick={submit} disabled={!current} loading={answer.isPending}>
            Check answer
          </Button>
        </Group>
      )}
    </Stack>
  );
}
