import { Alert, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/api-error';
import { useAuthApi } from '../../api/actions/use-auth-api';
import { useMe } from '../../api/getters/use-me';
import type { SessionUser } from '../../api/types';
import { PageHeader } from '../../components/page-header';
import { RoleBadge } from '../../components/role-badge';
import { applyServerErrors, isFieldLevelError } from '../../components/server-errors';
import { PasswordField } from '../../components/password-field';

const FIELDS = ['currentPassword', 'newPassword'] as const;

function ChangePasswordForm() {
  const { changePassword } = useAuthApi();
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { currentPassword: '', newPassword: '', confirmPassword: '' },
    validate: {
      currentPassword: (value) => (value ? null : 'Enter your current password'),
      newPassword: (value) => (value ? null : 'Choose a new password'),
      confirmPassword: (value, values) =>
        value === values.newPassword ? null : 'The two new passwords do not match',
    },
  });

  const onSubmit = form.onSubmit(({ currentPassword, newPassword }) => {
    changePassword.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          form.reset();
          notifications.show({ color: 'teal', message: 'Your password has been changed.' });
        },
        onError: (error) => {
          applyServerErrors(form, error, FIELDS);
        },
      },
    );
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        {changePassword.isError && !isFieldLevelError(changePassword.error, FIELDS) ? (
          <Alert color="red" variant="light" title="Password not changed" role="alert">
            {errorMessage(changePassword.error)}
          </Alert>
        ) : null}
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          required
          key={form.key('currentPassword')}
          {...form.getInputProps('currentPassword')}
        />
        <PasswordField
          label="New password"
          autoComplete="new-password"
          required
          key={form.key('newPassword')}
          {...form.getInputProps('newPassword')}
        />
        <PasswordField
          label="Repeat new password"
          autoComplete="new-password"
          required
          key={form.key('confirmPassword')}
          {...form.getInputProps('confirmPassword')}
        />
        <Group>
          <Button type="submit" loading={changePassword.isPending}>
            Change password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Profile({ user }: { user: SessionUser }) {
  return (
    <Table variant="vertical" layout="fixed" withTableBorder>
      <Table.Tbody>
        <Table.Tr>
          <Table.Th w={140}>Name</Table.Th>
          <Table.Td>{user.name}</Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th>Email</Table.Th>
          <Table.Td>{user.email}</Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th>Role</Table.Th>
          <Table.Td>
            <RoleBadge role={user.role} />
          </Table.Td>
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}

export function AccountPage() {
  const me = useMe();
  if (!me.data) return null;
  return (
    <Stack gap="lg" maw={640}>
      <PageHeader title="Account" description="Your profile and password." />
      <Card withBorder padding="lg">
        <Stack gap="md">
          <Title order={2} size="h4">
            Profile
          </Title>
          <Profile user={me.data} />
          <Text size="xs" c="dimmed">
            To change your name, email or role, ask an administrator.
          </Text>
        </Stack>
      </Card>
      <Card withBorder padding="lg">
        <Stack gap="md">
          <Title order={2} size="h4">
            Change password
          </Title>
          <ChangePasswordForm />
        </Stack>
      </Card>
    </Stack>
  );
}
