import {
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { useTrackerApi } from '../../api/actions/use-tracker-api';
import { ErrorAlert } from '../../components/error-alert';
import type { Paper } from '../../api/tracker-types';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The full mark table of one attempt: type a mark, Tab to the next question. The result id is
 * chosen when the modal opens, so saving twice (or a retry after a lost answer) is one result.
 */
export function LogAttemptModal({ paper, onClose }: { paper: Paper; onClose: () => void }) {
  const { saveResult } = useTrackerApi();
  const [resultId] = useState(() => crypto.randomUUID());
  const [takenOn, setTakenOn] = useState(today);
  const [marks, setMarks] = useState<Record<string, number | ''>>({});
  const total = useMemo(
    () =>
      paper.questions.reduce(
        (s, q) => s + (typeof marks[q.number] === 'number' ? (marks[q.number] as number) : 0),
        0,
      ),
    [marks, paper.questions],
  );
  const missing = paper.questions.filter(
    (q) => marks[q.number] === undefined || marks[q.number] === '',
  );
  const over = paper.questions.filter((q) => {
    const m = marks[q.number];
    return typeof m === 'number' && (m < 0 || m > q.maxMarks);
  });

  const save = () => {
    saveResult.mutate(
      {
        id: resultId,
        body: {
          paperId: paper.id,
          takenOn,
          marks: paper.questions.map((q) => ({
            question: q.number,
            marks: Number(marks[q.number] ?? 0),
          })),
        },
      },
      {
        onSuccess: (answer) => {
          notifications.show({
            color: 'teal',
            message: `${paper.title}: ${answer.result.score} / ${answer.result.maxScore} saved (${answer.result.percent} %).`,
          });
          onClose();
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={`Log attempt: ${paper.title}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <Stack gap="sm">
          <TextInput
            type="date"
            label="Date taken"
            value={takenOn}
            max={today()}
            onChange={(e) => setTakenOn(e.currentTarget.value)}
            required
            w={200}
          />
          <Table striped withTableBorder aria-label="Marks per question">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Question</Table.Th>
                <Table.Th>Tests</Table.Th>
                <Table.Th w={140}>Marks</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {paper.questions.map((q, i) => (
                <Table.Tr key={q.number}>
                  <Table.Td fw={600}>{q.number}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {q.nodes.map((n) => (
                        <Badge key={n.id} variant="light" size="sm">
                          {n.name}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <NumberInput
                      aria-label={`Question ${q.number} marks, out of ${q.maxMarks}`}
                      data-autofocus={i === 0 ? true : undefined}
                      min={0}
                      max={q.maxMarks}
                      step={1}
                      allowNegative={false}
                      clampBehavior="none"
                      hideControls
                      rightSection={
                        <Text size="xs" c="dimmed">
                          / {q.maxMarks}
                        </Text>
                      }
                      rightSectionWidth={44}
                      value={marks[q.number] ?? ''}
                      error={
                        typeof marks[q.number] === 'number' &&
                        (marks[q.number] as number) > q.maxMarks
                          ? `At most ${q.maxMarks}`
                          : undefined
                      }
                      onChange={(v) =>
                        setMarks((m) => ({
                          ...m,
                          [q.number]: typeof v === 'number' ? v : v === '' ? '' : Number(v),
                        }))
                      }
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between">
            <Text fw={600} aria-live="polite">
              Total: {total} / {paper.totalMarks}
            </Text>
            <Text size="sm" c="dimmed">
              {missing.length > 0
                ? `${missing.length} question${missing.length > 1 ? 's' : ''} left`
                : 'Every question marked'}
            </Text>
          </Group>
          {saveResult.error ? <ErrorAlert error={saveResult.error} title="Not saved" /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              loading={saveResult.isPending}
              disabled={missing.length > 0 || over.length > 0}
            >
              Save attempt
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
