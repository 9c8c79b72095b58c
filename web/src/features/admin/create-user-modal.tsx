import { Alert, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/api-error';
import { useUsersApi } from '../../api/actions/use-users-api';
import { ROLES, type Role } from '../../api/types';
import { ROLE_OPTIONS } from './role-options';
import { applyServerErrors, isFieldLevelError } from '../../components/server-errors';
import { PasswordField } from '../../components/password-field';

const FIELDS = ['email', 'name', 'role', 'password'] as const;

interface CreateUserModalProps {
  opened: boolean;
  onClose: () => void;
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function CreateUserModal({ opened, onClose }: CreateUserModalProps) {
  const { createUser } = useUsersApi();
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { email: '', name: '', role: 'learner', password: '' },
    validate: {
      email: (value) => (value.trim() ? null : 'Enter an email address'),
      name: (value) => (value.trim() ? null : 'Enter a name'),
      role: (value) => (isRole(value) ? null : 'Pick a role'),
      password: (value) => (value ? null : 'Set an initial password'),
    },
  });

  const close = () => {
    form.reset();
    createUser.reset();
    onClose();
  };

  const onSubmit = form.onSubmit((values) => {
    if (!isRole(values.role)) return;
    createUser.mutate(
      {
        email: values.email.trim(),
        name: values.name.trim(),
        role: values.role,
        password: values.password,
      },
      {
        onSuccess: ({ user }) => {
          notifications.show({
            color: 'teal',
            title: 'User created',
            message: `${user.email} can now log in with the initial password.`,
          });
          close();
        },
        onError: (error) => {
          applyServerErrors(form, error, FIELDS);
        },
      },
    );
  });

  return (
    <Modal
      opened={opened}
      onClose={close}
      title="Create user"
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md">
          {createUser.isError && !isFieldLevelError(createUser.error, FIELDS) ? (
            <Alert color="red" variant="light" title="User not created" role="alert">
              {errorMessage(createUser.error)}
            </Alert>
          ) : null}
          <TextInput
            label="Email"
            type="email"
            autoComplete="off"
            required
            data-autofocus
            key={form.key('email')}
            {...form.getInputProps('email')}
          />
          <TextInput
            label="Name"
            autoComplete="off"
            required
            key={form.key('name')}
            {...form.getInputProps('name')}
          />
          <Select
            label="Role"
            data={ROLE_OPTIONS}
            allowDeselect={false}
            required
            key={form.key('role')}
            {...form.getInputProps('role')}
          />
          <PasswordField
            label="Initial password"
            description="Share it with the person privately; they can change it under Account."
            autoComplete="new-password"
            required
            key={form.key('password')}
            {...form.getInputProps('password')}
          />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={createUser.isPending}>
              Create user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
