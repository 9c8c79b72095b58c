import { Anchor, Button, Stack, Text } from '@mantine/core';
import { Link, useNavigate } from 'react-router-dom';
import { isApiError } from '../../api/api-error';
import { usePathsApi } from '../../api/actions/use-paths-api';
import { ErrorAlert } from '../../components/error-alert';

/** "Start a path for this role": generates the path, then opens it; explains a refusal. */
export function StartPathButton({ role, title }: { role: string; title: string }) {
  const { createPath } = usePathsApi();
  const navigate = useNavigate();
  const error = createPath.error;
  return (
    <Stack gap="xs" align="flex-start">
      <Button
        loading={createPath.isPending}
        onClick={() =>
          createPath.mutate(role, {
            onSuccess: ({ path }) => void navigate(`/paths/${path.id}`),
          })
        }
        aria-label={`Start a path for ${title}`}
      >
        Start a path for this role
      </Button>
      {createPath.isPending ? (
        <Text size="xs" c="dimmed">
          Writing the lessons of your modules…
        </Text>
      ) : null}
      {error ? (
        <Stack gap={4}>
          <ErrorAlert
            error={error}
            onRetry={
              isApiError(error) && error.status >= 500 ? () => createPath.mutate(role) : undefined
            }
          />
          {isApiError(error) &&
          (error.code === 'PATH_LIMIT_REACHED' || error.code === 'PATH_EXISTS_FOR_ROLE') ? (
            <Anchor component={Link} to="/paths" size="sm">
              Go to My paths to archive or continue one
            </Anchor>
          ) : null}
        </Stack>
      ) : null}
    </Stack>
  );
}
