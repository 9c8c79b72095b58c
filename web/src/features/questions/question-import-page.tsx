// Import a Moodle GIFT or CSV file: check it first (every problem listed with its line), then
// import it whole; nothing is ever half-imported.
import {
  Alert,
  Anchor,
  Button,
  Card,
  FileInput,
  Group,
  List,
  Select,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '../../api/api-error';
import { useQuestionsApi } from '../../api/actions/use-questions-api';
import {
  QUESTION_STATUS_LABELS,
  QUESTION_TYPE_LABELS,
  type ImportResult,
  type QuestionStatus,
  type QuestionType,
} from '../../api/questions-types';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { SuggestTags } from './suggest-tags';

/** Same limit as the server (IMPORT_MAX_BYTES); checked here to answer before uploading. */
const MAX_BYTES = 8 * 1024 * 1024;

function lineOf(path: string): string {
  return path.replace(/^line /, '');
}

function Summary({ result }: { result: ImportResult }) {
  const types = Object.entries(result.byType).filter(([, n]) => n > 0);
  return (
    <List size="sm" spacing={2}>
      {types.map(([type, n]) => (
        <List.Item key={type}>
          {n} {QUESTION_TYPE_LABELS[type as QuestionType].toLowerCase()}
        </List.Item>
      ))}
      {result.tagged > 0 ? <List.Item>{result.tagged} concept or skill tags</List.Item> : null}
    </List>
  );
}

export function QuestionImportPage() {
  const { importFile } = useQuestionsApi();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<string>('auto');
  const [status, setStatus] = useState<QuestionStatus>('draft');
  const [readError, setReadError] = useState<string | null>(null);
  const [checked, setChecked] = useState<ImportResult | null>(null);
  const [imported, setImported] = useState<ImportResult | null>(null);

  const reset = () => {
    setChecked(null);
    setImported(null);
    setReadError(null);
    importFile.reset();
  };

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setReadError(null);
    if (file.size > MAX_BYTES) {
      setReadError(`${file.name} is larger than 8 MiB; split it into smaller files.`);
      return;
    }
    const content = await file.text();
    importFile.mutate(
      {
        content,
        fileName: file.name,
        format: format === 'auto' ? undefined : (format as 'gift' | 'csv'),
        status,
        dryRun,
      },
      {
        onSuccess: (result) => {
          if (result.dryRun) setChecked(result);
          else {
            setImported(result);
            setChecked(null);
          }
        },
      },
    );
  };

  const problems =
    isApiError(importFile.error) && importFile.error.code === 'IMPORT_INVALID'
      ? importFile.error.errors
      : [];

  return (
    <Stack gap="lg" maw={900}>
      <Group gap="md">
        <Anchor component={Link} to="/questions" size="sm">
          ← All questions
        </Anchor>
        <Anchor component={Link} to="/questions/ocr" size="sm">
          Import from images of printed questions instead
        </Anchor>
      </Group>
      <PageHeader
        title="Import questions"
        description="A Moodle GIFT export or a CSV file. The whole file is checked first; if any question has a problem, nothing is imported."
      />

      <Card withBorder>
        <Stack>
          <FileInput
            label="File"
            description="GIFT (.gift, .txt) or CSV (.csv), UTF-8, up to 8 MiB"
            placeholder="Choose a file"
            accept=".gift,.txt,.csv,text/plain,text/csv"
            value={file}
            onChange={(f) => {
              setFile(f);
              reset();
            }}
            clearable
          />
          <Group grow>
            <Select
              label="Format"
              data={[
                { value: 'auto', label: 'From the file name' },
                { value: 'gift', label: 'Moodle GIFT' },
                { value: 'csv', label: 'CSV' },
              ]}
              value={format}
              onChange={(v) => {
                setFormat(v ?? 'auto');
                reset();
              }}
              allowDeselect={false}
            />
            <Select
              label="Status of the new questions"
              data={Object.entries(QUESTION_STATUS_LABELS).map(([value, label]) => ({
                value,
                label,
              }))}
              value={status}
              onChange={(v) => setStatus((v as QuestionStatus | null) ?? 'draft')}
              allowDeselect={false}
            />
          </Group>
          <Group>
            <Button
              variant="default"
              disabled={!file}
              loading={importFile.isPending && importFile.variables?.dryRun === true}
              onClick={() => void run(true)}
            >
              Check file
            </Button>
            <Button
              // Once imported, the same file is not imported twice by a second click.
              disabled={!file || imported !== null}
              loading={importFile.isPending && importFile.variables?.dryRun === false}
              onClick={() => void run(false)}
            >
              {checked ? `Import ${checked.imported} questions` : 'Import'}
            </Button>
          </Group>
        </Stack>
      </Card>

      {readError ? (
        <Alert color="red" variant="light" title="File not sent" role="alert">
          {readError}
        </Alert>
      ) : null}

      {problems.length > 0 ? (
        <Card withBorder>
          <Stack gap="sm">
            <Alert color="red" variant="light" title="Nothing was imported" role="alert">
              {problems.length === 1
                ? 'One question has a problem.'
                : `${problems.length} problems were found.`}{' '}
              Fix them in the file and try again.
            </Alert>
            <Table aria-label="Problems" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={80}>Line</Table.Th>
                  <Table.Th>Problem</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {problems.map((p, i) => (
                  <Table.Tr key={i}>
                    <Table.Td>{lineOf(p.path)}</Table.Td>
                    <Table.Td>{p.message}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        </Card>
      ) : importFile.isError ? (
        <ErrorAlert error={importFile.error} title="Nothing was imported" />
      ) : null}

      {checked ? (
        <Alert
          color="blue"
          variant="light"
          title={`${checked.imported} questions are ready to import`}
        >
          <Stack gap="xs">
            <Summary result={checked} />
            <Text size="sm">Nothing has been imported yet.</Text>
          </Stack>
        </Alert>
      ) : null}

      {imported ? (
        <Alert color="teal" variant="light" title={`Imported ${imported.imported} questions`}>
          <Stack gap="xs">
            <Summary result={imported} />
            <Anchor component={Link} to={`/questions?importId=${imported.importId ?? ''}`}>
              See the imported questions
            </Anchor>
          </Stack>
        </Alert>
      ) : null}

      {imported?.importId ? (
        <SuggestTags
          key={imported.importId}
          target={{ importId: imported.importId }}
          what={`the ${imported.imported} imported questions`}
        />
      ) : null}

      {(checked ?? imported)?.warnings.length ? (
        <Card withBorder>
          <Text fw={500} size="sm" mb="xs">
            Notes
          </Text>
          <List size="sm">
            {(checked ?? imported)!.warnings.map((w, i) => (
              <List.Item key={i}>
                Line {w.line}: {w.message}
              </List.Item>
            ))}
          </List>
        </Card>
      ) : null}
    </Stack>
  );
}
