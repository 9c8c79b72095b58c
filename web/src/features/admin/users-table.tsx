import { Badge, Button, Group, Select, Table, Text, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/api-error';
import { useUsersApi } from '../../api/actions/use-users-api';
import { ROLES, ROLE_LABELS, type ManagedUser } from '../../api/types';
import { formatDate, formatDateTime, formatRelative } from '../../components/format';
import { ROLE_OPTIONS } from './role-options';

interface UsersTableProps {
  users: ManagedUser[];
  currentUserId: string;
  onResetPassword: (user: ManagedUser) => void;
  onToggleStatus: (user: ManagedUser) => void;
}

function RoleSelect({ user, isSelf }: { user: ManagedUser; isSelf: boolean }) {
  const { changeRole } = useUsersApi();
  const pending = changeRole.isPending;

  const onChange = (value: string | null) => {
    const role = ROLES.find((candidate) => candidate === value);
    if (!role || role === user.role) return;
    changeRole.mutate(
      { id: user.id, role },
      {
        onSuccess: () =>
          notifications.show({
            color: 'teal',
            title: 'Role changed',
            message: `${user.email} is now ${ROLE_LABELS[role].toLowerCase()}.`,
          }),
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: 'Role not changed',
            message: errorMessage(error),
          }),
      },
    );
  };

  return (
    <Select
      aria-label={`Role of ${user.email}`}
      data={ROLE_OPTIONS}
      value={user.role}
      onChange={onChange}
      allowDeselect={false}
      disabled={isSelf || pending}
      size="xs"
      w={130}
      title={isSelf ? 'You cannot change your own role' : undefined}
    />
  );
}

function StatusBadge({ user }: { user: ManagedUser }) {
  // min-width keeps the word whole when the table is tight.
  return user.disabledAt ? (
    <Badge
      miw="max-content"
      color="red"
      variant="light"
      title={`Disabled since ${formatDateTime(user.disabledAt)}`}
    >
      Disabled
    </Badge>
  ) : (
    <Badge miw="max-content" color="teal" variant="light">
      Active
    </Badge>
  );
}

export function UsersTable({
  users,
  currentUserId,
  onResetPassword,
  onToggleStatus,
}: UsersTableProps) {
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table striped highlightOnHover verticalSpacing="sm" aria-label="Users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>User</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th style={{ whiteSpace: 'nowrap' }}>Last login</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.map((user) => {
            const isSelf = user.id === currentUserId;
            const disabled = user.disabledAt !== null;
            return (
              <Table.Tr key={user.id}>
                <Table.Td maw={320}>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={500} truncate="end" title={user.name}>
                      {user.name}
                    </Text>
                    {isSelf ? (
                      <Badge miw="max-content" size="xs" variant="outline" color="gray">
                        You
                      </Badge>
                    ) : null}
                  </Group>
                  <Text size="sm" c="dimmed" truncate="end" title={user.email}>
                    {user.email}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <RoleSelect user={user} isSelf={isSelf} />
                </Table.Td>
                <Table.Td>
                  <StatusBadge user={user} />
                </Table.Td>
                <Table.Td>
                  <Text
                    size="sm"
                    title={formatDateTime(user.createdAt)}
                    style={{ whiteSpace: 'nowrap' }}
                  >
                    {formatDate(user.createdAt)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text
                    size="sm"
                    c={user.lastLoginAt ? undefined : 'dimmed'}
                    title={user.lastLoginAt ? formatDateTime(user.lastLoginAt) : undefined}
                    style={{ whiteSpace: 'nowrap' }}
                  >
                    {user.lastLoginAt ? formatRelative(user.lastLoginAt) : 'Never'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap" justify="flex-end">
                    <Button
                      size="compact-sm"
                      variant="default"
                      onClick={() => onResetPassword(user)}
                      aria-label={`Reset password for ${user.email}`}
                    >
                      Reset password
                    </Button>
                    <Button
                      size="compact-sm"
                      variant="light"
                      color={disabled ? 'teal' : 'red'}
                      onClick={() => onToggleStatus(user)}
                      disabled={isSelf}
                      aria-label={`${disabled ? 'Enable' : 'Disable'} ${user.email}`}
                      miw={76}
                    >
                      {disabled ? 'Enable' : 'Disable'}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
