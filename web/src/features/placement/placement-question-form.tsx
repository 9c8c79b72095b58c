// One placement question: the stem (server-rendered, sanitised HTML) and the input its type needs.
// No feedback: an adaptive test does not say whether an answer was right until the end.
import {
  Button,
  Checkbox,
  Group,
  NumberInput,
  Radio,
  Stack,
  TextInput,
  Typography,
} from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { PlacementQuestion, PlacementResponse } from './placement-api';

export function PlacementQuestionForm(props: {
  question: PlacementQuestion;
  busy: boolean;
  onAnswer: (response: PlacementResponse) => void;
}) {
  const { question } = props;
  const [single, setSingle] = useState<string | null>(null);
  const [multiple, setMultiple] = useState<string[]>([]);
  const [numeric, setNumeric] = useState<string | number>('');
  const [text, setText] = useState('');
  const stemRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setSingle(null);
    setMultiple([]);
    setNumeric('');
    setText('');
    stemRef.current?.focus();
  }, [question.id]);

  const response = ((): PlacementResponse | null => {
    switch (question.type) {
      case 'single_choice':
        return single ? { type: 'single_choice', optionId: single } : null;
      case 'true_false':
        return single ? { type: 'true_false', value: single === 'true' } : null;
      case 'multiple_choice':
        return multiple.length > 0 ? { type: 'multiple_choice', optionIds: multiple } : null;
      case 'numeric':
        return typeof numeric === 'number' && Number.isFinite(numeric)
          ? { type: 'numeric', value: numeric }
          : null;
      case 'short_answer':
        return text.trim() !== '' ? { type: 'short_answer', text } : null;
      default:
        return null;
    }
  })();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (response && !props.busy) props.onAnswer(response);
  };

  return (
    <form onSubmit={submit} aria-label="Placement question">
      <Stack gap="md">
        <Typography>
          <div
            ref={stemRef}
            tabIndex={-1}
            aria-label="Question"
            dangerouslySetInnerHTML={{ __html: question.stemHtml }}
          />
        </Typography>
        {question.type === 'single_choice' || question.type === 'true_false' ? (
          <Radio.Group value={single} onChange={setSingle} label="Your answer">
            <Stack gap="xs" mt="xs">
              {question.options.map((o) => (
                <Radio
                  key={o.id}
                  value={o.id}
                  label={<span dangerouslySetInnerHTML={{ __html: o.html }} />}
                />
              ))}
            </Stack>
          </Radio.Group>
        ) : null}
        {question.type === 'multiple_choice' ? (
          <Checkbox.Group value={multiple} onChange={setMultiple} label="Choose every right answer">
            <Stack gap="xs" mt="xs">
              {question.options.map((o) => (
                <Checkbox
                  key={o.id}
                  value={o.id}
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
            decimalSeparator="."
            allowDecimal
            hideControls
            maw={240}
          />
        ) : null}
        {question.type === 'short_answer' ? (
          <TextInput
            label="Your answer"
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            maw={420}
            maxLength={2000}
          />
        ) : null}
        <Group>
          <Button type="submit" disabled={response === null} loading={props.busy}>
            Submit answer
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
