// Correct one OCR draft beside its image: the image with the doubtful words boxed, the text as
// recognised with those words marked, and the draft question to edit (stem; options with the
// correct one to pick, or marks). Save writes the question (PATCH /api/questions/:id); "Mark
// reviewed" records that a person checked it, optionally sending it on to review.
import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  CloseButton,
  Group,
  NumberInput,
  Radio,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { errorMessage, isApiError } from '../../api/api-error';
import { useQuestionsApi, type QuestionPatch } from '../../api/actions/use-questions-api';
import { useQuestion } from '../../api/getters/use-questions';
import { QUESTION_TYPE_LABELS, type StaffQuestion } from '../../api/questions-types';
import { ErrorAlert } from '../../components/error-alert';
import { formatDateTime } from '../../components/format';
import { PageLoader } from '../../components/page-loader';
import { useOcrApi, useOcrDraft, type OcrDraftDetail, type OcrWord } from './ocr-api';
import { ConfidenceBadge, OcrStatus, ReviewBadge } from './ocr-badges';
import { StatusBadge } from './question-badges';

interface ChoiceOption {
  id: string;
  text: string;
  weight: number;
  feedback?: string | undefined;
}

const letter = (index: number) => String.fromCharCode(97 + index);

export function OcrDraftPage() {
  const { id = '' } = useParams();
  const draft = useOcrDraft(id);
  if (draft.isPending) return <PageLoader label="Loading the draft" />;
  if (draft.isError) {
    return (
      <Stack gap="md">
        <BackLinks />
        <ErrorAlert
          error={draft.error}
          title={
            isApiError(draft.error) && draft.error.status === 404
              ? 'No such image'
              : 'The draft could not be loaded'
          }
        />
      </Stack>
    );
  }
  return <DraftView draft={draft.data} />;
}

function BackLinks({ batchId }: { batchId?: string | undefined }) {
  return (
    <Group gap="md">
      <Anchor
        component={Link}
        to={batchId ? `/questions/ocr?batch=${batchId}` : '/questions/ocr'}
        size="sm"
      >
        ← Import from images
      </Anchor>
      <Anchor component={Link} to="/questions" size="sm">
        All questions
      </Anchor>
    </Group>
  );
}

function DraftView({ draft }: { draft: OcrDraftDetail }) {
  const [active, setActive] = useState<number | null>(null);
  const [showBoxes, setShowBoxes] = useState(true);
  const question = useQuestion(draft.question?.id ?? '');
  const staffQuestion =
    draft.question && question.data?.view === 'staff' ? question.data : undefined;

  return (
    <Stack gap="lg">
      <BackLinks batchId={draft.batchId} />
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={4}>
          <Title order={1} size="h2">
            {draft.fileName}
          </Title>
          <Group gap="xs">
            <OcrStatus draft={draft} />
            <ConfidenceBadge confidence={draft.confidence} lowConfidence={draft.lowConfidence} />
            <ReviewBadge draft={draft} />
            {staffQuestion ? <StatusBadge status={staffQuestion.status} /> : null}
          </Group>
        </Stack>
        {draft.question ? (
          <Anchor component={Link} to={`/questions/${draft.question.id}`} size="sm">
            Open the question page
          </Anchor>
        ) : null}
      </Group>

      {draft.status === 'failed' ? (
        <Alert color="red" variant="light" title="OCR could not make a draft from this image">
          {draft.failureReason ?? 'The OCR job did not finish.'} Upload a clearer photo or scan on
          the{' '}
          <Anchor component={Link} to="/questions/ocr">
            import page
          </Anchor>
          .
        </Alert>
      ) : null}

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={2} size="h4">
              Image
            </Title>
            <Switch
              label={`Box words under ${draft.lowConfidence}% confidence`}
              checked={showBoxes}
              onChange={(e) => setShowBoxes(e.currentTarget.checked)}
              size="sm"
            />
          </Group>
          <ImageWithBoxes draft={draft} active={active} showBoxes={showBoxes} />
          {draft.words.length > 0 ? (
            <RecognisedText draft={draft} active={active} onActive={setActive} />
          ) : null}
        </Stack>
        <Stack gap="sm">
          <Title order={2} size="h4">
            Draft question
          </Title>
          {draft.draftReason ? (
            <Text size="sm" c="dimmed">
              {draft.draftReason}.
            </Text>
          ) : null}
          {draft.question === null ? (
            <Text size="sm" c="dimmed">
              {draft.status === 'failed'
                ? 'No question was made.'
                : 'The draft appears here once OCR has read the image.'}
            </Text>
          ) : question.isPending ? (
            <PageLoader label="Loading the question" />
          ) : question.isError ? (
            <ErrorAlert error={question.error} title="The question could not be loaded" />
          ) : staffQuestion ? (
            <CorrectionForm key={staffQuestion.id} draft={draft} question={staffQuestion} />
          ) : null}
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}

/** The image at its width, the doubtful words (and the one in focus) boxed over it. */
function ImageWithBoxes({
  draft,
  active,
  showBoxes,
}: {
  draft: OcrDraftDetail;
  active: number | null;
  showBoxes: boolean;
}) {
  const pct = (value: number, of: number) => `${(value / of) * 100}%`;
  return (
    <Box
      pos="relative"
      style={{
        border: '1px solid var(--mantine-color-gray-3)',
        borderRadius: 'var(--mantine-radius-sm)',
        overflow: 'hidden',
        lineHeight: 0,
      }}
    >
      <img
        src={draft.imageUrl}
        alt={`The uploaded image ${draft.fileName}`}
        style={{ width: '100%', height: 'auto', display: 'block' }}
      />
      {draft.words.map((word, i) => {
        const low = word.confidence < draft.lowConfidence;
        if (!(i === active || (showBoxes && low))) return null;
        return (
          <div
            key={i}
            aria-hidden="true"
            data-testid={low ? 'low-confidence-box' : 'word-box'}
            style={{
              position: 'absolute',
              left: pct(word.bbox.x0, draft.width),
              top: pct(word.bbox.y0, draft.height),
              width: pct(word.bbox.x1 - word.bbox.x0, draft.width),
              height: pct(word.bbox.y1 - word.bbox.y0, draft.height),
              border: `2px solid var(--mantine-color-${i === active ? 'blue' : 'orange'}-6)`,
              background: i === active ? 'rgba(34, 139, 230, 0.15)' : 'rgba(253, 126, 20, 0.12)',
              borderRadius: 2,
              pointerEvents: 'none',
            }}
          />
        );
      })}
    </Box>
  );
}

/** Words grouped into the lines OCR found (by where each word's middle falls). */
function wordLines(draft: OcrDraftDetail): { word: OcrWord; index: number }[][] {
  const lines: { word: OcrWord; index: number }[][] = draft.lines.map(() => []);
  const extra: { word: OcrWord; index: number }[][] = [];
  draft.words.forEach((word, index) => {
    const middle = (word.bbox.y0 + word.bbox.y1) / 2;
    const line = draft.lines.findIndex((l) => middle >= l.bbox.y0 && middle <= l.bbox.y1);
    if (line >= 0) lines[line]!.push({ word, index });
    else extra.push([{ word, index }]);
  });
  return [...lines, ...extra].filter((l) => l.length > 0);
}

function RecognisedText({
  draft,
  active,
  onActive,
}: {
  draft: OcrDraftDetail;
  active: number | null;
  onActive: (index: number | null) => void;
}) {
  const lines = useMemo(() => wordLines(draft), [draft]);
  const low = draft.words.filter((w) => w.confidence < draft.lowConfidence).length;
  return (
    <Card withBorder padding="sm">
      <Stack gap={6}>
        <Group justify="space-between">
          <Text size="sm" fw={500}>
            Recognised text
          </Text>
          <Text size="xs" c="dimmed">
            {low === 0
              ? 'Every word read with confidence.'
              : `${low} word${low === 1 ? '' : 's'} under ${draft.lowConfidence}% marked: check them against the image.`}
          </Text>
        </Group>
        <Box
          aria-label="Recognised text"
          role="group"
          style={{ fontSize: 'var(--mantine-font-size-sm)' }}
        >
          {lines.map((line, l) => (
            <p key={l} style={{ margin: '0 0 4px 0' }}>
              {line.map(({ word, index }) => {
                const doubtful = word.confidence < draft.lowConfidence;
                const label = `${word.text}: ${Math.round(word.confidence)}% confidence`;
                return (
                  <span key={index}>
                    <Tooltip label={label} openDelay={300}>
                      {doubtful ? (
                        <mark
                          tabIndex={0}
                          aria-label={`${word.text} (low confidence, ${Math.round(word.confidence)}%)`}
                          onMouseEnter={() => onActive(index)}
                          onMouseLeave={() => onActive(null)}
                          onFocus={() => onActive(index)}
                          onBlur={() => onActive(null)}
                          style={{
                            background:
                              index === active
                                ? 'var(--mantine-color-blue-2)'
                                : 'var(--mantine-color-orange-2)',
                            padding: '0 2px',
                            borderRadius: 2,
                          }}
                        >
                          {word.text}
                        </mark>
                      ) : (
                        <span
                          onMouseEnter={() => onActive(index)}
                          onMouseLeave={() => onActive(null)}
                        >
                          {word.text}
                        </span>
                      )}
                    </Tooltip>{' '}
                  </span>
                );
              })}
            </p>
          ))}
        </Box>
      </Stack>
    </Card>
  );
}

function CorrectionForm({ draft, question }: { draft: OcrDraftDetail; question: StaffQuestion }) {
  const api = useQuestionsApi();
  const { markReviewed } = useOcrApi();
  const initialOptions =
    question.type === 'single_choice' || question.type === 'multiple_choice'
      ? ((question.answers.options as ChoiceOption[] | undefined) ?? [])
      : [];
  const [type, setType] = useState<'single_choice' | 'written' | 'other'>(
    question.type === 'single_choice' || question.type === 'written' ? question.type : 'other',
  );
  const [stem, setStem] = useState(question.stem);
  const [options, setOptions] = useState<ChoiceOption[]>(
    initialOptions.length > 0
      ? initialOptions
      : [
          { id: 'a', text: '', weight: 0 },
          { id: 'b', text: '', weight: 0 },
        ],
  );
  const [marks, setMarks] = useState<number | string>(
    question.type === 'written' ? Number(question.answers.maxMarks ?? 1) : 1,
  );
  const [markScheme, setMarkScheme] = useState(
    question.type === 'written' ? String(question.answers.markScheme ?? '') : '',
  );
  const correct = options.find((o) => o.weight === 100)?.id ?? null;
  const serverErrors = isApiError(api.update.error) ? api.update.error.errors : [];
  const errorFor = (path: string) =>
    serverErrors
      .filter((e) => e.path === `body.${path}` || e.path.startsWith(`body.${path}.`))
      .map((e) => `${e.path.replace(/^body\./, '')}: ${e.message}`)
      .join('; ') || undefined;
  const dirty =
    stem !== question.stem ||
    type !== question.type ||
    (type === 'single_choice' && JSON.stringify(options) !== JSON.stringify(initialOptions)) ||
    (type === 'written' &&
      (Number(marks) !== Number(question.answers.maxMarks ?? 1) ||
        markScheme !== String(question.answers.markScheme ?? '')));
  const archived = question.archivedAt !== null;

  const patch = (): QuestionPatch & { type?: 'single_choice' | 'written' } => {
    if (type === 'single_choice') {
      const answers = {
        options: options.map((o, i) => ({ ...o, id: letter(i), text: o.text.trim() })),
      };
      return { type, stem, answers };
    }
    if (type === 'written') {
      return {
        type,
        stem,
        answers: { maxMarks: Number(marks), ...(markScheme.trim() ? { markScheme } : {}) },
      };
    }
    return { stem };
  };

  const save = () =>
    api.update.mutate(
      { id: question.id, patch: patch() },
      {
        onSuccess: ({ question: saved }) => {
          // Take the text back as the server stored it (trimmed, re-lettered).
          setStem(saved.stem);
          if (saved.type === 'single_choice') {
            setOptions((saved.answers.options as ChoiceOption[] | undefined) ?? []);
          }
          if (saved.type === 'written') {
            setMarks(Number(saved.answers.maxMarks ?? 1));
            setMarkScheme(String(saved.answers.markScheme ?? ''));
          }
          notifications.show({ color: 'teal', message: `Draft ${draft.fileName} saved.` });
        },
      },
    );

  const review = (status?: 'review') =>
    markReviewed.mutate(
      { id: draft.id, status },
      {
        onSuccess: () =>
          notifications.show({
            color: 'teal',
            message: status ? 'Reviewed and sent to review.' : 'Marked reviewed.',
          }),
        onError: (error) =>
          notifications.show({ color: 'red', title: 'Not marked', message: errorMessage(error) }),
      },
    );

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
          {type === 'other' ? (
            <Text size="sm">
              {QUESTION_TYPE_LABELS[question.type]}: edit its answers on the{' '}
              <Anchor component={Link} to={`/questions/${question.id}`}>
                question page
              </Anchor>
              .
            </Text>
          ) : (
            <SegmentedControl
              aria-label="Question type"
              data={[
                { value: 'single_choice', label: 'Single choice' },
                { value: 'written', label: 'Marked written' },
              ]}
              value={type}
              onChange={(v) => setType(v as 'single_choice' | 'written')}
              disabled={archived}
            />
          )}
          <Textarea
            label="Question"
            description="As recognised; correct it against the image. Markdown."
            autosize
            minRows={3}
            value={stem}
            onChange={(e) => setStem(e.currentTarget.value)}
            error={errorFor('stem')}
            disabled={archived}
          />
          {type === 'single_choice' ? (
            <Radio.Group
              label="Options"
              description="Pick the correct option; the draft can be saved without one."
              value={correct}
              onChange={(id) =>
                setOptions((current) =>
                  current.map((o) => ({ ...o, weight: o.id === id ? 100 : 0 })),
                )
              }
              error={errorFor('answers')}
            >
              <Stack gap="xs" mt="xs">
                {options.map((option, i) => (
                  <Group key={option.id} gap="xs" wrap="nowrap" align="center">
                    <Radio
                      value={option.id}
                      aria-label={`Option ${letter(i).toUpperCase()} is correct`}
                      disabled={archived}
                    />
                    <Text w={20} fw={500} size="sm">
                      {letter(i).toUpperCase()}
                    </Text>
                    <TextInput
                      aria-label={`Option ${letter(i).toUpperCase()}`}
                      value={option.text}
                      onChange={(e) => {
                        const text = e.currentTarget.value;
                        setOptions((current) =>
                          current.map((o) => (o.id === option.id ? { ...o, text } : o)),
                        );
                      }}
                      style={{ flex: 1 }}
                      disabled={archived}
                    />
                    <CloseButton
                      aria-label={`Remove option ${letter(i).toUpperCase()}`}
                      disabled={options.length <= 2 || archived}
                      onClick={() =>
                        setOptions((current) =>
                          current
                            .filter((o) => o.id !== option.id)
                            .map((o, j) => ({ ...o, id: letter(j) })),
                        )
                      }
                    />
                  </Group>
                ))}
                <Group>
                  <Button
                    variant="subtle"
                    size="xs"
                    disabled={options.length >= 26 || archived}
                    onClick={() =>
                      setOptions((current) => [
                        ...current,
                        { id: letter(current.length), text: '', weight: 0 },
                      ])
                    }
                  >
                    Add option
                  </Button>
                </Group>
              </Stack>
            </Radio.Group>
          ) : null}
          {type === 'written' ? (
            <Group grow align="flex-start">
              <NumberInput
                label="Marks"
                min={0.5}
                max={1000}
                step={0.5}
                value={marks}
                onChange={setMarks}
                error={errorFor('answers.maxMarks')}
                disabled={archived}
              />
              <Textarea
                label="Mark scheme"
                description="What a marker looks for; never shown to learners."
                autosize
                minRows={2}
                value={markScheme}
                onChange={(e) => setMarkScheme(e.currentTarget.value)}
                disabled={archived}
              />
            </Group>
          ) : null}
          <Group justify="space-between" wrap="wrap">
            <Text size="xs" c="dimmed">
              {draft.reviewedAt
                ? `Reviewed ${formatDateTime(draft.reviewedAt)}`
                : 'Not reviewed yet.'}
            </Text>
            <Group gap="sm">
              <Button type="submit" loading={api.update.isPending} disabled={!dirty || archived}>
                Save
              </Button>
              <Button
                variant="default"
                loading={markReviewed.isPending && markReviewed.variables.status === undefined}
                disabled={dirty || archived}
                onClick={() => review()}
              >
                Mark reviewed
              </Button>
              <Tooltip
                label={
                  dirty
                    ? 'Save your changes first'
                    : type === 'single_choice' && correct === null
                      ? 'Pick the correct option first'
                      : 'Marks it reviewed and moves the question to review'
                }
              >
                <Button
                  variant="light"
                  color="teal"
                  loading={markReviewed.isPending && markReviewed.variables.status === 'review'}
                  disabled={
                    dirty ||
                    archived ||
                    (type === 'single_choice' &&
                      question.type === 'single_choice' &&
                      correct === null)
                  }
                  onClick={() => review('review')}
                >
                  Reviewed, ready for review
                </Button>
              </Tooltip>
            </Group>
          </Group>
          {dirty ? (
            <Badge variant="light" color="yellow" w="fit-content">
              Unsaved changes
            </Badge>
          ) : null}
        </Stack>
      </form>
    </Card>
  );
}
