import {
  Button,
  Card,
  EmptyState,
  Group,
  LoadingOverlay,
  Pagination,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '../../api/api-error';
import { useMe } from '../../api/getters/use-me';
import { useUsers } from '../../api/getters/use-users';
import { ROLES, type ManagedUser, type Role, type UserStatus } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { PlusIcon, SearchIcon, UsersIcon } from '../../components/icons';
import { NotAllowed } from '../../components/not-allowed';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';
import { ConfirmStatusModal } from './confirm-status-modal';
import { CreateUserModal } from './create-user-modal';
import { ResetPasswordModal } from './reset-password-modal';
import { ROLE_OPTIONS } from './role-options';
import { UsersTable } from './users-table';

const PAGE_SIZE = 20;
const ALL = 'all';

export function UsersPage() {
  const me = useMe();
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search, 300);
  const [role, setRole] = useState<string>(ALL);
  const [status, setStatus] = useState<string>(ALL);
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<ManagedUser | null>(null);
  const [toggling, setToggling] = useState<ManagedUser | null>(null);

  const users = useUsers({
    q: debouncedSearch || undefined,
    role: ROLES.find((candidate) => candidate === role) as Role | undefined,
    status: status === ALL ? undefined : (status as UserStatus),
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });

  if (isApiError(users.error) && users.error.status === 403) {
    return <NotAllowed />;
  }

  const total = users.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filtered = debouncedSearch !== '' || role !== ALL || status !== ALL;
  const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);

  return (
    <Stack gap="lg">
      <PageHeader
        title="Users"
        description="Create accounts, reset passwords, disable leavers and change roles."
        actions={
          <>
            <Button component={Link} to="/admin/audit" variant="default">
              Audit log
            </Button>
            <Button leftSection={<PlusIcon size={16} />} onClick={() => setCreating(true)}>
              Create user
            </Button>
          </>
        }
      />

      <Card withBorder padding="md">
        <Group gap="md" align="flex-end" wrap="wrap">
          <TextInput
            label="Search users"
            placeholder="Name or email"
            leftSection={<SearchIcon size={16} />}
            value={search}
            onChange={(event) => {
              setSearch(event.currentTarget.value);
              setPage(1);
            }}
            type="search"
            miw={260}
            style={{ flex: 1 }}
          />
          <Select
            label="Role"
            data={[{ value: ALL, label: 'All roles' }, ...ROLE_OPTIONS]}
            value={role}
            onChange={(value) => {
              setRole(value ?? ALL);
              setPage(1);
            }}
            allowDeselect={false}
            w={160}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="status-filter-label">
              Status
            </Text>
            <SegmentedControl
              aria-labelledby="status-filter-label"
              data={[
                { value: ALL, label: 'All' },
                { value: 'active', label: 'Active' },
                { value: 'disabled', label: 'Disabled' },
              ]}
              value={status}
              onChange={(value) => {
                setStatus(value);
                setPage(1);
              }}
            />
          </Stack>
        </Group>
      </Card>

      <Card withBorder padding={0} pos="relative">
        {users.isPending ? (
          <PageLoader label="Loading users" />
        ) : users.isError ? (
          <Stack p="md">
            <ErrorAlert
              error={users.error}
              title="Users could not be loaded"
              onRetry={() => void users.refetch()}
            />
          </Stack>
        ) : users.data.users.length === 0 ? (
          <EmptyState py="xl" icon={<UsersIcon size={28} />}>
            <EmptyState.Title order={2}>
              {filtered ? 'No users match' : 'No users yet'}
            </EmptyState.Title>
            <EmptyState.Description>
              {filtered
                ? 'Try another name or email, or clear the filters.'
                : 'Create the first account with the “Create user” button.'}
            </EmptyState.Description>
          </EmptyState>
        ) : (
          <>
            <LoadingOverlay visible={users.isFetching && users.isPlaceholderData} zIndex={5} />
            <UsersTable
              users={users.data.users}
              currentUserId={me.data?.id ?? ''}
              onResetPassword={setResetting}
              onToggleStatus={setToggling}
            />
          </>
        )}
      </Card>

      {total > 0 ? (
        <Group justify="space-between" wrap="wrap">
          <Text size="sm" c="dimmed" aria-live="polite">
            Showing {first}–{last} of {total} {total === 1 ? 'user' : 'users'}
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

      <CreateUserModal opened={creating} onClose={() => setCreating(false)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
      <ConfirmStatusModal user={toggling} onClose={() => setToggling(null)} />
    </Stack>
  );
}
