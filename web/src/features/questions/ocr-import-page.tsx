// Import questions from images: pick or drop photos or scans of printed questions, upload them
// with progress, follow each image's OCR job live, then correct the drafts beside their images.
import {
  Alert,
  Anchor,
  Button,
  Card,
  CloseButton,
  FileButton,
  Group,
  Image,
  Progress,
  SegmentedControl,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useMemo, useState, type DragEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { errorMessage } from '../../api/api-error';
import { useLiveJobs } from '../../api/getters/use-live-jobs';
import { isActive, type JobView } from '../../api/jobs-types';
import { QUESTION_TYPE_LABELS } from '../../api/questions-types';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import {
  OCR_MAX_IMAGES,
  OCR_MAX_IMAGE_BYTES,
  isPending,
  useOcrApi,
  useOcrDrafts,
  useOcrJobs,
  type OcrDraftSummary,
} from './ocr-api';
import { ConfidenceBadge, OcrStatus, ReviewBadge } from './ocr-badges';

const ACCEPTED = ['image/png', 'image/jpeg'];

function sizeLabel(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Why a picked file will not be sent, before anything is uploaded. */
function problemOf(file: File): string | null {
  if (!ACCEPTED.includes(file.type)) return 'not a PNG or JPEG image';
  if (file.size > OCR_MAX_IMAGE_BYTES) return 'larger than 32 MB';
  if (file.size === 0) return 'empty';
  return null;
}

export function OcrImportPage() {
  const [params, setParams] = useSearchParams();
  const batch = params.get('batch') ?? undefined;
  const view = params.get('view') === 'review' ? 'review' : 'all';
  const { upload } = useOcrApi();
  const [files, setFiles] = useState<File[]>([]);
  const [sent, setSent] = useState(0);
  const [dragging, setDragging] = useState(false);

  const drafts = useOcrDrafts({
    batch,
    needsReview: !batch && view === 'review' ? true : undefined,
    limit: 100,
    offset: 0,
  });
  const rows = drafts.data?.drafts ?? [];
  const pendingRows = rows.filter(isPending);
  const jobs = useOcrJobs(pendingRows.length > 0, pendingRows.length > 0);
  const jobsById = useMemo(
    () => new Map((jobs.data?.jobs ?? []).map((job) => [job.id, job])),
    [jobs.data],
  );
  const activeJobIds = pendingRows
    .map((d) => d.jobId)
    .filter((id): id is string => id !== null && isActive(jobsById.get(id) ?? { state: 'queued' }));
  useLiveJobs(activeJobIds);

  const add = (picked: File[]) => {
    upload.reset();
    setFiles((current) => {
      const names = new Set(current.map((f) => `${f.name}:${f.size}`));
      return [...current, ...picked.filter((f) => !names.has(`${f.name}:${f.size}`))];
    });
  };
  const problems = files.map(problemOf);
  // The server names the image that refused the batch ("cut.png: …"): show it on that row too.
  const refused = upload.error ? errorMessage(upload.error) : null;
  const refusedName = files.find((f) => refused?.startsWith(`${f.name}: `))?.name;
  const tooMany = files.length > OCR_MAX_IMAGES;
  const canSend = files.length > 0 && !tooMany && problems.every((p) => p === null);

  const send = () => {
    setSent(0);
    upload.mutate(
      { files, onProgress: setSent },
      {
        onSuccess: (result) => {
          setFiles([]);
          setParams({ batch: result.batch.id });
        },
      },
    );
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    add([...event.dataTransfer.files]);
  };

  const done = rows.filter((d) => d.status === 'drafted').length;
  const failed = rows.filter((d) => d.status === 'failed').length;

  return (
    <Stack gap="lg" maw={1100}>
      <Group gap="md">
        <Anchor component={Link} to="/questions" size="sm">
          ← All questions
        </Anchor>
        <Anchor component={Link} to="/questions/import" size="sm">
          Import a GIFT or CSV file instead
        </Anchor>
      </Group>
      <PageHeader
        title="Import from images"
        description="Photos or scans of printed questions, PNG or JPEG. Each image is read by OCR into a draft question that you correct beside the image; nothing is published until you say so."
      />

      <Card withBorder>
        <Stack>
          <div
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            style={{
              border: `2px dashed var(--mantine-color-${dragging ? 'blue-5' : 'gray-4'})`,
              borderRadius: 'var(--mantine-radius-md)',
              padding: 'var(--mantine-spacing-lg)',
              background: dragging ? 'var(--mantine-color-blue-light)' : undefined,
            }}
          >
            <Stack align="center" gap="xs">
              <Text fw={500}>Drop images here</Text>
              <Text size="sm" c="dimmed">
                or
              </Text>
              <FileButton onChange={add} accept={ACCEPTED.join(',')} multiple>
                {(props) => (
                  <Button variant="default" {...props}>
                    Choose images
                  </Button>
                )}
              </FileButton>
              <Text size="xs" c="dimmed">
                Up to {OCR_MAX_IMAGES} images at a time, 32 MB each. One image per question works
                best.
              </Text>
            </Stack>
          </div>

          {files.length > 0 ? (
            <Table aria-label="Images to upload" verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Image</Table.Th>
                  <Table.Th w={100}>Size</Table.Th>
                  <Table.Th w={40} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {files.map((file, i) => (
                  <Table.Tr key={`${file.name}:${file.size}`}>
                    <Table.Td>
                      <Text size="sm">{file.name}</Text>
                      {problems[i] ? (
                        <Text size="xs" c="red">
                          Will not be sent: {problems[i]}
                        </Text>
                      ) : file.name === refusedName ? (
                        <Text size="xs" c="red">
                          Refused: {refused?.slice(file.name.length + 2)}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{sizeLabel(file.size)}</Table.Td>
                    <Table.Td>
                      <CloseButton
                        aria-label={`Remove ${file.name}`}
                        disabled={upload.isPending}
                        onClick={() => setFiles((current) => current.filter((f) => f !== file))}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : null}
          {tooMany ? (
            <Text size="sm" c="red">
              {files.length} images chosen; send at most {OCR_MAX_IMAGES} at a time.
            </Text>
          ) : null}

          {upload.isPending ? (
            <Stack gap={4}>
              <Text size="sm">Uploading… {Math.round(sent * 100)}%</Text>
              <Progress value={sent * 100} aria-label="Upload progress" />
            </Stack>
          ) : null}
          {upload.isError ? <ErrorAlert error={upload.error} title="Nothing was uploaded" /> : null}

          <Group>
            <Button disabled={!canSend} loading={upload.isPending} onClick={send}>
              {files.length > 0
                ? `Upload ${files.length} image${files.length === 1 ? '' : 's'}`
                : 'Upload'}
            </Button>
            {files.length > 0 && !upload.isPending ? (
              <Button variant="subtle" color="gray" onClick={() => setFiles([])}>
                Clear
              </Button>
            ) : null}
          </Group>
        </Stack>
      </Card>

      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Text fw={600} size="lg" component="h2" m={0}>
            {batch ? 'This upload' : 'Drafts from images'}
          </Text>
          {batch ? (
            <Anchor component={Link} to="/questions/ocr" size="sm">
              All imported images
            </Anchor>
          ) : (
            <SegmentedControl
              aria-label="Which drafts"
              size="xs"
              data={[
                { value: 'all', label: 'All' },
                { value: 'review', label: 'Needs review' },
              ]}
              value={view}
              onChange={(v) => setParams(v === 'review' ? { view: 'review' } : {})}
            />
          )}
        </Group>
        {batch && rows.length > 0 ? (
          <Text size="sm" c="dimmed" role="status">
            {done} of {rows.length} drafted{failed > 0 ? `, ${failed} failed` : ''}
            {pendingRows.length > 0 ? ` — reading ${pendingRows.length}…` : '.'}
          </Text>
        ) : null}
        {drafts.isError ? (
          <ErrorAlert error={drafts.error} title="The drafts could not be loaded" />
        ) : null}
        {drafts.data && rows.length === 0 ? (
          <Alert variant="light" color="gray">
            {view === 'review' ? 'No drafts wait for review.' : 'No images imported yet.'}
          </Alert>
        ) : null}
        {rows.length > 0 ? <DraftsTable rows={rows} jobsById={jobsById} /> : null}
      </Stack>
    </Stack>
  );
}

function DraftsTable({
  rows,
  jobsById,
}: {
  rows: OcrDraftSummary[];
  jobsById: Map<string, JobView>;
}) {
  return (
    <Table aria-label="Drafts from images" verticalSpacing="xs" highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={96}>Image</Table.Th>
          <Table.Th>File and question</Table.Th>
          <Table.Th w={260}>OCR</Table.Th>
          <Table.Th w={110}>Confidence</Table.Th>
          <Table.Th w={130}>Review</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((draft) => (
          <Table.Tr key={draft.id}>
            <Table.Td>
              <Image
                src={draft.imageUrl}
                alt={`Image ${draft.fileName}`}
                w={80}
                h={56}
                fit="contain"
                radius="sm"
                bg="var(--mantine-color-gray-1)"
              />
            </Table.Td>
            <Table.Td>
              <Stack gap={2}>
                <Anchor component={Link} to={`/questions/ocr/${draft.id}`} fw={500} size="sm">
                  {draft.fileName}
                </Anchor>
                {draft.question ? (
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {QUESTION_TYPE_LABELS[draft.question.type]} · {draft.question.excerpt}
                  </Text>
                ) : null}
                {draft.status === 'failed' && draft.failureReason ? (
                  <Text size="xs" c="red">
                    {draft.failureReason}
                  </Text>
                ) : null}
              </Stack>
            </Table.Td>
            <Table.Td>
              <OcrStatus draft={draft} job={draft.jobId ? jobsById.get(draft.jobId) : undefined} />
            </Table.Td>
            <Table.Td>
              <ConfidenceBadge confidence={draft.confidence} />
              {draft.lowConfidenceWords > 0 ? (
                <Text size="xs" c="dimmed">
                  {draft.lowConfidenceWords} word{draft.lowConfidenceWords === 1 ? '' : 's'} to
                  check
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td>
              <ReviewBadge draft={draft} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
