import {
  Button,
  Card,
  Code,
  EmptyState,
  Group,
  LoadingOverlay,
  Pagination,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '../../api/api-error';
import { useAuditLog } from '../../api/getters/use-audit-log';
import type { AuditEntry } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { formatDateTime } from '../../components/format';
import { ListIcon } from '../../components/icons';
import { NotAllowed } from '../../components/not-allowed';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';

const PAGE_SIZE = 25;

// Ids are UUIDs; the first block is enough to tell entries apart, the title holds the rest.
function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

function Details({ details }: { details: AuditEntry['details'] }) {
  if (!details || Object.keys(details).length === 0) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      {Object.entries(details).map(([key, value]) => (
        <Text key={key} size="xs" style={{ overflowWrap: 'anywhere' }}>
          <Text span size="xs" c="dimmed">
            {key}:
          </Text>{' '}
          <Code>{typeof value === 'string' ? value : JSON.stringify(value)}</Code>
        </Text>
      ))}
    </Stack>
  );
}

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped verticalSpacing="sm" aria-label="Audit log entries">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={170}>When</Table.Th>
            <Table.Th>Who</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th>Details</Table.Th>
            <Table.Th>IP address</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((entry) => (
            <Table.Tr key={entry.id}>
              <Table.Td>
                <Text size="sm" title={entry.createdAt}>
                  {formatDateTime(entry.createdAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {entry.actorEmail ?? (entry.actorId ? entry.actorId : 'System')}
                </Text>
              </Table.Td>
              <Table.Td>
                <Code style={{ whiteSpace: 'nowrap' }}>{entry.action}</Code>
              </Table.Td>
              <Table.Td>
                {entry.targetType ? (
                  <Text size="sm">
                    {entry.targetType}
                    {entry.targetId ? (
                      <Text span size="xs" c="dimmed" display="block" title={entry.targetId}>
                        {shortId(entry.targetId)}
                      </Text>
                    ) : null}
                  </Text>
                ) : (
                  <Text size="sm" c="dimmed">
                    —
                  </Text>
                )}
              </Table.Td>
              <Table.Td maw={320}>
                <Details details={entry.details} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={entry.ip ? undefined : 'dimmed'}>
                  {entry.ip ?? '—'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function AuditLogPage() {
  const [page, setPage] = useState(1);
  const audit = useAuditLog({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });

  if (isApiError(audit.error) && audit.error.status === 403) return <NotAllowed />;

  const total = audit.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <Stack gap="lg">
      <PageHeader
        title="Audit log"
        description="Who changed which account, and when. Newest first."
        actions={
          <Button component={Link} to="/admin/users" variant="default">
            Users
          </Button>
        }
      />
      <Card withBorder padding={0} pos="relative">
        {audit.isPending ? (
          <PageLoader label="Loading the audit log" />
        ) : audit.isError ? (
          <Stack p="md">
            <ErrorAlert
              error={audit.error}
              title="The audit log could not be loaded"
              onRetry={() => void audit.refetch()}
            />
          </Stack>
        ) : audit.data.entries.length === 0 ? (
          <EmptyState py="xl" icon={<ListIcon size={28} />}>
            <EmptyState.Title order={2}>No entries yet</EmptyState.Title>
            <EmptyState.Description>
              Account changes such as creating users, resetting passwords and changing roles will be
              listed here.
            </EmptyState.Description>
          </EmptyState>
        ) : (
          <>
            <LoadingOverlay visible={audit.isFetching && audit.isPlaceholderData} zIndex={5} />
            <AuditTable entries={audit.data.entries} />
          </>
        )}
      </Card>
      {total > 0 ? (
        <Group justify="space-between" wrap="wrap">
          <Text size="sm" c="dimmed">
            {total} {total === 1 ? 'entry' : 'entries'}
          </Text>
          {pages > 1 ? (
            <Pagination
              total={pages}
              value={page}
              onChange={setPage}
              getControlProps={(control) => ({
                'aria-label': control === 'previous' ? 'Previous page' : 'Next page',
              })}
              getItemProps={(item) => ({ 'aria-label': `Page ${item}` })}
            />
          ) : null}
        </Group>
      ) : null}
    </Stack>
  );
}
