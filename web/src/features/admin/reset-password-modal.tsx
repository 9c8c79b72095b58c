import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/api-error';
import { useUsersApi } from '../../api/actions/use-users-api';
import type { ManagedUser } from '../../api/types';
import { applyServerErrors, isFieldLevelError } from '../../components/server-errors';
import { PasswordField } from '../../components/password-field';

const FIELDS = ['password'] as const;

interface ResetPasswordModalProps {
  user: ManagedUser | null;
  onClose: () => void;
}

export function ResetPasswordModal({ user, onClose }: ResetPasswordModalProps) {
  const { resetPassword } = useUsersApi();
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { password: '' },
    validate: { password: (value) => (value ? null : 'Enter a new password') },
  });

  const close = () => {
    form.reset();
    resetPassword.reset();
    onClose();
  };

  const onSubmit = form.onSubmit(({ password }) => {
    if (!user) return;
    resetPassword.mutate(
      { id: user.id, password },
      {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            title: 'Password reset',
            message: `${user.email} can now log in with the new password.`,
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
      opened={user !== null}
      onClose={close}
      title="Reset password"
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md">
          <Text size="sm">
            Set a new password for <strong>{user?.email}</strong>. Tell them the new password
            privately.
          </Text>
          {resetPassword.isError && !isFieldLevelError(resetPassword.error, FIELDS) ? (
            <Alert color="red" variant="light" title="Password not reset" role="alert">
              {errorMessage(resetPassword.error)}
            </Alert>
          ) : null}
          <PasswordField
            label="New password"
            autoComplete="new-password"
            required
            data-autofocus
            key={form.key('password')}
            {...form.getInputProps('password')}
          />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={resetPassword.isPending}>
              Reset password
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
