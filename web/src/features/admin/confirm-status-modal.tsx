import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/api-error';
import { useUsersApi } from '../../api/actions/use-users-api';
import type { ManagedUser } from '../../api/types';

interface ConfirmStatusModalProps {
  user: ManagedUser | null;
  onClose: () => void;
}

/** Asks before disabling (or enabling) an account, since disabling ends its sessions at once. */
export function ConfirmStatusModal({ user, onClose }: ConfirmStatusModalProps) {
  const { setDisabled } = useUsersApi();
  const disabling = user ? user.disabledAt === null : true;

  const close = () => {
    setDisabled.reset();
    onClose();
  };

  const confirm = () => {
    if (!user) return;
    setDisabled.mutate(
      { id: user.id, disabled: disabling },
      {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            title: disabling ? 'User disabled' : 'User enabled',
            message: disabling
              ? `${user.email} can no longer log in.`
              : `${user.email} can log in again.`,
          });
          close();
        },
      },
    );
  };

  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={user !== null}
      onClose={close}
      title={disabling ? 'Disable user?' : 'Enable user?'}
      centered
    >
      <Stack gap="md">
        <Text size="sm">
          {disabling ? (
            <>
              <strong>{user?.email}</strong> will be logged out everywhere at once and cannot log in
              until an administrator enables the account again. Nothing they made is deleted.
            </>
          ) : (
            <>
              <strong>{user?.email}</strong> will be able to log in again with their current
              password.
            </>
          )}
        </Text>
        {setDisabled.isError ? (
          <Alert color="red" variant="light" title="Nothing changed" role="alert">
            {errorMessage(setDisabled.error)}
          </Alert>
        ) : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button
            color={disabling ? 'red' : 'teal'}
            onClick={confirm}
            loading={setDisabled.isPending}
          >
            {disabling ? 'Disable user' : 'Enable user'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
