import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { errorMessage, isApiError } from '../api/api-error';

interface ErrorAlertProps {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}

/** Shows the server's own explanation of what went wrong, and a retry when it may help. */
export function ErrorAlert({ error, title, onRetry }: ErrorAlertProps) {
  const heading =
    title ?? (isApiError(error) && error.title ? error.title : 'Something went wrong');
  return (
    <Alert color="red" variant="light" title={heading} role="alert">
      <Stack gap="xs">
        <Text size="sm">{errorMessage(error)}</Text>
        {isApiError(error) && error.requestId ? (
          <Text size="xs" c="dimmed">
            Reference: {error.requestId}
          </Text>
        ) : null}
        {onRetry ? (
          <Group>
            <Button size="xs" variant="default" onClick={onRetry}>
              Try again
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Alert>
  );
}
